/**
 * `DelayedCall`: one call scheduled with `callLater`, Twisted's
 * `twisted.internet.base.DelayedCall`. The same class serves the reactor's
 * timer heap and the deterministic `Clock` of `task/`: the scheduler gives it
 * a canceller, a resetter and a source of time, and the call keeps its own
 * state (`called`, `cancelled`, its time and its pending delay).
 *
 * @module
 */

import type { IDelayedCall } from "../interfaces.ts";
import { AlreadyCalled, AlreadyCancelled } from "./errors.ts";

/** A scheduled function of any arity; arguments are checked at `callLater`. */
type AnyFn = (...args: never[]) => unknown;

let nextSeq = 0;

/** Default time source: a monotonic clock in seconds. */
function monotonicSeconds(): number {
  return performance.now() / 1000;
}

/**
 * Check a number of seconds given to `callLater` (and `DelayedCall.reset`,
 * `DelayedCall.delay`): it must be a finite number, and not negative unless
 * `options.negative` (only `delay()`, which moves a call earlier with a
 * negative amount). Anything else, a string like `"5"` or `null` included, is
 * a `TypeError` naming the argument, what was passed and what is allowed.
 *
 * Unlike Twisted's `task.Clock`, which accepts a negative delay as "already
 * due", every Skein scheduler (reactors, `Clock`, `MemoryReactorClock`)
 * rejects it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDelay } from "./delayed_call.ts";
 *
 * checkDelay(1.5, "callLater(delay)");
 * assert.throws(() => checkDelay("5", "callLater(delay)"), TypeError);
 * assert.throws(() => checkDelay(-1, "callLater(delay)"), /finite number of seconds >= 0, got -1/);
 * checkDelay(-1, "delay(secondsLater)", { negative: true });
 * ```
 */
export function checkDelay(
  value: unknown,
  what: string,
  options: { negative?: boolean; } = {},
): asserts value is number {
  const negative = options.negative === true;
  if (typeof value === "number" && Number.isFinite(value) && (negative || value >= 0)) return;
  const allowed = negative ? "a finite number of seconds" : "a finite number of seconds >= 0";
  let got: string;
  if (typeof value === "number") {
    got = String(value);
    if (value < 0 && !negative) {
      got +=
        " (a negative delay is not allowed, unlike in Twisted's task.Clock: use 0 for \"now\")";
    }
  } else if (value === null || value === undefined) {
    got = String(value);
  } else {
    got = `${safeRepr(value)} (a ${typeof value}${
      typeof value === "string" ? "; convert it with Number() first" : ""
    })`;
  }
  throw new TypeError(`${what} must be ${allowed}, got ${got}`);
}

/**
 * A short, safe rendering of a value for `toString()` (never throws).
 */
function safeRepr(value: unknown): string {
  try {
    switch (typeof value) {
      case "string":
        return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
      case "function":
        return value.name ? `<function ${value.name}>` : "<function>";
      case "bigint":
        return `${value}n`;
      case "symbol":
        return value.toString();
      case "object": {
        if (value === null) return "null";
        if (Array.isArray(value)) {
          return `[${value.length > 5 ? "…" : value.map(safeRepr).join(", ")}]`;
        }
        if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
        const ctor = (value as { constructor?: { name?: string; }; }).constructor?.name;
        return ctor && ctor !== "Object" ? `<${ctor}>` : "{…}";
      }
      default:
        return String(value);
    }
  } catch {
    return "<unrepresentable>";
  }
}

/**
 * A call scheduled to run at a given time: what `callLater` returns.
 *
 * Semantics follow Twisted exactly:
 * - `cancel()` calls the scheduler's canceller first, then marks the call
 *   cancelled and drops its function and arguments. Cancelling twice throws
 *   `AlreadyCancelled`; cancelling after it ran throws `AlreadyCalled`.
 * - `reset(s)` moves the call to `s` seconds from now. Moving it *earlier*
 *   updates {@linkcode DelayedCall.time} and calls the resetter so the
 *   scheduler can re-sort; moving it *later* only records a pending delay
 *   ({@linkcode DelayedCall.delayedTime}) that the scheduler applies with
 *   {@linkcode DelayedCall.activateDelay} when the call reaches the front.
 * - `delay(s)` adds `s` to the pending delay; if the total delay becomes
 *   negative it is applied at once and the resetter is called.
 * - `getTime()` is `time + delayedTime`, the real time the call will run.
 *
 * For schedulers: {@linkcode DelayedCall.seq} is a process-wide creation
 * counter, the FIFO tie-break for calls due at the same time.
 * {@linkcode DelayedCall.run} marks the call as called and runs it.
 *
 * @example A scheduler-free call, driven by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { DelayedCall } from "@skein/skein/reactor";
 *
 * let now = 0;
 * const said: string[] = [];
 * const dc = new DelayedCall(5, (name: string) => said.push(`hello ${name}`), ["world"],
 *   () => {}, () => {}, () => now);
 * dc.delay(2);
 * assert.equal(dc.getTime(), 7);
 * assert.equal(dc.active(), true);
 * now = 7;
 * dc.run();
 * assert.deepEqual(said, ["hello world"]);
 * assert.equal(dc.active(), false);
 * assert.equal(dc.called, true);
 * ```
 */
