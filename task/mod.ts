/**
 * Time-based helpers: Twisted's `twisted.internet.task`. `Clock` is a deterministic
 * `IReactorTime` for tests; `LoopingCall` repeats a call on a fixed grid;
 * `deferLater` is a Deferred that fires later; `Cooperator` time-slices iterators;
 * `react` runs a main function under a reactor and exits with its outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, LoopingCall } from "@skein/skein/task";
 *
 * const clock = new Clock();
 * let ticks = 0;
 * const loop = new LoopingCall(() => ticks++);
 * loop.clock = clock;
 * loop.start(1); // runs now (ticks = 1), then every second
 * clock.advance(1); // t = 1: ticks = 2
 * clock.advance(1); // t = 2: ticks = 3
 * clock.advance(3); // t = 5: one call; missed ticks are skipped, not replayed
 * loop.stop();
 * assert.equal(ticks, 4);
 * ```
 *
 * @module
 */
export { DelayedCall } from "../reactor/delayed_call.ts";
export * from "./clock.ts";
export * from "./cooperator.ts";
export * from "./defer_later.ts";
export * from "./looping_call.ts";
export * from "./react.ts";
