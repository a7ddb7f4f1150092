/**
 * `SkeinPlugin`: a command of `skein`, Twisted's `IServiceMaker`, and how
 * `skein` finds them.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { IReactor, IReactorProcess, IService } from "../interfaces.ts";
import type { RunnerOptions } from "./options.ts";
import { UsageError } from "./options.ts";

/**
 * What a plugin's `makeService` (and an app module's `makeService`) is given.
 *
 * @example
 * ```ts
 * import type { ServiceMakerOptions } from "@skein/skein/cli";
 * import { Service } from "@skein/skein/application";
 * export function makeService(options: ServiceMakerOptions): Service {
 *   const service = new Service();
 *   service.setName(options.argv[0] ?? "unnamed");
 *   return service;
 * }
 * ```
 */
export interface ServiceMakerOptions {
  /** The command's arguments (after the app module, for `skein run`). */
  argv: string[];
  /** The reactor `skein` runs (the process-wide `reactor`). */
  reactor: IReactor & IReactorProcess;
  /** The runner's options. */
  runner: RunnerOptions;
  /** The directory `skein` was started in (before `--rundir`): relative paths given on the command line are relative to it. */
  cwd?: string;
}

/**
 * A command of `skein`: Twisted's `IServiceMaker` plugin. `skein NAME args`
 * runs the service `makeService` returns under the runner (pid file, logs,
 * signals, daemon, workers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimerService } from "@skein/skein/application";
 * import type { SkeinPlugin } from "@skein/skein/cli";
 *
 * export const plugin: SkeinPlugin = {
 *   name: "heartbeat",
 *   description: "log a line every few seconds",
 *   help: "skein heartbeat [SECONDS]",
 *   makeService: ({ argv }) => new TimerService(Number(argv[0] ?? 5), () => console.log("beat")),
 * };
 * assert.equal(plugin.name, "heartbeat");
 * ```
 */
export interface SkeinPlugin {
  /** The command name (`skein NAME`). */
  readonly name: string;
  /** One line for `skein --help`. */
  readonly description: string;
  /** The command's usage and options, for `skein NAME --help`. */
  readonly help: string;
  /** Build the service to run; throw a `UsageError` for bad arguments. */
  makeService(options: ServiceMakerOptions): IService | Promise<IService>;
}

function isPlugin(value: unknown): value is SkeinPlugin {
  const p = value as Partial<SkeinPlugin> | null;
  return typeof p === "object" && p !== null && typeof p.name === "string"
    && typeof p.makeService === "function";
}

/**
 * Import the plugin module `specifier` (a path, relative to the current
 * directory, or a URL) and return its `plugin` export and the members of its
 * `plugins` export. Throws a `UsageError` when it has neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { loadPluginModule } from "@skein/skein/cli";
 *
 * const file = join(mkdtempSync(join(tmpdir(), "skein-")), "hello_plugin.ts");
 * writeFileSync(file, `export const plugin = { name: "hello", description: "d", help: "h", makeService() { throw new Error("unused"); } };`);
 * const [plugin] = await loadPluginModule(file);
 * assert.equal(plugin.name, "hello");
 * ```
 */
export async function loadPluginModule(specifier: string): Promise<SkeinPlugin[]> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(specifier) && !isAbsolute(specifier)
    ? specifier
    : pathToFileURL(resolve(specifier)).href;
  const mod = (await import(url)) as { plugin?: unknown; plugins?: unknown; };
  const found: SkeinPlugin[] = [];
  if (isPlugin(mod.plugin)) found.push(mod.plugin);
  if (Array.isArray(mod.plugins)) { for (const p of mod.plugins) if (isPlugin(p)) found.push(p); }
  if (found.length === 0) {
    throw new UsageError(
      `plugin module ${specifier} exports no plugin; export const plugin: SkeinPlugin = { name, description, help, makeService }`,
    );
  }
  return found;
}

/**
 * The plugin modules `skein` loads besides `--plugin`, by this rule: the
 * `SKEIN_PLUGINS` environment variable (paths separated by `:`), then the
 * `skein.plugins` list of `package.json` in the current directory (paths
 * relative to it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { declaredPluginModules } from "@skein/skein/cli";
 *
 * const dir = mkdtempSync(join(tmpdir(), "skein-"));
 * writeFileSync(join(dir, "package.json"), JSON.stringify({ skein: { plugins: ["./p.ts"] } }));
 * assert.deepEqual(declaredPluginModules(dir, {}), [join(dir, "p.ts")]);
 * ```
 */
export function declaredPluginModules(
  directory: string = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): string[] {
  const found: string[] = [];
  for (const entry of (env.SKEIN_PLUGINS ?? "").split(":")) if (entry !== "") found.push(entry);
  let manifest: unknown = null;
  try {
    manifest = JSON.parse(readFileSync(resolve(directory, "package.json"), "utf8"));
  } catch {
    // no package.json (or not JSON): nothing declared there
  }
  const list = (manifest as { skein?: { plugins?: unknown; }; } | null)?.skein?.plugins;
  if (Array.isArray(list)) {
    for (const entry of list) if (typeof entry === "string") found.push(resolve(directory, entry));
  }
  return found;
}
