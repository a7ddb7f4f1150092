/**
 * `Logger`, Twisted's modern logging face: `log.info("{n} users", { n })`.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import { deliver, type LogEvent, type Observer } from "./event.ts";
import { globalLogPublisher } from "./global.ts";
import { InvalidLogLevelError, LogLevel } from "./levels.ts";

/** Options of `new Logger`. */
export interface LoggerOptions {
  /** The events' `log_namespace` (dotted, e.g. `"app.db"`; default `"-"`). */
  namespace?: string;
  /** The events' `log_source` (the object this logger belongs to). */
  source?: unknown;
  /** Where events go (default `globalLogPublisher`). */
  observer?: Observer;
}

/**
 * Fields given with a message; `{key}` in the format string is filled from them.
 *
 * @example
 * ```ts
 * import type { LogFields } from "@skein/skein/logger";
 * const fields: LogFields = { user: "ann", count: 2 };
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * Emits events with a namespace and a source, as Twisted's `Logger`. The
 * format string is kept in the event (`log_format`) and formatted only by
 * observers that want text, so a message costs little when nobody reads it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEvent, type LogEvent, Logger, LogLevel } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const log = new Logger({ namespace: "app.db", observer: (e) => { seen.push(e); } });
 * log.warn("{count} slow queries", { count: 3 });
 * assert.equal(seen[0].log_level, LogLevel.warn);
 * assert.equal(formatEvent(seen[0]), "3 slow queries");
 * ```
 */
export class Logger {
  /** The namespace of this logger's events. */
  readonly namespace: string;
  /** The source of this logger's events. */
  readonly source: unknown;
  /** Where this logger's events go. */
  readonly observer: Observer;

  /**
   * A logger with `namespace`, `source` and `observer`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Logger } from "@skein/skein/logger";
   * assert.equal(new Logger({ namespace: "app" }).namespace, "app");
   * ```
   */
  constructor(options: LoggerOptions = {}) {
    this.namespace = options.namespace ?? "-";
    this.source = options.source;
    this.observer = options.observer ?? globalLogPublisher;
  }

  /**
   * Emit an event at `level` with `format` and `fields`. An invalid level is
   * logged as a critical failure instead of thrown (Twisted's rule).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type LogEvent, Logger, LogLevel } from "@skein/skein/logger";
   * const seen: LogEvent[] = [];
   * const log = new Logger({ observer: (e) => { seen.push(e); } });
   * log.emit(LogLevel.info, "x={x}", { x: 1 });
   * assert.equal(seen[0].x, 1);
   * ```
   */
  emit(level: LogLevel, format?: string | null, fields?: LogFields): void {
    if (!(level instanceof LogLevel)) {
      this.failure(
        "Got invalid log level {invalidLevel} in {logger}.emit()",
        new Failure(new InvalidLogLevelError(level)),
        LogLevel.critical,
        { invalidLevel: String(level), logger: `<Logger ${this.namespace}>` },
      );
      return;
    }
    const event: LogEvent = {
      ...fields,
      "log_logger": this,
      "log_level": level,
      "log_namespace": this.namespace,
      "log_source": this.source,
      "log_format": format ?? null,
      "log_time": Date.now() / 1000,
    };
    deliver(this.observer, event);
  }

  /**
   * Emit at level debug.
   *
   * @example
   * ```ts
   * import { Logger } from "@skein/skein/logger";
   * new Logger({ observer: () => {} }).debug("detail {x}", { x: 1 });
   * ```
   */
  debug(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.debug, format, fields);
  }

  /**
   * Emit at level info.
   *
   * @example
   * ```ts
   * import { Logger } from "@skein/skein/logger";
   * new Logger({ observer: () => {} }).info("listening on {port}", { port: 8080 });
   * ```
   */
  info(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.info, format, fields);
  }

  /**
   * Emit at level warn.
   *
   * @example
   * ```ts
   * import { Logger } from "@skein/skein/logger";
   * new Logger({ observer: () => {} }).warn("slow");
   * ```
   */
  warn(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.warn, format, fields);
  }

  /**
   * Emit at level error.
   *
   * @example
   * ```ts
   * import { Logger } from "@skein/skein/logger";
   * new Logger({ observer: () => {} }).error("query failed: {why}", { why: "timeout" });
   * ```
   */
  error(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.error, format, fields);
  }

  /**
   * Emit at level critical.
   *
   * @example
   * ```ts
   * import { Logger } from "@skein/skein/logger";
   * new Logger({ observer: () => {} }).critical("out of memory");
   * ```
   */
  critical(format?: string | null, fields?: LogFields): void {
    this.emit(LogLevel.critical, format, fields);
  }

  /**
   * Emit an event carrying `failure` as `log_failure` (a thrown value is
   * wrapped in a `Failure`), at `level` (critical by default).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type LogEvent, Logger } from "@skein/skein/logger";
   * const seen: LogEvent[] = [];
   * const log = new Logger({ observer: (e) => { seen.push(e); } });
   * try {
   *   JSON.parse("{");
   * } catch (e) {
   *   log.failure("bad config", e);
   * }
   * assert.equal(seen[0].log_failure?.check(SyntaxError), SyntaxError);
   * ```
   */
  failure(
    format: string,
    failure?: unknown,
    level: LogLevel = LogLevel.critical,
    fields?: LogFields,
  ): void {
    const f = failure instanceof Failure ? failure : new Failure(failure ?? new Error(format));
    this.emit(level, format, { ...fields, log_failure: f });
  }
}
