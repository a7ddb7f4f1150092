/**
 * Events as JSON, Twisted's `twisted.logger._json`: `eventAsJSON`,
 * `eventFromJSON`, `jsonFileLogObserver` (one record per event, each after a
 * record separator `\x1e`) and `eventsFromJSONLogFile`.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import { flattenFields } from "./_format_string.ts";
import type { LogEvent } from "./event.ts";
import { FileLogObserver, type LogOutput } from "./file_observer.ts";
import { LogLevel } from "./levels.ts";
import { Logger } from "./logger.ts";

const LEVEL_UUID = "02E59486-F24D-46AD-8224-3ACDF2A5732A";
const FAILURE_UUID = "E76887E2-20ED-49BF-A8F8-BA25CC586F2D";
const UNPERSISTABLE = { unpersistable: true } as const;

function failureAsJSON(failure: Failure): Record<string, unknown> {
  const value = failure.value;
  const name = value instanceof Error ? value.name : failure.type?.name ?? "unknown";
  return {
    __class_uuid__: FAILURE_UUID,
    type: { __name__: name, __module__: "javascript" },
    value: failure.getErrorMessage(),
    traceback: failure.getTraceback(),
    parents: failure.parents,
  };
}

function failureFromJSON(data: Record<string, unknown>): Failure {
  const type = data.type as { __name__?: unknown; } | undefined;
  const error = new Error(typeof data.value === "string" ? data.value : String(data.value));
  error.name = typeof type?.__name__ === "string" ? type.__name__ : "Error";
  if (typeof data.traceback === "string") error.stack = data.traceback;
  return new Failure(error);
}

function persistable(value: unknown, ancestors: unknown[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : UNPERSISTABLE;
    case "undefined":
      return null;
    case "object":
      break;
    default:
      return UNPERSISTABLE;
  }
  if (value === null) return null;
  if (value instanceof LogLevel) return { name: value.name, __class_uuid__: LEVEL_UUID };
  if (value instanceof Failure) {
    try {
      return failureAsJSON(value);
    } catch {
      return UNPERSISTABLE;
    }
  }
  if (ancestors.includes(value)) return UNPERSISTABLE;
  if (Array.isArray(value)) {
    ancestors.push(value);
    const out = value.map((v) => persistable(v, ancestors));
    ancestors.pop();
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNPERSISTABLE;
  ancestors.push(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    try {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue; // as JSON.stringify leaves it out
      out[key] = persistable(field, ancestors);
    } catch {
      out[key] = UNPERSISTABLE;
    }
  }
  ancestors.pop();
  return out;
}

/**
 * The event as one line of JSON. Its format fields are rendered into
 * `log_flattened` first, so `formatEvent` gives the same text after a round
 * trip even for values JSON cannot hold; `log_level` and `log_failure`
 * survive as a `LogLevel` and a `Failure`; a value JSON cannot hold
 * (a function, a class instance, a cycle) becomes `{ unpersistable: true }`;
 * `log_logger` is left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventAsJSON, eventFromJSON, formatEvent, LogLevel } from "@skein/skein/logger";
 * const json = eventAsJSON({ log_format: "{n} items", n: 3, log_level: LogLevel.warn, fn: () => 1 });
 * const back = eventFromJSON(json);
 * assert.equal(back.log_level, LogLevel.warn);
 * assert.equal(formatEvent(back), "3 items");
 * assert.deepEqual(back.fn, { unpersistable: true });
 * ```
 */
export function eventAsJSON(event: LogEvent): string {
  const copy: Record<string, unknown> = { ...event };
  delete copy.log_logger;
  if (typeof event.log_format === "string") {
    copy.log_flattened = { ...event.log_flattened, ...flattenFields(event.log_format, event) };
  }
  return JSON.stringify(persistable(copy, []));
}

/**
 * Read an event written by `eventAsJSON`. Throws `SyntaxError` for text that
 * is not a JSON object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventFromJSON } from "@skein/skein/logger";
 * assert.equal(eventFromJSON('{"log_format":"hi"}').log_format, "hi");
 * ```
 */
