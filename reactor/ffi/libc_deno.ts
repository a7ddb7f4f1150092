/**
 * The C library on Deno: `Deno.dlopen` through `dlopenLibrary`, with `size_t`
 * arguments converted to BigInt (see `_libc_symbols.ts`) and errno read
 * through a view of `__errno_location()`. Internal to the FFI layer.
 *
 * @module
 */

import { assemble, libraryPaths, type Raw, symbolSpecs } from "./_libc_symbols.ts";
import { dlopenLibrary } from "./dlopen.ts";
import type { LoadedLibc } from "./libc.ts";
import type { ArchName, OSName } from "./types.ts";

/**
 * Bind the C library of `os`/`arch` over `Deno.dlopen` (needs `--allow-ffi`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDenoLibc } from "./libc_deno.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && typeof Deno !== "undefined") {
 *   const { libc: own } = loadDenoLibc(libc().os, libc().arch);
 *   assert.equal(own.getpid(), libc().getpid());
 * }
 * ```
 */
export function loadDenoLibc(os: OSName, arch: ArchName): LoadedLibc {
  const lib = dlopenLibrary(libraryPaths(os), symbolSpecs(os, arch));
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
