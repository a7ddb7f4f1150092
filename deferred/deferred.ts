/**
 * `Deferred<T>`: a result that is not there yet, with Twisted's exact
 * semantics (`twisted.internet.defer.Deferred`), plus `succeed` and `fail`.
 *
 * A Deferred holds a chain of (callback, errback) stages. Firing it with
 * `callback(value)` or `errback(reason)` runs the chain synchronously: each
 * stage receives the previous stage's result; a thrown error or a returned
 * `Failure` moves to the errback track, an errback that returns a value moves
 * back to the callback track, and a stage that returns a Deferred (or a
 * Promise) pauses the chain until that one fires, then continues with its
 * result. The chain is run by a trampoline, so arbitrarily long chains of
 * already-fired Deferreds do not grow the JavaScript stack.
 *
 * Promises and AbortSignals:
 *
 * - `await d` / `d.then()` / `d.toPromise()` observe the result without
 *   consuming it: stages added later still get it. A failure delivered to a
 *   Promise this way counts as handled (the Promise reports it if unhandled).
 * - A stage may return a Promise (or any thenable): the chain waits for it
 *   as for a Deferred.
 * - `Deferred.fromPromise(p)` wraps a Promise; cancelling it errbacks with
 *   `CancelledError` at once and drops the Promise's late outcome.
 * - Deferred cancellation → AbortSignal: `Deferred.fromAsync((signal) => ...)`
 *   aborts `signal` when the Deferred is cancelled.
 * - AbortSignal → Deferred cancellation: `d.cancelOnAbort(signal)`, or the
 *   `signal` option of `fromPromise` / `fromAsync`.
 *
 * A Deferred that is garbage-collected while its chain ends in a failure logs
 * "Unhandled error in Deferred:" with the traceback, as in Twisted.
 *
 * @module
 */

import type { IReactorTime } from "../interfaces.ts";
import { err } from "../log/log.ts";
import { captureStack, DebugInfo, debugState } from "./_debug.ts";
import { internals, NO_RESULT, type StageFn } from "./_internals.ts";
import { trackFailure, type UnhandledBox, untrackFailure } from "./_unhandled.ts";
import { AlreadyCalledError, CancelledError, TimeoutError } from "./errors.ts";
import { Failure } from "./failure.ts";
import { ensureDeferred } from "./inline_callbacks.ts";

/**
 * The value a chain stage produces, once any Deferred or Promise it returned
 * has been waited for, and with returned `Failure`s (which switch to the
 * errback track) taken out.
 *
 * @example
 * ```ts
 * import type { Deferred, StageResult } from "./deferred.ts";
 * type N = StageResult<Deferred<number> | string>; // number | string
 * ```
 */
export type StageResult<U> = Awaited<Exclude<U, Failure>>;

/**
 * The type of `Deferred<T>.callback`: fire with a `T` (or a `Failure`); a
 * `Deferred<undefined>` or `Deferred<void>` may also be fired with no
 * argument. It is written as a method type so that, as with a method,
 * `Deferred<number>` stays assignable to `Deferred<number | string>` and
 * `Deferred<unknown>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, type DeferredCallback } from "@skein/skein/deferred";
 * const d = new Deferred<number>();
 * const fire: DeferredCallback<number> = d.callback;
 * fire(3);
 * assert.equal(d.result, 3);
 * ```
 */
export type DeferredCallback<T> = {
  callback(this: Deferred<undefined> | Deferred<void>, result?: undefined): void;
  callback(result: T | Failure): void;
}["callback"];

/** Marks a stage that hands the result on to a Deferred waiting on this one. */
const CONTINUE: StageFn = (): void => {};
/** Marks a `chainDeferred` stage: fire the Deferred in the args with the result. */
const CHAIN: StageFn = (): void => {};

/**
 * What few Deferreds need, kept off the Deferred itself so the common one
 * stays small: the debug stacks, and the bound callback/errback/cancel made
 * on first use.
 */
class Rare {
  debug: DebugInfo | null = null;
  callback: BoundCallback | null = null;
  errback: ((reason?: unknown) => void) | null = null;
  cancel: (() => void) | null = null;
}

/** A Deferred's bound `callback`. */
type BoundCallback = (result?: unknown) => void;

/** `d`'s Rare record, made if missing; set in Deferred's static block. */
let rareOf: (d: Deferred<unknown>) => Rare;

/** `d`'s debug record or null; set in Deferred's static block. */
let debugOf: (d: Deferred<unknown>) => DebugInfo | null;

/** `d`'s debug record, made if missing; set in Deferred's static block. */
let info: (d: Deferred<unknown>) => DebugInfo;

/** The private members the module-level helpers below use. */
interface DeferredPrivate {
  _start(result: unknown): void;
}

/** `d.callback(result)` without making the bound function. */
function fireCallback(d: Deferred<unknown>, result: unknown): void {
  if (result instanceof Deferred) {
    throw new TypeError(
      "Deferred.callback() was given a Deferred; return it from a callback or use chainDeferred() to wait for it",
    );
  }
  (d as unknown as DeferredPrivate)._start(result);
}

/** Failures that have been handed to a Promise (through `then`): not "unhandled" here. */
const handedOff: WeakSet<Failure> = new WeakSet();

