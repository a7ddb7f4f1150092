/**
 * `DeferredQueue`: an event-driven queue, Twisted's `defer.DeferredQueue`.
 *
 * @module
 */

import { Deferred, succeed } from "./deferred.ts";

/**
 * `put()` on a `DeferredQueue` that already holds `size` items (Twisted's
 * `QueueOverflow`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueueOverflow } from "@skein/skein/deferred";
 * assert.equal(new QueueOverflow().name, "QueueOverflow");
 * ```
 */
export class QueueOverflow extends Error {
  /** Always `"QueueOverflow"`. */
  override name: string = "QueueOverflow";
}

/**
 * `get()` on a `DeferredQueue` that already has `backlog` pending gets
 * (Twisted's `QueueUnderflow`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueueUnderflow } from "@skein/skein/deferred";
 * assert.equal(new QueueUnderflow().name, "QueueUnderflow");
 * ```
 */
export class QueueUnderflow extends Error {
  /** Always `"QueueUnderflow"`. */
  override name: string = "QueueUnderflow";
}

/**
 * Options of {@linkcode DeferredQueue}.
 *
 * @example
 * ```ts
 * import type { DeferredQueueOptions } from "@skein/skein/deferred";
 * const opts: DeferredQueueOptions = { size: 100, backlog: 10 };
 * ```
 */
export interface DeferredQueueOptions {
  /** The most items held at once; `put()` beyond it throws `QueueOverflow`. Unbounded by default. */
  readonly size?: number;
  /** The most unfired `get()`s at once; one more throws `QueueUnderflow`. Unbounded by default. */
  readonly backlog?: number;
}

function checkLimit(name: string, v: number | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
    throw new RangeError(
      `DeferredQueue: ${name} must be a number >= 0 (or omitted for no limit), got ${String(v)}`,
    );
  }
  return v;
}

/**
 * An event-driven queue (Twisted's `DeferredQueue`): `put()` items, `get()`
 * a Deferred of the next one. Items go to waiting getters oldest first.
 *
 * - `put(item)` hands the item to the oldest waiting `get()` if there is
 *   one, else keeps it; with `size` items kept it throws `QueueOverflow`.
 * - `get()` returns an already-fired Deferred of the oldest kept item, or a
 *   Deferred that waits; with `backlog` getters waiting it throws
 *   `QueueUnderflow`.
 * - Cancelling a waiting `get()` removes it (it fails with
 *   `CancelledError`) and the next item goes to the next getter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeferredQueue } from "@skein/skein/deferred";
 *
 * const q = new DeferredQueue<string>({ size: 2 });
 * const first = q.get(); // waits
 * q.put("hello"); // goes straight to the waiting get
 * assert.equal(first.result, "hello");
 * q.put("later"); // queued
 * assert.equal(q.get().result, "later");
 * ```
 */
export class DeferredQueue<T> {
  /** The most items held at once, or `null` for no limit. */
  readonly size: number | null;
  /** The most waiting `get()`s at once, or `null` for no limit. */
  readonly backlog: number | null;
  /** Items put and not yet taken, oldest first. */
  readonly pending: T[] = [];
  /** The unfired `get()` Deferreds, oldest first. */
  readonly waiting: Deferred<T>[] = [];

  #cancelGet = (d: Deferred<T>): void => {
    const i = this.waiting.indexOf(d);
    if (i >= 0) this.waiting.splice(i, 1);
  };

  /**
   * A queue, unbounded unless `size`/`backlog` are given.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredQueue } from "@skein/skein/deferred";
   * const q = new DeferredQueue<number>({ backlog: 1 });
   * assert.ok(q.size === null && q.backlog === 1);
   * ```
   */
  constructor(options?: DeferredQueueOptions) {
    this.size = checkLimit("size", options?.size);
    this.backlog = checkLimit("backlog", options?.backlog);
  }

  /**
   * Add an item: to the oldest waiting getter, or to the queue. Throws
   * `QueueOverflow` when the queue already holds `size` items.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredQueue, QueueOverflow } from "@skein/skein/deferred";
   * const q = new DeferredQueue<number>({ size: 1 });
   * q.put(1);
   * try { q.put(2); } catch (e) { assert.ok(e instanceof QueueOverflow); }
   * ```
   */
  put(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      waiter.callback(item);
    } else if (this.size === null || this.pending.length < this.size) {
      this.pending.push(item);
    } else {
      throw new QueueOverflow(`DeferredQueue is full (size ${this.size})`);
    }
  }

  /**
   * A Deferred of the next item. Throws `QueueUnderflow` when `backlog`
   * getters are already waiting.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredQueue } from "@skein/skein/deferred";
   * const q = new DeferredQueue<string>();
   * q.put("x");
   * q.get().addCallback((v) => assert.equal(v, "x"));
   * ```
   */
  get(): Deferred<T> {
    if (this.pending.length > 0) return succeed(this.pending.shift() as T);
    if (this.backlog === null || this.waiting.length < this.backlog) {
      const d = new Deferred<T>(this.#cancelGet);
      this.waiting.push(d);
      return d;
    }
    throw new QueueUnderflow(
      `DeferredQueue already has ${this.backlog} waiting get() calls (backlog)`,
    );
  }
}
