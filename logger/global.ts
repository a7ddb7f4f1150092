/**
 * The process-wide publisher and its beginner, Twisted's
 * `globalLogPublisher` and `globalLogBeginner`: until logging begins, events
 * are kept (the last 200) and critical ones printed to stderr; at
 * `beginLoggingTo` the kept events are replayed to the new observers.
 *
 * @module
 */

import { LimitedHistoryLogObserver } from "./buffer.ts";
import type { LogEvent, Observer } from "./event.ts";
import { formatEventAsClassicLogText, formatTime } from "./format.ts";
import { LogLevel } from "./levels.ts";
import { LogPublisher } from "./publisher.ts";

/**
 * The publisher every `Logger` sends to unless given another observer, and
 * which the legacy face (`@skein/skein/log`) uses too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globalLogPublisher, type LogEvent, Logger } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const observer = (e: LogEvent): void => { seen.push(e); };
 * globalLogPublisher.addObserver(observer);
 * new Logger({ namespace: "demo" }).info("hi");
 * globalLogPublisher.removeObserver(observer);
 * assert.equal(seen[0].log_namespace, "demo");
 * ```
 */
export const globalLogPublisher: LogPublisher = new LogPublisher();

/** Options of `LogBeginner.beginLoggingTo`. */
export interface BeginLoggingOptions {
  /** Drop the events kept so far instead of replaying them (default false). */
  discardBuffer?: boolean;
  /**
   * Send `console.log`/`info`/`debug` output into the log at level info and
   * `console.warn`/`error` at level error, as Twisted redirects `sys.stdout`
   * and `sys.stderr` (default true). `restoreStandardIO()` undoes it.
   */
  redirectStandardIO?: boolean;
}

type ConsoleMethod = "log" | "info" | "debug" | "warn" | "error";
const CONSOLE_LEVELS: [ConsoleMethod, LogLevel, string][] = [
  ["log", LogLevel.info, "stdout"],
  ["info", LogLevel.info, "stdout"],
  ["debug", LogLevel.info, "stdout"],
  ["warn", LogLevel.error, "stderr"],
  ["error", LogLevel.error, "stderr"],
];

function stderrWrite(text: string): void {
  try {
    // console.error, not process.stderr: it is synchronous on both runtimes,
    // so the lines keep their order with the program's own console output
    console.error(text.endsWith("\n") ? text.slice(0, -1) : text);
  } catch {
    // stderr is gone: nothing else to tell
  }
}

/**
 * Starts logging for the process once: Twisted's `LogBeginner`. Until then a
 * temporary observer keeps the last `bufferSize` events (200) and prints
 * critical ones (and legacy `isError` ones) to stderr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogBeginner, type LogEvent, Logger, LogPublisher } from "@skein/skein/logger";
 * const publisher = new LogPublisher();
 * const beginner = new LogBeginner(publisher);
 * new Logger({ observer: publisher }).info("early");
 * const seen: LogEvent[] = [];
 * beginner.beginLoggingTo([(e) => { seen.push(e); }], { redirectStandardIO: false });
 * assert.equal(seen[0].log_format, "early");
 * ```
 */
export class LogBeginner {
  #publisher: LogPublisher;
  #buffer: LimitedHistoryLogObserver | null;
  #temporary: ((event: LogEvent) => void) | null;
  #errorsToStderr = true;
  #begun = false;
  #saved: Map<ConsoleMethod, (...args: unknown[]) => void> | null = null;

  /**
   * A beginner for `publisher`, keeping `bufferSize` events until logging begins.
   *
   * @example
   * ```ts
   * import { LogBeginner, LogPublisher } from "@skein/skein/logger";
   * const beginner = new LogBeginner(new LogPublisher(), 50);
   * ```
   */
  constructor(publisher: LogPublisher, bufferSize = 200) {
    this.#publisher = publisher;
    const buffer = new LimitedHistoryLogObserver(bufferSize);
    this.#buffer = buffer;
    this.#temporary = (event) => {
      buffer.observe(event);
      if (this.#errorsToStderr && isErrorForStderr(event)) {
        const line = formatEventAsClassicLogText(
          event,
          (t) => formatTime(t, "%Y-%m-%d %H:%M:%S%z"),
        );
        if (line !== null) stderrWrite(line);
      }
    };
    publisher.addObserver(this.#temporary);
  }

