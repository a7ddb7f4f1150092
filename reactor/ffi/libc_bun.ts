/**
 * The C library on Bun: `bun:ffi` through `dlopenLibrary`, with the symbols
 * themselves as the methods (Bun takes `number` for `size_t`) and errno read
 * through a view of `__errno_location()`. Internal to the FFI layer.
 *
 * @module
 */

import { assemble, libraryPaths, type Raw, symbolSpecs } from "./_libc_symbols.ts";
import { dlopenLibrary } from "./dlopen.ts";
import type { LoadedLibc } from "./libc.ts";
import type { ArchName, OSName } from "./types.ts";

/** The `bun:ffi` calls this binding needs beyond `dlopenLibrary`. */
interface BunPointers {
  toArrayBuffer(ptr: number, byteOffset: number, byteLength: number): ArrayBuffer;
  ptr(view: ArrayBufferView): number;
}

/**
 * Bind the C library of `os`/`arch` over `bun:ffi` (Bun only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBunLibc } from "./libc_bun.ts";
 *
 * // Deno runs this example: there the Bun binding refuses to load.
 * if (typeof Deno !== "undefined") assert.throws(() => loadBunLibc("linux", "x86_64"));
 * ```
 */
export function loadBunLibc(os: OSName, arch: ArchName): LoadedLibc {
  const meta = import.meta as ImportMeta & { require?: (id: string) => unknown; };
  if (typeof meta.require !== "function") {
    throw new Error("the Bun binding of the C library needs Bun's import.meta.require");
  }
  const ffi = meta.require("bun:ffi") as BunPointers;
  const lib = dlopenLibrary(libraryPaths(os), symbolSpecs(os, arch));
  const raw = lib.symbols as unknown as Raw<number>;
  const errPtr = raw.errnoLocation() as number;
  const errnoView = new Int32Array(ffi.toArrayBuffer(errPtr, 0, 4));
  return {
    libc: assemble(os, arch, raw, errnoView, null, (buf) => BigInt(ffi.ptr(buf))),
    pollAsync: null,
    schedYield: raw.sched_yield,
  };
}
