/**
 * Skein: Twisted's event-driven programming model for Deno and Bun.
 *
 * One reactor per process drives non-blocking sockets through the kernel's own
 * readiness APIs (epoll, kqueue, poll, select), called through FFI; protocols
 * react to events; Deferreds carry results that are not there yet.
 *
 * This entry point re-exports the whole public API; each area also has its own
 * entry point (`@skein/skein/deferred`, `/reactor`, `/task`, `/protocols`,
 * `/protocols/basic`, `/endpoints`, `/log`, `/logger`, `/testing`, `/threads`, `/application`). The test kit lives only
 * under `@skein/skein/testing`, and database access only under `@skein/skein/adbapi`
 * (its `ConnectionLost` is Twisted's `adbapi.ConnectionLost`, not the transport error).
 *
 * @example
 * ```ts
 * import { Deferred } from "@skein/skein";
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.log(n));
 * d.callback(21);
 * ```
 *
 * @module
 */
export * from "./application/mod.ts";
export * from "./deferred/mod.ts";
export * from "./endpoints/mod.ts";
export type * from "./interfaces.ts";
export * from "./log/mod.ts";
// The modern face's names that do not clash with the legacy face's (its
// `LogEvent`, `LogObserver` and `FileLogObserver` are under `@skein/skein/logger`).
export {
  type ConsoleLike,
  consoleLogObserver,
  consoleStyleLogger,
  eventAsJSON,
  eventAsText,
  eventFromJSON,
  eventsFromJSONLogFile,
  FilteringLogObserver,
  formatEvent,
  formatEventAsClassicLogText,
  formatTime,
  globalLogBeginner,
  globalLogPublisher,
  type ILogObserver,
  InvalidLogLevelError,
  jsonFileLogObserver,
  LimitedHistoryLogObserver,
  LogBeginner,
  Logger,
  LogLevel,
  LogLevelFilterPredicate,
  type LogOutput,
  LogPublisher,
  PredicateResult,
  textFileLogObserver,
} from "./logger/mod.ts";
export * from "./process/mod.ts";
export * from "./protocols/basic/mod.ts";
export * from "./protocols/mod.ts";
export * from "./reactor/mod.ts";
export * from "./task/mod.ts";
export * from "./threads/mod.ts";
