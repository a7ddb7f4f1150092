/**
 * `libc()`: the C library bound once per process over `Deno.dlopen` or
 * `bun:ffi`, loaded synchronously on first use. Internal to the FFI layer;
 * `reactor/ffi/mod.ts` re-exports what the rest of Skein uses.
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

import { HOST_ARCH, HOST_OS, RUNTIME } from "./_platform.ts";
import type { ArchName, Libc, OSName } from "./types.ts";

type Kind = "i32" | "u32" | "i64" | "size" | "buf" | "ptr" | "void";

interface SymbolDef {
  args: Kind[];
  ret: Kind;
  name?: string;
  nonblocking?: boolean;
}

const B = "buf" as const;

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

/** Where the C library lives, in the order to try. */
export function libraryPaths(os: OSName): string[] {
  if (os === "linux") return ["libc.so.6", "libc.so"];
  if (os === "darwin") return ["libSystem.B.dylib", "/usr/lib/libSystem.B.dylib"];
  return ["libc.so.7", "libc.so"];
}

type Buf = Uint8Array | Uint32Array | Int32Array | null;

/** The raw symbols, with `size_t` arguments typed `S` (bigint on Deno, number on Bun). */
interface Raw<S> {
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

/** The loaded library plus what only the FFI layer itself needs. */
export interface LoadedLibc {
  /** The public binding. */
  readonly libc: Libc;
  /** Deno only: `poll(2)` on tokio's blocking pool (the parker's wait). */
  readonly pollAsync:
    | ((fds: Uint8Array, nfds: number, timeoutMs: number) => Promise<number>)
    | null;
  /**
   * `sched_yield(2)`: let another runnable thread on this CPU run first.
   * A no-op on Deno, where it measured slower (see `loadDeno`).
   */
  readonly schedYield: () => number;
}

// ---------------------------------------------------------------------------
// Deno

function denoType(k: Kind): Deno.NativeType | "void" {
  switch (k) {
    case "size":
      return "usize";
    case "buf":
      return "buffer";
    case "ptr":
      return "pointer";
    default:
      return k;
  }
}

function loadDeno(os: OSName, arch: ArchName): LoadedLibc {
  const defs: Record<string, Deno.ForeignFunction> = {};
  for (const [key, d] of Object.entries(symbolDefs(os, arch))) {
    defs[key] = {
      name: d.name ?? key,
      parameters: d.args.map(denoType) as Deno.NativeType[],
      result: denoType(d.ret) as Deno.NativeResultType,
      nonblocking: d.nonblocking ?? false,
    };
  }
  let lib: Deno.DynamicLibrary<Record<string, Deno.ForeignFunction>> | undefined;
  let lastError: unknown;
  for (const path of libraryPaths(os)) {
    try {
      lib = Deno.dlopen(path, defs);
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (lib === undefined) throw lastError;
  const raw = lib.symbols as unknown as Raw<bigint>;
  const errPtr = raw.errnoLocation() as Deno.PointerObject;
  const errnoView = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(errPtr, 4));
  const pollAsync = raw.pollAsync!;
  return {
    libc: assemble(
      os,
      arch,
      raw,
      errnoView,
      BigInt,
      (buf) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf))),
    ),
    pollAsync: (fds, nfds, t) => pollAsync(fds, BigInt(nfds), t),
    // Measured on Deno, echo ping-pong with the client on the server's CPU:
    // yielding in the reactor's spin cost throughput (median of 7 interleaved
    // pairs 26.9k vs 31.7k msgs/s), where on Bun it gained 40%. No-op here.
    schedYield: () => 0,
  };
}

// ---------------------------------------------------------------------------
// Bun

/** A symbol definition for Bun's `dlopen`. */
export interface BunSymbolDef {
  /** Argument type names. */
  args: string[];
  /** Result type name. */
  returns: string;
}

/** What Bun's `dlopen` returns. */
export interface BunLibrary {
  /** The bound functions, by C name. */
  symbols: Record<string, unknown>;
  /** Unload the library. */
  close(): void;
}

