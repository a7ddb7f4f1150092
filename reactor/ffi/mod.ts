/**
 * The runtime-abstraction layer: libc through Deno FFI or Bun FFI, the
 * constants and struct layouts of Linux, macOS and FreeBSD, errno tables and
 * typed errors, a monotonic clock, and the `Parker` that waits off the JS
 * thread. Everything above this folder is runtime-agnostic.
 *
 * Files, one concept each: `libc.ts` (`loadLibc`, one `LoadedLibc` shape over
 * `libc_deno.ts` and `libc_bun.ts`), `io_uring.ts`, `dlopen.ts`, the struct
 * families `sockaddr.ts`, `poller_structs.ts` and `io_uring_structs.ts`,
 * `constants.ts`, `errno.ts`, and the parkers (`parker.ts` holds `Parker`,
 * `createParker` and `PARKER_KINDS`; one file per parker).
 *
 * **Binding another C library** (a database client, say): call
 * {@linkcode dlopenLibrary} with the candidate names and the functions, in
 * Deno's type names. It works on Deno (needs `--allow-ffi`) and Bun, tries the
 * names in order and names them all when none opens. Pointers it returns are
 * the runtime's own values: read them with {@linkcode readCString},
 * {@linkcode copyBytes} and {@linkcode pointerAddress}; pass strings with
 * {@linkcode cString}. A new binding lives in its own file in this folder.
 *
 * @example Open a library and call into it
 * ```ts
 * import assert from "node:assert/strict";
 * import { cString, dlopenLibrary, ffiAvailable, libc, libraryPaths } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const lib = dlopenLibrary(libraryPaths(libc().os), {
 *     strlen: { parameters: ["buffer"], result: "usize" },
 *     // Deno runs this one on a thread pool (a promise); it is null on Bun.
 *     strlenLater: { name: "strlen", parameters: ["buffer"], result: "usize", nonblocking: true },
 *   });
 *   try {
 *     assert.equal(Number(lib.symbols.strlen(cString("skein"))), 5);
 *     const later = lib.symbols.strlenLater;
 *     if (later !== null) assert.equal(Number(await later(cString("ab"))), 2);
 *   } finally {
 *     lib.close();
 *   }
 * }
 * ```
 *
 * @example The C library itself
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const fd = libc().socket(constants.AF_INET, constants.SOCK_STREAM, 0);
 *   assert.ok(fd >= 0);
 *   assert.equal(libc().close(fd), 0);
 * }
 * ```
 *
 * @module
 */

import { HOST_ARCH, HOST_OS, RUNTIME } from "./_platform.ts";
import { constants } from "./constants.ts";
import { loadLibc } from "./libc.ts";
import { createParker as makeParker, type Parker, type ParkerKind } from "./parker.ts";
import type { Libc } from "./types.ts";

export { envVar } from "./_platform.ts";
export { type Constants, constants, constantsFor } from "./constants.ts";
export {
  type BoundSymbol,
  copyBytes,
  cString,
  dlopenLibrary,
  type FfiArg,
  type FfiResult,
  type FfiType,
  type NativePointer,
  type OpenedLibrary,
  openFirst,
  pointerAddress,
  pointerOf,
  readCString,
  type SymbolSpec,
} from "./dlopen.ts";
export {
  type CommonErrno,
  errno,
  errnoName,
  errnoNumber,
  type ErrnoTable,
  errnoTable,
  errorFromErrno,
} from "./errno.ts";
export * from "./io_uring_structs.ts";
export { libraryPaths } from "./libc.ts";
export { type Parker, PARKER_KINDS, type ParkerKind } from "./parker.ts";
export * from "./poller_structs.ts";
export * from "./sockaddr.ts";
export type { ArchName, Libc, OSName } from "./types.ts";

/**
 * The C library of this process, bound on first use (synchronously, on both
 * runtimes). Methods are the C functions: `libc().recv(fd, buf, n, 0)` is one
 * FFI call returning the C result; on -1 read `libc().errno()` at once. Throws
 * when FFI is unavailable; check {@linkcode ffiAvailable} first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errno, ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   assert.ok(libc().getpid() > 0);
 *   assert.equal(libc().close(-1), -1); // a failed call: read errno at once
 *   assert.equal(libc().errno(), errno.EBADF);
 * }
 * ```
 */
