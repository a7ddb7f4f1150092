/**
 * Filtering, Twisted's `FilteringLogObserver` and `LogLevelFilterPredicate`.
 *
 * @module
 */

import { deliver, type ILogObserver, type LogEvent, type Observer } from "./event.ts";
import { InvalidLogLevelError, LogLevel } from "./levels.ts";

/**
 * A predicate's answer: `yes` (log it, stop asking), `no` (drop it, stop
 * asking) or `maybe` (ask the next predicate; all `maybe` means log it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PredicateResult } from "@skein/skein/logger";
 * assert.equal(PredicateResult.maybe, "maybe");
 * ```
 */
export const PredicateResult = { yes: "yes", no: "no", maybe: "maybe" } as const;
/** The type of `PredicateResult`'s values. */
export type PredicateResult = (typeof PredicateResult)[keyof typeof PredicateResult];

/**
 * A filter predicate: a function, or an object with `filter`.
 *
 * @example
 * ```ts
 * import { type LogFilterPredicate, PredicateResult } from "@skein/skein/logger";
 * const onlyDb: LogFilterPredicate = (e) => e.log_namespace === "db" ? PredicateResult.yes : PredicateResult.no;
 * ```
 */
export type LogFilterPredicate =
  | ((event: LogEvent) => PredicateResult)
  | { filter(event: LogEvent): PredicateResult; };

/**
 * An observer that forwards events its predicates accept to `observer` and
 * the others to `negativeObserver` (dropped by default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FilteringLogObserver, type LogEvent, LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const filter = new FilteringLogObserver((e) => { seen.push(e); }, [new LogLevelFilterPredicate(LogLevel.warn)]);
 * filter.observe({ log_level: LogLevel.info, log_namespace: "a" });
 * filter.observe({ log_level: LogLevel.error, log_namespace: "a" });
 * assert.equal(seen.length, 1);
 * ```
 */
export class FilteringLogObserver implements ILogObserver {
  #observer: Observer;
  #predicates: LogFilterPredicate[];
  #negative: Observer | undefined;

  /**
   * Filter for `observer` with `predicates`.
   *
   * @example
   * ```ts
   * import { FilteringLogObserver, PredicateResult } from "@skein/skein/logger";
   * const dropped: unknown[] = [];
   * const f = new FilteringLogObserver(() => {}, [() => PredicateResult.no], (e) => { dropped.push(e); });
   * ```
   */
  constructor(
    observer: Observer,
    predicates: Iterable<LogFilterPredicate>,
    negativeObserver?: Observer,
  ) {
    this.#observer = observer;
    this.#predicates = [...predicates];
    this.#negative = negativeObserver;
  }

  /**
   * Ask the predicates in order and forward `event` where they say.
   *
   * @example
   * ```ts
   * import { FilteringLogObserver } from "@skein/skein/logger";
   * new FilteringLogObserver(() => {}, []).observe({ log_format: "all maybe: logged" });
   * ```
   */
  observe(event: LogEvent): void {
    for (const predicate of this.#predicates) {
      const result = typeof predicate === "function" ? predicate(event) : predicate.filter(event);
      if (result === PredicateResult.yes) {
        deliver(this.#observer, event);
        return;
      }
      if (result === PredicateResult.no) {
        if (this.#negative !== undefined) deliver(this.#negative, event);
        return;
      }
    }
    deliver(this.#observer, event);
  }
}

/**
 * A predicate passing events at or above a level set per namespace; a level
 * set for `"a.b"` applies to `"a.b.c"` too unless it has its own. Events
 * without a level or a namespace are refused (Twisted's rule).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
 * const p = new LogLevelFilterPredicate();
 * p.setLogLevelForNamespace("app.db", LogLevel.debug);
 * assert.equal(p.filter({ log_level: LogLevel.debug, log_namespace: "app.db.pool" }), "maybe");
 * assert.equal(p.filter({ log_level: LogLevel.debug, log_namespace: "app.web" }), "no");
 * ```
 */
export class LogLevelFilterPredicate {
  /** The level for namespaces with none set (info by default). */
  defaultLogLevel: LogLevel;
  #levels = new Map<string, LogLevel>();

  /**
   * A predicate whose default level is `defaultLogLevel`.
   *
   * @example
   * ```ts
   * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
   * const p = new LogLevelFilterPredicate(LogLevel.warn);
   * ```
   */
  constructor(defaultLogLevel: LogLevel = LogLevel.info) {
    if (!(defaultLogLevel instanceof LogLevel)) throw new InvalidLogLevelError(defaultLogLevel);
    this.defaultLogLevel = defaultLogLevel;
  }

  /**
   * The level in force for `namespace`: its own, its nearest dotted
   * ancestor's, or the default.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
   * const p = new LogLevelFilterPredicate();
   * p.setLogLevelForNamespace("a", LogLevel.error);
   * assert.equal(p.logLevelForNamespace("a.b.c"), LogLevel.error);
   * assert.equal(p.logLevelForNamespace("ab"), LogLevel.info);
   * ```
   */
  logLevelForNamespace(namespace: string | undefined): LogLevel {
    if (!namespace) return this.defaultLogLevel;
    let ns = namespace;
    for (;;) {
      const level = this.#levels.get(ns);
      if (level !== undefined) return level;
      const dot = ns.lastIndexOf(".");
      if (dot < 0) return this.defaultLogLevel;
      ns = ns.slice(0, dot);
    }
  }

  /**
   * Set the level for `namespace` and its descendants. Throws
   * `InvalidLogLevelError` for a value that is not a `LogLevel`.
   *
   * @example
   * ```ts
   * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
   * new LogLevelFilterPredicate().setLogLevelForNamespace("app", LogLevel.debug);
   * ```
   */
  setLogLevelForNamespace(namespace: string, level: LogLevel): void {
    if (!(level instanceof LogLevel)) throw new InvalidLogLevelError(level);
    if (namespace) this.#levels.set(namespace, level);
    else this.defaultLogLevel = level;
  }

  /**
   * Forget every per-namespace level.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
   * const p = new LogLevelFilterPredicate();
   * p.setLogLevelForNamespace("a", LogLevel.error);
   * p.clearLogLevels();
   * assert.equal(p.logLevelForNamespace("a"), LogLevel.info);
   * ```
   */
  clearLogLevels(): void {
    this.#levels.clear();
  }

  /**
   * `no` for an event below its namespace's level or lacking a level or a
   * namespace; `maybe` otherwise.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogLevel, LogLevelFilterPredicate } from "@skein/skein/logger";
   * assert.equal(new LogLevelFilterPredicate().filter({ log_level: LogLevel.info }), "no");
   * ```
   */
  filter(event: LogEvent): PredicateResult {
    const level = event.log_level;
    const namespace = event.log_namespace;
    if (!(level instanceof LogLevel)) return PredicateResult.no;
    if (typeof namespace !== "string") return PredicateResult.no;
    return level.order < this.logLevelForNamespace(namespace).order
      ? PredicateResult.no
      : PredicateResult.maybe;
  }
}