/**
 * The result of an event that has not happened yet (Twisted's `Deferred`).
 *
 * Add stages with `addCallback`, `addErrback`, `addBoth` or `addCallbacks`;
 * fire it once with `callback` or `errback`. Each `add*` method returns this
 * same Deferred, retyped to the result the new stage produces, so chains are
 * precisely typed:
 *
 * ```ts
 * const d = new Deferred<string>();
 * const n: Deferred<number> = d.addCallback((s) => s.length);
 * ```
 *
 * A Deferred is also `PromiseLike<T>`: `await d` gives its result (or throws
 * the original error). Awaiting does not consume the result: callbacks added
 * afterwards still see it (see `then`).
 *
 * @example
 * ```ts
 * import { Deferred } from "./deferred.ts";
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log("got", n));
 * d.callback(21); // logs "got 42"
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  // Flat list of stages: [callback, errback, callbackArgs, errbackArgs] × n.
  // `null` for a callback/errback means "pass the result through".
  private _stages: unknown[] | null = null;
  private _pos = 0;
  private _result: unknown = undefined;
  private _called = false;
  private _paused = 0;
  private _running = false;
  private _suppressAlreadyCalled = false;
  private _canceller: ((d: never) => void) | null;
  private _chainedTo: Deferred<unknown> | null = null;
  private _unhandled: UnhandledBox | null = null;
  // The bound forms of callback/errback/cancel, made on first use (Twisted
  // code passes them around unbound; most Deferreds never need them).
  // Debug stacks and bound methods; just the bound callback when that is all
  // it needs (most fired Deferreds), so that costs one allocation.
  private _rare: Rare | BoundCallback | null = null;

  static {
    // What console.log(d) shows on Deno, Bun and Node: the toString form,
    // not the internal fields. (Defined here so it stays out of the types.)
    Object.defineProperty(Deferred.prototype, Symbol.for("nodejs.util.inspect.custom"), {
      value(this: Deferred<unknown>): string {
        return this.toString();
      },
      configurable: true,
      writable: true,
    });
    info = (d): DebugInfo => {
      const rare = rareOf(d);
      return rare.debug ?? (rare.debug = new DebugInfo());
    };
    rareOf = (d): Rare => {
      const r = d._rare;
      if (r !== null && typeof r !== "function") return r;
      const rare = new Rare();
      rare.callback = r;
      d._rare = rare;
      return rare;
    };
    debugOf = (d): DebugInfo | null => {
      const r = d._rare;
      return r === null || typeof r === "function" ? null : r.debug;
    };
    internals.add = (d, cb, eb, ca, ea): void => (d as Deferred<unknown>)._add(cb, eb, ca, ea);
    internals.callback = fireCallback as (d: object, result: unknown) => void;
    internals.errback = (d, reason): void =>
      (d as Deferred<unknown>)._start(reason instanceof Failure ? reason : new Failure(reason));
    internals.prepend = (d, cb, eb, ca, ea): void => {
      const x = d as Deferred<unknown>;
      if (x._stages === null) x._stages = [cb, eb, ca, ea];
      else x._stages.splice(x._pos, 0, cb, eb, ca, ea);
    };
    /** The final result of a fired, idle chain, or NO_RESULT. */
    const settled = (x: Deferred<unknown>): unknown => {
      if (!x._called || x._paused > 0 || x._running) return NO_RESULT;
      const r = x._result;
      if (r instanceof Deferred) return NO_RESULT;
      const stages = x._stages;
      if (stages !== null && x._pos < stages.length) return NO_RESULT;
      return r;
    };
    internals.peek = (d): unknown => {
      const x = d as Deferred<unknown>;
      const r = settled(x);
      if (r instanceof Failure) {
        handedOff.add(r);
        if (x._unhandled !== null) untrackFailure(x);
      }
      return r;
    };
    internals.take = (d): unknown => {
      const x = d as Deferred<unknown>;
      const r = settled(x);
      if (r === NO_RESULT) return r;
      x._result = undefined;
      if (x._unhandled !== null) untrackFailure(x);
      return r;
    };
  }

  /**
   * Create an unfired Deferred. `canceller(d)`, if given, is called by
   * `cancel()` to stop the underlying work; if it does not fire `d`, `cancel`
   * then errbacks `d` with a `CancelledError`.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const timer = setTimeout(() => d.callback("late"), 1000);
   * const d = new Deferred<string>(() => clearTimeout(timer));
   * d.addErrback(() => "cancelled");
   * d.cancel();
   * ```
   */
  constructor(canceller?: ((d: Deferred<T>) => void) | null) {
    if (canceller != null && typeof canceller !== "function") {
      throw new TypeError("new Deferred(canceller): the canceller must be a function (or omitted)");
    }
    this._canceller = canceller ?? null;
    if (debugState.on) {
      const info = new DebugInfo();
      info.creator = captureStack(2);
      const rare = new Rare();
      rare.debug = info;
      this._rare = rare;
    }
  }

  /**
   * True once `callback` or `errback` has been called (Twisted's `called`).
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = new Deferred<void>();
   * d.callback();
   * console.assert(d.called);
   * ```
   */
  get called(): boolean {
    return this._called;
  }

  /**
   * How many times the Deferred is paused (`pause()` calls not yet undone by
   * `unpause()`, plus one while it waits on a Deferred returned by a stage).
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = new Deferred();
   * d.pause();
   * console.assert(d.paused === 1);
   * ```
   */
  get paused(): number {
    return this._paused;
  }

  /**
   * The current result of the chain: `undefined` before firing; then the
   * value (or `Failure`) the last stage produced; the inner Deferred while
   * waiting on one; `undefined` again after another Deferred took this one's
   * result (Twisted sets it to `None`). Typed `unknown` because it is all of
   * those.
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * console.assert(succeed(5).addCallback((n) => n + 1).result === 6);
   * ```
   */
  get result(): unknown {
    return this._result;
  }

  /**
   * Fire the callback chain with `result`. Passing a `Failure` fires the
   * errback chain instead (as Twisted does). Throws `AlreadyCalledError` if
   * the Deferred has already fired, and `TypeError` if `result` is a
   * Deferred (chain it with `chainDeferred` or return it from a stage).
   *
   * It works unbound, as in Twisted: `clock.callLater(5, d.callback, 2)` and
   * `other.addCallback(d.callback)` fire `d`. A `Deferred<undefined>` or
   * `Deferred<void>` may be fired with no argument; any other needs one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * const d = new Deferred<number>();
   * clock.callLater(5, d.callback, 2); // unbound, as Twisted code does
   * clock.advance(5);
   * assert.equal(d.result, 2);
   * const done = new Deferred<undefined>();
   * done.callback(); // no argument for a Deferred<undefined>
   * assert.equal(done.called, true);
   * ```
   */
  get callback(): DeferredCallback<T> {
    const rare = this._rare;
    if (rare === null) {
      return (this._rare = (result?: unknown): void =>
        fireCallback(this, result)) as DeferredCallback<
          T
        >;
    }
    if (typeof rare === "function") return rare as DeferredCallback<T>;
    return (rare.callback ??= (result?: unknown): void =>
      fireCallback(this, result)) as DeferredCallback<T>;
  }

  /**
   * Fire the errback chain. `reason` may be a `Failure`, an `Error`, or any
   * other thrown value (it is wrapped in a `Failure`). With no argument at
   * all, a generic `Error` is used (JavaScript has no "current exception"
   * for Twisted's `errback()` to pick up). Works unbound, as `callback` does.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = new Deferred<string>();
   * d.addErrback((f) => f.getErrorMessage());
   * const fire = d.errback; // unbound
   * fire(new Error("no route"));
   * assert.equal(d.result, "no route");
   * ```
   */
  get errback(): (reason?: unknown) => void {
    const b = rareOf(this as Deferred<unknown>);
    let fn = b.errback;
    if (fn === null) {
      // A function expression, not an arrow: `arguments.length` tells
      // errback() (a generic Error) from errback(undefined).
      const self = this as Deferred<unknown>;
      fn = b.errback = function errback(reason?: unknown): void {
        self._start(
          reason instanceof Failure
            ? reason
            : arguments.length === 0
            ? new Failure()
            : new Failure(reason),
        );
      };
    }
    return fn;
  }

  /**
   * Add a stage that runs on success: `callback(result, ...args)`. Failures
   * pass by untouched. Returns this Deferred, typed with the stage's result
   * (a returned Deferred or Promise is waited for).
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * succeed(2).addCallback((n, times: number) => n * times, 10)
   *   .addCallback((n) => console.assert(n === 20));
   * ```
   */
  addCallback<U, A extends unknown[]>(
    callback: (result: T, ...args: A) => U,
    ...args: A
  ): Deferred<StageResult<U>>;
  addCallback(callback: StageFn): Deferred<unknown> {
    if (typeof callback !== "function") {
      throw new TypeError("addCallback: callback must be a function");
    }
    this._add(callback, null, arguments.length > 1 ? sliceArgs(arguments) : undefined, undefined);
    return this;
  }

  /**
   * Add a stage that runs on failure: `errback(failure, ...args)`. Results
   * pass by untouched. Returning a value (not a `Failure`) from the errback
   * recovers: later callbacks get that value. Throwing (e.g. from
   * `failure.trap`) or returning a `Failure` continues the errback track.
   *
   * @example
   * ```ts
   * import { fail } from "./deferred.ts";
   * fail<number>(new Error("x"))
   *   .addErrback(() => 0)
   *   .addCallback((n) => console.assert(n === 0));
   * ```
   */
  addErrback<U, A extends unknown[]>(
    errback: (failure: Failure, ...args: A) => U,
    ...args: A
  ): Deferred<T | StageResult<U>>;
  addErrback(errback: StageFn): Deferred<unknown> {
    if (typeof errback !== "function") {
      throw new TypeError("addErrback: errback must be a function");
    }
    this._add(null, errback, undefined, arguments.length > 1 ? sliceArgs(arguments) : undefined);
    return this;
  }

  /**
   * Add the same function as both callback and errback: it receives the
   * result or the `Failure` (like `finally`, but it can replace the result).
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * succeed(1).addBoth((r) => console.log("done with", r));
   * ```
   */
  addBoth<U, A extends unknown[]>(
    fn: (result: T | Failure, ...args: A) => U,
    ...args: A
  ): Deferred<StageResult<U>>;
  addBoth(fn: StageFn): Deferred<unknown> {
    if (typeof fn !== "function") throw new TypeError("addBoth: argument must be a function");
    const args = arguments.length > 1 ? sliceArgs(arguments) : undefined;
    this._add(fn, fn, args, args);
    return this;
  }

  /**
   * Add one stage with a callback and an errback (Twisted's `addCallbacks`).
   * Only one of them runs for a given result, so an error thrown by
   * `callback` is *not* seen by this stage's `errback`, only by later stages.
   * `options.callbackArgs` / `options.errbackArgs` are extra arguments passed
   * after the result.
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * succeed("a").addCallbacks(
   *   (s, suffix: string) => s + suffix,
   *   () => "recovered",
   *   { callbackArgs: ["b"] },
   * ).addCallback((s) => console.assert(s === "ab"));
   * ```
   */
  addCallbacks<U, V = never, A extends unknown[] = [], B extends unknown[] = []>(
    callback: (result: T, ...args: A) => U,
    errback?: ((failure: Failure, ...args: B) => V) | null,
    options?: { callbackArgs?: A; errbackArgs?: B; },
  ): Deferred<StageResult<U> | StageResult<V>> {
    if (typeof callback !== "function") {
      throw new TypeError("addCallbacks: callback must be a function");
    }
    if (errback != null && typeof errback !== "function") {
      throw new TypeError("addCallbacks: errback must be a function or null");
    }
    const ca = options?.callbackArgs;
    const ea = options?.errbackArgs;
    this._add(
      callback,
      errback ?? null,
      ca !== undefined && ca.length > 0 ? ca.slice() : undefined,
      ea !== undefined && ea.length > 0 ? ea.slice() : undefined,
    );
    return this as unknown as Deferred<never>;
  }

  /**
   * Make `other` fire with this Deferred's result: the same as
   * `addCallbacks(r => other.callback(r), f => other.errback(f))`. This
   * Deferred's own result becomes `undefined` afterwards (as in Twisted).
   * Cancelling `other` while it waits does nothing to this one. Unlike
   * Twisted's, it runs `other`'s chain in the same trampoline instead of by
   * recursion, so a chain of any number of `chainDeferred`s does not grow
   * the stack.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const a = new Deferred<number>();
   * const b = new Deferred<number>();
   * a.chainDeferred(b);
   * b.addCallback((n) => console.assert(n === 7));
   * a.callback(7);
   * ```
   */
  chainDeferred(other: Deferred<T>): Deferred<void> {
    other._chainedTo = this as Deferred<unknown>;
    const args = [other];
    this._add(CHAIN, CHAIN, args, args);
    return this as unknown as Deferred<never>;
  }

  /**
   * Stop running stages until `unpause()` (pauses nest: each `pause` needs
   * its `unpause`).
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = new Deferred<number>();
   * d.pause();
   * d.callback(1);
   * let seen = false;
   * d.addCallback(() => { seen = true; });
   * console.assert(!seen);
   * d.unpause();
   * console.assert(seen);
   * ```
   */
  pause(): void {
    this._paused++;
  }

  /**
   * Undo one `pause()`. When no pause is left and the Deferred has fired, the
   * pending stages run now.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = new Deferred<number>();
   * d.pause();
   * d.unpause();
   * console.assert(d.paused === 0);
   * ```
   */
  unpause(): void {
    this._paused--;
    if (this._paused > 0) return;
    if (this._called) this._run();
  }

  /**
   * Cancel the work that would fire this Deferred (Twisted's `cancel`).
   *
   * - Not fired yet: calls the canceller given to the constructor; if that
   *   did not fire the Deferred, errbacks it with `CancelledError`. With no
   *   canceller, the one `callback`/`errback` the producer will still make
   *   later is silently swallowed (a second one raises `AlreadyCalledError`).
   * - Fired, but waiting on a Deferred a stage returned: cancels that one.
   * - Otherwise: does nothing.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * import { CancelledError } from "./errors.ts";
   * const d = new Deferred<string>();
   * d.addErrback((f) => { f.trap(CancelledError); return "stopped"; });
   * d.cancel();
   * console.assert(d.result === "stopped");
   * ```
   */
  get cancel(): () => void {
    const b = rareOf(this as Deferred<unknown>);
    return b.cancel ??= (): void => this._cancel();
  }

  /** `cancel()`'s work (what the bound function calls). */
  private _cancel(): void {
    if (!this._called) {
      const canceller = this._canceller;
      if (canceller !== null) (canceller as (d: Deferred<T>) => void)(this);
      else this._suppressAlreadyCalled = true;
      if (!this._called) this._start(new Failure(new CancelledError()));
    } else if (this._result instanceof Deferred) {
      // Waiting on another Deferred: cancel that one instead.
      this._result.cancel();
    }
  }

  /**
   * Time the Deferred out: if it has not fired `seconds` from now on `clock`,
   * it is cancelled and a resulting `CancelledError` becomes a
   * `TimeoutError`. `onTimeoutCancel(result, seconds)`, if given, replaces
   * that translation (it receives whatever the cancellation produced). The
   * timeout covers the stages added before it; the pending timer is
   * cancelled as soon as the Deferred fires.
   *
   * @example
   * ```ts ignore
   * import { Deferred } from "./deferred.ts";
   * import { Clock } from "../task/clock.ts";
   * const clock = new Clock();
   * const d = new Deferred<string>().addTimeout(10, clock);
   * d.addErrback((f) => console.log(f.getErrorMessage()));
   * clock.advance(10); // logs the TimeoutError's message
   * ```
   */
  addTimeout<U = never>(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (result: T | Failure, seconds: number) => U,
  ): Deferred<T | StageResult<U>> {
    const state: TimeoutState = {
      timedOut: false,
      deferred: this as Deferred<unknown>,
      call: null,
    };
    state.call = clock.callLater(seconds, timeItOut, state);
    this._add(convertCancelled, convertCancelled, [state, seconds, onTimeoutCancel], [
      state,
      seconds,
      onTimeoutCancel,
    ]);
    this._add(cancelTimeout, cancelTimeout, [state], [state]);
    return this as unknown as Deferred<never>;
  }

  /**
   * `PromiseLike` support, so `await d` works. The returned Promise settles
   * with the chain's result at this point (rejecting with the original error
   * value, not the `Failure`), and the Deferred's own result is left in place
   * for stages added later. This differs from Twisted's `asFuture` (which
   * consumes the result, leaving `None`): a Deferred that is awaited by one
   * consumer stays usable by others, as a Promise would. A failure handed to
   * a Promise this way counts as handled: it is no longer reported as
   * "Unhandled error in Deferred" (the Promise reports it if nobody handles
   * the rejection).
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * const n = await succeed(41).addCallback((x) => x + 1);
   * console.assert(n === 42);
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    // deno-lint-ignore no-explicit-any
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const p = this.toPromise();
    return onfulfilled == null && onrejected == null
      ? (p as Promise<never>)
      : p.then(onfulfilled, onrejected);
  }

  /**
   * A Promise of this Deferred's result, without consuming it (see `then`).
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * const p: Promise<string> = succeed("x").toPromise();
   * console.assert((await p) === "x");
   * ```
   */
  toPromise(): Promise<T> {
    const now = internals.peek(this);
    if (now !== NO_RESULT) {
      return now instanceof Failure ? Promise.reject(now.value) : Promise.resolve(now as T);
    }
    return new Promise<T>((resolve, reject) => {
      this._add(promiseResolve, promiseReject, [resolve], [reject]);
    });
  }

  /**
   * Iterate to wait for this Deferred inside `inlineCallbacks`, fully typed:
   * `const x = yield* d` gives `T`. As with Twisted's `yield from d`, an
   * already-fired Deferred keeps its result (so several bodies can `yield*`
   * the same cached Deferred); one that fires later hands its result over and
   * is left with `undefined`, as with `yield d`.
   *
   * @example
   * ```ts
   * import { inlineCallbacks } from "./inline_callbacks.ts";
   * import { succeed } from "./deferred.ts";
   * const f = inlineCallbacks(function* () {
   *   const n: number = yield* succeed(1);
   *   return n + 1;
   * });
   * f().addCallback((n) => console.assert(n === 2));
   * ```
   */
  [Symbol.iterator](): Iterator<Deferred<T>, T, unknown> {
    return new YieldOnce<T>(this);
  }

  /**
   * A short description: state and, while waiting on another Deferred, that
   * fact (Twisted's `repr`).
   *
   * @example
   * ```ts
   * import { succeed } from "./deferred.ts";
   * console.assert(String(succeed(1)) === "<Deferred current result: 1>");
   * ```
   */
  toString(): string {
    if (this._chainedTo !== null) return "<Deferred waiting on Deferred>";
    if (!this._called) return "<Deferred>";
    const r = this._result;
    let text: string;
    try {
      text = r instanceof Failure
        ? r.toString()
        : typeof r === "string"
        ? JSON.stringify(r)
        : String(r);
    } catch {
      text = "<unprintable>";
    }
    return `<Deferred current result: ${text}>`;
  }

  /**
   * Wrap a Promise (or any thenable) in a Deferred that fires with its
   * outcome. A Deferred is returned as it is.
   *
   * Cancelling the Deferred errbacks it with `CancelledError` at once; the
   * Promise's later outcome is then ignored (a Promise cannot be stopped).
   * To let cancellation stop the work, use {@linkcode Deferred.fromAsync},
   * which hands the work an `AbortSignal`. `options.signal` maps the other
   * way: aborting it cancels the Deferred.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = Deferred.fromPromise(Promise.resolve(3));
   * console.assert((await d) === 3);
   * ```
   */
  static fromPromise<T>(promise: PromiseLike<T>, options?: { signal?: AbortSignal; }): Deferred<T> {
    if (promise instanceof Deferred) return promise;
    const d = new Deferred<T>();
    followThenable(d as Deferred<unknown>, promise);
    if (options?.signal !== undefined) bindSignal(d, options.signal);
    return d;
  }

  /**
   * Twisted's `Deferred.fromCoroutine`: the same as
   * {@linkcode ensureDeferred}. A generator (an `inlineCallbacks`-style body)
   * or an async generator is run; a Promise or other thenable (e.g. what an
   * `async` function returns) is wrapped; a Deferred is returned as it is.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred, succeed } from "@skein/skein/deferred";
   * const d = Deferred.fromCoroutine((function* () {
   *   const n: number = yield* succeed(20);
   *   return n + 1;
   * })());
   * assert.equal(d.result, 21);
   * assert.equal(await Deferred.fromCoroutine((async () => "async")()), "async");
   * ```
   */
  static fromCoroutine<T>(
    coroutine:
      | Deferred<T>
      | PromiseLike<T>
      | Generator<unknown, T, unknown>
      | AsyncGenerator<unknown, T, unknown>,
  ): Deferred<Awaited<T>> {
    return ensureDeferred(coroutine);
  }

  /**
   * Run `fn(signal)` and wrap its outcome in a Deferred whose cancellation
   * aborts `signal` (with a `CancelledError` as the abort reason), then
   * errbacks the Deferred with `CancelledError` right away. This maps
   * Deferred cancellation onto the web's `AbortSignal`, e.g. for `fetch`.
   * `options.signal` maps the other way: aborting it cancels the Deferred.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const d = Deferred.fromAsync((signal) =>
   *   new Promise<string>((resolve, reject) => {
   *     const t = setTimeout(() => resolve("done"), 10_000);
   *     signal.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); });
   *   })
   * );
   * d.addErrback(() => "cancelled");
   * d.cancel();
   * console.assert(d.result === "cancelled");
   * ```
   */
  static fromAsync<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: { signal?: AbortSignal; },
  ): Deferred<Awaited<T>> {
    const controller = new AbortController();
    const d = new Deferred<Awaited<T>>(() => controller.abort(new CancelledError()));
    let value: T | PromiseLike<T>;
    try {
      value = fn(controller.signal);
    } catch (e) {
      internals.errback(d, e);
      return d;
    }
    if (value instanceof Deferred) {
      value.addBoth(settleDeferred, d);
    } else if (isThenable(value)) {
      followThenable(d as Deferred<unknown>, value);
    } else {
      fireCallback(d as Deferred<unknown>, value);
    }
    if (options?.signal !== undefined) bindSignal(d, options.signal);
    return d;
  }

  /**
   * Cancel this Deferred when `signal` aborts (at once if it already has).
   * The listener is removed once the Deferred fires. Returns this Deferred.
   *
   * @example
   * ```ts
   * import { Deferred } from "./deferred.ts";
   * const ac = new AbortController();
   * const d = new Deferred<string>().cancelOnAbort(ac.signal);
   * d.addErrback(() => "aborted");
   * ac.abort();
   * console.assert(d.result === "aborted");
   * ```
   */
  cancelOnAbort(signal: AbortSignal): this {
    bindSignal(this as Deferred<unknown>, signal);
    return this;
  }

  // ------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------

  /** Append one stage; run it now if the Deferred has fired. */
  private _add(
    cb: unknown,
    eb: unknown,
    cbArgs: unknown[] | undefined,
    ebArgs: unknown[] | undefined,
  ): void {
    const stages = this._stages;
    if (stages === null) this._stages = [cb, eb, cbArgs, ebArgs];
    else stages.push(cb, eb, cbArgs, ebArgs);
    if (this._called) this._run();
  }

  /** Fire the Deferred (Twisted's `_startRunCallbacks`). */
  private _start(result: unknown): void {
    if (this._called) {
      if (this._suppressAlreadyCalled) {
        this._suppressAlreadyCalled = false;
        return;
      }
      throw this._alreadyCalled();
    }
    if (debugState.on) {
      info(this).invoker = captureStack(3);
    }
    this._called = true;
    this._canceller = null; // no longer needed; drop the reference (Twisted does too)
    this._result = result;
    if (this._stages === null) {
      // Nothing to run yet (succeed(), fail(), most producers): only the
      // bookkeeping _run would do.
      this._chainedTo = null;
      if (result instanceof Failure && !handedOff.has(result)) {
        trackFailure(this, result, debugOf(this as Deferred<unknown>));
      }
      return;
    }
    this._run();
  }

  /** The error for a second firing, with debug stacks when available. */
  private _alreadyCalled(): AlreadyCalledError {
    if (!debugState.on && (debugOf(this as Deferred<unknown>)) === null) {
      return new AlreadyCalledError();
    }
    return new AlreadyCalledError(`\n${info(this).describe()}`);
  }

  /**
   * Run as much of the chain as can run now. Iterative (a trampoline): when a
   * Deferred that others wait on fires, the waiting ones are pushed on
   * `chain` and continued in this same loop, as Twisted's `_runCallbacks`.
   */
  private _run(): void {
    if (this._running) return;
    let current: Deferred<unknown> = this as Deferred<unknown>;
    let chain: Deferred<unknown>[] | null = null;
    while (true) {
      if (current._paused > 0) {
        // Nothing can run here now. Twisted returns from the whole loop at
        // this point; going back to the Deferreds below instead lets a fired,
        // unpaused Deferred finish its own pending stages (it is where the
        // recursive form of chainDeferred would be).
        const r = current._result;
        if (r instanceof Failure && !handedOff.has(r)) {
          trackFailure(current, r, debugOf(current));
        }
        if (chain === null) return;
        chain.pop();
        if (chain.length === 0) return;
        current = chain[chain.length - 1];
        current._running = false;
        continue;
      }
      let finished = true;
      current._chainedTo = null;
      const stages = current._stages;
      if (stages !== null) {
        while (current._pos < stages.length) {
          const i = current._pos;
          current._pos = i + 4;
          let result = current._result;
          const failed = result instanceof Failure;
          const fn = (failed ? stages[i + 1] : stages[i]) as StageFn | null;
          const args = (failed ? stages[i + 3] : stages[i + 2]) as unknown[] | undefined;
          if (fn === null) continue;
          if (fn === CONTINUE) {
            // Hand our result to the Deferred that waits on us, and forget it.
            const waiter = (args as unknown[])[0] as Deferred<unknown>;
            waiter._result = result;
            current._result = undefined;
            if (current._unhandled !== null) untrackFailure(current);
            waiter._paused--;
            if (chain === null) chain = [current, waiter];
            else chain.push(waiter);
            finished = false;
            break;
          }
          if (fn === CHAIN) {
            // chainDeferred: fire the target with our result, in this loop
            // rather than by recursion; our own result becomes undefined.
            const target = (args as unknown[])[0] as Deferred<unknown>;
            current._result = undefined;
            if (target._called || target._paused > 0 || debugState.on) {
              // The rare cases keep the plain call (AlreadyCalledError, the
              // swallowed call after a cancel, debug stacks).
              current._running = true;
              try {
                target._start(result);
              } catch (e) {
                current._result = new Failure(e);
              }
              current._running = false;
              continue;
            }
            target._called = true;
            target._canceller = null;
            target._result = result;
            current._running = true; // as while inside target.callback()
            if (chain === null) chain = [current, target];
            else chain.push(target);
            finished = false;
            break;
          }
          current._running = true;
          try {
            if (args === undefined) result = fn(result);
            else if (args.length === 1) result = fn(result, args[0]);
            else result = fn(result, ...args);
          } catch (e) {
            current._running = false;
            current._result = new Failure(e);
            continue;
          }
          current._running = false;
          current._result = result;
          if (typeof result === "object" && result !== null || typeof result === "function") {
            let inner: Deferred<unknown>;
            if (result instanceof Deferred) {
              if (result === current) {
                // Twisted warns ("will raise an exception in the future"); waiting
                // on itself could never finish, so it is an error here.
                current._result = new Failure(
                  new TypeError(
                    "A callback returned the Deferred it was attached to; this would wait forever",
                  ),
                );
                continue;
              }
              inner = result;
            } else {
              let then: unknown;
              try {
                then = (result as PromiseLike<unknown>).then;
              } catch (e) {
                current._result = new Failure(e); // as a Promise would reject
                continue;
              }
              if (typeof then !== "function") continue;
              inner = Deferred.fromPromise(result as PromiseLike<unknown>);
              current._result = inner;
            }
            if (!inner._called || inner._result instanceof Deferred || inner._paused > 0) {
              // Not ready: pause, and let `inner` continue us when it fires.
              current._paused++;
              current._chainedTo = inner;
              const s = inner._stages;
              if (s === null) inner._stages = [CONTINUE, CONTINUE, [current], [current]];
              else s.push(CONTINUE, CONTINUE, [current], [current]);
              break;
            }
            // Already has a result: take it, leaving `undefined` behind.
            current._result = inner._result;
            inner._result = undefined;
            if (inner._unhandled !== null) untrackFailure(inner);
          }
        }
      }
      if (finished) {
        if (stages !== null && current._pos >= stages.length) {
          // All stages ran: drop the list (a fired Deferred often lives on).
          current._stages = null;
          current._pos = 0;
        }
        const r = current._result;
        if (r instanceof Failure) {
          if (!handedOff.has(r)) trackFailure(current, r, debugOf(current));
          else if (current._unhandled !== null) untrackFailure(current);
        } else if (current._unhandled !== null) {
          untrackFailure(current);
        }
        if (chain === null) return;
        chain.pop();
        if (chain.length === 0) return;
        current = chain[chain.length - 1];
        current._running = false;
      } else {
        current = (chain as Deferred<unknown>[])[(chain as Deferred<unknown>[]).length - 1];
      }
    }
  }
}

