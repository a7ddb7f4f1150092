/**
 * `LoopingCall`: call a function every `interval` seconds, on a fixed grid
 * from the start time (Twisted's `twisted.internet.task.LoopingCall`).
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IReactorTime } from "../interfaces.ts";
import { reactor } from "../reactor/install.ts";
import { callAsDeferred } from "./_maybe.ts";

/**
 * Call `f(...a)` repeatedly, Twisted's `LoopingCall`.
 *
 * - `start(interval, now = true)` returns a Deferred that fires with the
 *   LoopingCall itself when `stop()` is called, or fails with the error if
 *   `f` throws (or returns a failing Deferred/promise); then the loop is over.
 * - Calls sit on a fixed grid anchored at the start time: the next call is at
 *   the next multiple of `interval` after now. Missed ticks are skipped, not
 *   replayed (use {@linkcode LoopingCall.withCount} to learn how many).
 * - If `f` returns a Deferred (or promise), the next call is scheduled only
 *   after it fires.
 * - `clock` is the reactor by default; set it (e.g. to a `Clock`) before
 *   `start`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, LoopingCall } from "@skein/skein/task";
 * let n = 0;
 * const lc = new LoopingCall(() => n++);
 * lc.clock = new Clock();
 * lc.start(1);            // calls at once: n = 1
 * (lc.clock as Clock).advance(1); // n = 2
 * lc.stop();
 * assert.equal(n, 2);
 * ```
 */
export class LoopingCall<A extends unknown[] = []> {
  /** The function called each tick. */
  readonly f: (...args: A) => unknown;
  /** Its arguments. */
  readonly a: A;
  /** The scheduler: the reactor unless replaced (before `start`). */
  clock: IReactorTime;
  /** True from `start` until `stop` or a failure. */
  running: boolean = false;
  /** The interval of the current run, in seconds. */
  interval: number | null = null;
  /** When the current run started (the grid's anchor), on `clock`. */
  starttime: number | null = null;
  /** The pending call of the next tick, if one is scheduled. */
  call: IDelayedCall | null = null;

  #deferred: Deferred<this> | null = null;
  #runAtStart = false;
  /** For `withCount`: the time of the last counted call. */
  realLastTime: number | null = null;

  /** Make a LoopingCall of `f(...a)`; call `start` to begin. */
  constructor(f: (...args: A) => unknown, ...a: A) {
    if (typeof f !== "function") throw new TypeError("LoopingCall: f must be a function");
    this.f = f;
    this.a = a;
    this.clock = reactor;
  }

  /**
   * A LoopingCall that calls `countCallable(count)`, where `count` is how many
   * intervals have passed since the previous call (normally 1; more when
   * ticks were missed; always 1 with interval 0).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, LoopingCall } from "@skein/skein/task";
   * const counts: number[] = [];
   * const clock = new Clock();
   * const lc = LoopingCall.withCount((n) => counts.push(n));
   * lc.clock = clock;
   * lc.start(1, false);
   * clock.advance(1);
   * clock.advance(3);
   * assert.equal(counts.join(), "1,3");
   * ```
   */
  static withCount(countCallable: (count: number) => unknown): LoopingCall<[]> {
    const lc: LoopingCall<[]> = new LoopingCall((): unknown => {
      const now = lc.clock.seconds();
      const interval = lc.interval!;
      if (interval === 0) {
        lc.realLastTime = now;
        return countCallable(1);
      }
      let lastTime = lc.realLastTime;
      if (lastTime === null) {
        lastTime = lc.starttime!;
        if (lc.#runAtStart) lastTime -= interval;
      }
      const count = lc.#intervalOf(now) - lc.#intervalOf(lastTime);
      if (count > 0) {
        lc.realLastTime = now;
        return countCallable(count);
      }
      return undefined;
    });
    return lc;
  }

  #intervalOf(t: number): number {
    return Math.trunc((t - this.starttime!) / this.interval!);
  }

