/**
 * Call a function and get a Deferred of its outcome, whatever it returns or
 * throws: Twisted's `maybeDeferred`, accepting promises too. Private to task/.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";

/**
 * `fn(...args)` as a Deferred: a thrown error becomes a failed Deferred, a
 * returned Deferred is returned as it is, a promise is wrapped, anything else
 * fires at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callAsDeferred } from "./_maybe.ts";
 * callAsDeferred(() => 3).addCallback((n) => assert.equal(n, 3));
 * ```
 */
export function callAsDeferred(
  fn: (...args: never[]) => unknown,
  args: readonly unknown[] = [],
): Deferred<unknown> {
  let result: unknown;
  try {
    result = (fn as (...a: unknown[]) => unknown)(...args);
  } catch (e) {
    const d = new Deferred<unknown>();
    d.errback(new Failure(e));
    return d;
  }
  if (result instanceof Deferred) return result as Deferred<unknown>;
  if (result instanceof Failure) {
    const d = new Deferred<unknown>();
    d.errback(result);
    return d;
  }
  if (
    (typeof result === "object" || typeof result === "function") && result !== null
    && typeof (result as { then?: unknown; }).then === "function"
  ) {
    return Deferred.fromPromise(result as PromiseLike<unknown>);
  }
  const d = new Deferred<unknown>();
  d.callback(result);
  return d;
}