  /**
   * Whether events before `beginLoggingTo` that are errors are printed to
   * stderr (default true). Tests that expect errors turn it off.
   *
   * @example
   * ```ts
   * import { LogBeginner, LogPublisher } from "@skein/skein/logger";
   * const beginner = new LogBeginner(new LogPublisher());
   * beginner.errorsToStderr = false;
   * ```
   */
  get errorsToStderr(): boolean {
    return this.#errorsToStderr;
  }
  set errorsToStderr(enabled: boolean) {
    this.#errorsToStderr = enabled;
  }

  /**
   * Whether `beginLoggingTo` has been called.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogBeginner, LogPublisher } from "@skein/skein/logger";
   * assert.equal(new LogBeginner(new LogPublisher()).begun, false);
   * ```
   */
  get begun(): boolean {
    return this.#begun;
  }

  /**
   * Add `observers` to the publisher and, the first time, replay the kept
   * events to them (unless `discardBuffer`) and drop the temporary observer.
   * A second call adds its observers and logs a warning that the primary log
   * target was chosen twice.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogBeginner, type LogEvent, LogPublisher } from "@skein/skein/logger";
   * const publisher = new LogPublisher();
   * const beginner = new LogBeginner(publisher);
   * const seen: LogEvent[] = [];
   * beginner.beginLoggingTo([(e) => { seen.push(e); }], { redirectStandardIO: false });
   * publisher.observe({ log_format: "after" });
   * assert.equal(seen.length, 1);
   * ```
   */
  beginLoggingTo(observers: Observer[], options: BeginLoggingOptions = {}): void {
    const again = this.#begun;
    this.#begun = true;
    for (const observer of observers) this.#publisher.addObserver(observer);
    if (this.#temporary !== null) {
      this.#publisher.removeObserver(this.#temporary);
      this.#temporary = null;
      const buffer = this.#buffer;
      this.#buffer = null;
      if (buffer !== null && options.discardBuffer !== true) {
        for (const observer of observers) buffer.replayTo(observer);
      }
    }
    if (options.redirectStandardIO ?? true) this.#redirect();
    if (again) {
      this.#publisher.observe({
        log_format:
          "Warning: primary log target selected twice; remove one of the calls to beginLoggingTo.",
        log_level: LogLevel.warn,
        log_namespace: "skein.logger.beginner",
        log_time: Date.now() / 1000,
      });
    }
  }

  #redirect(): void {
    if (this.#saved !== null) return;
    const saved = new Map<ConsoleMethod, (...args: unknown[]) => void>();
    this.#saved = saved;
    let inside = false;
    for (const [method, level, namespace] of CONSOLE_LEVELS) {
      const original = console[method];
      saved.set(method, original);
      console[method] = (...args: unknown[]): void => {
        if (inside) {
          original.apply(console, args);
          return;
        }
        inside = true;
        try {
          this.#publisher.observe({
            log_format: "{log_io}",
            log_io: args.map((a) => (typeof a === "string" ? a : safeConsoleText(a))).join(" "),
            log_level: level,
            log_namespace: namespace,
            log_time: Date.now() / 1000,
          });
        } finally {
          inside = false;
        }
      };
    }
  }

  /**
   * Give `console` its own methods back after `redirectStandardIO`.
   *
   * @example
   * ```ts
   * import { LogBeginner, LogPublisher } from "@skein/skein/logger";
   * const beginner = new LogBeginner(new LogPublisher());
   * beginner.beginLoggingTo([() => {}]);
   * beginner.restoreStandardIO();
   * ```
   */
  restoreStandardIO(): void {
    const saved = this.#saved;
    if (saved === null) return;
    this.#saved = null;
    for (const [method, original] of saved) console[method] = original;
  }
}

function safeConsoleText(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return typeof value === "object" && value !== null
      ? JSON.stringify(value) ?? String(value)
      : String(value);
  } catch {
    return String(value);
  }
}

function isErrorForStderr(event: LogEvent): boolean {
  if (event.isError === true || event.isError === 1 || event.forceStderr === true) return true;
  const level = event.log_level;
  return level instanceof LogLevel && level.order >= LogLevel.critical.order;
}

/**
 * The beginner of `globalLogPublisher`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globalLogBeginner } from "@skein/skein/logger";
 * assert.equal(typeof globalLogBeginner.beginLoggingTo, "function");
 * ```
 */
export const globalLogBeginner: LogBeginner = new LogBeginner(globalLogPublisher);