  /**
   * Start calling every `interval` seconds; with `now` (the default) the
   * first call happens inside `start`. Throws if already running, and a
   * `RangeError` for a negative interval.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, LoopingCall } from "@skein/skein/task";
   * const clock = new Clock();
   * const polls: number[] = [];
   * const lc = new LoopingCall(() => polls.push(clock.seconds()));
   * lc.clock = clock;
   * let stopped = false;
   * lc.start(5).addCallback(() => {
   *   stopped = true;
   * });
   * clock.advance(5);
   * lc.stop();
   * assert.deepEqual(polls, [0, 5]);
   * assert.equal(stopped, true);
   * ```
   */
  start(interval: number, now: boolean = true): Deferred<this> {
    if (this.running) throw new Error("Tried to start an already running LoopingCall.");
    if (!(interval >= 0) || interval === Infinity) {
      throw new RangeError(
        `LoopingCall.start: interval must be a finite number >= 0, got ${interval}`,
      );
    }
    this.running = true;
    const deferred = new Deferred<this>();
    this.#deferred = deferred;
    this.starttime = this.clock.seconds();
    this.interval = interval;
    this.#runAtStart = now;
    if (now) this.#tick();
    else this.#scheduleFrom(this.starttime);
    return deferred;
  }

  /**
   * Stop calling. The Deferred from `start` fires with this LoopingCall (at
   * once, or, when `f` is running or its Deferred is pending, once it is
   * done). Throws if not running. Works unbound, as Twisted code passes it:
   * `clock.callLater(3, loop.stop)`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, LoopingCall } from "@skein/skein/task";
   * const clock = new Clock();
   * let ticks = 0;
   * const loop = new LoopingCall(() => ticks++);
   * loop.clock = clock;
   * loop.start(1); // ticks at 0, 1, 2, ...
   * clock.callLater(2.5, loop.stop); // unbound
   * clock.advance(1);
   * clock.advance(1);
   * clock.advance(1);
   * assert.equal(ticks, 3);
   * assert.equal(loop.running, false);
   * ```
   */
  readonly stop: () => void = (): void => {
    if (!this.running) throw new Error("Tried to stop a LoopingCall that was not running.");
    this.running = false;
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.#fire();
    }
  };

  /**
   * Skip the next call and re-anchor the grid at now. Throws if not running.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, LoopingCall } from "@skein/skein/task";
   * const clock = new Clock();
   * const calls: number[] = [];
   * const lc = new LoopingCall(() => calls.push(clock.seconds()));
   * lc.clock = clock;
   * lc.start(10, false); // first call due at t = 10
   * clock.advance(7);
   * lc.reset(); // the grid now starts at t = 7
   * clock.advance(3); // t = 10: nothing
   * clock.advance(7); // t = 17: called
   * lc.stop();
   * assert.deepEqual(calls, [17]);
   * ```
   */
  reset(): void {
    if (!this.running) throw new Error("Tried to reset a LoopingCall that was not running.");
    if (this.call !== null) {
      this.call.cancel();
      this.call = null;
      this.starttime = this.clock.seconds();
      this.#scheduleFrom(this.starttime);
    }
  }

  /** `LoopingCall<interval>(f, ...)`, as Twisted's repr. */
  toString(): string {
    return `LoopingCall<${this.interval}>(${this.f.name || "<anonymous>"}, ${this.a.length} args)`;
  }

  #fire(): void {
    const d = this.#deferred;
    this.#deferred = null;
    d?.callback(this);
  }

  readonly #tick = (): void => {
    this.call = null;
    const d = callAsDeferred(this.f, this.a);
    d.addCallbacks(
      (): null => {
        if (this.running) this.#scheduleFrom(this.clock.seconds());
        else this.#fire();
        return null;
      },
      (f: Failure): null => {
        this.running = false;
        const dd = this.#deferred;
        this.#deferred = null;
        dd?.errback(f);
        return null;
      },
    );
  };

  #scheduleFrom(when: number): void {
    this.call = this.clock.callLater(this.#howLong(when), this.#tick);
  }

  #howLong(when: number): number {
    const interval = this.interval!;
    if (interval === 0) return 0;
    const runningFor = when - this.starttime!;
    const untilNext = interval - (runningFor % interval);
    // When the remainder is too small to move `when` at all, the tick is due
    // now: take the next grid slot instead.
    if (when === when + untilNext) return interval;
    return untilNext;
  }
}
