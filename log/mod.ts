/**
 * Logging: Twisted's `twisted.python.log` (`msg`, `err`, observers).
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
export * from "./log.ts";
