/**
 * Observers that write text: Twisted's `FileLogObserver` and
 * `textFileLogObserver`.
 *
 * @module
 */

import type { ILogObserver, LogEvent } from "./event.ts";
import { formatEventAsClassicLogText, formatTime, timeFormatRFC3339 } from "./format.ts";

/**
 * Where a file observer writes: anything with `write(text)` (a `LogFile`, a
 * stream wrapper, an array collector), and optionally `flush()`.
 *
 * @example
 * ```ts
 * import type { LogOutput } from "@skein/skein/logger";
 * const lines: string[] = [];
 * const output: LogOutput = { write: (text) => { lines.push(text); } };
 * ```
 */
export interface LogOutput {
  /** Write `text` (already formatted, newline included). */
  write(text: string): unknown;
  /** Flush what was written, if the output buffers. */
  flush?(): unknown;
  /**
   * True when the output writes what it buffers by itself soon (a `LogFile`
   * does, at the end of the turn and at exit): observers then do not flush
   * it after every event.
   */
  readonly flushesItself?: boolean;
}

/**
 * An observer that formats each event with `formatEvent` and writes the text
 * to `output`, then flushes it (unless the output `flushesItself`); events formatted to `null` or `""` are not
 * written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileLogObserver, formatEvent } from "@skein/skein/logger";
 * const lines: string[] = [];
 * const observer = new FileLogObserver({ write: (t) => lines.push(t) }, (e) => `${formatEvent(e)}\n`);
 * observer.observe({ log_format: "hi {who}", who: "you" });
 * assert.deepEqual(lines, ["hi you\n"]);
 * ```
 */
export class FileLogObserver implements ILogObserver {
  #output: LogOutput;
  #format: (event: LogEvent) => string | null;

  /**
   * Write events formatted by `format` to `output`.
   *
   * @example
   * ```ts
   * import { FileLogObserver } from "@skein/skein/logger";
   * const observer = new FileLogObserver({ write: () => {} }, () => "text\n");
   * ```
   */
  constructor(output: LogOutput, format: (event: LogEvent) => string | null) {
    this.#output = output;
    this.#format = format;
  }

  /**
   * Format and write `event`.
   *
   * @example
   * ```ts
   * import { FileLogObserver } from "@skein/skein/logger";
   * new FileLogObserver({ write: () => {} }, () => null).observe({});
   * ```
   */
  observe(event: LogEvent): void {
    const text = this.#format(event);
    if (text === null || text === "") return;
    this.#output.write(text);
    if (this.#output.flushesItself !== true) this.#output.flush?.();
  }
}

/**
 * A `FileLogObserver` writing Twisted's classic text lines (`time [system]
 * text`), the time formatted with `timeFormat` (RFC 3339 by default; `null`
 * prints `-`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textFileLogObserver } from "@skein/skein/logger";
 * const lines: string[] = [];
 * const observer = textFileLogObserver({ write: (t) => lines.push(t) }, null);
 * observer.observe({ log_format: "hello", log_system: "web" });
 * assert.deepEqual(lines, ["- [web] hello\n"]);
 * ```
 */
export function textFileLogObserver(
  output: LogOutput,
  timeFormat: string | null = timeFormatRFC3339,
): FileLogObserver {
  return new FileLogObserver(
    output,
    (event) => formatEventAsClassicLogText(event, (t) => formatTime(t, timeFormat)),
  );
}
