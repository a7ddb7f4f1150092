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

const UNPERSISTABLE_JSON = "{\"unpersistable\":true}";

/** Each level's JSON, made once (events carry one of a handful of levels). */
const levelJSON = new Map<LogLevel, string>();

function levelAsJSON(level: LogLevel): string {
  let text = levelJSON.get(level);
  if (text === undefined) {
    text = JSON.stringify({ name: level.name, __class_uuid__: LEVEL_UUID });
    levelJSON.set(level, text);
  }
  return text;
}

/** Whether `JSON.stringify` writes `value` as `writeJSON` does: a string, a finite number, a boolean, null. */
function isPlainScalar(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      return value === null;
    default:
      return false;
  }
}

/** Whether `JSON.stringify` writes `value` (a member of an event) as `writeJSON` does. */
function isSimpleMember(value: unknown): boolean {
  if (value === undefined || isPlainScalar(value)) return true;
  if (typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainScalar(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && !isPlainScalar(v)) return false;
  }
  return true;
}

const levelPlain = new Map<LogLevel, { name: string; __class_uuid__: string; }>();

/**
 * The common event (scalars, one level of plain objects or arrays of them,
 * `log_level` a `LogLevel`) as a shallow copy `JSON.stringify` writes
 * exactly as `writeJSON` would, with `log_flattened` in place and
 * `log_logger` left out (`undefined`); `null` for any other event.
 */
function shallowForJSON(
  event: LogEvent,
  flattened: Record<string, string> | undefined,
): Record<string, unknown> | null {
  const copy: Record<string, unknown> = { ...event, "log_logger": undefined };
  if (flattened !== undefined) copy.log_flattened = flattened;
  for (const key in copy) {
    if (key === "log_logger" || key === "log_flattened") continue;
    const value = copy[key];
    if (value instanceof LogLevel) {
      let plain = levelPlain.get(value);
      if (plain === undefined) {
        plain = { name: value.name, __class_uuid__: LEVEL_UUID };
        levelPlain.set(value, plain);
      }
      copy[key] = plain;
    } else if (!isSimpleMember(value)) {
      return null;
    }
  }
  return copy;
}

/**
 * `value` as JSON in one pass, with no copy of the event: `null` for
 * `undefined` (in an array), `{"unpersistable":true}` for what JSON cannot
 * hold (a function, a symbol, a BigInt, a non-finite number, a class
 * instance, a cycle, a property that throws); a `LogLevel` and a `Failure`
 * as `eventFromJSON` reads them back. `ancestors` are the containers being
 * written (a cycle back to one is unpersistable).
 */
function writeJSON(value: unknown, ancestors: unknown[]): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : UNPERSISTABLE_JSON;
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    case "object":
      break;
    default:
      return UNPERSISTABLE_JSON;
  }
  if (value === null) return "null";
  if (value instanceof LogLevel) return levelAsJSON(value);
  if (value instanceof Failure) {
    try {
      return JSON.stringify(failureAsJSON(value));
    } catch {
      return UNPERSISTABLE_JSON;
    }
  }
  if (ancestors.includes(value)) return UNPERSISTABLE_JSON;
  if (Array.isArray(value)) {
    ancestors.push(value);
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += writeJSON(value[i], ancestors);
    }
    ancestors.pop();
    return out + "]";
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNPERSISTABLE_JSON;
  ancestors.push(value);
  const out = writeMembers(value as Record<string, unknown>, ancestors, undefined);
  ancestors.pop();
  return out + "}";
}

/**
 * `{` and the members of `record` (no closing brace), leaving out
 * `undefined` ones and, when `skip` is given, the key `skip`.
 */
function writeMembers(
  record: Record<string, unknown>,
  ancestors: unknown[],
  skip: string | undefined,
): string {
  let out = "{";
  let first = true;
  for (const key of Object.keys(record)) {
    if (key === skip) continue;
    let text: string;
    try {
      const field = record[key];
      if (field === undefined) continue; // as JSON.stringify leaves it out
      text = writeJSON(field, ancestors);
    } catch {
      text = UNPERSISTABLE_JSON;
    }
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + text;
    first = false;
  }
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
  const flattened = typeof event.log_format === "string"
    ? { ...event.log_flattened, ...flattenFields(event.log_format, event) }
    : undefined;
  let fast: Record<string, unknown> | null = null;
  try {
    fast = shallowForJSON(event, flattened);
  } catch {
    // a member that throws when read: the one-pass writer marks it unpersistable
  }
  if (fast !== null) return JSON.stringify(fast);
  if (flattened === undefined) return writeMembers(event, [], "log_logger") + "}";
  // log_flattened (the format's fields rendered now, over any already there)
  // takes the place of an existing one, or comes last.
  const ancestors: unknown[] = [];
  if (!Object.prototype.hasOwnProperty.call(event, "log_flattened")) {
    const out = writeMembers(event, ancestors, "log_logger");
    return `${out}${out.length > 1 ? "," : ""}"log_flattened":${writeJSON(flattened, ancestors)}}`;
  }
  let out = "{";
  for (const key of Object.keys(event)) {
    if (key === "log_logger") continue;
    let text: string;
    if (key === "log_flattened") {
      text = writeJSON(flattened, ancestors);
    } else {
      try {
        const field = event[key];
        if (field === undefined) continue;
        text = writeJSON(field, ancestors);
      } catch {
        text = UNPERSISTABLE_JSON;
      }
    }
    out += (out.length > 1 ? "," : "") + JSON.stringify(key) + ":" + text;
  }
  return out + "}";
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
