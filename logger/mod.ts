/**
 * Logging, modern face: Twisted's `twisted.logger`. A `Logger` emits events
 * (plain objects with `log_level`, `log_namespace`, `log_format`, `log_time`,
 * …) to `globalLogPublisher`; observers format, filter, and write them as
 * text or JSON. The legacy face (`msg`, `err`, `startLogging`) in
 * `@skein/skein/log` sends to the same publisher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEvent, type LogEvent, Logger } from "@skein/skein/logger";
 * const seen: string[] = [];
 * const log = new Logger({ namespace: "app", observer: (e: LogEvent) => { seen.push(formatEvent(e)); } });
 * log.info("{user} logged in", { user: "ann" });
 * assert.deepEqual(seen, ["ann logged in"]);
 * ```
 *
 * @module
 */
export * from "./buffer.ts";
export * from "./console.ts";
export * from "./event.ts";
export * from "./file_observer.ts";
export * from "./filter.ts";
export * from "./format.ts";
export * from "./global.ts";
export * from "./json.ts";
export * from "./levels.ts";
export * from "./logger.ts";
export * from "./publisher.ts";
