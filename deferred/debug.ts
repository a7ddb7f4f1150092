/**
 * Deferred debug mode (Twisted's `defer.setDebugging` / `getDebugging`).
 *
 * When on, every new Deferred records the stack where it was created and the
 * stack of its first `callback`/`errback`; an `AlreadyCalledError` then shows
 * both, and an unhandled-error report names them. It costs a stack capture per
 * Deferred, so it is off by default.
 *
 * `captureUnhandledFailures()` checks for unhandled failures deterministically
 * (at the end of a test, say), rather than at garbage collection;
 * `flushUnhandledFailures()` reports the ones left now (the reactor does so
 * when it stops, and the process when it exits).
 *
 * @module
 */

import { debugState } from "./_debug.ts";
import { failuresOf, flushUnhandled, startCapture, stopCapture } from "./_unhandled.ts";
import type { Failure } from "./failure.ts";
export type { DebugInfo } from "./_debug.ts";

/**
 * Turn Deferred debug mode on or off. Affects Deferreds created afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getDebugging, setDebugging } from "@skein/skein/deferred";
 * setDebugging(true);
 * assert.ok(getDebugging());
 * setDebugging(false);
 * ```
 */
export function setDebugging(on: boolean): void {
  debugState.on = !!on;
}

/**
 * Whether Deferred debug mode is on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getDebugging } from "@skein/skein/deferred";
 * assert.equal(typeof getDebugging(), "boolean");
 * ```
 */
export function getDebugging(): boolean {
  return debugState.on;
}

/**
 * A running capture of unhandled Deferred failures (see
 * {@linkcode captureUnhandledFailures}).
 *
 * @example
 * ```ts
 * import { captureUnhandledFailures, type UnhandledFailureCapture } from "@skein/skein/deferred";
 * const capture: UnhandledFailureCapture = captureUnhandledFailures();
 * capture.stop();
 * ```
 */
export interface UnhandledFailureCapture {
  /** The failures that end a Deferred's chain right now, oldest first. */
  pending(): Failure[];
  /** Stop capturing and return `pending()`. */
  stop(): Failure[];
}

/**
 * Start capturing Deferreds whose chains end in a failure, for a
 * deterministic check at a point of your choosing (the end of a test, of a
 * request), instead of waiting for garbage collection to report them as
 * "Unhandled error in Deferred". A failure that a later stage handles (or
 * another Deferred takes over) leaves the capture; what `pending()` returns is
 * what is still unhandled at that moment. Captures cost nothing on the
 * success path; garbage-collection reports still happen as usual.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { captureUnhandledFailures, fail } from "@skein/skein/deferred";
 * const capture = captureUnhandledFailures();
 * const d = fail(new Error("forgotten"));
 * fail(new Error("handled")).addErrback(() => null);
 * const left = capture.stop();
 * assert.ok(left.length === 1 && left[0].getErrorMessage() === "forgotten");
 * d.addErrback(() => null);
 * ```
 */
export function captureUnhandledFailures(): UnhandledFailureCapture {
  const c = startCapture();
  return {
    pending: (): Failure[] => failuresOf(c),
    stop: (): Failure[] => {
      stopCapture(c);
      return failuresOf(c);
    },
  };
}

/**
 * Report, through the log system, every Deferred failure that nobody has
 * handled yet ("Unhandled error in Deferred:" with its traceback and, in
 * debug mode, where the Deferred was created and first fired), and return
 * those failures, oldest first.
 *
 * Twisted reports an unhandled failure when its Deferred is garbage
 * collected, which it always is by exit. JavaScript collectors make no such
 * promise, so Skein reports what is left when a reactor stops (after its
 * `after shutdown` triggers start) and when the process exits, through this
 * function; the garbage-collection report still covers long-running
 * processes. Each failure is reported once, by whichever comes first; one
 * handled before is not reported, and a Deferred that later ends in another
 * failure is watched again. Tracking costs nothing on the success path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, flushUnhandledFailures } from "@skein/skein/deferred";
 * import { addObserver, type LogEvent, removeObserver, setDefaultObserver } from "@skein/skein/log";
 * const seen: LogEvent[] = [];
 * const watch = (e: LogEvent): void => {
 *   if (e.isError) seen.push(e);
 * };
 * setDefaultObserver(false);
 * addObserver(watch);
 * const forgotten = fail(new Error("forgotten"));
 * fail(new Error("handled")).addErrback(() => null);
 * const reported = flushUnhandledFailures();
 * assert.deepEqual(reported.map((f) => f.getErrorMessage()), ["forgotten"]);
 * assert.equal(seen[0].why, "Unhandled error in Deferred:");
 * assert.deepEqual(flushUnhandledFailures(), []); // never twice
 * removeObserver(watch);
 * setDefaultObserver(true);
 * forgotten.addErrback(() => null);
 * ```
 */
export function flushUnhandledFailures(): Failure[] {
  return flushUnhandled();
}
