/**
 * `LimitedHistoryLogObserver`: keeps the last N events to replay them.
 *
 * @module
 */

import { deliver, type ILogObserver, type LogEvent, type Observer } from "./event.ts";

/**
 * An observer that remembers the last `size` events (Twisted's default 128)
 * and replays them to another observer on demand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LogEvent, LimitedHistoryLogObserver } from "@skein/skein/logger";
 * const history = new LimitedHistoryLogObserver(2);
 * for (const n of [1, 2, 3]) history.observe({ n });
 * const seen: LogEvent[] = [];
 * history.replayTo((e) => { seen.push(e); });
 * assert.deepEqual(seen.map((e) => e.n), [2, 3]);
 * ```
 */
export class LimitedHistoryLogObserver implements ILogObserver {
  #size: number;
  #events: LogEvent[] = [];
  #start = 0;

  /**
   * Keep at most `size` events (a positive integer).
   *
   * @example
   * ```ts
   * import { LimitedHistoryLogObserver } from "@skein/skein/logger";
   * const history = new LimitedHistoryLogObserver(200);
   * ```
   */
  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `LimitedHistoryLogObserver size must be a positive integer, got ${size}`,
      );
    }
    this.#size = size;
  }

  /**
   * Remember `event`, forgetting the oldest when full.
   *
   * @example
   * ```ts
   * import { LimitedHistoryLogObserver } from "@skein/skein/logger";
   * new LimitedHistoryLogObserver(1).observe({ log_format: "x" });
   * ```
   */
  observe(event: LogEvent): void {
    if (this.#events.length < this.#size) {
      this.#events.push(event);
    } else {
      this.#events[this.#start] = event;
      this.#start = (this.#start + 1) % this.#size;
    }
  }

  /**
   * Send the remembered events, oldest first, to `observer`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LimitedHistoryLogObserver } from "@skein/skein/logger";
   * const history = new LimitedHistoryLogObserver();
   * history.observe({ n: 1 });
   * let count = 0;
   * history.replayTo(() => { count++; });
   * assert.equal(count, 1);
   * ```
   */
  replayTo(observer: Observer): void {
    const events = this.#events;
    for (let i = 0; i < events.length; i++) {
      deliver(observer, events[(this.#start + i) % events.length]);
    }
  }
}
