/**
 * io_uring for the `IoUringParker` (Deno on Linux only): the two system
 * calls and the shared ring mappings, bound over `Deno.dlopen` (io_uring's
 * `syscall(2)` and `mmap(2)` need 64-bit arguments that `Libc` does not
 * carry). Internal to the FFI layer.
 *
 * @module
 */

import { HOST_OS, RUNTIME } from "./_platform.ts";
import { dlopenLibrary, type SymbolSpec } from "./dlopen.ts";
import { libraryPaths, loadLibc } from "./libc.ts";

/**
 * The io_uring system calls and ring mapping the io_uring parker needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IoUringSys, loadIoUring } from "./io_uring.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * const sys: IoUringSys | null = ffiAvailable() ? loadIoUring() : null;
 * // null off Deno-on-Linux; setup() may still fail (-1) where io_uring is disabled.
 * if (sys !== null) assert.equal(typeof sys.setup, "function");
 * ```
 */
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

/**
 * A shared mapping: its bytes, and how to release them (once; the buffer must not be used after).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadIoUring, type MappedRegion } from "./io_uring.ts";
 * import { ffiAvailable, IO_URING_PARAMS_SIZE, IORING, libc, readIoUringParams } from "./mod.ts";
 *
 * const sys = ffiAvailable() ? loadIoUring() : null;
 * const raw = new Uint8Array(IO_URING_PARAMS_SIZE);
 * const ring = sys?.setup(2, raw) ?? -1;
 * if (sys !== null && ring >= 0) {
 *   const p = readIoUringParams(raw);
 *   const region: MappedRegion | null = sys.mapShared(ring, 64 * p.sqEntries, IORING.OFF_SQES);
 *   if (region !== null) {
 *     assert.equal(region.buffer.byteLength, 64 * p.sqEntries);
 *     region.unmap();
 *   }
 *   libc().close(ring);
 * }
 * ```
 */
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

/** The three functions as Deno binds them. */
interface IoUringSymbols {
  syscall(...args: bigint[]): number | bigint;
  mmap(
    addr: null,
    length: bigint,
    prot: number,
    flags: number,
    fd: number,
    offset: bigint,
  ): Deno.PointerValue;
  munmap(addr: Deno.PointerObject, length: bigint): number;
}

let ioUring: IoUringSys | null | undefined;

/**
 * io_uring for this process: Deno on Linux only (Bun parks on its own loop
 * instead), null elsewhere. Binds `syscall`, `mmap` and `munmap` on first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadIoUring } from "./io_uring.ts";
 * import { ffiAvailable, IO_URING_PARAMS_SIZE, libc, readIoUringParams } from "./mod.ts";
 *
 * const sys = ffiAvailable() ? loadIoUring() : null;
 * const params = new Uint8Array(IO_URING_PARAMS_SIZE);
 * const ring = sys?.setup(4, params) ?? -1; // -1 where io_uring is missing or forbidden
 * if (ring >= 0) {
 *   assert.ok(readIoUringParams(params).sqEntries >= 4);
 *   libc().close(ring);
 * }
 * ```
 */
export function loadIoUring(): IoUringSys | null {
  if (ioUring !== undefined) return ioUring;
  ioUring = null;
  if (RUNTIME !== "deno" || HOST_OS !== "linux") return null;
  const loaded = loadLibc();
  const defs: {
    syscall: SymbolSpec;
    mmap: SymbolSpec;
    munmap: SymbolSpec;
  } = {
    // syscall(2) is variadic; on Linux (x86_64 and aarch64) its integer
    // arguments travel in the same registers as a fixed six-argument call.
    syscall: { parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], result: "i64" },
    mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
    munmap: { parameters: ["pointer", "usize"], result: "i32" },
  };
  let s: IoUringSymbols;
  try {
    s = dlopenLibrary(libraryPaths("linux"), defs).symbols as unknown as IoUringSymbols;
  } catch {
    return null;
  }
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
