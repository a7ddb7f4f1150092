/**
 * Twisted's legacy logging face, `twisted.python.log`: `msg`, `err`,
 * observers and the `system` context. It is a face of the one event system
 * in `@skein/skein/logger`: a `msg` is published to `globalLogPublisher` as
 * an event with the modern keys too (`log_level`, `log_namespace:
 * "log_legacy"`, `log_format`, `log_time`, `log_system`, `log_failure`), and
 * legacy observers receive modern `Logger` events with the legacy keys added
 * (`message`, `isError`, `time`, `system`, `failure`, `why`). Observers are
 * called synchronously in the order they were added; one that throws is
 * reported to the others and kept (Twisted's `LogPublisher`), so logging
 * never throws into the caller.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type { LogEvent as ModernEvent } from "../logger/event.ts";
import { formatEvent } from "../logger/format.ts";
import { globalLogBeginner, globalLogPublisher } from "../logger/global.ts";
import { LogLevel } from "../logger/levels.ts";
import { dropWrapper, wrapperFor } from "./_legacy.ts";

/**
 * One log event, as legacy observers receive it. It carries the modern keys
 * as well (`log_level`, `log_namespace`, `log_format`, …).
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
  /** True for `err()` events and for modern events at error or critical or with a failure. */
  isError: boolean;
  /** Seconds since the epoch (wall clock). */
  time: number;
  /** What logged it (Twisted's `system`, e.g. a protocol's log prefix). */
  system: string;
  /** The failure of an `err()` event. */
  failure?: Failure;
  /** The explanation given to `err(failure, why)`. */
  why?: string;
  /** Extra keys passed to `msg`/`err`, and the modern `log_*` keys. */
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

/**
 * Turn an event into text (without a timestamp), as Twisted's
 * `textFromEventDict`: for an error, `why` (or "Unhandled Error") and the
 * failure's traceback; else the message parts joined by spaces, or the
 * legacy `%(key)s` `format`, or the modern `log_format`. `""` when there is
 * none. Never throws.
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
  try {
    if (event.isError && event.failure instanceof Failure) {
      const why = event.why ?? "Unhandled Error";
      return `${why}\n${event.failure.getTraceback()}`;
    }
    const message = Array.isArray(event.message) ? event.message : [];
    if (message.length > 0) {
      return message.map((m) => (typeof m === "string" ? m : inspectValue(m))).join(" ");
    }
    if (typeof event.format === "string") {
      return event.format.replace(/%\((\w+)\)s/g, (_m, k: string) => inspectValue(event[k]));
    }
    return formatEvent(event as ModernEvent);
  } catch (e) {
    return `Invalid format string or unformattable object in log message: ${inspectValue(e)}`;
  }
}

function inspectValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === "object" && v !== null) {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

const contexts: Record<string, unknown>[] = [];

function contextFields(): Record<string, unknown> {
  return contexts.length === 0 ? {} : contexts[contexts.length - 1];
}

/** Publish a legacy event, adding the modern keys as Twisted's `publishToNewObserver`. */
function publish(event: LogEvent): void {
  const modern = event as LogEvent & ModernEvent;
  if (modern.log_time === undefined) modern.log_time = event.time;
  if (modern.log_level === undefined) {
    modern.log_level = event.isError
      ? LogLevel.critical
      : LogLevel.info;
  }
  if (modern.log_namespace === undefined) modern.log_namespace = "log_legacy";
  if (modern.log_system === undefined && typeof event.system === "string") {
    modern.log_system = event.system;
  }
  if (event.isError && event.failure instanceof Failure && modern.log_failure === undefined) {
    modern.log_failure = event.failure;
    if (modern.log_format === undefined) {
      modern.log_text = event.why ?? "Unhandled Error";
      modern.log_format = "{log_text}";
    }
  }
  if (modern.log_format === undefined) {
    const text = textFromEvent(event);
    if (text !== "") {
      modern.log_text = text;
      modern.log_format = "{log_text}";
    }
  }
  globalLogPublisher.observe(modern);
}

/**
 * Log a message: `msg("started on port", 8080)`. Non-string parts are
 * rendered readably; the event gets the current `callWithContext` fields
 * (`system`).
 *
 * @example
 * ```ts
 * import { msg } from "@skein/skein/log";
 * msg("started on port", 8080);
 * ```
 */
export function msg(...message: unknown[]): void {
  publish({ system: "-", ...contextFields(), message, isError: false, time: Date.now() / 1000 });
}

/**
 * Log a message with extra event keys (e.g. `{ system: "EchoProtocol,0" }`),
 * Twisted's `msg(*message, **kw)`.
 *
 * @example
 * ```ts
 * import { msgWith } from "@skein/skein/log";
 * msgWith({ system: "echo" }, "connection made");
 * ```
 */
