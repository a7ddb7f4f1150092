/**
 * Skein: Twisted's event-driven programming model for Deno and Bun.
 *
 * One reactor per process drives non-blocking sockets through the kernel's own
 * readiness APIs (epoll, kqueue, poll, select), called through FFI; protocols
 * react to events; Deferreds carry results that are not there yet.
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
export * from "./deferred/mod.ts";
export * from "./log/mod.ts";
