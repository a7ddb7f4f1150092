/**
 * The C library's symbols as one table for every OS and CPU, and the
 * assembly of the public `Libc` object from the raw bound functions. Shared
 * by the Deno binding (`libc_deno.ts`) and the Bun binding (`libc_bun.ts`).
 * Internal to the FFI layer.
 *
 * Hot paths are one FFI call: on Bun the symbol itself is the method; on Deno
 * a one-line arrow converts `size_t` lengths to BigInt (a `number` in a
 * `usize` slot drops V8 off its fast-call path, ≈2× slower; `BigInt(n)` keeps
 * it, measured as fast as an `i32`-declared binding). That BigInt is a short
 * young-generation allocation (about one scavenge per 80 000 calls); declaring
 * `size_t` as a 32-bit type instead would avoid it but leave the upper half of
 * the 64-bit argument register to chance, which the ABI does not promise.
 *
 * @module
 */

import { cString, type FfiType, type SymbolSpec } from "./dlopen.ts";
import type { ArchName, Libc, OSName } from "./types.ts";

type Kind = "i32" | "u32" | "i64" | "size" | "buf" | "ptr" | "void";

interface SymbolDef {
  args: Kind[];
  ret: Kind;
  name?: string;
  nonblocking?: boolean;
}

const B = "buf" as const;

function ffiType(k: Kind): FfiType {
  if (k === "size") return "usize";
  if (k === "buf") return "buffer";
  if (k === "ptr") return "pointer";
  return k;
}

/**
 * The C library's functions on `os`/`arch`, keyed by the names `Raw` binds them under.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symbolSpecs } from "./_libc_symbols.ts";
 *
 * const linux = symbolSpecs("linux", "x86_64");
 * assert.deepEqual(linux.recv.parameters, ["i32", "buffer", "usize", "i32"]);
 * assert.equal(linux.errnoLocation.name, "__errno_location");
 * assert.equal(symbolSpecs("darwin", "aarch64").epoll_create1, undefined);
 * ```
 */
export function symbolSpecs(os: OSName, arch: ArchName): Record<string, SymbolSpec> {
  const specs: Record<string, SymbolSpec> = {};
  for (const [key, d] of Object.entries(symbolDefs(os, arch))) {
    specs[key] = {
      parameters: d.args.map(ffiType),
      result: ffiType(d.ret),
      ...(d.name !== undefined ? { name: d.name } : {}),
      ...(d.nonblocking ? { nonblocking: true } : {}),
    };
  }
  return specs;
}

