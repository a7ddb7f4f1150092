/**
 * `inlineCallbacks`: sequential-looking code over Deferreds, with generator
 * functions (Twisted's `defer.inlineCallbacks`), and `ensureDeferred`, which
 * turns a generator, a Promise or a Deferred into a Deferred.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, inlineCallbacks, succeed } from "@skein/skein/deferred";
 * const query = (id: number): Deferred<string> => succeed(`user ${id}`);
 * const fetchExtra = (row: string): Promise<number> => Promise.resolve(row.length);
 * const getUser = inlineCallbacks(function* (id: number) {
 *   const row = yield* query(id); // typed: yield* a Deferred gives its T
 *   const extra = yield fetchExtra(row); // plain yield works too (typed unknown)
 *   return { row, extra };
 * });
 * assert.deepEqual(await getUser(7), { row: "user 7", extra: 6 });
 * ```
 *
 * @module
 */

import { add, fireCallback, fireErrback, prepend, stateOf, take } from "./_chain.ts";
import { isThenable, NO_RESULT } from "./_internals.ts";
import { noteAsyncFrame } from "./_trail.ts";
import { untrackFailure } from "./_unhandled.ts";
import { Deferred } from "./deferred.ts";
import { NotACoroutineError } from "./errors.ts";
import { Failure } from "./failure.ts";

/** The per-call state of a running generator (Twisted's `_CancellationStatus`). */
interface Status {
  /** The Deferred the generator's outcome goes to (replaced on cancellation). */
  deferred: Deferred<unknown>;
  /** The Deferred the generator is waiting on, if any. */
  waitingOn: Deferred<unknown> | null;
  gen: Generator<unknown, unknown, unknown>;
  /** The body's name, for the async trail of errors leaving it. */
  name: string;
}

/** Per-`step` call: did the yielded Deferred fire synchronously? */
interface Waiting {
  status: Status;
  /** True while the step loop has not yet looked at the result. */
  pending: boolean;
  result: unknown;
}

/**
 * What `ensureDeferred` and `Deferred.fromCoroutine` take: a generator (an
 * `inlineCallbacks`-style body), an async generator, a Promise or other
 * thenable, or a Deferred.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Coroutine, ensureDeferred, succeed } from "@skein/skein/deferred";
 * const body: Coroutine<number> = (function* () {
 *   return (yield* succeed(1)) + 1;
 * })();
 * assert.equal(ensureDeferred(body).result, 2);
 * ```
 */
export type Coroutine<T> =
  | Deferred<T>
  | PromiseLike<T>
  | Generator<unknown, T, unknown>
  | AsyncGenerator<unknown, T, unknown>;

/** Raised internally into a cancelled inlineCallbacks Deferred; never seen outside. */
class InlineCallbacksCancelled extends Error {
  override name = "InlineCallbacksCancelled";
}

/**
 * Wrap a generator function so that it runs as a coroutine over Deferreds
 * and returns a `Deferred` of its return value (Twisted's `inlineCallbacks`).
 *
 * - `yield d` waits for the Deferred `d` (or a Promise) and evaluates to its
 *   result, typed `unknown`; `const x = yield* d` does the same, typed as
 *   the Deferred's `T`. A failure is thrown at the `yield`, so `try`/`catch`
 *   works. Yielding a generator runs it as a nested inlineCallbacks body and
 *   waits for it; yielding any other value gives it straight back.
 * - The body runs synchronously until it waits on a Deferred that has not
 *   fired; yields of already-fired Deferreds are unrolled in a loop, so any
 *   number of them uses no extra stack.
 * - `return x` fires the returned Deferred with `x` (a returned Deferred or
 *   Promise is waited for first); an uncaught error errbacks it.
 * - Cancelling the returned Deferred cancels the Deferred being waited on:
 *   its `CancelledError` is thrown at the `yield`; if the body catches it and
 *   goes on, the returned Deferred keeps waiting for the body's outcome.
 * - The yielded Deferred's own result is consumed (it becomes `undefined`),
 *   as in Twisted.
 *
 * Calling the wrapped function throws `TypeError` if `fn` does not return a
 * generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, inlineCallbacks, succeed } from "@skein/skein/deferred";
 * const add = inlineCallbacks(function* (a: number, d: Deferred<number>) {
 *   const b = yield* d;
 *   return a + b;
 * });
 * add(1, succeed(2)).addCallback((n) => assert.equal(n, 3));
 * ```
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  fn: (this: This, ...args: A) => Generator<unknown, R, unknown>,
): (this: This, ...args: A) => Deferred<Awaited<R>>;
/**
 * `inlineCallbacks` also takes an `async function*`. There `yield` awaits its
 * operand (JavaScript's own rule for async generators), so `yield d` and
 * `yield* d` wait for a Deferred or Promise and give its result, and `await`
 * works too. The body runs asynchronously from the start. Cancelling the
 * returned Deferred errbacks it with `CancelledError` at once and ends the
 * body when the `yield` it waits on completes (as a `return` there, so its
 * `finally` blocks run); the body cannot catch the cancellation, and what it
 * waits on is not cancelled, since the generator awaits it itself, out of
 * the driver's reach. Prefer `function*` where cancellation matters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inlineCallbacks, succeed } from "@skein/skein/deferred";
 * const f = inlineCallbacks(async function* (n: number) {
 *   const a = yield* succeed(n);
 *   const b = await Promise.resolve(1);
 *   return a + b;
 * });
 * assert.equal((await f(41)), 42);
 * ```
 */
