/**
 * Deferreds and Promises, Deferreds and AbortSignals: the work behind
 * `Deferred.fromPromise`, `Deferred.fromAsync`, `cancelOnAbort` and
 * `toPromise` (the methods, with their documentation, are on the class).
 *
 * @module
 */

import { add, type DeferredState, fireCallback, fireErrback, peek, stateOf } from "./_chain.ts";
import { NO_RESULT } from "./_internals.ts";
import { markHandedOff } from "./_unhandled.ts";
import { Deferred } from "./deferred.ts";
import { CancelledError } from "./errors.ts";
import { Failure } from "./failure.ts";

function state(d: Deferred<unknown>): DeferredState {
  return d as unknown as DeferredState;
}

/** `Deferred.fromPromise`: a Deferred that fires with `promise`'s outcome. */
export function fromPromise<T>(
  promise: PromiseLike<T>,
  signal: AbortSignal | undefined,
): Deferred<T> {
  if (promise instanceof Deferred) return promise;
  const d = new Deferred<T>();
  followThenable(d as Deferred<unknown>, promise);
  if (signal !== undefined) bindSignal(d as Deferred<unknown>, signal);
  return d;
}

/** `Deferred.fromAsync`: run `fn(signal)`; cancelling the Deferred aborts `signal`. */
export function fromAsync<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  signal: AbortSignal | undefined,
): Deferred<Awaited<T>> {
  const controller = new AbortController();
  const d = new Deferred<Awaited<T>>(() => controller.abort(new CancelledError()));
  const s = state(d as Deferred<unknown>);
  let value: T | PromiseLike<T>;
  try {
    value = fn(controller.signal);
  } catch (e) {
    fireErrback(s, e);
    return d;
  }
  if (value instanceof Deferred) {
    value.addBoth(settleDeferred, d);
  } else if (isThenable(value)) {
    followThenable(d as Deferred<unknown>, value);
  } else {
    fireCallback(s, value);
  }
  if (signal !== undefined) bindSignal(d as Deferred<unknown>, signal);
  return d;
}

/** `d.toPromise()`: a Promise of the result, leaving the result in place. */
export function toPromise<T>(d: Deferred<T>): Promise<T> {
  const now = peek(stateOf(d));
  if (now !== NO_RESULT) {
    return now instanceof Failure ? Promise.reject(now.value) : Promise.resolve(now as T);
  }
  return new Promise<T>((resolve, reject) => {
    add(state(d as Deferred<unknown>), promiseResolve, promiseReject, [resolve], [reject]);
  });
}

// Stage functions that take their state as arguments (no per-call closures).

function promiseResolve(result: unknown, resolve: (v: unknown) => void): unknown {
  resolve(result);
  return result;
}

function promiseReject(failure: Failure, reject: (e: unknown) => void): Failure {
  markHandedOff(failure);
  reject(failure.value);
  return failure;
}

function settleDeferred(result: unknown, d: Deferred<unknown>): void {
  if (!d.called) fireCallback(state(d), result);
}

function settleFromPromise(d: Deferred<unknown>, value: unknown, rejected: boolean): void {
  if (d.called) return; // cancelled meanwhile: the late outcome is dropped
  if (rejected) fireErrback(state(d), value);
  else if (value instanceof Deferred) value.addBoth(settleDeferred, d);
  else fireCallback(state(d), value);
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

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" && v !== null || typeof v === "function")
    && typeof (v as PromiseLike<unknown>).then === "function";
}

export function bindSignal(d: Deferred<unknown>, signal: AbortSignal): void {
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