/** The few `bun:ffi` exports the layer uses, typed locally (no `bun-types` at runtime). */
export interface BunFFI {
  /** Bind C functions from a shared library. */
  dlopen(path: string, defs: Record<string, BunSymbolDef>): BunLibrary;
  /** An `ArrayBuffer` aliasing native memory. */
  toArrayBuffer(ptr: number, byteOffset: number, byteLength: number): ArrayBuffer;
  /** The address of a typed array's first byte. */
  ptr(view: ArrayBufferView): number;
}

/** `bun:ffi`, loaded synchronously; only ever called on Bun. */
export function bunFFI(): BunFFI {
  const meta = import.meta as ImportMeta & { require?: (id: string) => unknown; };
  if (typeof meta.require !== "function") {
    throw new Error("bun:ffi needs Bun's import.meta.require");
  }
  return meta.require("bun:ffi") as BunFFI;
}

function bunType(k: Kind): string {
  switch (k) {
    case "size":
      return "usize";
    case "buf":
    case "ptr":
      return "ptr";
    default:
      return k;
  }
}

function loadBun(os: OSName, arch: ArchName): LoadedLibc {
  const ffi = bunFFI();
  const defs: Record<string, BunSymbolDef> = {};
  const names: Record<string, string> = {};
  for (const [key, d] of Object.entries(symbolDefs(os, arch))) {
    if (d.nonblocking) continue;
    names[key] = d.name ?? key;
  }
  // Bun's dlopen keys are the C names; keep our aliases apart.
  for (const [key, cname] of Object.entries(names)) {
    const d = symbolDefs(os, arch)[key];
    defs[cname] = { args: d.args.map(bunType), returns: bunType(d.ret) };
  }
  let lib: BunLibrary | undefined;
  let lastError: unknown;
  for (const path of libraryPaths(os)) {
    try {
      lib = ffi.dlopen(path, defs);
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (lib === undefined) throw lastError;
  const sym: Record<string, unknown> = {};
  for (const [key, cname] of Object.entries(names)) sym[key] = lib.symbols[cname];
  const raw = sym as unknown as Raw<number>;
  const errPtr = raw.errnoLocation() as number;
  const errnoView = new Int32Array(ffi.toArrayBuffer(errPtr, 0, 4));
  return {
    libc: assemble(os, arch, raw, errnoView, null, (buf) => BigInt(ffi.ptr(buf))),
    pollAsync: null,
    schedYield: raw.sched_yield,
  };
}

// ---------------------------------------------------------------------------
// Shared assembly

function cString(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * Build the `Libc` object. `size` is `BigInt` on Deno (wrappers convert) and
 * `null` on Bun (symbols are bound directly). `errnoView` aliases the calling
 * thread's errno.
 */
function assemble<S>(
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
    shutdown: raw.shutdown,
    close: raw.close,
    setsockopt: raw.setsockopt,
    getsockopt: raw.getsockopt,
    getsockname: raw.getsockname,
    getpeername: raw.getpeername,
    fcntl,
    pipe2: raw.pipe2 !== undefined ? raw.pipe2 : (fds, flags) => {
      if (raw.pipe(fds) < 0) return -1;
      const nb = (flags & O_NONBLOCK) !== 0;
      const cx = (flags & O_CLOEXEC) !== 0;
      if (setFlags(fds[0], nb, cx) && setFlags(fds[1], nb, cx)) return 0;
      const e = errnoView[0];
      raw.close(fds[0]);
      raw.close(fds[1]);
      errnoView[0] = e;
      return -1;
    },
    socketpair: darwin
      ? (d, t, p, fds) => {
        if (raw.socketpair(d, t & ~(NB | CX), p, fds) < 0) return -1;
        const nb = (t & NB) !== 0;
        const cx = (t & CX) !== 0;
        if (setFlags(fds[0], nb, cx) && setFlags(fds[1], nb, cx)) return 0;
        const e = errnoView[0];
        raw.close(fds[0]);
        raw.close(fds[1]);
        errnoView[0] = e;
        return -1;
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

let loaded: LoadedLibc | null = null;

/**
 * Load (once) and return the C library binding for this process.
 * Throws when FFI is unavailable (see `ffiAvailable()`).
 */
export function loadLibc(): LoadedLibc {
  if (loaded !== null) return loaded;
  if (HOST_OS === null || HOST_ARCH === null) {
    throw new Error(
      `Skein's FFI layer does not support this platform (need linux, darwin or freebsd on x86_64/aarch64)`,
    );
  }
  if (RUNTIME === "deno") loaded = loadDeno(HOST_OS, HOST_ARCH);
  else if (RUNTIME === "bun") loaded = loadBun(HOST_OS, HOST_ARCH);
  else throw new Error("Skein's FFI layer needs Deno (with --allow-ffi) or Bun");
  return loaded;
}

// ---------------------------------------------------------------------------
// io_uring (Deno on Linux; the IoUringParker's only)

/** The io_uring system calls and ring mapping the io_uring parker needs. */
export interface IoUringSys {
  /** `io_uring_setup(entries, params)`: the ring fd, or -1 with errno set. */
  setup(entries: number, params: Uint8Array): number;
  /** `io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0)`: -1 with errno set on error. */
  enter(fd: number, toSubmit: number, minComplete: number, flags: number): number;
  /**
   * `mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset)`
   * as an `ArrayBuffer` over the mapping, with `unmap()` to release it; null
   * (errno set) when the kernel refuses.
   */
  mapShared(fd: number, length: number, offset: number): MappedRegion | null;
}

/** A shared mapping: its bytes, and how to release them (once; the buffer must not be used after). */
export interface MappedRegion {
  /** The mapped bytes (external memory: not moved, not freed by the GC). */
  readonly buffer: ArrayBuffer;
  /** `munmap` the region. */
  unmap(): void;
}

/** io_uring's system call numbers: the same on every Linux architecture (asm-generic and x86_64). */
const SYS_IO_URING_SETUP = 425n;
const SYS_IO_URING_ENTER = 426n;
const PROT_READ_WRITE = 0x3;
const MAP_SHARED_POPULATE = 0x01 | 0x8000;

let ioUring: IoUringSys | null | undefined;

/**
 * io_uring for this process: Deno on Linux only (Bun parks on its own loop
 * instead), null elsewhere. Binds `syscall`, `mmap` and `munmap` on first use.
 *
 * @example
 * ```ts ignore
 * import { loadIoUring } from "./libc.ts";
 * const params = new Uint8Array(120);
 * const ring = loadIoUring()?.setup(4, params) ?? -1; // -1 where io_uring is missing or forbidden
 * ```
 */
export function loadIoUring(): IoUringSys | null {
  if (ioUring !== undefined) return ioUring;
  ioUring = null;
  if (RUNTIME !== "deno" || HOST_OS !== "linux") return null;
  const loaded = loadLibc();
  const defs = {
    // syscall(2) is variadic; on Linux (x86_64 and aarch64) its integer
    // arguments travel in the same registers as a fixed six-argument call.
    syscall: { parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], result: "i64" },
    mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
    munmap: { parameters: ["pointer", "usize"], result: "i32" },
  } as const;
  let lib: Deno.DynamicLibrary<typeof defs> | undefined;
  for (const path of libraryPaths("linux")) {
    try {
      lib = Deno.dlopen(path, defs);
      break;
    } catch {
      // try the next name
    }
  }
  if (lib === undefined) return null;
  const s = lib.symbols;
  const address = loaded.libc.address;
  ioUring = {
    setup: (entries, params) =>
      Number(s.syscall(SYS_IO_URING_SETUP, BigInt(entries), address(params), 0n, 0n, 0n, 0n)),
    enter: (fd, toSubmit, minComplete, flags) =>
      Number(
        s.syscall(
          SYS_IO_URING_ENTER,
          BigInt(fd),
          BigInt(toSubmit),
          BigInt(minComplete),
          BigInt(flags),
          0n,
          0n,
        ),
      ),
    mapShared: (fd, length, offset) => {
      const p = s.mmap(
        null,
        BigInt(length),
        PROT_READ_WRITE,
        MAP_SHARED_POPULATE,
        fd,
        BigInt(offset),
      );
      // MAP_FAILED is (void *)-1.
      if (p === null || BigInt(Deno.UnsafePointer.value(p)) === 0xffffffffffffffffn) return null;
      let mapped = true;
      return {
        buffer: Deno.UnsafePointerView.getArrayBuffer(p, length),
        unmap: () => {
          if (mapped) s.munmap(p, BigInt(length));
          mapped = false;
        },
      };
    },
  };
  return ioUring;
}
