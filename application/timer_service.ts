/**
 * `TimerService`: Twisted's `application.internet.TimerService`, a call
 * repeated while the service runs.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import { succeed } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorTime } from "../interfaces.ts";
import * as log from "../log/log.ts";
import { reactor } from "../reactor/install.ts";
import { LoopingCall } from "../task/looping_call.ts";
import { Service } from "./service.ts";

/**
 * Call `fn(...args)` every `step` seconds while running, the first time in
 * `startService` (a `LoopingCall` started with `now`). If the call throws (or
 * its Deferred fails) the loop ends and the failure is logged, as in Twisted.
 * `stopService` waits for a call still under way, then marks the service
 * stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimerService } from "@skein/skein/application";
 * import { Clock } from "@skein/skein/testing";
 *
 * const clock = new Clock();
 * const at: number[] = [];
 * const timer = new TimerService(5, () => at.push(clock.seconds()));
 * timer.clock = clock;
 * timer.startService();
 * clock.advance(5);
 * clock.advance(5);
 * await timer.stopService();
 * assert.deepEqual(at, [0, 5, 10]);
 * ```
 */
export class TimerService<A extends unknown[] = []> extends Service {
  /** Seconds between calls. */
  readonly step: number;
  /** What is called. */
  readonly fn: (...args: A) => unknown;
  /** Its arguments. */
  readonly args: A;
  /** The scheduler (the global reactor unless set before `startService`). */
  clock: IReactorTime = reactor;
  #loop: LoopingCall<A> | null = null;
  #finished: Deferred<unknown> | null = null;

  /** A service calling `fn(...args)` every `step` seconds. */
  constructor(step: number, fn: (...args: A) => unknown, ...args: A) {
    super();
    if (!(step >= 0) || step === Infinity) {
      throw new RangeError(
        `TimerService: step must be a finite number of seconds >= 0, got ${step}`,
      );
    }
    if (typeof fn !== "function") throw new TypeError("TimerService: fn must be a function");
    this.step = step;
    this.fn = fn;
    this.args = args;
  }

  /**
   * Mark running and start the loop (the first call happens now).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TimerService } from "@skein/skein/application";
   * import { Clock } from "@skein/skein/testing";
   * let n = 0;
   * const timer = new TimerService(1, () => n++);
   * timer.clock = new Clock();
   * timer.startService();
   * assert.equal(n, 1);
   * timer.stopService();
   * ```
   */
  override startService(): void {
    super.startService();
    const loop = new LoopingCall(this.fn, ...this.args);
    loop.clock = this.clock;
    this.#loop = loop;
    this.#finished = loop.start(this.step, true).addErrback((failure: Failure) => {
      log.err(failure, `${String(this)}: the timed call failed; the timer has stopped`);
    });
  }

  /**
   * Stop the loop; the Deferred fires once a call under way is done.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TimerService } from "@skein/skein/application";
   * import { Clock } from "@skein/skein/testing";
   * const timer = new TimerService(1, () => {});
   * timer.clock = new Clock();
   * timer.startService();
   * await timer.stopService();
   * assert.equal(timer.running, false);
   * ```
   */
  override stopService(): Deferred<unknown> {
    const loop = this.#loop;
    const finished = this.#finished;
    if (loop === null || finished === null) {
      super.stopService();
      return succeed(undefined);
    }
    if (loop.running) loop.stop();
    return finished.addCallback(() => {
      super.stopService();
    });
  }
}
