/**
 * Deferreds: Twisted's `twisted.internet.defer`, typed.
 *
 * A `Deferred<T>` is a result that is not there yet, with a chain of callbacks and
 * errbacks that run in order when it fires. It follows Twisted's semantics exactly
 * (chaining, pausing on a returned Deferred, cancellation, timeouts) and
 * interoperates with promises: `await d` works and `Deferred.fromPromise(p)` wraps
 * one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, DeferredList, inlineCallbacks, succeed } from "@skein/skein/deferred";
 *
 * const d = new Deferred<number>();
 * d.addCallback((n) => n + 1);
 * d.callback(41);
 * assert.equal(d.result, 42);
 *
 * const both = new DeferredList([succeed(1), succeed("two")]);
 * assert.deepEqual(both.result, [[true, 1], [true, "two"]]);
 *
 * const twice = inlineCallbacks(function* (x: number) {
 *   const y = yield* succeed(x * 2);
 *   return y;
 * });
 * assert.equal(await twice(21), 42);
 * ```
 *
 * @module
 */
export type { IDelayedCall, IReactorTime } from "../interfaces.ts";
export {
  captureUnhandledFailures,
  flushUnhandledFailures,
  getDebugging,
  setDebugging,
  type UnhandledFailureCapture,
} from "./debug.ts";
export * from "./deferred.ts";
export * from "./deferred_list.ts";
export * from "./errors.ts";
export * from "./failure.ts";
export * from "./gather_results.ts";
export * from "./inline_callbacks.ts";
export * from "./lock.ts";
export * from "./maybe_deferred.ts";
export * from "./queue.ts";
export * from "./race.ts";
export * from "./semaphore.ts";
