/**
 * `EventLoggingObserver`, Twisted's test double of the same name: a log
 * observer that keeps every event, added for the length of one test.
 *
 * @module
 */

import { addObserver, type LogEvent, type LogObserver, removeObserver } from "../log/log.ts";

/** Where an {@linkcode EventLoggingObserver} is added and removed: `log`'s observers by default. */
export interface LogPublisherLike {
  /** Start sending events to `observer`. */
  addObserver(observer: LogObserver): void;
  /** Stop sending events to `observer`. */
  removeObserver(observer: LogObserver): void;
}

/**
 * Keeps every log event it observes in `events`. `observer` is the function
 * to add to a publisher; {@linkcode EventLoggingObserver.createWithCleanup}
 * adds it for the rest of a test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addObserver, msg, removeObserver } from "@skein/skein/log";
 * import { EventLoggingObserver } from "@skein/skein/testing";
 * const seen = new EventLoggingObserver();
 * addObserver(seen.observer);
 * msg("hello", 1);
 * removeObserver(seen.observer);
 * assert.equal(seen.length, 1);
 * assert.deepEqual(seen.events[0].message, ["hello", 1]);
 * ```
 */
export class EventLoggingObserver {
  /** The events seen, oldest first. */
  readonly events: LogEvent[] = [];
  /** The observer function (bound: pass it around freely). */
  readonly observer: LogObserver = (event: LogEvent): void => {
    this.events.push(event);
  };

  /** How many events were seen. */
  get length(): number {
    return this.events.length;
  }

  /**
   * An observer added to `publisher` (the `log` module's observers unless
   * given) now and removed by a cleanup of `test` (Twisted's
   * `EventLoggingObserver.createWithCleanup(testInstance, publisher)`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { msg } from "@skein/skein/log";
   * import { EventLoggingObserver, SynchronousTestCase } from "@skein/skein/testing";
   * class T extends SynchronousTestCase {
   *   seen: EventLoggingObserver | null = null;
   *   testLogs(): void {
   *     this.seen = EventLoggingObserver.createWithCleanup(this);
   *     msg("during the test");
   *   }
   * }
   * const t = new T("testLogs");
   * await t.run(0);
   * msg("after the test"); // the cleanup removed the observer
   * assert.equal(t.seen!.length, 1);
   * ```
   */
  static createWithCleanup(
    test: { addCleanup(fn: () => unknown): void; },
    publisher: LogPublisherLike = { addObserver, removeObserver },
  ): EventLoggingObserver {
    const obs = new EventLoggingObserver();
    publisher.addObserver(obs.observer);
    test.addCleanup(() => publisher.removeObserver(obs.observer));
    return obs;
  }
}