export function inlineCallbacks<This, A extends unknown[], R>(
  fn: (this: This, ...args: A) => AsyncGenerator<unknown, R, unknown>,
): (this: This, ...args: A) => Deferred<Awaited<R>>;
export function inlineCallbacks<This, A extends unknown[], R>(
  fn: (
    this: This,
    ...args: A
  ) => Generator<unknown, R, unknown> | AsyncGenerator<unknown, R, unknown>,
): (this: This, ...args: A) => Deferred<Awaited<R>> {
  if (typeof fn !== "function") throw new TypeError("inlineCallbacks needs a generator function");
  const name = fn.name || "anonymous";
  const wrapped = function(this: This, ...args: A): Deferred<Awaited<R>> {
    const gen = fn.apply(this, args) as unknown;
    if (isGenerator(gen)) return start(gen, name) as Deferred<Awaited<R>>;
    if (isAsyncGenerator(gen)) return startAsync(gen, name) as Deferred<Awaited<R>>;
    throw new TypeError(
      `inlineCallbacks requires ${name} to return a generator (write it as function* ...), got ${
        describe(gen)
      }`,
    );
  };
  Object.defineProperty(wrapped, "name", { value: name, configurable: true });
  return wrapped;
}

/**
 * Turn a coroutine-like value into a Deferred (Twisted's `ensureDeferred`):
 * a Deferred is returned as it is; a Promise or other thenable (e.g. the
 * result of an `async` function) is wrapped with `Deferred.fromPromise`; a
 * generator or an async generator is run as an `inlineCallbacks` body.
 * Anything else throws `NotACoroutineError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureDeferred, succeed } from "@skein/skein/deferred";
 * const d = ensureDeferred((function* () {
 *   return (yield* succeed(20)) + 1;
 * })());
 * d.addCallback((n) => assert.equal(n, 21));
 * const p = ensureDeferred((async () => "from async")());
 * ```
 */
export function ensureDeferred<T>(coroutine: Coroutine<T>): Deferred<Awaited<T>> {
  if (coroutine instanceof Deferred) return coroutine as Deferred<Awaited<T>>;
  if (isGenerator(coroutine)) return start(coroutine, "<generator>") as Deferred<Awaited<T>>;
  if (isAsyncGenerator(coroutine)) {
    return startAsync(coroutine, "<async generator>") as Deferred<Awaited<T>>;
  }
  if (isThenable(coroutine)) return Deferred.fromPromise(coroutine) as Deferred<Awaited<T>>;
  throw new NotACoroutineError(
    `${describe(coroutine)} is not a coroutine, a Promise or a Deferred`,
  );
}

function start(gen: Generator<unknown, unknown, unknown>, name: string): Deferred<unknown> {
  const status: Status = {
    deferred: null as unknown as Deferred<unknown>,
    waitingOn: null,
    gen,
    name,
  };
  status.deferred = new Deferred<unknown>((d) => handleCancel(d, status));
  step(undefined, status);
  return status.deferred;
}

/**
 * Send `result` into the generator (throw it, for a Failure) and keep going
 * while what it yields is already available. Iterative, like Twisted's
 * `_inlineCallbacks`.
 */
