/**
 * The argument checks of `listenTCP`, `connectTCP`, `listenUNIX`,
 * `connectUNIX` and `listenUDP`, shared by the FFI and the host backends so
 * that a bad argument fails the same way, with the same message, on every
 * reactor: a `TypeError` for the wrong kind of value, a `RangeError` for a
 * number out of range, `CannotListenError` (with an `InvalidAddressError`
 * cause) for an interface that is not an IP address, and
 * `InvalidAddressError` for a UDP peer that is not one. Each returns the
 * options with their defaults filled in. Internal.
 *
 * @module
 */

import { isIP } from "node:net";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
} from "../interfaces.ts";
import { CannotListenError, InvalidAddressError } from "./errors.ts";

/**
 * The listen queue length when none is given: 511, as Node and nginx use.
 * Twisted uses 50; at 50, a burst of 1,000 connects on loopback saw 0.2 to
 * 1.2 % of them wait a second for a SYN retransmit. The kernel caps it at
 * `net.core.somaxconn`. (The host backend's Unix sockets, and its TCP
 * ports on Bun, get what the runtime's `node:net` makes of it: see
 * `HostTCPPort` and `HostUNIXPort`.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_BACKLOG } from "./_validate.ts";
 * assert.equal(DEFAULT_BACKLOG, 511);
 * ```
 */
export const DEFAULT_BACKLOG = 511;

/**
 * Seconds a connection attempt may take when no timeout is given (Twisted's
 * 30).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONNECT_TIMEOUT } from "./_validate.ts";
 * assert.equal(DEFAULT_CONNECT_TIMEOUT, 30);
 * ```
 */
export const DEFAULT_CONNECT_TIMEOUT = 30;

/**
 * The largest datagram `listenUDP` receives when none is given (Twisted's
 * 8192).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MAX_PACKET_SIZE } from "./_validate.ts";
 * assert.equal(DEFAULT_MAX_PACKET_SIZE, 8192);
 * ```
 */
export const DEFAULT_MAX_PACKET_SIZE = 8192;

/** A value as the messages quote it: strings in quotes, the rest as `String` gives. */
function show(v: unknown): string {
  return typeof v === "string"
    ? JSON.stringify(v)
    : Array.isArray(v)
    ? `[${v.map(show).join(", ")}]`
    : String(v);
}

/**
 * Throw a `RangeError` unless `port` is an integer from 0 to 65535.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPort } from "./_validate.ts";
 * assert.throws(() => checkPort(70000, "listenTCP"), RangeError);
 * ```
 */
export function checkPort(port: unknown, call: string, what = "port"): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${call}: ${what} must be an integer from 0 to 65535, not ${show(port)}`);
  }
  return port;
}

/**
 * Throw a `TypeError` unless `value` is a non-empty string (a host name or
 * a socket path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkName } from "./_validate.ts";
 * assert.throws(() => checkName("", "connectTCP", "host"), TypeError);
 * ```
 */
export function checkName(value: unknown, call: string, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`${call}: ${what} must be a non-empty string, not ${show(value)}`);
  }
  return value;
}

/** `backlog` or the default; a `RangeError` unless it is a non-negative integer. */
function backlogOf(backlog: unknown, call: string): number {
  if (backlog === undefined) return DEFAULT_BACKLOG;
  if (typeof backlog !== "number" || !Number.isInteger(backlog) || backlog < 0) {
    throw new RangeError(`${call}: backlog must be an integer >= 0, not ${show(backlog)}`);
  }
  return backlog;
}

/** `timeout` or the default; null means none. */
function timeoutOf(timeout: unknown, call: string): number | null {
  if (timeout === undefined) return DEFAULT_CONNECT_TIMEOUT;
  if (timeout === null) return null;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0) {
    throw new RangeError(
      `${call}: timeout must be a finite number of seconds >= 0 (or null for none), not ${
        show(timeout)
      }`,
    );
  }
  return timeout;
}

/** `""` or an IP literal, else `CannotListenError` with an `InvalidAddressError` cause. */
function interfaceOf(iface: unknown, port: number, call: string): string {
  if (iface === undefined) return "";
  if (typeof iface === "string" && (iface === "" || isIP(iface) !== 0)) return iface;
  throw new CannotListenError(
    typeof iface === "string" ? iface : String(iface),
    port,
    new InvalidAddressError(
      `${call}: interface must be an IP address such as "127.0.0.1" or "::1", or "" (all IPv4 interfaces) or "::", not ${
        show(iface)
      }`,
    ),
  );
}

