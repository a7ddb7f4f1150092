/**
 * Bridges between Skein's log and console-style loggers: an observer that
 * writes events to `console` (or to an `@std/log`-style logger) by level,
 * and a console-style object whose calls become Skein events.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import { safeText } from "./_format_string.ts";
import type { LogEvent, LogObserver } from "./event.ts";
import { eventAsText } from "./format.ts";
import { LogLevel } from "./levels.ts";
import type { Logger } from "./logger.ts";

/**
 * Anything with console-style level methods: `console`, an `@std/log`
 * `Logger`, a `pino` logger. `critical` is used when present.
 *
 * @example
 * ```ts
 * import type { ConsoleLike } from "@skein/skein/logger";
 * const target: ConsoleLike = console;
 * ```
 */
export interface ConsoleLike {
  /** Called for debug events. */
  debug(...args: unknown[]): unknown;
  /** Called for info events (and events without a level). */
  info(...args: unknown[]): unknown;
  /** Called for warn events. */
  warn(...args: unknown[]): unknown;
  /** Called for error events (and critical ones without `critical`). */
  error(...args: unknown[]): unknown;
  /** Called for critical events, if there is one. */
  critical?(...args: unknown[]): unknown;
}

/** Options of `consoleLogObserver`. */
export interface ConsoleLogObserverOptions {
  /** Where to write (default: the global `console` as it is when the observer is made). */
  console?: ConsoleLike;
  /** Turn an event into the text passed (default `[system] text` and the traceback). */
  format?: (event: LogEvent) => string;
}

/**
 * An observer that calls `console.debug/info/warn/error` (or an
 * `@std/log`-style logger's methods) by the event's level with its text.
 * Do not combine it with `redirectStandardIO` on the same `console`: the
 * text would come back into the log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleLogObserver, Logger } from "@skein/skein/logger";
 * const calls: string[] = [];
 * const target = {
 *   debug: (t: unknown) => calls.push(`D ${t}`),
 *   info: (t: unknown) => calls.push(`I ${t}`),
 *   warn: (t: unknown) => calls.push(`W ${t}`),
 *   error: (t: unknown) => calls.push(`E ${t}`),
 * };
 * const log = new Logger({ namespace: "app", observer: consoleLogObserver({ console: target }) });
 * log.warn("disk {pct}% full", { pct: 91 });
 * assert.deepEqual(calls, ["W [app#warn] disk 91% full"]);
 * ```
 */
export function consoleLogObserver(options: ConsoleLogObserverOptions = {}): LogObserver {
  const target: ConsoleLike = options.console ?? console;
  const format = options.format ?? ((e: LogEvent) => eventAsText(e, { includeTimestamp: false }));
  const bound = {
    debug: target.debug.bind(target),
    info: target.info.bind(target),
    warn: target.warn.bind(target),
    error: target.error.bind(target),
    critical: (target.critical ?? target.error).bind(target),
  };
  return (event: LogEvent): void => {
    const level = event.log_level;
    const text = format(event);
    if (level === LogLevel.debug) bound.debug(text);
    else if (level === LogLevel.warn) bound.warn(text);
    else if (level === LogLevel.error) bound.error(text);
    else if (level === LogLevel.critical) bound.critical(text);
    else if (event.isError === true && !(level instanceof LogLevel)) bound.error(text);
    else bound.info(text);
  };
}

/**
 * A console-style logger (`debug`, `info`, `log`, `warn`, `error`,
 * `critical`, each taking any arguments) whose calls become events of
 * `logger`: the arguments joined as `console` would (the text is
 * `log_text`), the first `Error` among them kept as `log_failure`. Hand it
 * to code written for `console` or `@std/log`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consoleStyleLogger, formatEvent, type LogEvent, Logger, LogLevel } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const app = consoleStyleLogger(new Logger({ namespace: "lib", observer: (e) => { seen.push(e); } }));
 * app.warn("retrying", 3, { after: "1s" });
 * app.error("failed:", new Error("timeout"));
 * assert.equal(formatEvent(seen[0]), 'retrying 3 {"after":"1s"}');
 * assert.equal(seen[0].log_level, LogLevel.warn);
 * assert.equal(seen[1].log_failure?.getErrorMessage(), "timeout");
 * ```
 */
export function consoleStyleLogger(
  logger: Logger,
): ConsoleLike & { log(...args: unknown[]): void; } {
  const emit = (level: LogLevel, args: unknown[]): void => {
    const text = args.map((a) => safeText(a)).join(" ");
    const error = args.find((a) => a instanceof Error);
    const fields: Record<string, unknown> = { "log_text": text };
    if (error !== undefined) fields["log_failure"] = new Failure(error);
    logger.emit(level, "{log_text}", fields);
  };
  return {
    debug: (...args: unknown[]): void => emit(LogLevel.debug, args),
    info: (...args: unknown[]): void => emit(LogLevel.info, args),
    log: (...args: unknown[]): void => emit(LogLevel.info, args),
    warn: (...args: unknown[]): void => emit(LogLevel.warn, args),
    error: (...args: unknown[]): void => emit(LogLevel.error, args),
    critical: (...args: unknown[]): void => emit(LogLevel.critical, args),
  };
}