export function msgWith(extra: Record<string, unknown>, ...message: unknown[]): void {
  publish({
    system: "-",
    ...contextFields(),
    ...extra,
    message,
    isError: false,
    time: Date.now() / 1000,
  });
}

/**
 * Log an error: a `Failure`, any thrown value, or nothing (then the current
 * call stack is recorded). `why` explains what was being done. The event is
 * critical and carries the failure as `failure` and `log_failure`.
 *
 * @example
 * ```ts
 * import { err } from "@skein/skein/log";
 * import { globalLogBeginner } from "@skein/skein/logger";
 * globalLogBeginner.errorsToStderr = false; // this example expects the error
 * try {
 *   throw new Error("boom");
 * } catch (e) {
 *   err(e, "while testing");
 * }
 * globalLogBeginner.errorsToStderr = true;
 * ```
 */
export function err(failure?: unknown, why?: string, extra?: Record<string, unknown>): void {
  const f = failure instanceof Failure
    ? failure
    : new Failure(failure ?? new Error(why ?? "error"));
  publish({
    system: "-",
    ...contextFields(),
    ...extra,
    message: [],
    isError: true,
    time: Date.now() / 1000,
    failure: f,
    why,
  });
}

/**
 * Add an observer that receives every later event, legacy or modern.
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
  globalLogPublisher.addObserver(wrapperFor(observer));
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
  const wrapper = dropWrapper(observer);
  if (wrapper !== undefined) globalLogPublisher.removeObserver(wrapper);
}

/**
 * Turn the built-in stderr printer on or off: until logging begins
 * (`startLogging`), error events are printed to stderr. Tests that expect
 * errors turn it off and add their own observer. The same switch as
 * `globalLogBeginner.errorsToStderr`.
 *
 * @example
 * ```ts
 * import { setDefaultObserver } from "@skein/skein/log";
 * setDefaultObserver(false);
 * setDefaultObserver(true);
 * ```
 */
export function setDefaultObserver(enabled: boolean): void {
  globalLogBeginner.errorsToStderr = enabled;
}

/**
 * Call `fn(...args)` with `context`'s keys added to every legacy event
 * logged meanwhile (Twisted's `callWithContext`; `system` is the usual key).
 * Contexts nest; the previous one is back when `fn` returns or throws. Only
 * the synchronous part of an async `fn` is covered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addObserver, callWithContext, type LogEvent, msg, removeObserver } from "@skein/skein/log";
 * const seen: LogEvent[] = [];
 * const obs = (e: LogEvent): void => { seen.push(e); };
 * addObserver(obs);
 * const n = callWithContext({ system: "web" }, (x: number) => { msg("inside"); return x * 2; }, 21);
 * removeObserver(obs);
 * assert.equal(n, 42);
 * assert.equal(seen[0].system, "web");
 * ```
 */
export function callWithContext<A extends unknown[], R>(
  context: Record<string, unknown>,
  fn: (...args: A) => R,
  ...args: A
): R {
  contexts.push({ ...contextFields(), ...context });
  try {
    return fn(...args);
  } finally {
    contexts.pop();
  }
}

/**
 * Something with a log prefix (Twisted's `ILoggingContext`): protocols and
 * ports name themselves in log lines with it.
 *
 * @example
 * ```ts
 * import type { LoggingContext } from "@skein/skein/log";
 * const ctx: LoggingContext = { logPrefix: () => "EchoProtocol" };
 * ```
 */
export interface LoggingContext {
  /** The `system` of events logged on this object's behalf. */
  logPrefix(): string;
}

/**
 * Call `fn(...args)` with `system` set to `logger.logPrefix()` and log
 * (instead of throwing) anything it throws, returning `undefined` then —
 * Twisted's `callWithLogger`, which the reactor uses around protocol code. A
 * throwing `logPrefix` gives the system `"(buggy logPrefix method)"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addObserver, callWithLogger, type LogEvent, removeObserver } from "@skein/skein/log";
 * const seen: LogEvent[] = [];
 * const obs = (e: LogEvent): void => { seen.push(e); };
 * addObserver(obs);
 * const r = callWithLogger({ logPrefix: () => "Echo,0" }, () => { throw new Error("bug"); });
 * removeObserver(obs);
 * assert.equal(r, undefined);
 * assert.equal(seen[0].system, "Echo,0");
 * assert.equal(seen[0].isError, true);
 * ```
 */
export function callWithLogger<A extends unknown[], R>(
  logger: LoggingContext,
  fn: (...args: A) => R,
  ...args: A
): R | undefined {
  let prefix: string;
  try {
    prefix = String(logger.logPrefix());
  } catch (e) {
    prefix = "(buggy logPrefix method)";
    err(e, undefined, { system: prefix });
  }
  try {
    return callWithContext({ system: prefix }, fn, ...args);
  } catch (e) {
    err(e, undefined, { system: prefix });
    return undefined;
  }
}
