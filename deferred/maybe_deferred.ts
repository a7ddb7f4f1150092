/**
 * `maybeDeferred` and `execute`: call a function and get a Deferred of its
 * outcome, whatever it returns or throws (Twisted's `defer.maybeDeferred`
 * and `defer.execute`).
 *
 * @module
 */

import { isThenable } from "./_internals.ts";
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
  return outcomeOf(fn, args, false) as Deferred<StageResult<R>>;
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
  return outcomeOf(fn, args, true) as Deferred<StageResult<R>>;
}

/**
 * `fn(...args)` as a Deferred. `execute` (`wrap` true) waits for a returned
 * Deferred or Promise through a new Deferred and fires with a returned
 * `Failure` (`callback(failure)` errbacks); `maybeDeferred` returns a
 * returned Deferred itself and wraps a Promise.
 */
function outcomeOf<A extends unknown[]>(
  fn: (...args: A) => unknown,
  args: A,
  wrap: boolean,
): Deferred<unknown> {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (e) {
    return fail(e);
  }
  if (!wrap) {
    if (result instanceof Deferred) return result;
    if (result instanceof Failure) return fail(result);
  }
  if (isThenable(result)) {
    // callback() refuses a Deferred; execute delivers it through a stage, which waits.
    return wrap ? succeed(undefined).addCallback(() => result) : Deferred.fromPromise(result);
  }
  return succeed(result);
}
