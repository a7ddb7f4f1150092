/**
 * The Deferreds of a port's `stopListening()` calls, for the FFI and host
 * ports alike: the first call schedules the close, every call gets a
 * Deferred, and all fire once the close is done. Internal.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";

/**
 * The stop a port has been asked for and not finished yet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PendingStop } from "./_pending_stop.ts";
 * const stop = new PendingStop();
 * let scheduled = 0;
 * const fired: string[] = [];
 * stop.wait(() => scheduled++).addCallback(() => fired.push("first"));
 * stop.wait(() => scheduled++).addCallback(() => fired.push("second"));
 * assert.equal(scheduled, 1); // one close for both calls
 * assert.equal(stop.done(), 2);
 * assert.deepEqual(fired, ["first", "second"]);
 * ```
 */
export class PendingStop {
  #waiting: Deferred<void>[] = [];

  /**
   * A Deferred that fires when the stop is done; the first since the last
   * stop calls `schedule` (which arranges for the close).
   */
  wait(schedule: () => void): Deferred<void> {
    const d = new Deferred<void>();
    this.#waiting.push(d);
    if (this.#waiting.length === 1) schedule();
    return d;
  }

  /**
   * The stop is done: fire the waiting Deferreds, with `error` as their
   * failure unless it is null. Returns how many waited.
   */
  done(error: unknown = null): number {
    return this.begin()(error);
  }

  /**
   * The stop has begun and finishes later: the Deferreds waiting now are
   * taken (a later `wait` schedules a stop of its own); the function
   * returned fires them as {@linkcode PendingStop.done} does.
   */
  begin(): (error?: unknown) => number {
    const waiting = this.#waiting;
    this.#waiting = [];
    return (error: unknown = null): number => {
      for (const d of waiting) {
        if (error === null) d.callback(undefined);
        else d.errback(new Failure(error));
      }
      return waiting.length;
    };
  }
}
