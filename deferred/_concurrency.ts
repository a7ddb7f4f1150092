/**
 * What `DeferredLock` and `DeferredSemaphore` share (Twisted's
 * `_ConcurrencyPrimitive`): running a function while holding the primitive,
 * and dropping a cancelled `acquire()` from the queue.
 *
 * @module
 */

import type { Deferred, StageResult } from "./deferred.ts";
import { maybeDeferred } from "./maybe_deferred.ts";

/** A lock or semaphore, as `runHolding` uses it. */
export interface ConcurrencyPrimitive {
  acquire(): Deferred<unknown>;
  release(): void;
}

/**
 * Acquire `primitive`, call `fn(...args)` (through `maybeDeferred`), release
 * once its result (a Deferred or Promise is waited for) is in, and fire with
 * that result or failure (Twisted's `_ConcurrencyPrimitive.run`).
 */
export function runHolding<A extends unknown[], R>(
  primitive: ConcurrencyPrimitive,
  fn: (...args: A) => R,
  args: A,
): Deferred<StageResult<R>> {
  return primitive.acquire().addCallback(() =>
    maybeDeferred(fn, ...args).addBoth((result: unknown) => {
      primitive.release();
      return result;
    })
  ) as Deferred<StageResult<R>>;
}

/**
 * Remove a cancelled `acquire()` Deferred from `waiting` (only an unfired
 * one can be cancelled this way, and it is still queued).
 */
export function dropWaiter<D>(waiting: D[], d: D): void {
  const i = waiting.indexOf(d);
  if (i >= 0) waiting.splice(i, 1);
}
