/**
 * The work behind `Deferred.addTimeout` (the method, with its documentation,
 * is on the class): a timer that cancels the Deferred, and the stages that
 * turn the resulting `CancelledError` into a `TimeoutError` and stop the
 * timer once the Deferred fires.
 *
 * @module
 */

import type { IReactorTime } from "../interfaces.ts";
import { add, type DeferredState } from "./_chain.ts";
import type { Deferred } from "./deferred.ts";
import { CancelledError, TimeoutError } from "./errors.ts";
import { Failure } from "./failure.ts";

/** `d.addTimeout(seconds, clock, onTimeoutCancel)`. */
export function addTimeout(
  d: Deferred<unknown>,
  seconds: number,
  clock: IReactorTime,
  onTimeoutCancel: ((result: never, seconds: number) => unknown) | undefined,
): void {
  const state: TimeoutState = { timedOut: false, deferred: d, call: null };
  state.call = clock.callLater(seconds, timeItOut, state);
  const s = d as unknown as DeferredState;
  const args = [state, seconds, onTimeoutCancel];
  add(s, convertCancelled, convertCancelled, args, args);
  const cancelArgs = [state];
  add(s, cancelTimeout, cancelTimeout, cancelArgs, cancelArgs);
}

interface TimeoutState {
  timedOut: boolean;
  deferred: Deferred<unknown>;
  call: { active(): boolean; cancel(): void; } | null;
}

function timeItOut(state: TimeoutState): void {
  state.timedOut = true;
  state.deferred.cancel();
}

function convertCancelled(
  result: unknown,
  state: TimeoutState,
  seconds: number,
  onTimeoutCancel: ((r: unknown, s: number) => unknown) | undefined,
): unknown {
  if (!state.timedOut) return result;
  if (onTimeoutCancel !== undefined) return onTimeoutCancel(result, seconds);
  if (result instanceof Failure) {
    result.trap(CancelledError);
    throw new TimeoutError(`Deferred timed out after ${seconds} seconds`);
  }
  return result;
}

function cancelTimeout(result: unknown, state: TimeoutState): unknown {
  const call = state.call;
  if (call !== null && call.active()) call.cancel();
  return result;
}
