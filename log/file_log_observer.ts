/**
 * Writing the log to a file or stdout: Twisted's legacy `FileLogObserver`,
 * `startLogging`, `startLoggingWithObserver` and `discardLogs`.
 *
 * @module
 */

import type { LogOutput } from "../logger/file_observer.ts";
import { formatTime } from "../logger/format.ts";
import { globalLogBeginner } from "../logger/global.ts";
import { wrapperFor } from "./_legacy.ts";
import {
  addObserver,
  type LogEvent,
  type LogObserver,
  msg,
  removeObserver,
  textFromEvent,
} from "./log.ts";

/** Options of the legacy `FileLogObserver`. */
export interface FileLogObserverOptions {
  /**
   * A `strftime` format for the time (Twisted's `timeFormat`); by default
   * `%Y-%m-%d %H:%M:%S%z` in the local time zone.
   */
  timeFormat?: string;
}

/**
 * Writes each event as Twisted's legacy line, `2026-12-03 13:30:19+0000
 * [system] text`, extra lines of the text indented with a tab, and flushes
 * the output after each line (unless it `flushesItself`, as a `LogFile`). `emit` is the observer; `start()` and
 * `stop()` add and remove it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileLogObserver } from "@skein/skein/log";
 * const out: string[] = [];
 * const observer = new FileLogObserver({ write: (t) => out.push(t) }, { timeFormat: "T" });
 * observer.emit({ message: ["a\nb"], isError: false, time: 0, system: "HTTP" });
 * assert.deepEqual(out, ["T [HTTP] a\n\tb\n"]);
 * ```
 */
export class FileLogObserver {
  /** Where lines go. */
  readonly output: LogOutput;
  /** The time format, or undefined for Twisted's default. */
  timeFormat: string | undefined;
  /** The observer: format `event` and write its line. */
  readonly emit: LogObserver;

  /**
   * An observer writing to `output`.
   *
   * @example
   * ```ts
   * import { FileLogObserver } from "@skein/skein/log";
   * const observer = new FileLogObserver({ write: () => {} });
   * ```
   */
  constructor(output: LogOutput, options: FileLogObserverOptions = {}) {
    this.output = output;
    this.timeFormat = options.timeFormat;
    this.emit = (event: LogEvent): void => {
      const text = textFromEvent(event);
      if (text === "") return;
      const system = typeof event.system === "string" ? event.system : "-";
      this.output.write(
        `${this.formatTime(event.time)} [${system}] ${text.replaceAll("\n", "\n\t")}\n`,
      );
      if (this.output.flushesItself !== true) this.output.flush?.();
    };
  }

  /**
   * The time of a line: `timeFormat` if set, else Twisted's
   * `%Y-%m-%d %H:%M:%S%z` in the local zone.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { FileLogObserver } from "@skein/skein/log";
   * const observer = new FileLogObserver({ write: () => {} }, { timeFormat: "%Y" });
   * assert.match(observer.formatTime(0), /^19(69|70)$/);
   * ```
   */
  formatTime(when: number): string {
    return formatTime(when, this.timeFormat ?? "%Y-%m-%d %H:%M:%S%z");
  }

  /**
   * Start observing (`addObserver(this.emit)`).
   *
   * @example
   * ```ts
   * import { FileLogObserver } from "@skein/skein/log";
   * const observer = new FileLogObserver({ write: () => {} });
   * observer.start();
   * observer.stop();
   * ```
   */
  start(): void {
    addObserver(this.emit);
  }

  /**
   * Stop observing.
   *
   * @example
   * ```ts
   * import { FileLogObserver } from "@skein/skein/log";
   * new FileLogObserver({ write: () => {} }).stop();
   * ```
   */
  stop(): void {
    removeObserver(this.emit);
  }
}

/** Options of `startLogging` and `startLoggingWithObserver`. */
export interface StartLoggingOptions {
  /**
   * Send `console.log`/`info`/`debug` into the log at level info and
   * `console.warn`/`error` at level error (Twisted's `setStdout`, default
   * true).
   */
  setStdout?: boolean;
}

/**
 * Start logging for the process to `observer`: the events kept until now
 * are replayed to it, the stderr printer stops, and "Log opened." is logged.
 * Twisted's `startLoggingWithObserver`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LogEvent, removeObserver, startLoggingWithObserver, textFromEvent } from "@skein/skein/log";
 * const seen: string[] = [];
 * const observer = (e: LogEvent): void => { seen.push(textFromEvent(e)); };
 * startLoggingWithObserver(observer, { setStdout: false });
 * removeObserver(observer);
 * assert.equal(seen.at(-1), "Log opened.");
 * ```
 */
export function startLoggingWithObserver(
  observer: LogObserver,
  options: StartLoggingOptions = {},
): void {
  globalLogBeginner.beginLoggingTo([wrapperFor(observer)], {
    redirectStandardIO: options.setStdout ?? true,
  });
  msg("Log opened.");
}

/**
 * Start logging for the process to `output` (stdout, a `LogFile`, anything
 * with `write`) through a new `FileLogObserver`, which is returned: Twisted's
 * `startLogging`. With `setStdout` (the default) `console` output goes into
 * the log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startLogging } from "@skein/skein/log";
 * const lines: string[] = [];
 * const observer = startLogging({ write: (t) => lines.push(t) }, { setStdout: false });
 * observer.stop();
 * assert.match(lines.at(-1) ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} \[-\] Log opened\.\n$/);
 * ```
 */
export function startLogging(
  output: LogOutput,
  options: StartLoggingOptions & FileLogObserverOptions = {},
): FileLogObserver {
  const observer = new FileLogObserver(output, options);
  startLoggingWithObserver(observer.emit, options);
  return observer;
}

/**
 * Throw away everything logged from now on that no observer takes: logging
 * begins with no observer (the kept events are dropped and the stderr
 * printer stops). Twisted's `discardLogs`.
 *
 * @example
 * ```ts
 * import { discardLogs, err } from "@skein/skein/log";
 * discardLogs();
 * err(new Error("nobody sees this"));
 * ```
 */
export function discardLogs(): void {
  globalLogBeginner.beginLoggingTo([], { discardBuffer: true, redirectStandardIO: false });
}
