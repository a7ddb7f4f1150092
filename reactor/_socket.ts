/**
 * Socket helpers shared by the FFI transports (`abstract.ts`, `tcp.ts`,
 * `unix.ts`, `udp.ts`): the libc handle, the constants they use, address
 * parsing and encoding, socket options and errno → error mapping. Internal.
 *
 * @module
 */

import { ConnectError, SystemCallError } from "./errors.ts";
import { constants } from "./ffi/constants.ts";
import { errno as errnoTable, errorFromErrno } from "./ffi/errno.ts";
import type { CommonErrno } from "./ffi/errno.ts";
import { libc } from "./ffi/mod.ts";
import { decodeSockaddr, encodeSockaddr, encodeSockaddrUn } from "./ffi/structs.ts";
import type { DecodedSockaddr } from "./ffi/structs.ts";
import type { Libc } from "./ffi/types.ts";

export type { DecodedSockaddr };

/** The loaded libc, fetched once. */
let LIB: Libc | null = null;

/**
 * The libc handle (loaded on first use).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lib } from "./_socket.ts";
 * assert.equal(lib().getpid(), (await import("node:process")).default.pid);
 * ```
 */
export function lib(): Libc {
  return LIB ??= libc();
}

/**
 * The platform constants the transports use (importers call it `K`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SOCKET_CONSTANTS as K } from "./_socket.ts";
 * assert.equal(typeof K.AF_INET, "number");
 * ```
 */
export const SOCKET_CONSTANTS: typeof constants = constants;

/**
 * The errno numbers the transports test for (importers call it `E`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERRNO as E } from "./_socket.ts";
 * assert.notEqual(E.EAGAIN, E.EINTR);
 * ```
 */
export const ERRNO: CommonErrno = errnoTable;

export { logPrefixOf } from "./_log_prefix.ts";
export { notBytes } from "./_validate.ts";
export { isIPv4Address, isIPv6Address } from "./ffi/structs.ts";

/**
 * The error for the last failed `syscall` (a typed error from the errno tables).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, lastError, lib } from "./_socket.ts";
 * assert.equal(lib().close(-1), -1); // EBADF
 * assert.match(lastError("close").message, /EBADF/);
 * closeFd(-1); // a no-op
 * ```
 */
export function lastError(syscall: string): Error {
  return errorFromErrno(lib().errno(), syscall);
}

/**
 * A `SystemCallError` for `err` as the errno tables name it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERRNO, sysError } from "./_socket.ts";
 * assert.match(sysError(ERRNO.EINTR, "recv").message, /EINTR/);
 * ```
 */
export function sysError(err: number, syscall: string): Error {
  return errorFromErrno(err, syscall);
}

/**
 * The error a failed connection attempt reports: Twisted's `getConnectError`.
 * A `ConnectError` subclass where the errno has one (`ConnectionRefusedError`,
 * `NoRouteError`, `TCPTimedOutError`, …), else a plain `ConnectError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionRefusedError } from "@skein/skein/reactor";
 * import { connectError } from "./_socket.ts";
 * import { errnoNumber } from "./ffi/errno.ts";
 * assert.ok(connectError(errnoNumber("ECONNREFUSED")!) instanceof ConnectionRefusedError);
 * ```
 */
export function connectError(err: number, syscall = "connect"): ConnectError {
  const e = errorFromErrno(err, syscall);
  if (e instanceof ConnectError) return e;
  return new ConnectError(e.message, { errno: err, cause: e });
}

/**
 * Create a non-blocking, close-on-exec socket. Throws the errno's error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * assert.ok(fd >= 0);
 * closeFd(fd);
 * ```
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, noSigPipe, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_UNIX, K.SOCK_STREAM);
 * noSigPipe(fd); // openSocket already did
 * closeFd(fd);
 * assert.ok(fd >= 0);
 * ```
 */
export function noSigPipe(fd: number): void {
  if (constants.SO_NOSIGPIPE !== 0) setIntOpt(fd, constants.SOL_SOCKET, constants.SO_NOSIGPIPE, 1);
}

/**
 * Close `fd`, ignoring errors (EINTR on Linux still closes the fd).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_UNIX, K.SOCK_DGRAM);
 * closeFd(fd);
 * closeFd(-1); // ignored
 * assert.ok(fd >= 0);
 * ```
 */
export function closeFd(fd: number): void {
  if (fd >= 0) lib().close(fd);
}

const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);
const intLen = new Uint32Array(1);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `setsockopt(fd, level, name, <int value>)`; returns 0 or -1 (errno set).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, getIntOpt, openSocket, setIntOpt, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * assert.equal(setIntOpt(fd, K.SOL_SOCKET, K.SO_KEEPALIVE, 1), 0);
 * assert.equal(getIntOpt(fd, K.SOL_SOCKET, K.SO_KEEPALIVE), 1);
 * closeFd(fd);
 * ```
 */
export function setIntOpt(fd: number, level: number, name: number, value: number): number {
  intView.setInt32(0, value | 0, LE);
  return lib().setsockopt(fd, level, name, intBuf, 4);
}

/**
 * `setsockopt` with an `int` value; throws the errno's error on failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setIntOptOrThrow, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * assert.throws(() => setIntOptOrThrow(-1, K.SOL_SOCKET, K.SO_KEEPALIVE, 1), /EBADF/);
 * ```
 */
export function setIntOptOrThrow(fd: number, level: number, name: number, value: number): void {
  if (setIntOpt(fd, level, name, value) < 0) throw lastError("setsockopt");
}