export class DelayedCall implements IDelayedCall {
  /**
   * When true, each new call records the stack that created it, and
   * `toString()` shows it (Twisted's `DelayedCall.debug`).
   */
  static debug: boolean = false;

  /**
   * The scheduled time, not counting {@linkcode DelayedCall.delayedTime}.
   * Schedulers order their heap by this value; use `getTime()` for the real
   * time the call will run.
   */
  time: number;
  /**
   * A pending postponement (seconds) recorded by `reset`/`delay` that the
   * scheduler has not yet applied with `activateDelay()`.
   */
  delayedTime: number = 0;
  /** True once the call has run (set by `run()`, or by the scheduler). */
  called: boolean = false;
  /** True once the call has been cancelled. */
  cancelled: boolean = false;
  /** Creation order, process-wide: the FIFO tie-break for equal times. */
  readonly seq: number;
  /** The creation stack, recorded when {@linkcode DelayedCall.debug} is on. */
  readonly creator: string | undefined;

  #fn: AnyFn | null;
  #args: readonly unknown[] | null;
  #canceller: (call: DelayedCall) => void;
  #resetter: (call: DelayedCall) => void;
  #seconds: () => number;
  #frozenRepr: string | null = null;

  /**
   * Create a call; schedulers do this in their `callLater`.
   *
   * @param time Absolute time (in `seconds()`'s clock) at which to run.
   * @param fn The function to run.
   * @param args Its arguments.
   * @param cancelFn Called with this call *before* it is marked cancelled;
   *   the scheduler removes it from its queue here.
   * @param resetFn Called with this call after it was moved earlier (see the
   *   class notes); the scheduler re-sorts it here.
   * @param seconds The scheduler's current time; defaults to a monotonic
   *   clock in seconds.
   */
  constructor(
    time: number,
    fn: AnyFn,
    args: readonly unknown[],
    cancelFn: (call: DelayedCall) => void,
    resetFn: (call: DelayedCall) => void,
    seconds: () => number = monotonicSeconds,
  ) {
    this.time = time;
    this.#fn = fn;
    this.#args = args;
    this.#canceller = cancelFn;
    this.#resetter = resetFn;
    this.#seconds = seconds;
    this.seq = nextSeq++;
    this.creator = DelayedCall.debug ? new Error("DelayedCall created").stack : undefined;
  }

  /**
   * The time at which this call will run: `time + delayedTime`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * const dc = clock.callLater(3, () => {});
   * dc.delay(1);
   * assert.equal(dc.getTime(), 4);
   * ```
   */
  getTime(): number {
    return this.time + this.delayedTime;
  }

  /**
   * Unschedule the call. Throws `AlreadyCancelled` if it was cancelled,
   * `AlreadyCalled` if it already ran.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AlreadyCancelled } from "@skein/skein/reactor";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * let ran = false;
   * const dc = clock.callLater(1, () => (ran = true));
   * dc.cancel();
   * clock.advance(2);
   * assert.equal(ran, false);
   * assert.throws(() => dc.cancel(), AlreadyCancelled);
   * ```
   */
  cancel(): void {
    if (this.cancelled) throw new AlreadyCancelled("DelayedCall was already cancelled");
    if (this.called) throw new AlreadyCalled("DelayedCall has already been called");
    this.#canceller(this);
    this.cancelled = true;
    if (DelayedCall.debug) this.#frozenRepr = this.toString();
    this.#fn = null;
    this.#args = null;
  }

  /**
   * Reschedule the call to run `secondsFromNow` seconds after the current
   * time. Throws `AlreadyCancelled`/`AlreadyCalled` when no longer active, and
   * a `TypeError` unless `secondsFromNow` is a finite number >= 0 (see
   * {@linkcode checkDelay}).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * const dc = clock.callLater(1, () => {});
   * clock.advance(0.5);
   * dc.reset(2);
   * assert.equal(dc.getTime(), 2.5);
   * assert.throws(() => dc.reset(-1), TypeError);
   * ```
   */
  reset(secondsFromNow: number): void {
    this.#checkActive();
    checkDelay(secondsFromNow, "reset(secondsFromNow)");
    const newTime = this.#seconds() + secondsFromNow;
    if (newTime < this.time) {
      this.delayedTime = 0;
      this.time = newTime;
      this.#resetter(this);
    } else {
      this.delayedTime = newTime - this.time;
    }
  }