export function eventFromJSON(text: string): LogEvent {
  const value: unknown = JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      if (record.__class_uuid__ === LEVEL_UUID && typeof record.name === "string") {
        try {
          return LogLevel.levelWithName(record.name);
        } catch {
          return v;
        }
      }
      if (record.__class_uuid__ === FAILURE_UUID) return failureFromJSON(record);
    }
    return v;
  });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`A JSON log record must be an object, got ${text.slice(0, 40)}`);
  }
  return value as LogEvent;
}

/**
 * A `FileLogObserver` writing each event as `recordSeparator + JSON + "\n"`
 * (Twisted's format; `\x1e` by default, RFC 7464).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonFileLogObserver } from "@skein/skein/logger";
 * const out: string[] = [];
 * jsonFileLogObserver({ write: (t) => out.push(t) }).observe({ log_format: "x" });
 * assert.equal(out[0][0], "\x1e");
 * assert.ok(out[0].endsWith("\n"));
 * ```
 */
export function jsonFileLogObserver(output: LogOutput, recordSeparator = "\x1e"): FileLogObserver {
  return new FileLogObserver(output, (event) => `${recordSeparator}${eventAsJSON(event)}\n`);
}

/** Options of `eventsFromJSONLogFile`. */
export interface EventsFromJSONOptions {
  /** The record separator; by default `\x1e` if the text starts with it, else records are lines. */
  recordSeparator?: string;
  /** Where problems reading records are logged (default: the global publisher). */
  logger?: Logger;
}

const readerLog = new Logger({ namespace: "skein.logger.json" });

/**
 * The events of a JSON log, written by `jsonFileLogObserver`: `input` is
 * the file's text or bytes, or chunks of them (as read). A truncated record
 * (no newline before the next separator or the end, as a crash leaves) or
 * one that is not JSON is skipped and logged at level error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventsFromJSONLogFile, type LogEvent, Logger } from "@skein/skein/logger";
 * const problems: LogEvent[] = [];
 * const logger = new Logger({ observer: (e) => { problems.push(e); } });
 * const text = '\x1e{"log_format":"a"}\n\x1e{"log_format":"b"}\n\x1e{"log_for';
 * const events = [...eventsFromJSONLogFile(text, { logger })];
 * assert.equal(problems.length, 1); // the truncated last record
 * assert.deepEqual(events.map((e) => e.log_format), ["a", "b"]);
 * ```
 */
export function* eventsFromJSONLogFile(
  input: string | Uint8Array | Iterable<string | Uint8Array>,
  options: EventsFromJSONOptions = {},
): Generator<LogEvent, void, undefined> {
  const log = options.logger ?? readerLog;
  const chunks: Iterable<string | Uint8Array> =
    typeof input === "string" || input instanceof Uint8Array
      ? [input]
      : input;
  const decoder = new TextDecoder();
  let separator = options.recordSeparator;
  let pending = "";
  const parse = (record: string, needNewline: boolean): LogEvent | undefined => {
    if (needNewline && !record.endsWith("\n")) {
      log.error("Unable to read truncated JSON record: {record!r}", { record });
      return undefined;
    }
    if (record.trim() === "") return undefined;
    try {
      return eventFromJSON(record);
    } catch {
      log.error("Unable to read JSON record: {record!r}", { record });
      return undefined;
    }
  };
  const drain = (final: boolean): LogEvent[] => {
    const out: LogEvent[] = [];
    if (separator === undefined) {
      const first = pending.trimStart();
      if (first === "" && !final) return out;
      separator = first.startsWith("\x1e") ? "\x1e" : "";
    }
    const sep = separator === "" ? "\n" : separator;
    const parts = pending.split(sep);
    pending = final ? "" : parts.pop() ?? "";
    for (const part of parts) {
      if (separator !== "" && part === "") continue;
      const event = parse(part, separator !== "");
      if (event !== undefined) out.push(event);
    }
    return out;
  };
  for (const chunk of chunks) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    yield* drain(false);
  }
  pending += decoder.decode();
  yield* drain(true);
}