function step(result: unknown, status: Status): void {
  const gen = status.gen;
  // Allocated on the first yield of a Deferred that has not fired yet.
  let waiting: Waiting | null = null;
  let args: unknown[] | undefined;
  // One try around the whole loop rather than one per resume (measurably
  // faster on JavaScriptCore); `inGen` tells the generator's own throw, which
  // errbacks the Deferred, from an error of ours, which propagates as before.
  let inGen = false;
  try {
    while (true) {
      inGen = true;
      const next = result instanceof Failure ? gen.throw(result.value) : gen.next(result);
      inGen = false;
      let value = next.value;
      if (next.done) {
        if (value instanceof Deferred || isThenable(value)) {
          // `return someDeferred`: wait for it, then finish with its outcome.
          const d = value instanceof Deferred ? value : Deferred.fromPromise(value);
          status.waitingOn = d;
          d.addBoth(finish, status);
        } else {
          fireCallback(stateOf(status.deferred), value);
        }
        return;
      }
      if (!(value instanceof Deferred)) {
        if (isThenable(value)) value = Deferred.fromPromise(value);
        else if (isGenerator(value)) value = start(value, "<generator>"); // as Twisted's HEAD wraps a yielded coroutine
        else {
          result = value; // a plain value is sent straight back
          continue;
        }
      }
      const d = value as Deferred<unknown>;
      const x = stateOf(d);
      if (x._called && x._stages === null && x._paused === 0 && !x._running) {
        // Fired and idle with no stages left (succeed(), fail(), a finished
        // chain): take the result, as a consuming addBoth stage would. This
        // is take() written out for the commonest yield (bench case d).
        const r = x._result;
        if (!(r instanceof Deferred)) {
          x._result = undefined;
          if (x._unhandled !== null) untrackFailure(x);
          result = r;
          continue;
        }
      }
      // Any other Deferred that already has its result: take it likewise,
      // without adding the stage.
      const taken = take(x);
      if (taken !== NO_RESULT) {
        result = taken;
        continue;
      }
      if (waiting === null) {
        waiting = { status, pending: true, result: undefined };
        args = [waiting];
      }
      add(stateOf(d), gotResult, gotResult, args, args);
      if (waiting.pending) {
        // Not fired yet: gotResult will resume us later.
        waiting.pending = false;
        status.waitingOn = d;
        return;
      }
      result = waiting.result;
      waiting.result = undefined;
      waiting.pending = true;
    }
  } catch (e) {
    if (!inGen) throw e;
    noteAsyncFrame(e, status.name);
    fireErrback(stateOf(status.deferred), e);
  }
}

function gotResult(result: unknown, waiting: Waiting): undefined {
  if (waiting.pending) {
    waiting.pending = false;
    waiting.result = result;
  } else {
    waiting.status.waitingOn = null;
    step(result, waiting.status);
  }
  return undefined; // the yielded Deferred's result is consumed, as in Twisted
}

function finish(result: unknown, status: Status): undefined {
  status.waitingOn = null;
  fireCallback(stateOf(status.deferred), result); // a Failure result errbacks
  return undefined;
}

/**
 * The canceller of an inlineCallbacks Deferred (Twisted's
 * `_addCancelCallbackToDeferred`): fire `d` with an internal error whose
 * first errback swaps in a fresh Deferred for the generator's outcome,
 * cancels what the generator waits on, and makes `d` wait on the fresh one.
 * So `d` takes whatever the generator does with the `CancelledError`.
 */
function handleCancel(d: Deferred<unknown>, status: Status): void {
  prepend(stateOf(d), null, cancelErrback, undefined, [status]);
  fireErrback(stateOf(d), new Failure(new InlineCallbacksCancelled()));
}

function cancelErrback(f: Failure, status: Status): Deferred<unknown> {
  f.trap(InlineCallbacksCancelled);
  const fresh = new Deferred<unknown>((d) => handleCancel(d, status));
  status.deferred = fresh;
  const awaited = status.waitingOn;
  if (awaited !== null) awaited.cancel();
  return fresh;
}

/** Run an async generator body: each yielded value was already awaited by it. */
function startAsync(
  gen: AsyncGenerator<unknown, unknown, unknown>,
  name: string,
): Deferred<unknown> {
  const d = new Deferred<unknown>();
  void driveAsync(gen, d, name);
  return d;
}

async function driveAsync(
  gen: AsyncGenerator<unknown, unknown, unknown>,
  d: Deferred<unknown>,
  name: string,
): Promise<void> {
  let sent: unknown = undefined;
  while (true) {
    let next: IteratorResult<unknown, unknown>;
    try {
      next = await gen.next(sent);
    } catch (e) {
      noteAsyncFrame(e, name);
      if (!d.called) fireErrback(stateOf(d), e);
      return;
    }
    if (next.done) {
      if (!d.called) fireCallback(stateOf(d), next.value);
      return;
    }
    if (d.called) {
      // Cancelled: end the body here (its finally blocks run).
      try {
        await gen.return(undefined);
      } catch {
        // a body that throws while closing has nobody left to tell
      }
      return;
    }
    sent = next.value;
  }
}

function isAsyncGenerator(v: unknown): v is AsyncGenerator<unknown, unknown, unknown> {
  return typeof v === "object" && v !== null
    && typeof (v as AsyncGenerator).next === "function"
    && typeof (v as AsyncGenerator).throw === "function"
    && typeof (v as AsyncGenerator)[Symbol.asyncIterator] === "function";
}

function isGenerator(v: unknown): v is Generator<unknown, unknown, unknown> {
  return typeof v === "object" && v !== null
    && typeof (v as Generator).next === "function"
    && typeof (v as Generator).throw === "function"
    && typeof (v as Generator)[Symbol.iterator] === "function";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  if (typeof v === "function") return `function ${v.name || "anonymous"}`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}
