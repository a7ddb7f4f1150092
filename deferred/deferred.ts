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
import {
  add,
  type BoundCallback,
  CHAIN,
  type DeferredState,
  fireCallback,
  fireErrback,
  noteCreator,
  type Rare,
  rareOf,
  run,
  start,
} from "./_chain.ts";
import { debugState } from "./_debug.ts";
import type { StageFn } from "./_internals.ts";
import { bindSignal, fromAsync, fromPromise, toPromise } from "./_interop.ts";
import { addTimeout } from "./_timeout.ts";
import type { UnhandledBox } from "./_unhandled.ts";
import { YieldOnce } from "./_yield_once.ts";
import { CancelledError } from "./errors.ts";
import { Failure } from "./failure.ts";
import { type Coroutine, ensureDeferred } from "./inline_callbacks.ts";

/**
 * The value a chain stage produces, once any Deferred or Promise it returned
 * has been waited for, and with returned `Failure`s (which switch to the
 * errback track) taken out.
 *
 * @example
 * ```ts
 * import type { Deferred, StageResult } from "@skein/skein/deferred";
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

/**
 * The result of an event that has not happened yet (Twisted's `Deferred`).
 *
 * Add stages with `addCallback`, `addErrback`, `addBoth` or `addCallbacks`;
 * fire it once with `callback` or `errback`. Each `add*` method returns this
 * same Deferred, retyped to the result the new stage produces, so chains are
 * precisely typed:
 *
 * ```ts
 * import { Deferred } from "@skein/skein/deferred";
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
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * const d = new Deferred<number>();
 * const seen: number[] = [];
 * d.addCallback((n) => n * 2).addCallback((n) => seen.push(n));
 * d.callback(21);
 * assert.deepEqual(seen, [42]);
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  // TypeScript-private, not #private: the chain runner in _chain.ts (a friend
  // module, see DeferredState) works on these fields.
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
  // Debug stacks and the bound callback/errback/cancel, made on first use.
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
  }

  /**
   * Create an unfired Deferred. `canceller(d)`, if given, is called by
   * `cancel()` to stop the underlying work; if it does not fire `d`, `cancel`
   * then errbacks `d` with a `CancelledError`.
   *
   * @example
   * ```ts
   * import { Deferred } from "@skein/skein/deferred";
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
    if (debugState.on) noteCreator(this as unknown as DeferredState);
  }

  /**
   * True once `callback` or `errback` has been called (Twisted's `called`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = new Deferred<void>();
   * d.callback();
   * assert.ok(d.called);
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
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = new Deferred();
   * d.pause();
   * assert.equal(d.paused, 1);
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * assert.equal(succeed(5).addCallback((n) => n + 1).result, 6);
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
    return (typeof rare === "function" ? rare : boundCallback(state(this))) as DeferredCallback<T>;
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
    const b = rareOf(state(this));
    let fn = b.errback;
    if (fn === null) {
      // A function expression, not an arrow: `arguments.length` tells
      // errback() (a generic Error) from errback(undefined).
      const d = state(this);
      fn = b.errback = function errback(reason?: unknown): void {
        start(
          d,
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * succeed(2).addCallback((n, times: number) => n * times, 10)
   *   .addCallback((n) => assert.equal(n, 20));
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
    // The append is written out here (not a call to add()): this is the
    // hottest call site, and the smaller it is the more of a caller's
    // addCallback calls the JIT inlines.
    const d = this as unknown as DeferredState;
    const stages = d._stages;
    const args = arguments.length > 1 ? sliceArgs(arguments) : undefined;
    if (stages === null) d._stages = [callback, null, args];
    else stages.push(callback, null, args);
    if (d._called) run(d);
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
   * import assert from "node:assert/strict";
   * import { fail } from "@skein/skein/deferred";
   * fail<number>(new Error("x"))
   *   .addErrback(() => 0)
   *   .addCallback((n) => assert.equal(n, 0));
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
    add(
      state(this),
      null,
      errback,
      undefined,
      arguments.length > 1 ? sliceArgs(arguments) : undefined,
    );
    return this;
  }

  /**
   * Add the same function as both callback and errback: it receives the
   * result or the `Failure` (like `finally`, but it can replace the result).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { fail, Failure, succeed } from "@skein/skein/deferred";
   * const describe = (r: unknown): string => r instanceof Failure ? "failed" : `got ${r}`;
   * assert.equal(succeed(1).addBoth(describe).result, "got 1");
   * assert.equal(fail(new Error("x")).addBoth(describe).result, "failed");
   * ```
   */
  addBoth<U, A extends unknown[]>(
    fn: (result: T | Failure, ...args: A) => U,
    ...args: A
  ): Deferred<StageResult<U>>;
  addBoth(fn: StageFn): Deferred<unknown> {
    if (typeof fn !== "function") throw new TypeError("addBoth: argument must be a function");
    const args = arguments.length > 1 ? sliceArgs(arguments) : undefined;
    add(state(this), fn, fn, args, args);
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * succeed("a").addCallbacks(
   *   (s, suffix: string) => s + suffix,
   *   () => "recovered",
   *   { callbackArgs: ["b"] },
   * ).addCallback((s) => assert.equal(s, "ab"));
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
    add(
      state(this),
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
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const a = new Deferred<number>();
   * const b = new Deferred<number>();
   * a.chainDeferred(b);
   * b.addCallback((n) => assert.equal(n, 7));
   * a.callback(7);
   * ```
   */
  chainDeferred(other: Deferred<T>): Deferred<void> {
    other._chainedTo = this as Deferred<unknown>;
    const args = [other];
    add(state(this), CHAIN, CHAIN, args, args);
    return this as unknown as Deferred<never>;
  }

  /**
   * Stop running stages until `unpause()` (pauses nest: each `pause` needs
   * its `unpause`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = new Deferred<number>();
   * d.pause();
   * d.callback(1);
   * let seen = false;
   * d.addCallback(() => { seen = true; });
   * assert.ok(!seen);
   * d.unpause();
   * assert.ok(seen);
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
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = new Deferred<number>();
   * d.pause();
   * d.unpause();
   * assert.equal(d.paused, 0);
   * ```
   */
  unpause(): void {
    this._paused--;
    if (this._paused > 0) return;
    if (this._called) run(state(this));
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
   * import assert from "node:assert/strict";
   * import { CancelledError, Deferred } from "@skein/skein/deferred";
   * const d = new Deferred<string>();
   * d.addErrback((f) => { f.trap(CancelledError); return "stopped"; });
   * d.cancel();
   * assert.equal(d.result, "stopped");
   * ```
   */
  get cancel(): () => void {
    const b = rareOf(state(this));
    return b.cancel ??= (): void => cancel(this as Deferred<unknown>);
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
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred, TimeoutError } from "@skein/skein/deferred";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * const d = new Deferred<string>().addTimeout(10, clock);
   * d.addErrback((f) => f.check(TimeoutError) ? "timed out" : f);
   * clock.advance(10);
   * assert.equal(d.result, "timed out");
   * ```
   */
  addTimeout<U = never>(
    seconds: number,
    clock: IReactorTime,
    onTimeoutCancel?: (result: T | Failure, seconds: number) => U,
  ): Deferred<T | StageResult<U>> {
    addTimeout(this as Deferred<unknown>, seconds, clock, onTimeoutCancel);
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * const n = await succeed(41).addCallback((x) => x + 1);
   * assert.equal(n, 42);
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * const p: Promise<string> = succeed("x").toPromise();
   * assert.equal((await p), "x");
   * ```
   */
  toPromise(): Promise<T> {
    return toPromise(this);
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
   * import assert from "node:assert/strict";
   * import { inlineCallbacks, succeed } from "@skein/skein/deferred";
   * const f = inlineCallbacks(function* () {
   *   const n: number = yield* succeed(1);
   *   return n + 1;
   * });
   * f().addCallback((n) => assert.equal(n, 2));
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
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * assert.equal(String(succeed(1)), "<Deferred current result: 1>");
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
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = Deferred.fromPromise(Promise.resolve(3));
   * assert.equal((await d), 3);
   * ```
   */
  static fromPromise<T>(promise: PromiseLike<T>, options?: { signal?: AbortSignal; }): Deferred<T> {
    return fromPromise(promise, options?.signal);
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
  static fromCoroutine<T>(coroutine: Coroutine<T>): Deferred<Awaited<T>> {
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
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const d = Deferred.fromAsync((signal) =>
   *   new Promise<string>((resolve, reject) => {
   *     const t = setTimeout(() => resolve("done"), 10_000);
   *     signal.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); });
   *   })
   * );
   * d.addErrback(() => "cancelled");
   * d.cancel();
   * assert.equal(d.result, "cancelled");
   * ```
   */
  static fromAsync<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: { signal?: AbortSignal; },
  ): Deferred<Awaited<T>> {
    return fromAsync(fn, options?.signal);
  }

  /**
   * Cancel this Deferred when `signal` aborts (at once if it already has).
   * The listener is removed once the Deferred fires. Returns this Deferred.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * const ac = new AbortController();
   * const d = new Deferred<string>().cancelOnAbort(ac.signal);
   * d.addErrback(() => "aborted");
   * ac.abort();
   * assert.equal(d.result, "aborted");
   * ```
   */
  cancelOnAbort(signal: AbortSignal): this {
    bindSignal(this as Deferred<unknown>, signal);
    return this;
  }
}

function state(d: object): DeferredState {
  return d as DeferredState;
}

/**
 * `cancel()`'s work (what the bound function calls). A module function, not
 * a `#private` method: a class with private methods gives every instance a
 * brand slot, and most Deferreds are never cancelled.
 */
function cancel(d: Deferred<unknown>): void {
  const s = state(d);
  if (!s._called) {
    const canceller = s._canceller;
    if (canceller !== null) (canceller as (d: Deferred<unknown>) => void)(d);
    else s._suppressAlreadyCalled = true;
    if (!s._called) start(s, new Failure(new CancelledError()));
  } else if (s._result instanceof Deferred) {
    // Waiting on another Deferred: cancel that one instead.
    s._result.cancel();
  }
}

/** Make (once) and return `d`'s bound `callback`. */
function boundCallback(d: DeferredState): BoundCallback {
  const rare = d._rare;
  if (rare === null) return d._rare = (result?: unknown): void => fireCallback(d, result);
  if (typeof rare === "function") return rare;
  return rare.callback ??= (result?: unknown): void => fireCallback(d, result);
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
 * import assert from "node:assert/strict";
 * import { succeed } from "@skein/skein/deferred";
 * succeed("ready").addCallback((s) => assert.equal(s, "ready"));
 * ```
 */
export function succeed<T>(result: T): Deferred<T> {
  const d = new Deferred<T>();
  const s = state(d);
  if (debugState.on || typeof result === "object" && result !== null) fireCallback(s, result);
  else {
    // A fresh Deferred with no stages and a plain value: firing it is only
    // these two stores (what start() would do, without its checks).
    s._called = true;
    s._result = result;
  }
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
 * import assert from "node:assert/strict";
 * import { fail } from "@skein/skein/deferred";
 * fail(new Error("nope")).addErrback((f) => assert.equal(f.getErrorMessage(), "nope"));
 * ```
 */
export function fail<T = never>(reason?: unknown): Deferred<T> {
  const d = new Deferred<T>();
  fireErrback(state(d), arguments.length === 0 ? new Failure() : reason);
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
 * import { fail, logError } from "@skein/skein/deferred";
 * fail(new Error("noted")).addErrback(logError).addErrback(() => null);
 * ```
 */
export function logError(failure: Failure): Failure {
  err(failure);
  return failure;
}
