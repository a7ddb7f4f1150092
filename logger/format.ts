/**
 * Turning events into text, Twisted's `twisted.logger._format`:
 * `formatEvent` (never throws), `formatTime`, `eventAsText` and
 * `formatEventAsClassicLogText` (`time [system] text`).
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import { formatFields, reprText, safeText } from "./_format_string.ts";
import type { LogEvent } from "./event.ts";
import { LogLevel } from "./levels.ts";

/**
 * Twisted's default time format for text logs, RFC 3339 (`%Y-%m-%dT%H:%M:%S%z`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeFormatRFC3339 } from "@skein/skein/logger";
 * assert.equal(timeFormatRFC3339, "%Y-%m-%dT%H:%M:%S%z");
 * ```
 */
export const timeFormatRFC3339 = "%Y-%m-%dT%H:%M:%S%z";

/**
 * Format `format` with `fields` as Twisted's `formatWithCall`: `{key}`,
 * `{obj.attr}`, `{list[0]}`, `{obj.method()}`, `{key!r}`, `{key:spec}`
 * (`d`, `x`, `f`, `e`, `%`, widths, fill and alignment, `,` grouping). Throws
 * for a missing key or a bad spec — `formatEvent` is the version that never
 * throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatWithCall } from "@skein/skein/logger";
 * const fields = { user: { name: "ann" }, n: 7, hi: () => "hello" };
 * assert.equal(formatWithCall("{hi()} {user.name}: {n:03d} {{ok}}", fields), "hello ann: 007 {ok}");
 * ```
 */
export function formatWithCall(format: string, fields: Record<string, unknown>): string {
  return formatFields(format, fields);
}

function safeRepr(value: unknown): string {
  try {
    if (value instanceof LogLevel) return `<LogLevel=${value.name}>`;
    if (value instanceof Failure) return `<Failure ${safeText(value.value)}>`;
    if (typeof value === "function") return `<function ${value.name || "anonymous"}>`;
    return reprText(value);
  } catch (e) {
    return `<unrepresentable object: ${e instanceof Error ? e.message : "?"}>`;
  }
}

/**
 * The text Twisted logs for an event whose format failed: `Unable to format
 * event {…}: <error>`, with every key and value shown as far as they can be.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUnformattableEvent } from "@skein/skein/logger";
 * const text = formatUnformattableEvent({ log_format: "{x}" }, new Error("no x"));
 * assert.match(text, /^Unable to format event \{.*log_format.*\}: no x$/);
 * ```
 */
export function formatUnformattableEvent(event: LogEvent, error: unknown): string {
  let errorText: string;
  try {
    errorText = error instanceof Error ? error.message : safeText(error);
  } catch {
    errorText = "<unrepresentable error>";
  }
  const parts: string[] = [];
  for (const key of Object.keys(event)) {
    parts.push(`${JSON.stringify(key)}: ${safeRepr(event[key])}`);
  }
  return `Unable to format event {${parts.join(", ")}}: ${errorText}`;
}

/**
 * The event's message: its `log_format` filled from the event's own fields
 * (or its `log_text`), `""` when it has neither. Never throws: a missing key
 * or a throwing field gives `formatUnformattableEvent`'s text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEvent } from "@skein/skein/logger";
 * assert.equal(formatEvent({ log_format: "{a} + {b}", a: 1, b: 2 }), "1 + 2");
 * assert.match(formatEvent({ log_format: "{missing}" }), /^Unable to format event/);
 * ```
 */
