/**
 * `Clock`: a deterministic {@linkcode IReactorTime} for tests, Twisted's
 * `twisted.internet.task.Clock`. Time stands still until you `advance` it.
 *
 * @module
 */

import type { IReactorTime } from "../interfaces.ts";
import { bindMethods } from "../reactor/_bind_methods.ts";
import { checkDelay, DelayedCall } from "../reactor/delayed_call.ts";

/**
 * A fake clock: `callLater` schedules on it, `advance` moves time forward and
 * runs what became due, synchronously.
 *
 * Twisted's semantics, pinned by `tests/task/clock_test.ts`:
 * - Calls due at the same time run in the order they were scheduled (FIFO);
 *   a call moved with `reset`/`delay` keeps its place among equal times
 *   (Twisted keeps a stably sorted list).
 * - A call scheduled *during* `advance` for a time ≤ now (e.g. `callLater(0)`)
 *   runs in that same `advance`.
 * - Unlike Twisted's, a negative delay is a `TypeError`, as on the reactors
 *   (Twisted's `Clock` takes it as "already due").
 * - An exception thrown by a call propagates out of `advance`; the calls after
 *   it stay scheduled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock } from "@skein/skein/task";
 *
 * const clock = new Clock();
 * const seen: string[] = [];
 * clock.callLater(2, (what: string) => seen.push(what), "two");
 * clock.callLater(1, (what: string) => seen.push(what), "one");
 * clock.advance(1.5);
 * assert.equal(seen.join(), "one");
 * clock.pump([0.5, 1]);
 * assert.ok(seen.join() === "one,two" && clock.seconds() === 3);
 * ```
 */
export class Clock implements IReactorTime {
  /** The current time, in seconds; starts at 0. */
  rightNow: number = 0;

  #calls: DelayedCall[] = [];
  /** True when some call's time may have changed since the list was sorted. */
  #dirty = false;
  #hooks: ClockHooks = {
    remove: (dc: DelayedCall): void => {
      const i = this.#calls.indexOf(dc);
      if (i >= 0) this.#calls.splice(i, 1);
    },
    touch: (): void => {
      this.#dirty = true;
    },
    seconds: (): number => this.rightNow,
  };

  /** Binds every method, so that `clock.callLater(1, clock.advance, 1)` works as a reactor's does. */
  constructor() {
    bindMethods(this);
  }

  /**
   * The current time: {@linkcode Clock.rightNow}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * clock.advance(10);
   * assert.equal(clock.seconds(), 10);
   * ```
   */
  seconds(): number {
    return this.rightNow;
  }

  /**
   * Schedule `fn(...args)` to run `delay` seconds from now. A `delay` that is
   * not a finite number >= 0 is a `TypeError` (Twisted's `Clock` accepts a
   * negative one as "already due"; Skein's schedulers all reject it).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * const dc = clock.callLater(1, (n: number) => console.log(n), 42);
   * assert.equal(dc.getTime(), 1);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay, "callLater(delay)");
    if (typeof fn !== "function") {
      throw new TypeError(`callLater(delay, fn): fn must be a function, got ${typeof fn}`);
    }
    const dc = new ClockDelayedCall(this.rightNow + delay, fn, args, this.#hooks);
    this.#insert(dc);
    return dc;
  }

  /**
   * The calls that have not yet run or been cancelled: the clock's live list
   * (sorted by time, as of the clock's last sort), as Twisted's is.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * const dc = clock.callLater(1, () => {});
   * assert.equal(clock.getDelayedCalls()[0], dc);
   * dc.cancel();
   * assert.equal(clock.getDelayedCalls().length, 0);
   * ```
   */
  getDelayedCalls(): DelayedCall[] {
    return this.#calls;
  }

  /**
   * Move time forward by `amount` seconds and run, in order, every call that
   * is then due, including calls scheduled by those calls for a time that is
   * not after the new now.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * let ran = 0;
   * clock.callLater(1, () => clock.callLater(0, () => ran++));
   * clock.advance(1);
   * assert.equal(ran, 1);
   * ```
   */
  advance(amount: number): void {
    if (typeof amount !== "number" || Number.isNaN(amount)) {
      throw new TypeError(
        `advance(amount): amount must be a number of seconds, got ${String(amount)}`,
      );
    }
    this.rightNow += amount;
    const calls = this.#calls;
    for (;;) {
      if (this.#dirty) this.#sort();
      if (calls.length === 0 || calls[0].getTime() > this.rightNow) return;
      const call = calls.shift() as DelayedCall;
      call.run();
    }
  }

  /**
   * Advance by each amount in turn (Twisted's `Clock.pump`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   * const clock = new Clock();
   * clock.pump([1, 1, 1]);
   * assert.equal(clock.seconds(), 3);
   * ```
   */
  pump(timings: Iterable<number>): void {
    for (const amount of timings) this.advance(amount);
  }

  /** Put `dc` where a stable sort by time would: after every call not later. */
  #insert(dc: DelayedCall): void {
    const calls = this.#calls;
    if (this.#dirty) {
      calls.push(dc);
      this.#sort();
      return;
    }
    const t = dc.getTime();
    let lo = 0;
    let hi = calls.length;
    if (hi === 0 || calls[hi - 1].getTime() <= t) {
      calls.push(dc);
      return;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (calls[mid].getTime() <= t) lo = mid + 1;
      else hi = mid;
    }
    calls.splice(lo, 0, dc);
  }

  #sort(): void {
    // Array.prototype.sort is stable: equal times keep their current order.
    this.#calls.sort(byTime);
    this.#dirty = false;
  }
}

function byTime(a: DelayedCall, b: DelayedCall): number {
  const ta = a.getTime();
  const tb = b.getTime();
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

interface ClockHooks {
  remove(dc: DelayedCall): void;
  touch(): void;
  seconds(): number;
}

/** A DelayedCall that tells its Clock when its time changes. */
class ClockDelayedCall extends DelayedCall {
  #hooks: ClockHooks;

  constructor(
    time: number,
    fn: (...args: never[]) => unknown,
    args: readonly unknown[],
    hooks: ClockHooks,
  ) {
    super(time, fn, args, hooks.remove, noop, hooks.seconds);
    this.#hooks = hooks;
  }

  override reset(secondsFromNow: number): void {
    super.reset(secondsFromNow);
    this.#hooks.touch();
  }

  override delay(secondsLater: number): void {
    super.delay(secondsLater);
    this.#hooks.touch();
  }
}

function noop(): void {}
