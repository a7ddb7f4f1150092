/**
 * The shape of a log event and of an observer, Twisted's `LogEvent` and
 * `ILogObserver`.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type { LogLevel } from "./levels.ts";

/**
 * One log event: a plain object with Twisted's `log_*` keys beside the fields
 * the caller gave. Every key is optional: observers must cope with events
 * from anywhere (the legacy face adds `message`, `isError`, `time`, `system`).
 *
 * @example
 * ```ts
 * import { LogLevel, type LogEvent } from "@skein/skein/logger";
 * const event: LogEvent = { log_format: "{n} users", n: 3, log_level: LogLevel.info, log_namespace: "app" };
 * ```
 */
export interface LogEvent {
  /** The format string (`{key}` fields are taken from the event). */
  "log_format"?: string | null;
  /** The event's level. */
  "log_level"?: LogLevel;
  /** The namespace (dotted, e.g. `"app.db"`) of the logger that made it. */
  "log_namespace"?: string;
  /** The object the logger belongs to, if any. */
  "log_source"?: unknown;
  /** Seconds since the epoch (wall clock). */
  "log_time"?: number;
  /** The failure, for events made by `Logger.failure` or `log.err`. */
  "log_failure"?: Failure;
  /** The logger that made the event. */
  "log_logger"?: unknown;
  /** The system (Twisted's legacy `system`), used as the `[system]` of text lines. */
  "log_system"?: string;
  /** Pre-formatted text, for events whose text is already known. */
  "log_text"?: string;
  /** Format fields rendered when the event was serialised (see `eventAsJSON`). */
  "log_flattened"?: Record<string, string>;
  /** Any other field. */
  [key: string]: unknown;
}

/**
 * An observer written as a function: called synchronously with each event.
 *
 * @example
 * ```ts
 * import type { LogEvent, LogObserver } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const observer: LogObserver = (event) => { seen.push(event); };
 * ```
 */
export type LogObserver = (event: LogEvent) => void;

/**
 * An observer written as an object (publishers, filters and file observers
 * are these): its `observe` is called with each event.
 *
 * @example
 * ```ts
 * import type { ILogObserver, LogEvent } from "@skein/skein/logger";
 * const counter: ILogObserver & { count: number } = { count: 0, observe(_e: LogEvent): void { this.count++; } };
 * ```
 */
export interface ILogObserver {
  /** Receive one event. */
  observe(event: LogEvent): void;
}

/**
 * Either kind of observer; every API that takes an observer takes both.
 *
 * @example
 * ```ts
 * import { LogPublisher, type Observer } from "@skein/skein/logger";
 * const both: Observer[] = [() => {}, new LogPublisher()];
 * ```
 */
export type Observer = LogObserver | ILogObserver;

/**
 * Deliver `event` to `observer`, whichever kind it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deliver, type LogEvent } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * deliver((e) => { seen.push(e); }, { log_format: "x" });
 * assert.equal(seen.length, 1);
 * ```
 */
export function deliver(observer: Observer, event: LogEvent): void {
  if (typeof observer === "function") observer(event);
  else observer.observe(event);
}
