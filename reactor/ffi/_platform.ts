/**
 * Runtime, OS and CPU detection for the FFI layer. Internal.
 *
 * @module
 */

import type { ArchName, OSName } from "./types.ts";

/**
 * The JavaScript runtime we run on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUNTIME, type RuntimeName } from "./_platform.ts";
 *
 * const here: RuntimeName = RUNTIME;
 * assert.ok(["deno", "bun", "other"].includes(here));
 * ```
 */
export type RuntimeName = "deno" | "bun" | "other";

interface ProcessLike {
  platform?: string;
  arch?: string;
  versions?: { bun?: string; };
  env?: Record<string, string | undefined>;
}

const proc: ProcessLike | undefined = (globalThis as { process?: ProcessLike; }).process;

/**
 * The runtime: `"deno"`, `"bun"` or `"other"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUNTIME } from "./_platform.ts";
 *
 * assert.equal(RUNTIME, typeof Deno !== "undefined" ? "deno" : "bun");
 * ```
 */
export const RUNTIME: RuntimeName = typeof Deno !== "undefined" && typeof Deno.dlopen === "function"
  ? "deno"
  : typeof (globalThis as { Bun?: unknown; }).Bun !== "undefined" || proc?.versions?.bun
  ? "bun"
  : "other";

function detectOS(): OSName | null {
  const raw = RUNTIME === "deno" ? Deno.build.os : proc?.platform;
  return raw === "linux" || raw === "darwin" || raw === "freebsd" ? raw : null;
}

function detectArch(): ArchName | null {
  const raw = RUNTIME === "deno" ? Deno.build.arch : proc?.arch;
  if (raw === "x86_64" || raw === "x64") return "x86_64";
  if (raw === "aarch64" || raw === "arm64") return "aarch64";
  return null;
}

/**
 * The OS, or `null` when it is not one the layer supports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_OS } from "./_platform.ts";
 *
 * assert.ok(HOST_OS === null || ["linux", "darwin", "freebsd"].includes(HOST_OS));
 * ```
 */
export const HOST_OS: OSName | null = detectOS();
/**
 * The CPU architecture, or `null` when it is not one the layer supports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_ARCH } from "./_platform.ts";
 *
 * assert.ok(HOST_ARCH === null || ["x86_64", "aarch64"].includes(HOST_ARCH));
 * ```
 */
export const HOST_ARCH: ArchName | null = detectArch();

/**
 * The OS to use for tables when the host OS is unsupported (tables only, never for calls).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_OS, TABLE_OS } from "./_platform.ts";
 *
 * assert.equal(TABLE_OS, HOST_OS ?? "linux");
 * ```
 */
export const TABLE_OS: OSName = HOST_OS ?? "linux";
/**
 * The arch to use for struct layouts when the host arch is unsupported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_ARCH, TABLE_ARCH } from "./_platform.ts";
 *
 * assert.equal(TABLE_ARCH, HOST_ARCH ?? "x86_64");
 * ```
 */
export const TABLE_ARCH: ArchName = HOST_ARCH ?? "x86_64";

/**
 * An environment variable, or `undefined` when unset, empty, or not readable
 * (Deno without `--allow-env`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envVar } from "./_platform.ts";
 *
 * assert.equal(envVar("SKEIN_SURELY_UNSET_VARIABLE"), undefined);
 * ```
 */
export function envVar(name: string): string | undefined {
  try {
    const v = proc?.env?.[name];
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined; // no permission to read the environment
  }
}