function symbolDefs(os: OSName, arch: ArchName): Record<string, SymbolDef> {
  const linux = os === "linux";
  const bsd = os === "freebsd";
  const darwin = os === "darwin";
  const defs: Record<string, SymbolDef> = {
    errnoLocation: { name: linux ? "__errno_location" : "__error", args: [], ret: "ptr" },
    socket: { args: ["i32", "i32", "i32"], ret: "i32" },
    bind: { args: ["i32", B, "u32"], ret: "i32" },
    listen: { args: ["i32", "i32"], ret: "i32" },
    accept: { args: ["i32", B, B], ret: "i32" },
    connect: { args: ["i32", B, "u32"], ret: "i32" },
    recv: { args: ["i32", B, "size", "i32"], ret: "i32" },
    send: { args: ["i32", B, "size", "i32"], ret: "i32" },
    recvfrom: { args: ["i32", B, "size", "i32", B, B], ret: "i32" },
    sendto: { args: ["i32", B, "size", "i32", B, "u32"], ret: "i32" },
    read: { args: ["i32", B, "size"], ret: "i32" },
    write: { args: ["i32", B, "size"], ret: "i32" },
    readv: { args: ["i32", B, "i32"], ret: "i32" },
    writev: { args: ["i32", B, "i32"], ret: "i32" },
    sendmsg: { args: ["i32", B, "i32"], ret: "i32" },
    shutdown: { args: ["i32", "i32"], ret: "i32" },
    close: { args: ["i32"], ret: "i32" },
    setsockopt: { args: ["i32", "i32", "i32", B, "u32"], ret: "i32" },
    getsockopt: { args: ["i32", "i32", "i32", B, B], ret: "i32" },
    getsockname: { args: ["i32", B, B], ret: "i32" },
    getpeername: { args: ["i32", B, B], ret: "i32" },
    // fcntl is variadic. On Apple arm64 variadic arguments travel on the
    // stack, so six dummy register arguments push the real one there.
    fcntl: darwin && arch === "aarch64"
      ? { args: ["i32", "i32", "i64", "i64", "i64", "i64", "i64", "i64", "i64"], ret: "i32" }
      : { args: ["i32", "i32", "i32"], ret: "i32" },
    pipe: { args: [B], ret: "i32" },
    socketpair: { args: ["i32", "i32", "i32", B], ret: "i32" },
    getpid: { args: [], ret: "i32" },
    "sched_yield": { args: [], ret: "i32" },
    kill: { args: ["i32", "i32"], ret: "i32" },
    unlink: { args: [B], ret: "i32" },
    chmod: { args: [B, "u32"], ret: "i32" },
    "if_nametoindex": { args: [B], ret: "u32" },
    poll: { args: [B, "size", "i32"], ret: "i32" },
    pollAsync: { name: "poll", args: [B, "size", "i32"], ret: "i32", nonblocking: true },
    select: { args: ["i32", B, B, B, B], ret: "i32" },
    "clock_gettime": { args: ["i32", B], ret: "i32" },
  };
  if (linux || bsd) {
    defs.accept4 = { args: ["i32", B, B, "i32"], ret: "i32" };
    defs.pipe2 = { args: [B, "i32"], ret: "i32" };
  }
  if (linux) {
    defs.epoll_create1 = { args: ["i32"], ret: "i32" };
    defs.epoll_ctl = { args: ["i32", "i32", "i32", B], ret: "i32" };
    defs.epoll_wait = { args: ["i32", B, "i32", "i32"], ret: "i32" };
    defs.eventfd = { args: ["u32", "i32"], ret: "i32" };
  } else {
    defs.kqueue = { args: [], ret: "i32" };
    defs.kevent = { args: ["i32", B, "i32", B, "i32", B], ret: "i32" };
  }
  return defs;
}

/**
 * Where the C library of `os` lives, in the order to try (for
 * `dlopenLibrary`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { libraryPaths } from "./mod.ts";
 *
 * assert.equal(libraryPaths("linux")[0], "libc.so.6");
 * assert.ok(libraryPaths("darwin").includes("/usr/lib/libSystem.B.dylib"));
 * ```
 */
export function libraryPaths(os: OSName): string[] {
  if (os === "linux") return ["libc.so.6", "libc.so"];
  if (os === "darwin") return ["libSystem.B.dylib", "/usr/lib/libSystem.B.dylib"];
  return ["libc.so.7", "libc.so"];
}

/** A buffer argument. */
type Buf = Uint8Array | Uint32Array | Int32Array | null;

/**
 * The raw symbols as bound, with `size_t` arguments typed `S` (bigint on Deno, number on Bun).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Raw } from "./_libc_symbols.ts";
 *
 * // On Bun a size_t travels as a number, on Deno as a bigint.
 * type BunRecv = Raw<number>["recv"];
 * const recv: BunRecv = (_fd, _buf, n) => n;
 * assert.equal(recv(3, null, 5, 0), 5);
 * ```
 */