export function formatEvent(event: LogEvent): string {
  try {
    const format = event.log_format;
    if (format === undefined || format === null) {
      return typeof event.log_text === "string" ? event.log_text : "";
    }
    if (typeof format !== "string") {
      throw new TypeError(`log_format must be a string, got ${typeof format}`);
    }
    const flattened = event.log_flattened;
    return formatFields(
      format,
      event,
      typeof flattened === "object" && flattened !== null ? flattened : undefined,
    );
  } catch (e) {
    return formatUnformattableEvent(event, e);
  }
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `strftime` over local time, the directives Python documents as portable. */
function strftime(date: Date, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, d: string) => {
    switch (d) {
      case "Y":
        return String(date.getFullYear()).padStart(4, "0");
      case "y":
        return two(date.getFullYear() % 100);
      case "m":
        return two(date.getMonth() + 1);
      case "d":
        return two(date.getDate());
      case "H":
        return two(date.getHours());
      case "I":
        return two(date.getHours() % 12 === 0 ? 12 : date.getHours() % 12);
      case "p":
        return date.getHours() < 12 ? "AM" : "PM";
      case "M":
        return two(date.getMinutes());
      case "S":
        return two(date.getSeconds());
      case "f":
        return String(date.getMilliseconds() * 1000).padStart(6, "0");
      case "j": {
        const start = new Date(date.getFullYear(), 0, 1);
        const day = Math.round((date.getTime() - start.getTime()) / 86400000) + 1;
        return String(day).padStart(3, "0");
      }
      case "a":
        return DAYS[date.getDay()];
      case "A":
        return DAY_NAMES[date.getDay()];
      case "b":
        return MONTHS[date.getMonth()];
      case "B":
        return MONTH_NAMES[date.getMonth()];
      case "z": {
        const offset = -date.getTimezoneOffset();
        const abs = Math.abs(offset);
        return `${offset < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
      }
      case "%":
        return "%";
      default:
        return whole;
    }
  });
}

/**
 * Format `when` (seconds since the epoch) in the local time zone with a
 * `strftime` format (`%Y %m %d %H %M %S %z %f %j %a %b …`); `fallback`
 * (Twisted's `default`, `"-"`) when `when` or `timeFormat` is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTime } from "@skein/skein/logger";
 * assert.match(formatTime(0), /^19(69|70)-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
 * assert.equal(formatTime(undefined), "-");
 * ```
 */
export function formatTime(
  when: number | undefined | null,
  timeFormat: string | null = timeFormatRFC3339,
  fallback = "-",
): string {
  if (when === undefined || when === null || timeFormat === null || !Number.isFinite(when)) {
    return fallback;
  }
  if (timeFormat.includes("%f")) return strftime(new Date(when * 1000), timeFormat);
  // Events come many to a second: the text of the last second is kept.
  const second = Math.floor(when);
  if (second !== lastTime.second || timeFormat !== lastTime.format) {
    lastTime.text = strftime(new Date(when * 1000), timeFormat);
    lastTime.second = second;
    lastTime.format = timeFormat;
  }
  return lastTime.text;
}

/** The last `formatTime` result without `%f`, for the whole second it covers. */
const lastTime: { second: number; format: string; text: string; } = {
  second: NaN,
  format: "",
  text: "",
};

/** Options of `eventAsText`. */
export interface EventAsTextOptions {
  /** Append the failure's traceback (default true). */
  includeTraceback?: boolean;
  /** Prefix the time (default true). */
  includeTimestamp?: boolean;
  /** Prefix `[system]` (default true). */
  includeSystem?: boolean;
  /** Format the time (default `formatTime` with RFC 3339). */
  formatTime?: (when: number | undefined) => string;
}

/**
 * The `system` of an event's text line: its `log_system`, or else
 * `namespace#level`, `-` for what is missing (Twisted's rule).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel, systemOf } from "@skein/skein/logger";
 * assert.equal(systemOf({ log_namespace: "ns", log_level: LogLevel.warn }), "ns#warn");
 * assert.equal(systemOf({}), "-#-");
 * ```
 */
export function systemOf(event: LogEvent): string {
  if (typeof event.log_system === "string") return event.log_system;
  const level = event.log_level;
  const levelName = level instanceof LogLevel ? level.name : "-";
  const namespace = typeof event.log_namespace === "string" ? event.log_namespace : "-";
  return `${namespace}#${levelName}`;
}

function tracebackOf(failure: unknown): string {
  try {
    if (failure instanceof Failure) return failure.getTraceback();
    return `(unable to obtain traceback: ${safeText(failure)} is not a Failure)`;
  } catch (e) {
    return `(unable to obtain traceback: ${safeText(e)})`;
  }
}

/**
 * An event as one piece of text: `time [system] message`, with the failure's
 * traceback on the next lines. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventAsText } from "@skein/skein/logger";
 * const text = eventAsText({ log_format: "hi", log_system: "s" }, { includeTimestamp: false });
 * assert.equal(text, "[s] hi");
 * ```
 */
export function eventAsText(event: LogEvent, options: EventAsTextOptions = {}): string {
  let text = formatEvent(event);
  if ((options.includeTraceback ?? true) && event.log_failure !== undefined) {
    const traceback = tracebackOf(event.log_failure);
    text = text === "" ? traceback : `${text}\n${traceback}`;
  }
  if (options.includeSystem ?? true) text = `[${systemOf(event)}] ${text}`;
  if (options.includeTimestamp ?? true) {
    const stamp = (options.formatTime ?? ((t) => formatTime(t)))(event.log_time);
    text = `${stamp} ${text}`;
  }
  return text;
}

/**
 * One line of Twisted's classic text log: `time [system] text\n`, extra
 * lines indented with a tab; `null` for an event with no text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEventAsClassicLogText, LogLevel } from "@skein/skein/logger";
 * assert.equal(formatEventAsClassicLogText({ log_format: "Hello!" }), "- [-#-] Hello!\n");
 * const e = { log_format: "a\nb", log_namespace: "ns", log_level: LogLevel.warn };
 * assert.equal(formatEventAsClassicLogText(e), "- [ns#warn] a\n\tb\n");
 * ```
 */
export function formatEventAsClassicLogText(
  event: LogEvent,
  timeFormatter: (when: number | undefined) => string = (t) => formatTime(t),
): string | null {
  const text = eventAsText(event, { includeTimestamp: false, includeSystem: false });
  if (text === "") return null;
  let stamp: string;
  try {
    stamp = timeFormatter(event.log_time);
  } catch {
    stamp = "-";
  }
  return `${stamp} [${systemOf(event)}] ${text.replaceAll("\n", "\n\t")}\n`;
}