/**
 * The iterator behind `yield* d`: yields `d` once, then returns what the
 * driver sent back; an error thrown in goes straight out at the `yield*`.
 * A `d` that already has its result finishes at once and keeps its result
 * (Twisted's `yield from d` does the same); an unfired one goes to the
 * driver, which consumes the result as for `yield d`. It is its own
 * IteratorResult (one allocation per `yield*`).
 */
class YieldOnce<T> implements Iterator<Deferred<T>, T, unknown> {
  value: unknown;
  done = false;
  private started = false;
  constructor(d: Deferred<T>) {
    this.value = d;
  }
  next(sent?: unknown): IteratorResult<Deferred<T>, T> {
    if (this.started) {
      this.value = sent;
      this.done = true;
    } else {
      this.started = true;
      // Already fired: finish at once, without a round trip through the
      // driver, and leave the result in place (a failure counts as handled),
      // as Twisted's Deferred.send does for `yield from` / `await`.
      const taken = internals.peek(this.value as Deferred<T>);
      if (taken !== NO_RESULT) {
        this.done = true;
        if (taken instanceof Failure) {
          this.value = undefined;
          throw taken.value;
        }
        this.value = taken;
      }
    }
    return this as unknown as IteratorResult<Deferred<T>, T>;
  }
  throw(error?: unknown): IteratorResult<Deferred<T>, T> {
    this.done = true;
    this.value = undefined;
    throw error;
  }
  return(value?: T): IteratorResult<Deferred<T>, T> {
    this.done = true;
    this.value = value;
    return this as unknown as IteratorResult<Deferred<T>, T>;
  }
}

