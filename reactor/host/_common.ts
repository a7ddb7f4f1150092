/**
 * Shared pieces of the host backend: what its transports need of the reactor,
 * the mapping from the runtime's socket errors to Skein's error classes, and
 * address helpers. Internal.
 *
 * @module
 */

import { isIP, isIPv6 } from "node:net";
import type { IPAddress } from "../../interfaces.ts";
import { osErrorText } from "../_os_error.ts";
import { IPv4Address, IPv6Address } from "../address.ts";
import {
  ConnectBindError,
  ConnectError,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  NoRouteError,
  SystemCallError,
  TCPTimedOutError,
} from "../errors.ts";

/**
 * The shape of the errors `node:net` / `node:dgram` report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeError } from "./_common.ts";
 * const e: NodeError = Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
 * assert.equal(e.code, "ECONNREFUSED");
 * ```
 */
export interface NodeError extends Error {
  code?: string;
  errno?: number;
  syscall?: string;
}

/** The errno number of a node error, positive (Node reports libuv's negative codes). */
function errnoOf(e: NodeError): number | undefined {
  return typeof e.errno === "number" ? Math.abs(e.errno) : undefined;
}

/**
 * A node error as a `SystemCallError` naming the errno and the call, worded
 * as the FFI reactor words the same errno (`connect: Connection refused
 * (ECONNREFUSED)`; see `reactor/_os_error.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SystemCallError } from "@skein/skein/reactor";
 * import { systemError } from "./_common.ts";
 * const e = systemError(Object.assign(new Error("x"), { code: "EACCES", errno: -13, syscall: "bind" }));
 * assert.ok(e instanceof SystemCallError);
 * ```
 */
export function systemError(e: unknown, syscall = "socket"): Error {
  if (e instanceof SystemCallError) return e;
  const n = e as NodeError;
  if (n !== null && typeof n === "object" && typeof n.code === "string") {
    return new SystemCallError(n.syscall ?? syscall, errnoOf(n) ?? 0, n.code);
  }
  return e instanceof Error ? e : new Error(String(e));
}

const DNS_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "EAI_NODATA",
  "ENODATA",
  "ESERVFAIL",
  "ENONAME",
]);

/**
 * Map a failed connection attempt to Twisted's connect errors:
 * `ConnectionRefusedError`, `TCPTimedOutError`, `NoRouteError`,
 * `DNSLookupError`, `ConnectBindError`, else a plain `ConnectError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionRefusedError } from "@skein/skein/reactor";
 * import { connectErrorFrom } from "./_common.ts";
 * const e = connectErrorFrom(Object.assign(new Error("no"), { code: "ECONNREFUSED" }));
 * assert.ok(e instanceof ConnectionRefusedError);
 * ```
 */
export function connectErrorFrom(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  const n = (e ?? {}) as NodeError;
  const code = typeof n.code === "string" ? n.code : "";
  const errno = errnoOf(n);
  // An errno reads as the FFI reactor reads it; anything else (DNS) as node said it.
  const osError = osErrorText(code) !== undefined;
  const detail = osError ? systemError(e, "connect").message : n.message ?? String(e);
  const opts = { errno, cause: e };
  if (code === "ECONNREFUSED") {
    return new ConnectionRefusedError(`Connection was refused by other side: ${detail}`, opts);
  }
  if (code === "ETIMEDOUT") {
    return new TCPTimedOutError(`TCP connection timed out: ${detail}`, opts);
  }
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH") {
    return new NoRouteError(`No route to host: ${detail}`, opts);
  }
  if (DNS_CODES.has(code)) return new DNSLookupError(`DNS lookup failed: ${detail}`, opts);
  if (n.syscall === "bind" || code === "EADDRINUSE" || code === "EADDRNOTAVAIL") {
    return new ConnectBindError(`Couldn't bind: ${detail}`, opts);
  }
  return new ConnectError(osError ? detail : `An error occurred while connecting: ${detail}`, opts);
}

/**
 * A connection that failed under us: `ConnectionLost`, keeping the cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost } from "@skein/skein/reactor";
 * import { connectionLostFrom } from "./_common.ts";
 * assert.ok(connectionLostFrom(new Error("reset")) instanceof ConnectionLost);
 * ```
 */
export function connectionLostFrom(e: unknown): ConnectionLost {
  if (e instanceof ConnectionLost) return e;
  return new ConnectionLost(undefined, { cause: systemError(e) });
}

/**
 * The IP address class for `host`: IPv6Address for IPv6 literals, else IPv4Address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv6Address } from "@skein/skein/reactor";
 * import { ipAddress } from "./_common.ts";
 * assert.ok(ipAddress("TCP", "::1", 80) instanceof IPv6Address);
 * ```
 */
export function ipAddress(type: "TCP" | "UDP", host: string, port: number): IPAddress {
  return isIPv6(host) ? new IPv6Address(type, host, port) : new IPv4Address(type, host, port);
}

/**
 * True for an IPv4 or IPv6 literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIPAddress } from "./_common.ts";
 * assert.equal(isIPAddress("127.0.0.1"), true);
 * assert.equal(isIPAddress("localhost"), false);
 * ```
 */
export function isIPAddress(host: string): boolean {
  return isIP(host) !== 0;
}
