/**
 * `parentEnvironment()`: this program's environment as a child inherits it
 * (`process.env` with this program's own changes), read the quick way on
 * each runtime: Deno reads `process.env` one variable at a time through its
 * own environment, `Deno.env.toObject()` takes it in one call.
 *
 * @module
 */

import process from "node:process";
import { RUNTIME } from "./_platform.ts";

/**
 * This program's environment, strings only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { parentEnvironment } from "./spawn_env.ts";
 *
 * process.env.SKEIN_ENV_EXAMPLE = "seen";
 * assert.equal(parentEnvironment().SKEIN_ENV_EXAMPLE, "seen");
 * delete process.env.SKEIN_ENV_EXAMPLE;
 * ```
 */
export function parentEnvironment(): Record<string, string> {
  if (RUNTIME === "deno") return Deno.env.toObject();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (typeof v === "string") env[k] = v;
  return env;
}