/**
 * `listenTCP(port, factory, options)`'s arguments, checked, with defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenTCPArgs } from "./_validate.ts";
 * assert.deepEqual(listenTCPArgs(0, {}), { port: 0, interface: "", backlog: 511 });
 * assert.throws(() => listenTCPArgs(0, { backlog: -5 }), RangeError);
 * ```
 */
export function listenTCPArgs(
  port: unknown,
  options: ListenTCPOptions | undefined,
): { port: number; interface: string; backlog: number; } {
  const p = checkPort(port, "listenTCP");
  return {
    port: p,
    interface: interfaceOf(options?.interface, p, "listenTCP"),
    backlog: backlogOf(options?.backlog, "listenTCP"),
  };
}

/**
 * `connectTCP(host, port, factory, options)`'s arguments, checked, with
 * defaults. `bindAddress` is `[ip or "", port]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectTCPArgs } from "./_validate.ts";
 * assert.deepEqual(connectTCPArgs("example.com", 80, {}), {
 *   host: "example.com",
 *   port: 80,
 *   timeout: 30,
 *   bindAddress: null,
 * });
 * assert.throws(() => connectTCPArgs("", 80, {}), TypeError);
 * ```
 */
export function connectTCPArgs(
  host: unknown,
  port: unknown,
  options: ConnectTCPOptions | undefined,
): { host: string; port: number; timeout: number | null; bindAddress: [string, number] | null; } {
  const h = checkName(host, "connectTCP", "host");
  const p = checkPort(port, "connectTCP");
  const timeout = timeoutOf(options?.timeout, "connectTCP");
  const b: unknown = options?.bindAddress;
  let bindAddress: [string, number] | null = null;
  if (b !== undefined && b !== null) {
    if (
      !Array.isArray(b) || b.length !== 2 || typeof b[0] !== "string"
      || (b[0] !== "" && isIP(b[0]) === 0)
    ) {
      throw new TypeError(
        `connectTCP: bindAddress must be [IP address or "", port], not ${show(b)}`,
      );
    }
    bindAddress = [b[0], checkPort(b[1], "connectTCP", "bindAddress port")];
  }
  return { host: h, port: p, timeout, bindAddress };
}

/**
 * `listenUNIX(path, factory, options)`'s arguments, checked, with defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenUNIXArgs } from "./_validate.ts";
 * assert.deepEqual(listenUNIXArgs("/tmp/app.sock", { mode: 0o600 }), {
 *   path: "/tmp/app.sock",
 *   backlog: 511,
 *   mode: 0o600,
 *   wantPID: false,
 * });
 * assert.throws(() => listenUNIXArgs("", {}), TypeError);
 * ```
 */
export function listenUNIXArgs(
  path: unknown,
  options: ListenUNIXOptions | undefined,
): { path: string; backlog: number; mode: number; wantPID: boolean; } {
  const p = checkName(path, "listenUNIX", "path");
  const mode: unknown = options?.mode ?? 0o666;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new RangeError(
      `listenUNIX: mode must be a file mode from 0 to 0o7777 (e.g. 0o600), not ${show(mode)}`,
    );
  }
  return {
    path: p,
    backlog: backlogOf(options?.backlog, "listenUNIX"),
    mode,
    wantPID: !!options?.wantPID,
  };
}

/**
 * `connectUNIX(path, factory, options)`'s arguments, checked, with defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectUNIXArgs } from "./_validate.ts";
 * assert.deepEqual(connectUNIXArgs("/tmp/app.sock", { timeout: 5 }), {
 *   path: "/tmp/app.sock",
 *   timeout: 5,
 *   checkPID: false,
 * });
 * ```
 */
export function connectUNIXArgs(
  path: unknown,
  options: ConnectUNIXOptions | undefined,
): { path: string; timeout: number | null; checkPID: boolean; } {
  return {
    path: checkName(path, "connectUNIX", "path"),
    timeout: timeoutOf(options?.timeout, "connectUNIX"),
    checkPID: !!options?.checkPID,
  };
}

/**
 * `listenUDP(port, protocol, options)`'s arguments, checked, with defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenUDPArgs } from "./_validate.ts";
 * assert.deepEqual(listenUDPArgs(0, { interface: "::1" }), {
 *   port: 0,
 *   interface: "::1",
 *   maxPacketSize: 8192,
 * });
 * assert.throws(() => listenUDPArgs(0, { maxPacketSize: 0 }), RangeError);
 * ```
 */
