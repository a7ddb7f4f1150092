/**
 * The structs the pollers and parkers pass to the kernel, per OS and CPU,
 * packed by hand into `Uint8Array`s: `epoll_event`, `pollfd`, `fd_set`,
 * `kevent`, `timespec` and `timeval`.
 *
 * @module
 */

import { FileDescriptorOverrun } from "../errors.ts";
import { TABLE_ARCH, TABLE_OS } from "./_platform.ts";
import type { ArchName, OSName } from "./types.ts";

// ---------------------------------------------------------------------------
// epoll_event, pollfd, fd_set

/**
 * `struct epoll_event` layout for a CPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EpollEventLayout, epollEventLayout } from "./mod.ts";
 *
 * const layout: EpollEventLayout = epollEventLayout("x86_64");
 * assert.deepEqual(layout, { size: 12, dataOffset: 4 });
 * ```
 */
export interface EpollEventLayout {
  /** Bytes per event: 12 on x86-64 (packed), 16 on aarch64. */
  readonly size: number;
  /** Byte offset of the 64-bit `data` member: 4 on x86-64, 8 on aarch64. */
  readonly dataOffset: number;
}

/**
 * The `epoll_event` layout of an architecture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { epollEventLayout } from "./poller_structs.ts";
 * assert.equal(epollEventLayout("x86_64").size, 12);
 * assert.equal(epollEventLayout("aarch64").size, 16);
 * ```
 */
export function epollEventLayout(arch: ArchName = TABLE_ARCH): EpollEventLayout {
  return arch === "x86_64" ? { size: 12, dataOffset: 4 } : { size: 16, dataOffset: 8 };
}

/**
 * Write one `epoll_event` (events, fd in `data`) at index `i` of `buf`.
 *
 * @example
 * ```ts
 * import { writeEpollEvent } from "./poller_structs.ts";
 * const ev = new Uint8Array(16);
 * writeEpollEvent(ev, 0, 1, 7);
 * ```
 */
export function writeEpollEvent(
  buf: Uint8Array,
  i: number,
  events: number,
  fd: number,
  arch: ArchName = TABLE_ARCH,
): void {
  const { size, dataOffset } = epollEventLayout(arch);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint32(i * size, events >>> 0, true);
  v.setInt32(i * size + dataOffset, fd, true);
  v.setInt32(i * size + dataOffset + 4, 0, true);
}

/**
 * Bytes in a `struct pollfd` (`int fd; short events; short revents;`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, POLLFD_SIZE } from "./mod.ts";
 *
 * // Two pollfd entries: { fd: i32, events: i16, revents: i16 } each.
 * const fds = new Uint8Array(2 * POLLFD_SIZE);
 * const view = new DataView(fds.buffer);
 * view.setInt32(POLLFD_SIZE, 7, true);
 * view.setInt16(POLLFD_SIZE + 4, constants.POLLIN, true);
 * assert.equal(view.getInt32(8, true), 7);
 * ```
 */
export const POLLFD_SIZE = 8;

/**
 * Bytes in an `fd_set` of `FD_SETSIZE` (1024) bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FD_SET_BYTES, fdSetAdd, fdSetHas } from "./mod.ts";
 *
 * const set = new Uint8Array(FD_SET_BYTES); // room for fds 0..1023
 * fdSetAdd(set, 1023);
 * assert.ok(fdSetHas(set, 1023));
 * ```
 */
export const FD_SET_BYTES = 128;

/**
 * Set `fd`'s bit in an `fd_set` (little-endian words: bit `fd & 7` of byte
 * `fd >> 3` on every supported system). Throws `FileDescriptorOverrun` at or
 * above `FD_SETSIZE`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdSetAdd, fdSetHas, FD_SET_BYTES } from "./poller_structs.ts";
 * const set = new Uint8Array(FD_SET_BYTES);
 * fdSetAdd(set, 9);
 * assert.ok(fdSetHas(set, 9));
 * assert.equal(set[1], 2);
 * ```
 */
export function fdSetAdd(set: Uint8Array, fd: number): void {
  if (fd < 0 || fd >= set.length * 8) {
    throw new FileDescriptorOverrun(
      `fd ${fd} is outside 0..${
        set.length * 8 - 1
      }: select(2) cannot watch it (FD_SETSIZE); use the epoll, kqueue or poll poller`,
    );
  }
  set[fd >> 3] |= 1 << (fd & 7);
}

/**
 * Clear `fd`'s bit in an `fd_set` (a no-op out of range).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdSetAdd, fdSetDelete, fdSetHas, FD_SET_BYTES } from "./poller_structs.ts";
 * const set = new Uint8Array(FD_SET_BYTES);
 * fdSetAdd(set, 3);
 * fdSetDelete(set, 3);
 * assert.equal(fdSetHas(set, 3), false);
 * ```
 */
export function fdSetDelete(set: Uint8Array, fd: number): void {
  if (fd >= 0 && fd < set.length * 8) set[fd >> 3] &= ~(1 << (fd & 7));
}

/**
 * Whether `fd`'s bit is set in an `fd_set`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdSetHas, FD_SET_BYTES } from "./poller_structs.ts";
 * assert.equal(fdSetHas(new Uint8Array(FD_SET_BYTES), 0), false);
 * ```
 */
export function fdSetHas(set: Uint8Array, fd: number): boolean {
  return fd >= 0 && fd < set.length * 8 && (set[fd >> 3] & (1 << (fd & 7))) !== 0;
}

// ---------------------------------------------------------------------------
// kevent

