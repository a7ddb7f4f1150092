/**
 * The contract of the runtime-abstraction layer: everything the reactor needs
 * from the operating system, called through Deno FFI (`Deno.dlopen`) or Bun FFI
 * (`bun:ffi`). Code above this layer imports these types and the functions of
 * `reactor/ffi/mod.ts`, and never asks which runtime it is on.
 *
 * Conventions:
 * - Every call returns the C result as a `number` (`ssize_t` results are exact
 *   below 2^31). On failure (-1) read `errno()` at once, before any other call.
 * - Byte buffers are `Uint8Array`s; out-parameters of type `socklen_t*` are a
 *   one-element `Uint32Array`.
 * - Integer arguments must be integers (Deno rejects fractions and -0).
 *
 * @module
 */

/**
 * The operating systems the layer knows struct layouts and constants for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constantsFor, type OSName } from "./mod.ts";
 *
 * const os: OSName = "freebsd";
 * assert.equal(constantsFor(os).os, "freebsd");
 * ```
 */
export type OSName = "linux" | "darwin" | "freebsd";

/**
 * The CPU architectures the layer knows struct layouts for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ArchName, epollEventLayout } from "./mod.ts";
 *
 * const arch: ArchName = "aarch64";
 * assert.equal(epollEventLayout(arch).size, 16);
 * ```
 */
export type ArchName = "x86_64" | "aarch64";

/**
 * The libc functions the reactor calls. Implemented once over `Deno.dlopen`
 * and once over `bun:ffi`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, type Libc, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const lib: Libc = libc();
 *   const fd = lib.socket(constants.AF_INET, constants.SOCK_STREAM | constants.SOCK_CLOEXEC, 0);
 *   assert.ok(fd >= 0);
 *   assert.equal(lib.close(fd), 0);
 * }
 * ```
 */
export interface Libc {
  /** The OS this library was loaded for. */
  readonly os: OSName;
  /** The CPU architecture. */
  readonly arch: ArchName;
  /** The calling thread's errno, read right after a failing call. */
  errno(): number;
  /**
   * The address of a buffer's first byte, for building `struct iovec` arrays
   * for `readv`/`writev`. The buffer must stay referenced during the call.
   */
  address(buf: Uint8Array): bigint;

