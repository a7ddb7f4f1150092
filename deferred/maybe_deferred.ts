/**
 * `maybeDeferred` and `execute`: call a function and get a Deferred of its
 * outcome, whatever it returns or throws (Twisted's `defer.maybeDeferred`
 * and `defer.execute`).
 *
 * @module
 */

import { Deferred, fail, type StageResult, succeed } from "./deferred.ts";
import { Failure } from "./failure.ts";

/**
 * Call `fn(...args)` and return a Deferred of its outcome (Twisted's
 * `maybeDeferred`):
 *
 * - a returned Deferred is returned as the same object;
 * - a returned `Failure` gives a failed Deferred;
 * - a returned Promise (or other thenable, e.g. from an `async` function)
 *   is wrapped with `Deferred.fromPromise`;
 * - a thrown error gives a failed Deferred;
 * - any other value gives a Deferred that has already fired with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maybeDeferred } from "@skein/skein/deferred";
 * maybeDeferred((x: number) => x * 2, 21).addCallback((n) => assert.equal(n, 42));
 * maybeDeferred(() => { throw new Error("sync throw"); })
 *   .addErrback((f) => assert.equal(f.getErrorMessage(), "sync throw"));
 * ```
 */
export function maybeDeferred<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Deferred<StageResult<R>> {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (e) {
    return fail(e);
  }
  if (result instanceof Deferred) return result as Deferred<StageResult<R>>;
  if (result instanceof Failure) return fail(result);
  if (
    (typeof result === "object" && result !== null || typeof result === "function")
    && typeof (result as PromiseLike<unknown>).then === "function"
  ) {
    return Deferred.fromPromise(result as PromiseLike<StageResult<R>>);
  }
  return succeed(result as StageResult<R>);
}

/**
 * Call `fn(...args)` and return a Deferred that has already fired with its
 * return value, or failed with what it threw (Twisted's `execute`). Unlike
 * `maybeDeferred`, a returned Deferred is not passed back as the same object:
 * it is waited for through a new one (as is a Promise), and a returned
 * `Failure` fails it, as `callback(failure)` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { execute } from "@skein/skein/deferred";
 * execute(Math.max, 1, 5).addCallback((n) => assert.equal(n, 5));
 * ```
 */
export function execute<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Deferred<StageResult<R>> {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (e) {
    return fail(e);
  }
  if (
    (typeof result === "object" && result !== null || typeof result === "function")
    && typeof (result as PromiseLike<unknown>).then === "function"
  ) {
    // callback() refuses a Deferred; deliver it through a stage, which waits.
    return succeed(undefined).addCallback(() => result as PromiseLike<StageResult<R>>);
  }
  return succeed(result as StageResult<R>);
}
