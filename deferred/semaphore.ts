/**
 * `DeferredSemaphore`: a counting semaphore for event-driven code, Twisted's
 * `defer.DeferredSemaphore`.
 *
 * @module
 */

import { dropWaiter, runHolding } from "./_concurrency.ts";
import { Deferred, type StageResult } from "./deferred.ts";

/**
 * A semaphore for event-driven code (Twisted's `DeferredSemaphore`): at most
 * `limit` holders at once; `acquire()` returns a Deferred that fires with
 * the semaphore when a token is yours, first come first served.
 *
 * - `new DeferredSemaphore(tokens)` needs an integer `tokens >= 1`
 *   (`RangeError` otherwise; Twisted raises `ValueError`).
 * - `release()` beyond `limit` throws (Twisted asserts).
 * - Cancelling a waiting `acquire()` removes it from the queue and fails it
 *   with `CancelledError`.
 * - `run(fn, ...args)` acquires, calls `fn` (through `maybeDeferred`) and
 *   releases when its result is in: a simple way to bound concurrency.
 *
 * @example Run at most two downloads at a time
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, DeferredSemaphore, type StageResult } from "@skein/skein/deferred";
 *
 * const sem = new DeferredSemaphore(2);
 * const jobs = [new Deferred<string>(), new Deferred<string>(), new Deferred<string>()];
 * for (const job of jobs) sem.run(() => job);
 * assert.ok(sem.tokens === 0 && sem.waiting.length === 1);
 * jobs[0].callback("a");
 * assert.equal(sem.waiting.length, 0);
 * ```
 */
export class DeferredSemaphore {
  /** The most holders allowed at once. */
  readonly limit: number;
  /** Tokens left: `limit` minus the current holders. Read it; do not set it. */
  tokens: number;
  /** The pending `acquire()` Deferreds, oldest first. */
  readonly waiting: Deferred<DeferredSemaphore>[] = [];

  #cancelAcquire = (d: Deferred<DeferredSemaphore>): void => dropWaiter(this.waiting, d);

  /**
   * A semaphore with `tokens` tokens (an integer, at least 1).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredSemaphore } from "@skein/skein/deferred";
   * const sem = new DeferredSemaphore(3);
   * assert.ok(sem.limit === 3 && sem.tokens === 3);
   * ```
   */
  constructor(tokens: number) {
    if (!Number.isInteger(tokens) || tokens < 1) {
      throw new RangeError(
        `DeferredSemaphore requires an integer tokens >= 1, got ${String(tokens)}`,
      );
    }
    this.tokens = tokens;
    this.limit = tokens;
  }

  /**
   * Ask for a token; the Deferred fires with this semaphore once you have one.
   *
   * @example
   * ```ts
   * import { DeferredSemaphore } from "@skein/skein/deferred";
   * const sem = new DeferredSemaphore(1);
   * sem.acquire().addCallback((s) => s.release());
   * ```
   */
  acquire(): Deferred<DeferredSemaphore> {
    const d = new Deferred<DeferredSemaphore>(this.#cancelAcquire);
    if (this.tokens === 0) {
      this.waiting.push(d);
    } else {
      this.tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Give a token back; the oldest waiter, if any, gets it now. Throws if no
   * token is held.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredSemaphore } from "@skein/skein/deferred";
   * const sem = new DeferredSemaphore(1);
   * sem.acquire();
   * sem.release();
   * assert.equal(sem.tokens, 1);
   * ```
   */
  release(): void {
    if (this.tokens >= this.limit) {
      throw new Error("Someone released me too many times: too many tokens!");
    }
    this.tokens++;
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.tokens--;
      next.callback(this);
    }
  }

  /**
   * Acquire a token, run `fn(...args)`, release once its result is in, and
   * fire with that result (or failure).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredSemaphore } from "@skein/skein/deferred";
   * const sem = new DeferredSemaphore(4);
   * const d = sem.run((s: string) => s.toUpperCase(), "hi");
   * assert.equal(d.result, "HI");
   * assert.equal(sem.tokens, 4); // released again
   * ```
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Deferred<StageResult<R>> {
    return runHolding(this, fn, args);
  }
}