/**
 * `getsockopt` of an `int` (or a `u_char`, which some options use); throws on failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, getIntOpt, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * assert.equal(getIntOpt(fd, K.SOL_SOCKET, K.SO_ERROR), 0);
 * closeFd(fd);
 * ```
 */
export function getIntOpt(fd: number, level: number, name: number): number {
  intView.setInt32(0, 0, LE);
  intLen[0] = 4;
  if (lib().getsockopt(fd, level, name, intBuf, intLen) < 0) throw lastError("getsockopt");
  if (intLen[0] === 1) return intBuf[0];
  return intView.getInt32(0, LE);
}

/**
 * `setsockopt` with a byte buffer; throws on failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setBytesOpt, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * assert.throws(() => setBytesOpt(-1, K.SOL_SOCKET, K.SO_LINGER, new Uint8Array(8)), /EBADF/);
 * ```
 */
export function setBytesOpt(fd: number, level: number, name: number, value: Uint8Array): void {
  if (lib().setsockopt(fd, level, name, value, value.byteLength) < 0) throw lastError("setsockopt");
}

/**
 * Set SO_LINGER to {on, 0 s}: the next close sends RST.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, openSocket, setLingerZero, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * setLingerZero(fd); // closing it now would send RST, were it connected
 * closeFd(fd);
 * assert.ok(fd >= 0);
 * ```
 */
export function setLingerZero(fd: number): void {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, 1, LE);
  v.setInt32(4, 0, LE);
  lib().setsockopt(fd, constants.SOL_SOCKET, constants.SO_LINGER, b, 8);
}

/**
 * A scratch buffer for socket addresses (large enough for sockaddr_un/in6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADDR_BUF_SIZE } from "./_socket.ts";
 * assert.ok(ADDR_BUF_SIZE >= 110); // sockaddr_un fits
 * ```
 */
export const ADDR_BUF_SIZE = 128;
const nameBuf = new Uint8Array(ADDR_BUF_SIZE);
const nameLen = new Uint32Array(1);

/**
 * `getsockname(fd)` decoded; throws on failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, encodeIP, getSockName, lib, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * const sa = encodeIP(K.AF_INET, "127.0.0.1", 0);
 * assert.equal(lib().bind(fd, sa, sa.byteLength), 0);
 * const name = getSockName(fd);
 * assert.ok(name.family === "INET" && name.port > 0);
 * closeFd(fd);
 * ```
 */
export function getSockName(fd: number): DecodedSockaddr {
  nameLen[0] = ADDR_BUF_SIZE;
  if (lib().getsockname(fd, nameBuf, nameLen) < 0) throw lastError("getsockname");
  return decode(nameBuf, nameLen[0]);
}

/**
 * `getpeername(fd)` decoded; throws on failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeFd, getPeerName, openSocket, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const fd = openSocket(K.AF_INET, K.SOCK_STREAM);
 * assert.throws(() => getPeerName(fd), /ENOTCONN/);
 * closeFd(fd);
 * ```
 */
export function getPeerName(fd: number): DecodedSockaddr {
  nameLen[0] = ADDR_BUF_SIZE;
  if (lib().getpeername(fd, nameBuf, nameLen) < 0) throw lastError("getpeername");
  return decode(nameBuf, nameLen[0]);
}

/**
 * Decode `len` bytes of a sockaddr.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, encodeIP, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const sa = encodeIP(K.AF_INET, "127.0.0.1", 80);
 * const d = decode(sa, sa.byteLength);
 * assert.ok(d.family === "INET" && d.host === "127.0.0.1" && d.port === 80);
 * ```
 */
export function decode(buf: Uint8Array, len: number): DecodedSockaddr {
  return decodeSockaddr(buf, len);
}

/**
 * Encode an IP literal and port (`""` is the any-address of `family`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, encodeIP, SOCKET_CONSTANTS as K } from "./_socket.ts";
 * const any6 = encodeIP(K.AF_INET6, "", 0);
 * assert.equal((decode(any6, any6.byteLength) as { host: string; }).host, "::");
 * ```
 */
export function encodeIP(family: number, host: string, port: number): Uint8Array {
  const h = host !== "" ? host : family === constants.AF_INET6 ? "::" : "0.0.0.0";
  return encodeSockaddr(h, port);
}

/**
 * Encode a Unix socket path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, encodeUnix } from "./_socket.ts";
 * const sa = encodeUnix("/tmp/app.sock");
 * assert.deepEqual(decode(sa, sa.byteLength), { family: "UNIX", path: "/tmp/app.sock" });
 * ```
 */
export function encodeUnix(path: string): Uint8Array {
  return encodeSockaddrUn(path);
}

/**
 * The message of an error, for log lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describe } from "./_socket.ts";
 * assert.equal(describe(new TypeError("bad")), "TypeError: bad");
 * assert.equal(describe("text"), "text");
 * ```
 */
export function describe(e: unknown): string {
  return e instanceof SystemCallError
    ? e.message
    : e instanceof Error
    ? `${e.name}: ${e.message}`
    : String(e);
}

/**
 * UTF-8 encoder shared by the transports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENCODER } from "./_socket.ts";
 * assert.deepEqual(ENCODER.encode("hi"), new Uint8Array([104, 105]));
 * ```
 */
export const ENCODER: TextEncoder = new TextEncoder();

/**
 * `e` as an `Error` (a thrown non-Error is wrapped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asError } from "./_socket.ts";
 * assert.equal(asError("boom").message, "boom");
 * ```
 */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
