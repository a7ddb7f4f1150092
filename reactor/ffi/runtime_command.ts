/**
 * What `skein run` needs to know about the runtime to start itself again (as
 * a daemon, a worker, or under the inspector) and which signal rotates its
 * log file: the one place outside the reactor that differs between Deno and
 * Bun.
 *
 * @module
 */

import process from "node:process";
import { RUNTIME } from "./_platform.ts";

/**
 * How to start the runtime under the V8 inspector: `"inspect"` (listen,
 * run at once) or `"inspect-brk"` (listen, wait for a debugger and stop on
 * the first line).
 *
 * @example
 * ```ts
 * import type { InspectMode } from "./runtime_command.ts";
 * const mode: InspectMode = "inspect-brk";
 * ```
 */
export type InspectMode = "inspect" | "inspect-brk";

/**
 * A command line: the program and its arguments.
 *
 * @example
 * ```ts
 * import type { CommandLine } from "./runtime_command.ts";
 * const line: CommandLine = { command: "/usr/bin/env", args: ["true"] };
 * ```
 */
export interface CommandLine {
  /** The executable. */
  command: string;
  /** Its arguments. */
  args: string[];
}

/**
 * The command that runs `script` with `args` on this runtime: `deno run -A
 * [--inspect…] script args` on Deno, `bun [--inspect…] script args` on Bun.
 * The inspector listens on `inspectAddress` (default `127.0.0.1:9229`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runtimeCommand } from "./runtime_command.ts";
 *
 * const line = runtimeCommand("app.ts", ["--port", "1"], { inspect: "inspect" });
 * assert.deepEqual(line.args.slice(-3), ["app.ts", "--port", "1"]);
 * assert.ok(line.args.includes("--inspect=127.0.0.1:9229"));
 * ```
 */
export function runtimeCommand(
  script: string,
  args: readonly string[],
  options: { inspect?: InspectMode | null; inspectAddress?: string; } = {},
): CommandLine {
  const inspect = options.inspect == null
    ? []
    : [`--${options.inspect}=${options.inspectAddress ?? "127.0.0.1:9229"}`];
  if (RUNTIME === "deno") {
    return { command: process.execPath, args: ["run", "-A", ...inspect, script, ...args] };
  }
  return { command: process.execPath, args: [...inspect, script, ...args] };
}

/**
 * The signals that rotate `skein run`'s log file on this runtime. Bun:
 * `SIGUSR1` (as twistd) and `SIGUSR2`. Deno: only `SIGUSR2`, because Deno
 * starts its V8 inspector on port 9229 whenever the process receives
 * `SIGUSR1`, even when the program listens for it, and a program cannot turn
 * that off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logRotationSignals } from "./runtime_command.ts";
 *
 * assert.ok(logRotationSignals().includes("SIGUSR2"));
 * ```
 */
export function logRotationSignals(): ("SIGUSR1" | "SIGUSR2")[] {
  return RUNTIME === "deno" ? ["SIGUSR2"] : ["SIGUSR1", "SIGUSR2"];
}

/**
 * Whether SIGUSR1 opens the runtime's inspector (true on Deno).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sigusr1StartsInspector } from "./runtime_command.ts";
 *
 * assert.equal(sigusr1StartsInspector(), typeof Deno !== "undefined");
 * ```
 */
export function sigusr1StartsInspector(): boolean {
  return RUNTIME === "deno";
}
