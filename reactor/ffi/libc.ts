/**
 * `loadLibc()`: the C library bound once per process, loaded synchronously on
 * first use through the runtime's binding (`libc_deno.ts` over `Deno.dlopen`,
 * `libc_bun.ts` over `bun:ffi`); both give one {@linkcode LoadedLibc} shape.
 * Internal to the FFI layer; `reactor/ffi/mod.ts` re-exports what the rest of
 * Skein uses.
 *
 * @module
 */

import { HOST_ARCH, HOST_OS, RUNTIME } from "./_platform.ts";
import { loadBunLibc } from "./libc_bun.ts";
import { loadDenoLibc } from "./libc_deno.ts";
import type { Libc } from "./types.ts";

export { libraryPaths } from "./_libc_symbols.ts";

/**
 * The loaded library plus what only the FFI layer itself needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LoadedLibc, loadLibc } from "./libc.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const loaded: LoadedLibc = loadLibc();
 *   assert.equal(loaded.pollAsync !== null, typeof Deno !== "undefined"); // Deno only
 *   assert.equal(typeof loaded.schedYield(), "number");
 * }
 * ```
 */
export interface LoadedLibc {
  /** The public binding. */
  readonly libc: Libc;
  /** Deno only: `poll(2)` on tokio's blocking pool (the parker's wait). */
  readonly pollAsync:
    | ((fds: Uint8Array, nfds: number, timeoutMs: number) => Promise<number>)
    | null;
  /**
   * `sched_yield(2)`: let another runnable thread on this CPU run first.
   * A no-op on Deno, where it measured slower (see `libc_deno.ts`).
   */
  readonly schedYield: () => number;
}

let loaded: LoadedLibc | null = null;

/**
 * Load (once) and return the C library binding for this process.
 * Throws when FFI is unavailable (see `ffiAvailable()`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibc } from "./libc.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) assert.ok(loadLibc().libc.getpid() > 0);
 * ```
 */
export function loadLibc(): LoadedLibc {
  if (loaded !== null) return loaded;
  if (HOST_OS === null || HOST_ARCH === null) {
    throw new Error(
      `Skein's FFI layer does not support this platform (need linux, darwin or freebsd on x86_64/aarch64)`,
    );
  }
  if (RUNTIME === "deno") loaded = loadDenoLibc(HOST_OS, HOST_ARCH);
  else if (RUNTIME === "bun") loaded = loadBunLibc(HOST_OS, HOST_ARCH);
  else throw new Error("Skein's FFI layer needs Deno (with --allow-ffi) or Bun");
  return loaded;
}
