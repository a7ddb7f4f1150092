/**
 * Time: `callLater` and the calls it schedules. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

/**
 * A call scheduled with {@linkcode IReactorTime.callLater}; Twisted's
 * `IDelayedCall`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IDelayedCall } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 * function postpone(call: IDelayedCall): void {
 *   if (call.active()) call.delay(5);
 * }
 * const clock = new Clock();
 * const call = clock.callLater(1, () => {});
 * postpone(call);
 * assert.equal(call.getTime(), 6);
 * ```
 */
export interface IDelayedCall {
  /** The time (in the scheduling clock's seconds) at which the call will run. */
  getTime(): number;
  /** Stop the call from running. Throws `AlreadyCalled` / `AlreadyCancelled`. */
  cancel(): void;
  /** Move the call by `secondsLater` relative to its current time. */
  delay(secondsLater: number): void;
  /** Reschedule the call to run `secondsFromNow` from now. */
  reset(secondsFromNow: number): void;
  /** True until the call has run or been cancelled. */
  active(): boolean;
}

/**
 * Scheduling of timed calls; Twisted's `IReactorTime`. Implemented by every
 * reactor and by the deterministic `Clock` of `task/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorTime } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 * function soon(clock: IReactorTime): number {
 *   clock.callLater(0.5, () => console.log("tick"));
 *   return clock.seconds();
 * }
 * const clock = new Clock();
 * assert.equal(soon(clock), 0);
 * assert.equal(clock.getDelayedCalls().length, 1);
 * ```
 */
export interface IReactorTime {
  /** The current time in seconds (monotonic for real reactors). */
  seconds(): number;
  /** Run `fn(...args)` `delay` seconds from now. */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every scheduled call that has not yet run or been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}