  /** `socket(2)`: a new fd, or -1. `SOCK_NONBLOCK`/`SOCK_CLOEXEC` in `type` work on every OS. */
  socket(domain: number, type: number, protocol: number): number;
  /** `bind(2)` to a `sockaddr` (see `encodeSockaddr`). */
  bind(fd: number, addr: Uint8Array, addrlen: number): number;
  /** `listen(2)`. */
  listen(fd: number, backlog: number): number;
  /** `accept4` on Linux/FreeBSD; on macOS `accept` + `fcntl` (flags honoured). */
  accept4(fd: number, addr: Uint8Array | null, addrlen: Uint32Array | null, flags: number): number;
  /** `connect(2)`; on a non-blocking socket -1 with `EINPROGRESS`, then `SO_ERROR`. */
  connect(fd: number, addr: Uint8Array, addrlen: number): number;
  /** `recv(2)`: bytes read, 0 at EOF, or -1. */
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  /** `send(2)`: bytes written or -1 (pass `MSG_NOSIGNAL`). */
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  /** `recvfrom(2)`: a datagram and its source address. */
  recvfrom(
    fd: number,
    buf: Uint8Array,
    len: number,
    flags: number,
    addr: Uint8Array | null,
    addrlen: Uint32Array | null,
  ): number;
  /** `sendto(2)`: a datagram to an address (`null`/0 on a connected socket). */
  sendto(
    fd: number,
    buf: Uint8Array,
    len: number,
    flags: number,
    addr: Uint8Array | null,
    addrlen: number,
  ): number;
  /** `read(2)`. */
  read(fd: number, buf: Uint8Array, len: number): number;
  /** `write(2)`. */
  write(fd: number, buf: Uint8Array, len: number): number;
  /** `iov` holds `iovcnt` 16-byte `struct iovec`s (base address u64 LE, length u64 LE). */
  readv(fd: number, iov: Uint8Array, iovcnt: number): number;
  /** `iov` holds `iovcnt` 16-byte `struct iovec`s (base address u64 LE, length u64 LE). */
  writev(fd: number, iov: Uint8Array, iovcnt: number): number;
  /**
   * `sendmsg(2)`: `msg` is a `struct msghdr` (see `MSGHDR_SIZE` in
   * `structs.ts`); with `MSG_NOSIGNAL` a write to a closed peer fails with
   * EPIPE instead of raising SIGPIPE.
   */
  sendmsg(fd: number, msg: Uint8Array, flags: number): number;
  /** `shutdown(2)` with `SHUT_RD`/`SHUT_WR`/`SHUT_RDWR`. */
  shutdown(fd: number, how: number): number;
  /** `close(2)`. */
  close(fd: number): number;
  /** `setsockopt(2)`; `value` holds the option bytes (an `int` is 4 bytes LE). */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  /** `getsockopt(2)`; `len` is in/out. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, len: Uint32Array): number;
  /** `getsockname(2)`; decode with `decodeSockaddr(addr, addrlen[0])`. */
  getsockname(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  /** `getpeername(2)`. */
  getpeername(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  /** `fcntl` with an integer third argument (`F_GETFL`, `F_SETFL`, `F_SETFD`, …). */
  fcntl(fd: number, cmd: number, arg: number): number;
  /** `pipe2` (emulated with `pipe` + `fcntl` on macOS). */
  pipe2(fds: Int32Array, flags: number): number;
  /** `socketpair`; `SOCK_NONBLOCK`/`SOCK_CLOEXEC` in `type` are honoured on every OS. */
  socketpair(domain: number, type: number, protocol: number, fds: Int32Array): number;
  /** `getpid(2)`. */
  getpid(): number;
  /** `kill(2)`. */
  kill(pid: number, sig: number): number;
  /** `unlink(2)` of a path given as a string. */
  unlink(path: string): number;
  /** `chmod(2)` of a path given as a string. */
  chmod(path: string, mode: number): number;
  /** The index of a network interface by name (0 when unknown), for IPv6 scope ids. */
  "if_nametoindex"(name: string): number;

  /** `epoll_create1(2)`: Linux only (undefined elsewhere). */
  "epoll_create1"?(flags: number): number;
  /** `epoll_ctl(2)`: Linux only. `event` is one `epoll_event` (see `writeEpollEvent`). */
  "epoll_ctl"?(epfd: number, op: number, fd: number, event: Uint8Array | null): number;
  /** `epoll_wait(2)`: Linux only. */
  "epoll_wait"?(epfd: number, events: Uint8Array, maxevents: number, timeoutMs: number): number;
  /** `eventfd(2)`: Linux only. */
  eventfd?(initval: number, flags: number): number;

  /** `kqueue(2)`: macOS/FreeBSD only (undefined elsewhere). */
  kqueue?(): number;
  /** `kevent(2)`: macOS/FreeBSD only. Buffers hold `struct kevent`s (see `writeKevent`). */
  kevent?(
    kq: number,
    changes: Uint8Array | null,
    nchanges: number,
    events: Uint8Array | null,
    nevents: number,
    timeout: Uint8Array | null,
  ): number;

  /** `poll(2)` over `nfds` 8-byte `struct pollfd`s. */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  /** `select(2)` over 128-byte `fd_set`s (see `fdSetAdd`); `timeout` is a `timeval`. */
  select(
    nfds: number,
    readfds: Uint8Array | null,
    writefds: Uint8Array | null,
    exceptfds: Uint8Array | null,
    timeout: Uint8Array | null,
  ): number;
  /** `clock_gettime(2)` into a 16-byte `timespec`. */
  "clock_gettime"(clockId: number, ts: Uint8Array): number;
}

export type { Parker } from "./parker.ts";
