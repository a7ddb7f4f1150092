// Test helpers for the DeferredList / race / lock / semaphore / queue tests.
import type { Deferred } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";

/** Sentinel: the Deferred has not fired (or is waiting). */
export const NO_RESULT: unique symbol = Symbol("no result");

/**
 * What `d` fired with, without consuming it from `d`'s own chain beyond this
 * point: Twisted's successResultOf/failureResultOf peek. The observed stage
 * passes the result on (a Failure stays a failure), so callers that peek at a
 * failure must handle it afterwards (see `failureOf`).
 */
export function peek(d: Deferred<unknown>): unknown {
  let out: unknown = NO_RESULT;
  d.addBoth((r: unknown) => {
    out = r;
    return r;
  });
  return out;
}

/** The success result of a fired Deferred (throws if it failed or has no result). */
export function successOf<T>(d: Deferred<T>): T {
  let out: unknown = NO_RESULT;
  d.addBoth((r: unknown) => {
    out = r;
    return r instanceof Failure ? null : r;
  });
  if (out === NO_RESULT) throw new Error("Deferred has no result yet");
  if (out instanceof Failure) throw new Error(`Deferred failed: ${out.getErrorMessage()}`);
  return out as T;
}

/** The Failure of a failed Deferred, consumed (throws if it succeeded or has no result). */
export function failureOf(d: Deferred<unknown>): Failure {
  let out: unknown = NO_RESULT;
  d.addBoth((r: unknown) => {
    out = r;
    return null;
  });
  if (out === NO_RESULT) throw new Error("Deferred has no result yet");
  if (!(out instanceof Failure)) throw new Error(`Deferred succeeded with ${String(out)}`);
  return out;
}

/** True when `d` has no result available to a new callback right now. */
export function hasNoResult(d: Deferred<unknown>): boolean {
  let seen = false;
  d.addBoth((r: unknown) => {
    seen = true;
    return r;
  });
  return !seen;
}

/** Compile-time check that `value` has exactly type `T` (as far as assignability goes both ways). */
export function expectType<T>(_value: T): void {}
