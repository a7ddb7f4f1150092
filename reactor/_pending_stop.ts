/**
 * The Deferreds of a port's `stopListening()` calls, for the FFI and host
 * ports alike: the first call schedules the close, every call gets a
 * Deferred, and all fire once the close is done. Internal.
 *
 * @module
 */

import { Deferred, succeed } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../interfaces.ts";

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
   * What a port's `stopListening()` returns: a Deferred already fired when
   * the port is not `listening`; else one that fires when the stop is done,
   * the first since the last stop asking `reactor` to run `close` on its
   * next iteration (as Twisted's ports do).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/testing";
   * import { PendingStop } from "./_pending_stop.ts";
   * const stop = new PendingStop();
   * const clock = new Clock();
   * let closed = 0;
   * const fired: number[] = [];
   * stop.request(true, clock, () => closed++).addCallback(() => fired.push(1));
   * stop.request(true, clock, () => closed++).addCallback(() => fired.push(2));
   * stop.request(false, clock, () => closed++).addCallback(() => fired.push(3));
   * assert.deepEqual(fired, [3]); // not listening: at once
   * clock.advance(0);
   * assert.equal(closed, 1);
   * stop.done();
   * assert.deepEqual(fired, [3, 1, 2]);
   * ```
   */
  request(
    listening: boolean,
    reactor: Pick<IReactorTime, "callLater">,
    close: () => void,
  ): Deferred<void> {
    if (!listening) return succeed(undefined);
    return this.wait(() => reactor.callLater(0, close));
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

  /**
   * A port's `connectionLost` begins, as with {@linkcode PendingStop.begin};
   * when the port is no longer `listening` there is nothing to close: the
   * waiting Deferreds fire at once and this returns null.
   */
  beginClose(listening: boolean): ((error?: unknown) => number) | null {
    const fire = this.begin();
    if (listening) return fire;
    fire();
    return null;
  }
}
