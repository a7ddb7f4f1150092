/**
 * The small core of Skein's logging, Twisted's `twisted.python.log`: `msg`,
 * `err`, and observers. A log event is a plain object; observers are called
 * synchronously, in the order they were added. A failing observer is removed
 * and reported to the others, so logging never throws into the caller.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";

/**
 * One log event, as observers receive it.
 *
 * @example
 * ```ts
 * import type { LogEvent } from "@skein/skein/log";
 * const e: LogEvent = { message: ["hello"], isError: false, time: Date.now() / 1000, system: "-" };
 * ```
 */
export interface LogEvent {
  /** The positional parts given to `msg`, joined by spaces when formatted. */
  message: unknown[];
  /** True for `err()` events. */
  isError: boolean;
  /** Seconds since the epoch (wall clock). */
  time: number;
  /** What logged it (Twisted's `system`, e.g. a protocol's log prefix). */
  system: string;
  /** The failure of an `err()` event. */
  failure?: Failure;
  /** The explanation given to `err(failure, why)`. */
  why?: string;
  /** Extra keys passed to `msg`/`err`. */
  [key: string]: unknown;
}

/**
 * A function that receives every log event.
 *
 * @example
 * ```ts
 * import type { LogObserver } from "@skein/skein/log";
 * const seen: unknown[] = [];
 * const obs: LogObserver = (e) => seen.push(e.message);
 * ```
 */
export type LogObserver = (event: LogEvent) => void;

const observers: LogObserver[] = [];
let defaultObserverOn = true;

/**
 * Turn an event into one line of text (without a timestamp), as Twisted's
 * `textFromEventDict` does: the message parts, or for an error, `why` and the
 * failure's traceback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textFromEvent } from "@skein/skein/log";
 * const t = textFromEvent({ message: ["a", 1], isError: false, time: 0, system: "-" });
 * assert.equal(t, "a 1");
 * ```
 */
export function textFromEvent(event: LogEvent): string {
  if (event.isError && event.failure) {
    const why = event.why ?? "Unhandled Error";
    return `${why}\n${event.failure.getTraceback()}`;
  }
  if (typeof event.format === "string") {
    return event.format.replace(/%\((\w+)\)s/g, (_m, k: string) => String(event[k]));
  }
  return event.message.map((m) => (typeof m === "string" ? m : inspectValue(m))).join(" ");
}

function inspectValue(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === "object" && v !== null) {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

function defaultObserver(event: LogEvent): void {
  if (!event.isError && event.forceStderr !== true) return;
  const stamp = new Date(event.time * 1000).toISOString();
  const text = textFromEvent(event).replaceAll("\n", `\n\t`);
  console.error(`${stamp} [${event.system}] ${text}`);
}

function dispatch(event: LogEvent): void {
  if (defaultObserverOn) defaultObserver(event);
  for (const obs of observers.slice()) {
    try {
      obs(event);
    } catch (e) {
      removeObserver(obs);
      dispatch({
        message: [],
        isError: true,
        time: Date.now() / 1000,
        system: "log",
        failure: new Failure(e),
        why: "Log observer failed and was removed",
      });
    }
  }
}

/**
 * Log a message. Non-string parts are rendered readably; `extra` keys go into
 * the event (`system` names the source).
 *
 * @example
 * ```ts
 * import { msg } from "@skein/skein/log";
 * msg("started on port", 8080);
 * ```
 */
export function msg(...message: unknown[]): void {
  dispatch({ message, isError: false, time: Date.now() / 1000, system: "-" });
}

/**
 * Log a message with extra event keys (e.g. `{ system: "EchoProtocol,0" }`).
 *
 * @example
 * ```ts
 * import { msgWith } from "@skein/skein/log";
 * msgWith({ system: "echo" }, "connection made");
 * ```
 */
export function msgWith(extra: Record<string, unknown>, ...message: unknown[]): void {
  dispatch({ system: "-", ...extra, message, isError: false, time: Date.now() / 1000 });
}

/**
 * Log an error: a `Failure`, any thrown value, or nothing (then the current
 * call stack is recorded). `why` explains what was being done.
 *
 * @example
 * ```ts
 * import { err } from "@skein/skein/log";
 * try {
 *   throw new Error("boom");
 * } catch (e) {
 *   err(e, "while testing");
 * }
 * ```
 */
export function err(failure?: unknown, why?: string, extra?: Record<string, unknown>): void {
  const f = failure instanceof Failure
    ? failure
    : new Failure(failure ?? new Error(why ?? "error"));
  dispatch({
    system: "-",
    ...extra,
    message: [],
    isError: true,
    time: Date.now() / 1000,
    failure: f,
    why,
  });
}

/**
 * Add an observer that receives every later event.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addObserver, msg, removeObserver } from "@skein/skein/log";
 * const seen: string[] = [];
 * const obs = (e: { message: unknown[] }): void => { seen.push(String(e.message[0])); };
 * addObserver(obs);
 * msg("hi");
 * removeObserver(obs);
 * assert.equal(seen[0], "hi");
 * ```
 */
export function addObserver(observer: LogObserver): void {
  observers.push(observer);
}

/**
 * Remove an observer added by `addObserver` (no error if it is absent).
 *
 * @example
 * ```ts
 * import { addObserver, removeObserver } from "@skein/skein/log";
 * const obs = (): void => {};
 * addObserver(obs);
 * removeObserver(obs);
 * ```
 */
export function removeObserver(observer: LogObserver): void {
  const i = observers.indexOf(observer);
  if (i >= 0) observers.splice(i, 1);
}

/**
 * Turn the built-in stderr observer (which prints error events) on or off.
 * Tests that expect errors turn it off and add their own observer.
 *
 * @example
 * ```ts
 * import { setDefaultObserver } from "@skein/skein/log";
 * setDefaultObserver(false);
 * setDefaultObserver(true);
 * ```
 */
export function setDefaultObserver(enabled: boolean): void {
  defaultObserverOn = enabled;
}
