/**
 * Log levels, Twisted's `twisted.logger.LogLevel`: `debug < info < warn <
 * error < critical`.
 *
 * @module
 */

/**
 * The error `LogLevel.levelWithName` throws for a name that is not a level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidLogLevelError, LogLevel } from "@skein/skein/logger";
 * assert.throws(() => LogLevel.levelWithName("loud"), InvalidLogLevelError);
 * ```
 */
export class InvalidLogLevelError extends Error {
  /** The value that is not a level. */
  readonly level: unknown;
  /**
   * Make the error for `level`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InvalidLogLevelError } from "@skein/skein/logger";
   * assert.match(new InvalidLogLevelError("loud").message, /loud/);
   * ```
   */
  constructor(level: unknown) {
    super(
      `${typeof level === "string" ? JSON.stringify(level) : String(level)} is not a log level: `
        + "use LogLevel.debug, info, warn, error or critical",
    );
    this.name = "InvalidLogLevelError";
    this.level = level;
  }
}

/**
 * One of the five log levels. Levels are ordered: compare them with
 * `a.compare(b)` or by their `order`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel } from "@skein/skein/logger";
 * assert.ok(LogLevel.debug.order < LogLevel.critical.order);
 * assert.equal(LogLevel.levelWithName("warn"), LogLevel.warn);
 * ```
 */
export class LogLevel {
  /** Information useful only to someone debugging the program. */
  static readonly debug: LogLevel = new LogLevel("debug", 0);
  /** Informational messages about normal operation. */
  static readonly info: LogLevel = new LogLevel("info", 1);
  /** Something that may be a problem. */
  static readonly warn: LogLevel = new LogLevel("warn", 2);
  /** A failure the program handled. */
  static readonly error: LogLevel = new LogLevel("error", 3);
  /** A failure that may stop the program working (an unhandled error). */
  static readonly critical: LogLevel = new LogLevel("critical", 4);

  /** The level's name: `"debug"`, `"info"`, `"warn"`, `"error"` or `"critical"`. */
  readonly name: string;
  /** Its rank, 0 (debug) to 4 (critical). */
  readonly order: number;

  private constructor(name: string, order: number) {
    this.name = name;
    this.order = order;
    Object.freeze(this);
  }

  /**
   * All levels, lowest first.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel } from "@skein/skein/logger";
   * assert.deepEqual(LogLevel.levels().map((l) => l.name), ["debug", "info", "warn", "error", "critical"]);
   * ```
   */
  static levels(): LogLevel[] {
    return [LogLevel.debug, LogLevel.info, LogLevel.warn, LogLevel.error, LogLevel.critical];
  }

  /**
   * The level called `name`; throws `InvalidLogLevelError` for any other name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel } from "@skein/skein/logger";
   * assert.equal(LogLevel.levelWithName("error"), LogLevel.error);
   * ```
   */
  static levelWithName(name: string): LogLevel {
    for (const level of LogLevel.levels()) if (level.name === name) return level;
    throw new InvalidLogLevelError(name);
  }

  /**
   * Whether `value` is one of the five levels.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel } from "@skein/skein/logger";
   * assert.equal(LogLevel.isLevel(LogLevel.info), true);
   * assert.equal(LogLevel.isLevel("info"), false);
   * ```
   */
  static isLevel(value: unknown): value is LogLevel {
    return value instanceof LogLevel;
  }

  /**
   * Negative if this level is below `other`, 0 if equal, positive if above.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel } from "@skein/skein/logger";
   * assert.ok(LogLevel.warn.compare(LogLevel.info) > 0);
   * ```
   */
  compare(other: LogLevel): number {
    return this.order - other.order;
  }

  /**
   * The level's name, as Twisted prints it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel } from "@skein/skein/logger";
   * assert.equal(`${LogLevel.warn}`, "warn");
   * ```
   */
  toString(): string {
    return this.name;
  }
}
