/**
 * A binary min-heap of timed calls ordered by `(time, seq)`: earliest first,
 * and creation order among equal times (so equal-time calls run FIFO). The
 * reactor keeps its pending `DelayedCall`s here, as Twisted keeps them in a
 * `heapq`. Private to the reactor.
 *
 * @module
 */

/** What the heap orders by. `time` must not change while the item is in the heap except through {@linkcode TimerHeap.siftUp}. */
export interface HeapItem {
  /** The key: seconds on the reactor clock. */
  time: number;
  /** The tie-break: creation order. */
  readonly seq: number;
}

function less(a: HeapItem, b: HeapItem): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * The heap. `items[0]` is the earliest item.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimerHeap } from "./_timer_heap.ts";
 *
 * const h = new TimerHeap<{ time: number; seq: number }>();
 * h.push({ time: 2, seq: 0 });
 * h.push({ time: 1, seq: 2 });
 * h.push({ time: 1, seq: 1 });
 * assert.deepEqual([h.pop(), h.pop(), h.pop()], [
 *   { time: 1, seq: 1 }, // equal times come out in creation order
 *   { time: 1, seq: 2 },
 *   { time: 2, seq: 0 },
 * ]);
 * ```
 */
export class TimerHeap<T extends HeapItem> {
  /** The heap array; read-only for callers except through the methods. */
  items: T[] = [];

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** The earliest item, or undefined. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Add an item. */
  push(item: T): void {
    const a = this.items;
    a.push(item);
    this.#up(a.length - 1);
  }

  /** Remove and return the earliest item. */
  pop(): T | undefined {
    const a = this.items;
    const n = a.length;
    if (n === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (n > 1) {
      a[0] = last;
      this.#down(0);
    }
    return top;
  }

  /**
   * `item`'s time became earlier: restore the heap order (a linear search for
   * the item, as Twisted's `_moveCallLaterSooner`). Returns false when the
   * item is not in the heap.
   */
  siftUp(item: T): boolean {
    const i = this.items.indexOf(item);
    if (i < 0) return false;
    this.#up(i);
    return true;
  }

  /** Keep only the items `keep` accepts, then rebuild the heap. */
  filter(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
    const a = this.items;
    for (let i = (a.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #up(i: number): void {
    const a = this.items;
    const item = a[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p];
      if (!less(item, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  #down(i: number): void {
    const a = this.items;
    const n = a.length;
    const item = a[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(a[r], a[l]) ? r : l;
      if (!less(a[c], item)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = item;
  }
}