  /**
   * Move the call `secondsLater` seconds after its current time (negative
   * values move it earlier). Throws `AlreadyCancelled`/`AlreadyCalled` when
   * no longer active, and a `TypeError` unless `secondsLater` is a finite
   * number (see {@linkcode checkDelay}).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * const dc = clock.callLater(1, () => {});
   * dc.delay(4);
   * assert.equal(dc.getTime(), 5);
   * dc.delay(-2); // a negative amount moves it earlier
   * assert.equal(dc.getTime(), 3);
   * ```
   */
  delay(secondsLater: number): void {
    this.#checkActive();
    checkDelay(secondsLater, "delay(secondsLater)", { negative: true });
    this.delayedTime += secondsLater;
    if (this.delayedTime < 0) {
      this.activateDelay();
      this.#resetter(this);
    }
  }

  /**
   * Fold the pending delay into {@linkcode DelayedCall.time}. Schedulers call
   * this when a call with a pending delay reaches the front of their queue,
   * then re-queue it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DelayedCall } from "@skein/skein/reactor";
   *
   * const dc = new DelayedCall(1, () => {}, [], () => {}, () => {}, () => 0);
   * dc.delay(2);
   * assert.equal(dc.time, 1);
   * dc.activateDelay();
   * assert.equal(dc.time, 3);
   * assert.equal(dc.delayedTime, 0);
   * ```
   */
  activateDelay(): void {
    this.time += this.delayedTime;
    this.delayedTime = 0;
  }

  /**
   * True until the call has run or been cancelled.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * const dc = clock.callLater(1, () => {});
   * assert.equal(dc.active(), true);
   * clock.advance(1);
   * assert.equal(dc.active(), false);
   * ```
   */
  active(): boolean {
    return !(this.cancelled || this.called);
  }

  /**
   * Mark the call as called and run it, returning the function's result.
   * Exceptions propagate to the scheduler, which decides whether to log them
   * (the reactor) or let them through (`Clock.advance`). The function and
   * arguments are released afterwards. Throws `AlreadyCancelled` or
   * `AlreadyCalled` if the call is not active.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AlreadyCalled, DelayedCall } from "@skein/skein/reactor";
   *
   * const dc = new DelayedCall(0, (a: number, b: number) => a + b, [1, 2], () => {}, () => {});
   * assert.equal(dc.run(), 3);
   * assert.throws(() => dc.run(), AlreadyCalled);
   * ```
   */
  run(): unknown {
    this.#checkActive();
    this.called = true;
    const fn = this.#fn as (...args: unknown[]) => unknown;
    const args = this.#args as unknown[];
    if (DelayedCall.debug) this.#frozenRepr = this.toString();
    this.#fn = null;
    this.#args = null;
    switch (args.length) {
      case 0:
        return fn();
      case 1:
        return fn(args[0]);
      default:
        return fn(...args);
    }
  }

  /**
   * A readable description in Twisted's shape, e.g.
   * `<DelayedCall 0x1f [2.5s] called=0 cancelled=0 tick(1, "a")>`: the
   * seconds until it runs, its state, and the call (omitted once the call
   * was cancelled or ran). With {@linkcode DelayedCall.debug} on, the
   * creation stack follows.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "@skein/skein/task";
   *
   * const clock = new Clock();
   * function tick(_n: number): void {}
   * const dc = clock.callLater(2, tick, 1);
   * assert.match(String(dc), /^<DelayedCall 0x[0-9a-f]+ \[2s\] called=0 cancelled=0 tick\(1\)>$/);
   * ```
   */
  toString(): string {
    if (this.#frozenRepr !== null) return this.#frozenRepr;
    let now: number;
    try {
      now = this.#seconds();
    } catch {
      now = Number.NaN;
    }
    let s = `<DelayedCall 0x${this.seq.toString(16)} [${this.getTime() - now}s] called=${
      this.called ? 1 : 0
    } cancelled=${this.cancelled ? 1 : 0}`;
    if (this.#fn !== null) {
      const name = this.#fn.name || "<anonymous>";
      s += ` ${name}(${(this.#args ?? []).map(safeRepr).join(", ")})`;
    }
    if (this.creator !== undefined) s += `\n\ntraceback at creation:\n\n${this.creator}`;
    return `${s}>`;
  }

  #checkActive(): void {
    if (this.cancelled) throw new AlreadyCancelled("DelayedCall was already cancelled");
    if (this.called) throw new AlreadyCalled("DelayedCall has already been called");
  }
}