export function listenUDPArgs(
  port: unknown,
  options: ListenUDPOptions | undefined,
): { port: number; interface: string; maxPacketSize: number; } {
  const p = checkPort(port, "listenUDP");
  const iface = interfaceOf(options?.interface, p, "listenUDP");
  return {
    port: p,
    interface: iface,
    maxPacketSize: checkPacketSize(options?.maxPacketSize, "listenUDP"),
  };
}

/**
 * `maxPacketSize` or the default: a `RangeError` unless a positive integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPacketSize } from "./_validate.ts";
 * assert.equal(checkPacketSize(undefined, "listenUDP"), 8192);
 * assert.throws(() => checkPacketSize(-1, "setMaxPacketSize"), RangeError);
 * ```
 */
export function checkPacketSize(size: unknown, call: string): number {
  if (size === undefined) return DEFAULT_MAX_PACKET_SIZE;
  if (typeof size !== "number" || !Number.isInteger(size) || size <= 0) {
    throw new RangeError(`${call}: maxPacketSize must be an integer > 0, not ${show(size)}`);
  }
  return size;
}

/**
 * A UDP port's `connect(host, port)` arguments: `host` must be an IP
 * address (`InvalidAddressError`: UDP does not resolve names, as in
 * Twisted), `port` an integer from 0 to 65535.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidAddressError } from "@skein/skein/reactor";
 * import { udpConnectArgs } from "./_validate.ts";
 * assert.throws(() => udpConnectArgs("localhost", 53), InvalidAddressError);
 * ```
 */
export function udpConnectArgs(host: unknown, port: unknown): { host: string; port: number; } {
  if (typeof host !== "string" || isIP(host) === 0) {
    throw new InvalidAddressError(
      `connect: ${show(host)} is not an IPv4 or IPv6 address (UDP does not resolve names)`,
    );
  }
  return { host, port: checkPort(port, "connect") };
}

/**
 * Where a UDP port's `write(data, addr)` sends: null for the connected peer
 * (then `addr`, if given, must be that peer), else `addr` with Twisted's
 * `"<broadcast>"` read as 255.255.255.255. Throws `InvalidAddressError` for
 * a missing or foreign address, a host name (UDP does not resolve names) or
 * the wrong IP family for the port, and `RangeError` for a bad port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidAddressError } from "@skein/skein/reactor";
 * import { udpWriteTarget } from "./_validate.ts";
 * assert.deepEqual(udpWriteTarget(["<broadcast>", 9], null, 4), { host: "255.255.255.255", port: 9 });
 * assert.equal(udpWriteTarget(undefined, ["127.0.0.1", 9], 4), null);
 * assert.throws(() => udpWriteTarget(["::1", 9], null, 4), InvalidAddressError);
 * ```
 */
export function udpWriteTarget(
  addr: [string, number] | undefined | null,
  connectedTo: [string, number] | null,
  family: 4 | 6,
): { host: string; port: number; } | null {
  if (connectedTo !== null) {
    if (
      addr !== undefined && addr !== null
      && (addr[0] !== connectedTo[0] || addr[1] !== connectedTo[1])
    ) {
      throw new InvalidAddressError(
        `write: this port is connected to ${connectedTo[0]}:${
          connectedTo[1]
        }; call write(data) without an address`,
      );
    }
    return null;
  }
  if (addr === undefined || addr === null) {
    throw new InvalidAddressError(
      "write: a UDP port that is not connected needs an address: write(data, [host, port])",
    );
  }
  const host = addr[0] === "<broadcast>" ? "255.255.255.255" : addr[0];
  const fam = typeof host === "string" ? isIP(host) : 0;
  if (fam === 0) {
    throw new InvalidAddressError(
      `write: ${show(host)} is not an IPv4 or IPv6 address (UDP does not resolve names)`,
    );
  }
  if (fam !== family) {
    throw new InvalidAddressError(
      `write: ${show(host)} is an IPv${fam} address and this port is IPv${family}`,
    );
  }
  return { host, port: checkPort(addr[1], "write") };
}

/**
 * The TypeError for a write of something that is neither bytes nor text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notBytes } from "./_validate.ts";
 * assert.match(notBytes(42).message, /not number/);
 * assert.match(notBytes(null).message, /not null/);
 * ```
 */
export function notBytes(data: unknown): TypeError {
  const what = data === null
    ? "null"
    : typeof data === "object"
    ? (data as { constructor?: { name?: string; }; }).constructor?.name ?? "object"
    : typeof data;
  return new TypeError(`write() takes a Uint8Array or a string (sent as UTF-8), not ${what}`);
}