export function libc(): Libc {
  if (bound !== null) return bound;
  if (!ffiAvailable()) throw new Error(ffiUnavailableMessage());
  bound = loadLibc().libc;
  return bound;
}

let bound: Libc | null = null;

function ffiUnavailableMessage(): string {
  if (HOST_OS === null || HOST_ARCH === null) {
    return "Skein's FFI layer supports Linux, macOS and FreeBSD on x86_64/aarch64 only; use the host reactor";
  }
  if (RUNTIME === "deno") {
    return "FFI is not permitted: run Deno with --allow-ffi (or -A), or use the host reactor";
  }
  if (RUNTIME === "bun") return "the C library could not be loaded through bun:ffi";
  return "Skein's FFI layer needs Deno (with --allow-ffi) or Bun; use the host reactor";
}

/**
 * Build the runtime's default {@linkcode Parker} (see `createParker` in
 * `parker.ts`), after checking that FFI is available so that a missing
 * permission gives a clear error instead of a prompt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createParker, ffiAvailable } from "@skein/skein/reactor";
 * import { constants, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker = createParker();
 *   const parked = parker.park(new Int32Array([pipe[0]])); // until the pipe is readable
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked;
 *   assert.equal(libc().read(pipe[0], new Uint8Array(4), 4), 1);
 *   const idle = parker.park(new Int32Array([pipe[0]]));
 *   parker.wake(); // ends the park at once
 *   await idle;
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
 * ```
 */
export function createParker(kind?: ParkerKind): Parker {
  if (!ffiAvailable()) throw new Error(ffiUnavailableMessage());
  return makeParker(kind);
}

/**
 * `sched_yield(2)` as a function to keep and call on a hot path (let another
 * runnable thread on this CPU run first), or a no-op where FFI is not
 * available or yielding measured slower (Deno). Returns the C result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuYielder } from "./mod.ts";
 *
 * const yieldCpu = cpuYielder();
 * assert.equal(yieldCpu(), 0);
 * ```
 */
export function cpuYielder(): () => number {
  if (!ffiAvailable()) return () => 0;
  return loadLibc().schedYield;
}

let available: boolean | null = null;

/**
 * Whether the FFI layer can run here: Deno with the ffi permission granted
 * (`--allow-ffi` or `-A`), or Bun, on Linux, macOS or FreeBSD (x86-64 or
 * aarch64), with libc loadable. Never prompts for a permission, never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availablePollers, ffiAvailable } from "@skein/skein/reactor";
 *
 * // Without FFI there are no pollers: createReactor() picks the host reactor.
 * assert.equal(availablePollers().length > 0, ffiAvailable());
 * ```
 */
export function ffiAvailable(): boolean {
  if (available !== null) return available;
  available = false;
  if (HOST_OS === null || HOST_ARCH === null) return available;
  if (RUNTIME === "deno") {
    try {
      if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return available;
    } catch {
      return available;
    }
  } else if (RUNTIME !== "bun") {
    return available;
  }
  try {
    loadLibc();
    available = true;
  } catch {
    available = false;
  }
  return available;
}

let clock: (() => number) | null = null;

function makeClock(): () => number {
  if (ffiAvailable()) {
    // The vDSO call through FFI measured faster than performance.now() on
    // both runtimes (Deno ≈53 vs 109 ns, Bun ≈42 vs 48 ns; bench/ffi_bench.ts)
    // and reads the system-wide CLOCK_MONOTONIC.
    const lib = libc();
    const ts = new Uint8Array(16);
    const u32 = new Uint32Array(ts.buffer);
    const i32 = new Int32Array(ts.buffer);
    const id = constants.CLOCK_MONOTONIC;
    return () => {
      lib.clock_gettime(id, ts);
      return u32[0] + i32[1] * 4294967296 + u32[2] / 1e9;
    };
  }
  return () => performance.now() / 1000;
}

/**
 * Seconds on a monotonic clock (arbitrary origin, never goes back), for
 * `IReactorTime.seconds()`: `clock_gettime(CLOCK_MONOTONIC)` through FFI
 * (measured faster than `performance.now()` on both runtimes), or
 * `performance.now()` where FFI is unavailable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { monotonicSeconds } from "./mod.ts";
 * const t0 = monotonicSeconds();
 * assert.ok(monotonicSeconds() >= t0);
 * ```
 */
export function monotonicSeconds(): number {
  if (clock === null) clock = makeClock();
  return clock();
}
