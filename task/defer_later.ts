/**
 * `deferLater`: a Deferred that fires after a delay (Twisted's
 * `twisted.internet.task.deferLater`).
 *
 * @module
 */

import { Deferred, type StageResult } from "../deferred/deferred.ts";
import type { IReactorTime } from "../interfaces.ts";

/**
 * Call `fn(...args)` after `delay` seconds on `clock` and return a Deferred of
 * its result (which waits for a returned Deferred or promise); without `fn`
 * the Deferred fires with `undefined`. Cancelling the Deferred cancels the
 * timed call and fails it with `CancelledError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, deferLater } from "@skein/skein/task";
 * const clock = new Clock();
 * let got = 0;
 * deferLater(clock, 2, (a: number, b: number) => a + b, 1, 2).addCallback((n) => { got = n; });
 * clock.advance(2);
 * assert.equal(got, 3);
 * ```
 */
export function deferLater<T = undefined, A extends unknown[] = []>(
  clock: IReactorTime,
  delay: number,
  fn?: (...args: A) => T,
  ...args: A
): Deferred<StageResult<T>> {
  const d = new Deferred<undefined>((): void => {
    if (call.active()) call.cancel();
  });
  const call = clock.callLater(delay, (): void => d.callback(undefined));
  if (fn === undefined) return d as unknown as Deferred<StageResult<T>>;
  return d.addCallback((): T => fn(...args));
}
