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

/** The operating systems the layer knows struct layouts and constants for. */
export type OSName = "linux" | "darwin" | "freebsd";

/** The CPU architectures the layer knows struct layouts for. */
export type ArchName = "x86_64" | "aarch64";

/**
 * The libc functions the reactor calls. Implemented once over `Deno.dlopen`
 * and once over `bun:ffi`.
 *
 * @example
 * ```ts ignore
 * import { libc } from "./mod.ts";
 * const fd = libc().socket(2, 1, 0);
 * ```
 */
export interface Libc {
  /** The OS this library was loaded for. */
  readonly os: OSName;
  /** The CPU architecture. */
  readonly arch: ArchName;
  /** The calling thread's errno, read right after a failing call. */
  errno(): number;

  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  /** `accept4` on Linux/FreeBSD; on macOS `accept` + `fcntl` (flags honoured). */
  accept4(fd: number, addr: Uint8Array | null, addrlen: Uint32Array | null, flags: number): number;
  connect(fd: number, addr: Uint8Array, addrlen: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recvfrom(
    fd: number,
    buf: Uint8Array,
    len: number,
    flags: number,
    addr: Uint8Array | null,
    addrlen: Uint32Array | null,
  ): number;
  sendto(
    fd: number,
    buf: Uint8Array,
    len: number,
    flags: number,
    addr: Uint8Array | null,
    addrlen: number,
  ): number;
  read(fd: number, buf: Uint8Array, len: number): number;
  write(fd: number, buf: Uint8Array, len: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, len: Uint32Array): number;
  getsockname(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  getpeername(fd: number, addr: Uint8Array, addrlen: Uint32Array): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  pipe2(fds: Int32Array, flags: number): number;
  socketpair(domain: number, type: number, protocol: number, fds: Int32Array): number;
  getpid(): number;
  kill(pid: number, sig: number): number;
  unlink(path: string): number;
  chmod(path: string, mode: number): number;

  // Linux only (undefined elsewhere).
  epoll_create1?(flags: number): number;
  epoll_ctl?(epfd: number, op: number, fd: number, event: Uint8Array | null): number;
  epoll_wait?(epfd: number, events: Uint8Array, maxevents: number, timeoutMs: number): number;
  eventfd?(initval: number, flags: number): number;

  // macOS / BSD only (undefined elsewhere).
  kqueue?(): number;
  kevent?(
    kq: number,
    changes: Uint8Array | null,
    nchanges: number,
    events: Uint8Array | null,
    nevents: number,
    timeout: Uint8Array | null,
  ): number;

  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  select(
    nfds: number,
    readfds: Uint8Array | null,
    writefds: Uint8Array | null,
    exceptfds: Uint8Array | null,
    timeout: Uint8Array | null,
  ): number;
  clock_gettime(clockId: number, ts: Uint8Array): number;
}

/**
 * Waits off the JS thread until a set of fds is ready, so the host event loop
 * (timers, promises, `fetch`, the runtime's own servers) keeps running while the
 * reactor is idle. Deno: a `nonblocking` FFI `poll`; Bun: a Worker + Atomics.
 *
 * @example
 * ```ts ignore
 * import { createParker } from "./mod.ts";
 * const parker = createParker();
 * await parker.park(new Int32Array([epfd]));   // resolves when epfd is readable
 * parker.close();
 * ```
 */
export interface Parker {
  /**
   * Resolve once any of `fds` is ready for the matching `events` (POLLIN=1,
   * POLLOUT=4 by default POLLIN for all), or `wake()` is called. Only one park
   * may be outstanding at a time.
   */
  park(fds: Int32Array, events?: Int16Array): Promise<void>;
  /** Make an outstanding `park()` resolve soon; harmless when none is. */
  wake(): void;
  /** Release the helper thread and fds. A pending park resolves. Must be called for Deno to exit. */
  close(): void;
}
