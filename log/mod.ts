/**
 * Logging, legacy face: Twisted's `twisted.python.log` (`msg`, `err`, observers,
 * `startLogging`, `FileLogObserver`), on the same event system as `@skein/skein/logger`.
 *
 * @example
 * ```ts
 * import { addObserver, msg, removeObserver } from "@skein/skein/log";
 * const lines: string[] = [];
 * const obs = (e: { message: unknown[] }): void => { lines.push(e.message.join(" ")); };
 * addObserver(obs);
 * msg("hello", "world");
 * removeObserver(obs);
 * ```
 *
 * @module
 */
export * from "./file_log_observer.ts";
export * from "./log.ts";
export * from "./log_file.ts";