/**
 * A decoded `struct kevent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Kevent, keventSize, readKevent, writeKevent } from "./mod.ts";
 *
 * const ev: Kevent = { ident: 3, filter: -1, flags: 1, fflags: 0, data: 0, udata: 0 };
 * const buf = new Uint8Array(keventSize("freebsd"));
 * writeKevent(buf, 0, ev, "freebsd");
 * assert.equal(readKevent(buf, 0, "freebsd").ident, 3);
 * ```
 */
export interface Kevent {
  /** The identifier (an fd for READ/WRITE filters). */
  ident: number;
  /** The filter (`EVFILT_READ` = -1, …). */
  filter: number;
  /** `EV_*` flags. */
  flags: number;
  /** Filter-specific flags. */
  fflags: number;
  /** Filter-specific data (bytes available, or an errno with `EV_ERROR`). */
  data: number;
  /** The user cookie (a number here). */
  udata: number;
}

/**
 * Bytes in a `struct kevent`: 32 on macOS (64-bit), 64 on FreeBSD 12+
 * (with `ext[4]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keventSize } from "./poller_structs.ts";
 * assert.equal(keventSize("darwin"), 32);
 * assert.equal(keventSize("freebsd"), 64);
 * ```
 */
export function keventSize(os: OSName = TABLE_OS): number {
  return os === "freebsd" ? 64 : 32;
}

/**
 * Write a `struct kevent` at index `i` of `buf` (ident@0 u64, filter@8 i16,
 * flags@10 u16, fflags@12 u32, data@16 i64, udata@24 pointer; FreeBSD's
 * `ext[4]` zeroed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeKevent, readKevent, keventSize } from "./poller_structs.ts";
 * const b = new Uint8Array(keventSize("darwin"));
 * writeKevent(b, 0, { ident: 5, filter: -1, flags: 1, fflags: 0, data: 0, udata: 0 }, "darwin");
 * assert.equal(readKevent(b, 0, "darwin").ident, 5);
 * ```
 */
export function writeKevent(buf: Uint8Array, i: number, ev: Kevent, os: OSName = TABLE_OS): void {
  const size = keventSize(os);
  const o = i * size;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setBigUint64(o, BigInt(ev.ident), true);
  v.setInt16(o + 8, ev.filter, true);
  v.setUint16(o + 10, ev.flags, true);
  v.setUint32(o + 12, ev.fflags >>> 0, true);
  v.setBigInt64(o + 16, BigInt(ev.data), true);
  v.setBigUint64(o + 24, BigInt(ev.udata), true);
  for (let k = 32; k < size; k++) buf[o + k] = 0;
}

/**
 * Read the `struct kevent` at index `i` of `buf`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKevent, keventSize } from "./poller_structs.ts";
 * const ev = readKevent(new Uint8Array(keventSize()), 0);
 * assert.equal(ev.filter, 0);
 * ```
 */
export function readKevent(buf: Uint8Array, i: number, os: OSName = TABLE_OS): Kevent {
  const o = i * keventSize(os);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    ident: Number(v.getBigUint64(o, true)),
    filter: v.getInt16(o + 8, true),
    flags: v.getUint16(o + 10, true),
    fflags: v.getUint32(o + 12, true),
    data: Number(v.getBigInt64(o + 16, true)),
    udata: Number(v.getBigUint64(o + 24, true)),
  };
}

// ---------------------------------------------------------------------------
// timespec / timeval

/**
 * Bytes in a 64-bit `struct timespec` (and `struct timeval`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTimespec, TIMESPEC_SIZE, writeTimespec } from "./mod.ts";
 *
 * const ts = new Uint8Array(TIMESPEC_SIZE);
 * writeTimespec(ts, 1500); // milliseconds in
 * assert.equal(readTimespec(ts), 1.5); // seconds out
 * ```
 */
export const TIMESPEC_SIZE = 16;

/**
 * Write a millisecond timeout as a `struct timespec` (tv_sec i64, tv_nsec i64).
 *
 * @example
 * ```ts
 * import { writeTimespec, TIMESPEC_SIZE } from "./poller_structs.ts";
 * const ts = new Uint8Array(TIMESPEC_SIZE);
 * writeTimespec(ts, 1500);
 * ```
 */
export function writeTimespec(buf: Uint8Array, ms: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sec = Math.floor(ms / 1000);
  v.setBigInt64(0, BigInt(sec), true);
  v.setBigInt64(8, BigInt(Math.round((ms - sec * 1000) * 1e6)), true);
}

/**
 * Read a `struct timespec` as seconds (a float).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTimespec, writeTimespec, TIMESPEC_SIZE } from "./poller_structs.ts";
 * const ts = new Uint8Array(TIMESPEC_SIZE);
 * writeTimespec(ts, 2250);
 * assert.equal(readTimespec(ts), 2.25);
 * ```
 */
export function readTimespec(buf: Uint8Array): number {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Number(v.getBigInt64(0, true)) + Number(v.getBigInt64(8, true)) / 1e9;
}

/**
 * Write a millisecond timeout as a `struct timeval` (tv_sec i64; tv_usec i64
 * on Linux/FreeBSD, i32 plus padding on macOS).
 *
 * @example
 * ```ts
 * import { writeTimeval, TIMESPEC_SIZE } from "./poller_structs.ts";
 * const tv = new Uint8Array(TIMESPEC_SIZE);
 * writeTimeval(tv, 10);
 * ```
 */
export function writeTimeval(buf: Uint8Array, ms: number, os: OSName = TABLE_OS): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sec = Math.floor(ms / 1000);
  const usec = Math.round((ms - sec * 1000) * 1000);
  v.setBigInt64(0, BigInt(sec), true);
  if (os === "darwin") {
    v.setInt32(8, usec, true);
    v.setInt32(12, 0, true);
  } else {
    v.setBigInt64(8, BigInt(usec), true);
  }
}