// Static stage functions (no per-call closures).

function promiseResolve(result: unknown, resolve: (v: unknown) => void): unknown {
  resolve(result);
  return result;
}

function promiseReject(failure: Failure, reject: (e: unknown) => void): Failure {
  handedOff.add(failure);
  reject(failure.value);
  return failure;
}

function settleDeferred(result: unknown, d: Deferred<unknown>): void {
  if (!d.called) fireCallback(d, result);
}

function settleFromPromise(d: Deferred<unknown>, value: unknown, rejected: boolean): void {
  if (d.called) return; // cancelled meanwhile: the late outcome is dropped
  if (rejected) internals.errback(d, value);
  else if (value instanceof Deferred) value.addBoth(settleDeferred, d);
  else fireCallback(d, value);
}

/** Fire `d` with the outcome of `thenable`; a `then` that throws fails `d`. */
function followThenable(d: Deferred<unknown>, thenable: PromiseLike<unknown>): void {
  try {
    thenable.then(
      (value) => settleFromPromise(d, value, false),
      (reason) => settleFromPromise(d, reason, true),
    );
  } catch (e) {
    settleFromPromise(d, e, true);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" && v !== null || typeof v === "function")
    && typeof (v as PromiseLike<unknown>).then === "function";
}

function bindSignal(d: Deferred<unknown>, signal: AbortSignal): void {
  if (signal.aborted) {
    d.cancel();
    return;
  }
  const onAbort = (): void => d.cancel();
  signal.addEventListener("abort", onAbort, { once: true });
  d.addBoth(removeAbortListener, signal, onAbort);
}

function removeAbortListener(result: unknown, signal: AbortSignal, onAbort: () => void): unknown {
  signal.removeEventListener("abort", onAbort);
  return result;
}

interface TimeoutState {
  timedOut: boolean;
  deferred: Deferred<unknown>;
  call: { active(): boolean; cancel(): void; } | null;
}

function timeItOut(state: TimeoutState): void {
  state.timedOut = true;
  state.deferred.cancel();
}

function convertCancelled(
  result: unknown,
  state: TimeoutState,
  seconds: number,
  onTimeoutCancel: ((r: unknown, s: number) => unknown) | undefined,
): unknown {
  if (!state.timedOut) return result;
  if (onTimeoutCancel !== undefined) return onTimeoutCancel(result, seconds);
  if (result instanceof Failure) {
    result.trap(CancelledError);
    throw new TimeoutError(`Deferred timed out after ${seconds} seconds`);
  }
  return result;
}

function cancelTimeout(result: unknown, state: TimeoutState): unknown {
  const call = state.call;
  if (call !== null && call.active()) call.cancel();
  return result;
}

function sliceArgs(args: IArguments): unknown[] {
  const n = args.length - 1;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = args[i + 1];
  return out;
}

/**
 * A Deferred that has already fired with `result` (Twisted's `succeed`).
 *
 * @example
 * ```ts
 * import { succeed } from "./deferred.ts";
 * succeed("ready").addCallback((s) => console.assert(s === "ready"));
 * ```
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  fireCallback(d as Deferred<unknown>, result);
  return d;
}

/**
 * A Deferred that has already failed with `reason` (a `Failure`, an `Error`
 * or any value; with no argument, a generic `Error`), as Twisted's `fail`.
 * If nothing handles the failure before the Deferred is garbage-collected,
 * it is logged as "Unhandled error in Deferred".
 *
 * @example
 * ```ts
 * import { fail } from "./deferred.ts";
 * fail(new Error("nope")).addErrback((f) => console.assert(f.getErrorMessage() === "nope"));
 * ```
 */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  internals.errback(d, arguments.length === 0 ? new Failure() : reason);
  return d;
}

/**
 * Log a failure and pass it on (Twisted's `defer.logError`): an errback that
 * records the error without handling it. If it is the chain's last stage, the
 * failure will also be reported as unhandled when the Deferred is
 * garbage-collected, as in Twisted.
 *
 * @example
 * ```ts
 * import { fail, logError } from "./deferred.ts";
 * fail(new Error("noted")).addErrback(logError).addErrback(() => null);
 * ```
 */
export function logError(failure: Failure): Failure {
  err(failure);
  return failure;
}
