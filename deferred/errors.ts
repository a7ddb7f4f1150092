/**
 * Errors of the Deferred machinery (Twisted's `defer.AlreadyCalledError`,
 * `defer.CancelledError`, `defer.TimeoutError`).
 *
 * @module
 */

/**
 * `callback`/`errback` was called on a Deferred that already has a result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlreadyCalledError } from "@skein/skein/deferred";
 * const e = new AlreadyCalledError("fired twice");
 * assert.equal(e.name, "AlreadyCalledError");
 * ```
 */
export class AlreadyCalledError extends Error {
  /** Always `"AlreadyCalledError"`. */
  override name = "AlreadyCalledError";
}

/**
 * A Deferred was cancelled (Twisted's `defer.CancelledError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelledError } from "@skein/skein/deferred";
 * assert.equal(new CancelledError().name, "CancelledError");
 * ```
 */
export class CancelledError extends Error {
  /** Always `"CancelledError"`. */
  override name = "CancelledError";
}

/**
 * An operation timed out: `Deferred.addTimeout` expired, or a connection attempt
 * exceeded its timeout (Twisted's `defer.TimeoutError` and
 * `error.TimeoutError`; Skein uses one class for both so one `instanceof`
 * check covers them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimeoutError } from "@skein/skein/deferred";
 * assert.equal(new TimeoutError("slow").message, "slow");
 * ```
 */
export class TimeoutError extends Error {
  /** Always `"TimeoutError"`. */
  override name = "TimeoutError";
}

/**
 * `ensureDeferred` was given something that is neither a Deferred, a
 * Promise (or other thenable) nor a generator (Twisted's
 * `defer.NotACoroutineError`, also a `TypeError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotACoroutineError } from "@skein/skein/deferred";
 * assert.ok(new NotACoroutineError("42") instanceof TypeError);
 * ```
 */
export class NotACoroutineError extends TypeError {
  /** Always `"NotACoroutineError"`. */
  override name = "NotACoroutineError";
}
