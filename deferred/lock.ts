/**
 * `DeferredLock`: a lock for event-driven code, Twisted's `defer.DeferredLock`.
 *
 * @module
 */

import { dropWaiter, runHolding } from "./_concurrency.ts";
import { Deferred, type StageResult } from "./deferred.ts";

/**
 * A lock for event-driven code (Twisted's `DeferredLock`): `acquire()`
 * returns a Deferred that fires with the lock once it is yours; `release()`
 * hands it to the next waiter, first come first served.
 *
 * - `release()` of an unlocked lock throws (Twisted asserts).
 * - Cancelling a waiting `acquire()` Deferred removes it from the queue and
 *   fails it with `CancelledError`; cancelling one that already fired does
 *   nothing (you hold the lock and must release it).
 * - `run(fn, ...args)` acquires, calls `fn` (through `maybeDeferred`), and
 *   releases when its result (a Deferred or Promise is waited for) is in,
 *   passing the result or failure on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, DeferredLock, type StageResult } from "@skein/skein/deferred";
 *
 * const lock = new DeferredLock();
 * const gate = new Deferred<string>();
 * lock.run(() => gate).addCallback((v) => console.log("first:", v));
 * lock.run((n: number) => n * 2, 21).addCallback((v) => console.log("second:", v));
 * assert.ok(lock.locked);
 * gate.callback("done"); // first: done, then second: 42
 * assert.ok(!lock.locked);
 * ```
 */
export class DeferredLock {
  /** True while someone holds the lock. Read it; do not set it. */
  locked: boolean = false;
  /** The pending `acquire()` Deferreds, oldest first. */
  readonly waiting: Deferred<DeferredLock>[] = [];

  #cancelAcquire = (d: Deferred<DeferredLock>): void => dropWaiter(this.waiting, d);

  /**
   * Ask for the lock. The Deferred fires with this lock at once if it is
   * free, otherwise when every earlier holder has released it.
   *
   * @example
   * ```ts
   * import { DeferredLock } from "@skein/skein/deferred";
   * const lock = new DeferredLock();
   * lock.acquire().addCallback((l) => {
   *   // ... use the shared resource ...
   *   l.release();
   * });
   * ```
   */
  acquire(): Deferred<DeferredLock> {
    const d = new Deferred<DeferredLock>(this.#cancelAcquire);
    if (this.locked) {
      this.waiting.push(d);
    } else {
      this.locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Give the lock up; the oldest waiter, if any, gets it now. Throws if the
   * lock is not held.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredLock } from "@skein/skein/deferred";
   * const lock = new DeferredLock();
   * lock.acquire();
   * lock.release();
   * assert.ok(!lock.locked);
   * ```
   */
  release(): void {
    if (!this.locked) {
      throw new Error("Tried to release an unlocked lock: release() only after acquire() fired");
    }
    this.locked = false;
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.locked = true;
      next.callback(this);
    }
  }

  /**
   * Acquire, run `fn(...args)`, release once its result is in, and fire with
   * that result (or failure).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredLock } from "@skein/skein/deferred";
   * const lock = new DeferredLock();
   * assert.equal(lock.run((a: number, b: number) => a + b, 1, 2).result, 3);
   * assert.equal(lock.locked, false);
   * ```
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Deferred<StageResult<R>> {
    return runHolding(this, fn, args);
  }
}
