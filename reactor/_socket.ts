/**
 * Socket helpers shared by the FFI transports (`abstract.ts`, `tcp.ts`,
 * `unix.ts`, `udp.ts`): the libc handle, the constants they use, address
 * parsing and encoding, socket options and errno → error mapping. Internal.
 *
 * @module
 */

import { ConnectError, SystemCallError } from "./errors.ts";
import { constants } from "./ffi/constants.ts";
import { errno as errnoTable, errnoNumber, errorFromErrno } from "./ffi/errno.ts";
import type { CommonErrno } from "./ffi/errno.ts";
import { libc } from "./ffi/mod.ts";
import { decodeSockaddr, encodeSockaddr, encodeSockaddrUn } from "./ffi/structs.ts";
import type { DecodedSockaddr } from "./ffi/structs.ts";
import type { Libc } from "./ffi/types.ts";

export type { DecodedSockaddr };

/** The loaded libc, fetched once. */
let LIB: Libc | null = null;

/** The libc handle (loaded on first use). */
export function lib(): Libc {
  return LIB ??= libc();
}

/** The platform constants the transports use (importers call it `K`). */
export const SOCKET_CONSTANTS: typeof constants = constants;

/** The errno numbers the transports test for (importers call it `E`). */
export const ERRNO: CommonErrno = errnoTable;

export { isIPv4Address, isIPv6Address } from "./ffi/structs.ts";

/** ESRCH: no such process (for lock files). */
export const ESRCH: number = errnoNumber("ESRCH") ?? 3;

/** The error for the last failed `syscall` (a typed error from the errno tables). */
export function lastError(syscall: string): Error {
  return errorFromErrno(lib().errno(), syscall);
}

/** A `SystemCallError` for `err` as the errno tables name it. */
export function sysError(err: number, syscall: string): Error {
  return errorFromErrno(err, syscall);
}

/**
 * The error a failed connection attempt reports: Twisted's `getConnectError`.
 * A `ConnectError` subclass where the errno has one (`ConnectionRefusedError`,
 * `NoRouteError`, `TCPTimedOutError`, …), else a plain `ConnectError`.
 */
export function connectError(err: number, syscall = "connect"): ConnectError {
  const e = errorFromErrno(err, syscall);
  if (e instanceof ConnectError) return e;
  return new ConnectError(e.message, { errno: err, cause: e });
}

/**
 * Create a non-blocking, close-on-exec socket. Throws the errno's error.
 */
export function openSocket(family: number, type: number): number {
  const l = lib();
  const fd = l.socket(family, type | constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC, 0);
  if (fd < 0) throw lastError("socket");
  noSigPipe(fd);
  return fd;
}

/**
 * Where the OS has no `MSG_NOSIGNAL` (macOS), ask the socket itself not to
 * raise SIGPIPE (`SO_NOSIGPIPE`). A no-op elsewhere.
 */
export function noSigPipe(fd: number): void {
  if (constants.SO_NOSIGPIPE !== 0) setIntOpt(fd, constants.SOL_SOCKET, constants.SO_NOSIGPIPE, 1);
}

/** Close `fd`, ignoring errors (EINTR on Linux still closes the fd). */
export function closeFd(fd: number): void {
  if (fd >= 0) lib().close(fd);
}

const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);
const intLen = new Uint32Array(1);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `setsockopt(fd, level, name, <int value>)`; returns 0 or -1 (errno set). */
export function setIntOpt(fd: number, level: number, name: number, value: number): number {
  intView.setInt32(0, value | 0, LE);
  return lib().setsockopt(fd, level, name, intBuf, 4);
}

/** `setsockopt` with an `int` value; throws the errno's error on failure. */
export function setIntOptOrThrow(fd: number, level: number, name: number, value: number): void {
  if (setIntOpt(fd, level, name, value) < 0) throw lastError("setsockopt");
}

/** `getsockopt` of an `int` (or a `u_char`, which some options use); throws on failure. */
export function getIntOpt(fd: number, level: number, name: number): number {
  intView.setInt32(0, 0, LE);
  intLen[0] = 4;
  if (lib().getsockopt(fd, level, name, intBuf, intLen) < 0) throw lastError("getsockopt");
  if (intLen[0] === 1) return intBuf[0];
  return intView.getInt32(0, LE);
}

/** `setsockopt` with a byte buffer; throws on failure. */
export function setBytesOpt(fd: number, level: number, name: number, value: Uint8Array): void {
  if (lib().setsockopt(fd, level, name, value, value.byteLength) < 0) throw lastError("setsockopt");
}

/** Set SO_LINGER to {on, 0 s}: the next close sends RST. */
export function setLingerZero(fd: number): void {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, 1, LE);
  v.setInt32(4, 0, LE);
  lib().setsockopt(fd, constants.SOL_SOCKET, constants.SO_LINGER, b, 8);
}

/** A scratch buffer for socket addresses (large enough for sockaddr_un/in6). */
export const ADDR_BUF_SIZE = 128;
const nameBuf = new Uint8Array(ADDR_BUF_SIZE);
const nameLen = new Uint32Array(1);

/** `getsockname(fd)` decoded; throws on failure. */
export function getSockName(fd: number): DecodedSockaddr {
  nameLen[0] = ADDR_BUF_SIZE;
  if (lib().getsockname(fd, nameBuf, nameLen) < 0) throw lastError("getsockname");
  return decode(nameBuf, nameLen[0]);
}

/** `getpeername(fd)` decoded; throws on failure. */
export function getPeerName(fd: number): DecodedSockaddr {
  nameLen[0] = ADDR_BUF_SIZE;
  if (lib().getpeername(fd, nameBuf, nameLen) < 0) throw lastError("getpeername");
  return decode(nameBuf, nameLen[0]);
}

/** Decode `len` bytes of a sockaddr. */
export function decode(buf: Uint8Array, len: number): DecodedSockaddr {
  return decodeSockaddr(buf, len);
}

/** Encode an IP literal and port (`""` is the any-address of `family`). */
export function encodeIP(family: number, host: string, port: number): Uint8Array {
  const h = host !== "" ? host : family === constants.AF_INET6 ? "::" : "0.0.0.0";
  return encodeSockaddr(h, port);
}

/** Encode a Unix socket path. */
export function encodeUnix(path: string): Uint8Array {
  return encodeSockaddrUn(path);
}

/** The message of an error, for log lines. */
export function describe(e: unknown): string {
  return e instanceof SystemCallError
    ? e.message
    : e instanceof Error
    ? `${e.name}: ${e.message}`
    : String(e);
}

/** UTF-8 encoder shared by the transports. */
export const ENCODER: TextEncoder = new TextEncoder();

/** The TypeError for a write of something that is not bytes or text. */
export function notBytes(data: unknown): TypeError {
  const what = data === null
    ? "null"
    : typeof data === "object"
    ? data.constructor?.name ?? "object"
    : typeof data;
  return new TypeError(`write() takes a Uint8Array or a string (sent as UTF-8), not ${what}`);
}

/** A name for log lines: the object's `logPrefix()`, else its class name. */
export function logPrefixOf(p: unknown): string {
  const lp = (p as { logPrefix?: () => string; } | null)?.logPrefix;
  if (typeof lp === "function") {
    try {
      return lp.call(p);
    } catch {
      // fall through
    }
  }
  return (p as object | null)?.constructor?.name ?? "-";
}

/** `e` as an `Error` (a thrown non-Error is wrapped). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