export interface Raw<S> {
  errnoLocation(): unknown;
  socket(d: number, t: number, p: number): number;
  bind(fd: number, a: Buf, l: number): number;
  listen(fd: number, b: number): number;
  accept(fd: number, a: Buf, l: Buf): number;
  accept4?(fd: number, a: Buf, l: Buf, f: number): number;
  connect(fd: number, a: Buf, l: number): number;
  recv(fd: number, b: Buf, n: S, f: number): number;
  send(fd: number, b: Buf, n: S, f: number): number;
  recvfrom(fd: number, b: Buf, n: S, f: number, a: Buf, l: Buf): number;
  sendto(fd: number, b: Buf, n: S, f: number, a: Buf, l: number): number;
  read(fd: number, b: Buf, n: S): number;
  write(fd: number, b: Buf, n: S): number;
  readv(fd: number, iov: Buf, n: number): number;
  writev(fd: number, iov: Buf, n: number): number;
  sendmsg(fd: number, msg: Buf, f: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  setsockopt(fd: number, lv: number, nm: number, v: Buf, l: number): number;
  getsockopt(fd: number, lv: number, nm: number, v: Buf, l: Buf): number;
  getsockname(fd: number, a: Buf, l: Buf): number;
  getpeername(fd: number, a: Buf, l: Buf): number;
  fcntl(fd: number, cmd: number, ...rest: number[]): number;
  pipe(fds: Buf): number;
  pipe2?(fds: Buf, f: number): number;
  socketpair(d: number, t: number, p: number, fds: Buf): number;
  getpid(): number;
  "sched_yield"(): number;
  kill(pid: number, sig: number): number;
  unlink(p: Buf): number;
  chmod(p: Buf, mode: number): number;
  "if_nametoindex"(p: Buf): number;
  poll(b: Buf, n: S, t: number): number;
  pollAsync?(b: Buf, n: S, t: number): Promise<number>;
  select(n: number, r: Buf, w: Buf, e: Buf, t: Buf): number;
  "clock_gettime"(id: number, ts: Buf): number;
  "epoll_create1"?(f: number): number;
  "epoll_ctl"?(ep: number, op: number, fd: number, ev: Buf): number;
  "epoll_wait"?(ep: number, ev: Buf, n: number, t: number): number;
  eventfd?(init: number, f: number): number;
  kqueue?(): number;
  kevent?(kq: number, ch: Buf, nch: number, ev: Buf, nev: number, ts: Buf): number;
}

/**
 * Build the `Libc` object. `size` is `BigInt` on Deno (wrappers convert) and
 * `null` on Bun (symbols are bound directly). `errnoView` aliases the calling
 * thread's errno.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assemble } from "./_libc_symbols.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * // What libc() is made of: the raw symbols, wrapped once.
 * assert.equal(typeof assemble, "function");
 * if (ffiAvailable()) assert.equal(typeof libc().recv, "function");
 * ```
 */
export function assemble<S>(
  os: OSName,
  arch: ArchName,
  raw: Raw<S>,
  errnoView: Int32Array,
  size: ((n: number) => S) | null,
  address: (buf: Uint8Array) => bigint,
): Libc {
  const fcntl: (fd: number, cmd: number, arg: number) => number =
    os === "darwin" && arch === "aarch64"
      ? (fd, cmd, arg) => raw.fcntl(fd, cmd, 0, 0, 0, 0, 0, 0, arg)
      : (raw.fcntl as (fd: number, cmd: number, arg: number) => number);
  // macOS has no SOCK_NONBLOCK/SOCK_CLOEXEC/pipe2: constants.ts gives the
  // flags private values that these wrappers strip and apply with fcntl.
  const NB = 0x20000000;
  const CX = 0x10000000;
  const O_NONBLOCK = 0x4;
  const O_CLOEXEC = 0x1000000;
  const F_SETFD = 2;
  const F_GETFL = 3;
  const F_SETFL = 4;
  const setFlags = (fd: number, nonblock: boolean, cloexec: boolean): boolean => {
    if (nonblock) {
      const fl = fcntl(fd, F_GETFL, 0);
      if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return false;
    }
    return !cloexec || fcntl(fd, F_SETFD, 1) >= 0;
  };
  /** Apply emulated socket flags to a new fd; on failure close it, keeping errno. */
  const withFlags = (fd: number, flags: number): number => {
    if (fd < 0 || setFlags(fd, (flags & NB) !== 0, (flags & CX) !== 0)) return fd;
    const e = errnoView[0];
    raw.close(fd);
    errnoView[0] = e;
    return -1;
  };
  /** Apply the flags to both fds of a new pair; on failure close both, keeping errno. */
  const pairWithFlags = (fds: Int32Array, nonblock: boolean, cloexec: boolean): number => {
    if (setFlags(fds[0], nonblock, cloexec) && setFlags(fds[1], nonblock, cloexec)) return 0;
    const e = errnoView[0];
    raw.close(fds[0]);
    raw.close(fds[1]);
    errnoView[0] = e;
    return -1;
  };
  const darwin = os === "darwin";

  const l: Libc = {
    os,
    arch,
    errno: () => errnoView[0],
    address,
    socket: darwin ? (d, t, p) => withFlags(raw.socket(d, t & ~(NB | CX), p), t) : raw.socket,
    bind: raw.bind,
    listen: raw.listen,
    accept4: raw.accept4 !== undefined
      ? raw.accept4
      : (fd, a, len, flags) => withFlags(raw.accept(fd, a, len), flags),
    connect: raw.connect,
    recv: size === null
      ? (raw.recv as unknown as Libc["recv"])
      : (fd, b, n, f) => raw.recv(fd, b, size(n), f),
    send: size === null
      ? (raw.send as unknown as Libc["send"])
      : (fd, b, n, f) => raw.send(fd, b, size(n), f),
    recvfrom: size === null
      ? (raw.recvfrom as unknown as Libc["recvfrom"])
      : (fd, b, n, f, a, al) => raw.recvfrom(fd, b, size(n), f, a, al),
    sendto: size === null
      ? (raw.sendto as unknown as Libc["sendto"])
      : (fd, b, n, f, a, al) => raw.sendto(fd, b, size(n), f, a, al),
    read: size === null
      ? (raw.read as unknown as Libc["read"])
      : (fd, b, n) => raw.read(fd, b, size(n)),
    write: size === null
      ? (raw.write as unknown as Libc["write"])
      : (fd, b, n) => raw.write(fd, b, size(n)),
    readv: raw.readv,
    writev: raw.writev,
    sendmsg: raw.sendmsg,
    shutdown: raw.shutdown,
    close: raw.close,
    setsockopt: raw.setsockopt,
    getsockopt: raw.getsockopt,
    getsockname: raw.getsockname,
    getpeername: raw.getpeername,
    fcntl,
    pipe2: raw.pipe2 !== undefined ? raw.pipe2 : (fds, flags) => {
      if (raw.pipe(fds) < 0) return -1;
      return pairWithFlags(fds, (flags & O_NONBLOCK) !== 0, (flags & O_CLOEXEC) !== 0);
    },
    socketpair: darwin
      ? (d, t, p, fds) => {
        if (raw.socketpair(d, t & ~(NB | CX), p, fds) < 0) return -1;
        return pairWithFlags(fds, (t & NB) !== 0, (t & CX) !== 0);
      }
      : raw.socketpair,
    getpid: raw.getpid,
    kill: raw.kill,
    unlink: (path) => raw.unlink(cString(path)),
    chmod: (path, mode) => raw.chmod(cString(path), mode),
    "if_nametoindex": (name) => raw.if_nametoindex(cString(name)),
    poll: size === null
      ? (raw.poll as unknown as Libc["poll"])
      : (fds, n, t) => raw.poll(fds, size(n), t),
    select: raw.select,
    "clock_gettime": raw.clock_gettime,
  };
  if (raw.epoll_create1) {
    l.epoll_create1 = raw.epoll_create1;
    l.epoll_ctl = raw.epoll_ctl;
    l.epoll_wait = raw.epoll_wait;
    l.eventfd = raw.eventfd;
  }
  if (raw.kqueue) {
    l.kqueue = raw.kqueue;
    l.kevent = raw.kevent;
  }
  return l;
}
