/**
 * The commands `skein` always has: `run` (an app module), `procmon`, and the
 * hook for `web`, which is not available yet, and `manhole` (from the manhole module).
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ProcessMonitor } from "../application/process_monitor.ts";
import type { IService } from "../interfaces.ts";
import { UsageError } from "./options.ts";
import type { ServiceMakerOptions, SkeinPlugin } from "./plugin.ts";

function isService(value: unknown): value is IService {
  const s = value as Partial<IService> | null;
  return typeof s === "object" && s !== null && typeof s.startService === "function"
    && typeof s.stopService === "function" && typeof s.privilegedStartService === "function";
}

/**
 * `skein run APP [args]`: import the module APP (a path or URL) and run its
 * `application` export (an `IService`, usually an `Application`), or the
 * service its `makeService(options)` returns (given `args`), as twistd runs a
 * `.tac` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runPlugin } from "@skein/skein/cli";
 * assert.equal(runPlugin.name, "run");
 * assert.match(runPlugin.help, /application/);
 * ```
 */
export const runPlugin: SkeinPlugin = {
  name: "run",
  description: "run the application a module exports (export const application, or makeService)",
  help: [
    "usage: skein run [runner options] APP [app arguments]",
    "",
    "APP is a module (a path or a URL) that exports either",
    "  export const application: IService  (e.g. new Application(\"name\") with services under it), or",
    "  export function makeService(options: ServiceMakerOptions): IService | Promise<IService>",
    "    (options.argv holds the app arguments).",
  ].join("\n"),
  async makeService(options: ServiceMakerOptions): Promise<IService> {
    const [app, ...argv] = options.argv;
    if (app === undefined) throw new UsageError("skein run needs the app module: skein run app.ts");
    const url = /^[a-z][a-z0-9+.-]*:/i.test(app) && !app.startsWith("/")
      ? app
      : pathToFileURL(resolve(options.cwd ?? ".", app)).href;
    const mod = (await import(url)) as { application?: unknown; makeService?: unknown; };
    if (isService(mod.application)) return mod.application;
    if (typeof mod.makeService === "function") {
      const made: unknown = await (mod.makeService as (o: ServiceMakerOptions) => unknown)({
        ...options,
        argv,
      });
      if (!isService(made)) throw new UsageError(`${app}: makeService() did not return a service`);
      return made;
    }
    throw new UsageError(
      `${app} exports neither an application (export const application = new Application("name")) nor a makeService function`,
    );
  },
};

/**
 * `skein web`: the hook for Twisted's `twist web`. Skein has no web server
 * yet: the command says so and exits with status 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webPlugin } from "@skein/skein/cli";
 * assert.match(webPlugin.help, /Not available yet/);
 * ```
 */
export const webPlugin: SkeinPlugin = {
  name: "web",
  description: "serve HTTP (not available yet: Skein has no web server yet)",
  help: [
    "usage: skein web [--listen DESCRIPTION] [--path DIR]",
    "",
    "Not available yet: Skein has no HTTP server (twisted.web) yet. Serve HTTP from",
    "your own app module with skein run until it lands.",
  ].join("\n"),
  makeService(): IService {
    throw new UsageError(
      "skein web is not available yet: Skein has no web server yet (see skein web --help)",
    );
  },
};

/** `skein manhole`: Twisted's `twist manhole`, served by the manhole module. */
export { manholePlugin } from "../manhole/plugin.ts";

const PROCMON_OPTIONS = {
  "--threshold": "threshold",
  "--killtime": "killTime",
  "--minrestartdelay": "minRestartDelay",
  "--maxrestartdelay": "maxRestartDelay",
} as const;

/**
 * `skein procmon [options] PROGRAM [ARGS...]`: Twisted's `twist procmon`, run
 * one program under a {@linkcode ProcessMonitor}, restarted with backoff when
 * it dies and logged line by line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessMonitor } from "@skein/skein/application";
 * import { procmonPlugin } from "@skein/skein/cli";
 * import { PosixReactor } from "@skein/skein/reactor";
 * import { defaultRunnerOptions } from "@skein/skein/cli";
 *
 * const service = await procmonPlugin.makeService({
 *   argv: ["--threshold", "2", "sleep", "60"],
 *   reactor: new PosixReactor("poll"),
 *   runner: defaultRunnerOptions(),
 * });
 * assert.ok(service instanceof ProcessMonitor && service.threshold === 2);
 * ```
 */
export const procmonPlugin: SkeinPlugin = {
  name: "procmon",
  description: "run a program and restart it whenever it dies (Twisted's procmon)",
  help: [
    "usage: skein procmon [--threshold S] [--killtime S] [--minrestartdelay S] [--maxrestartdelay S] PROGRAM [ARGS...]",
    "",
    "  --threshold S         a run shorter than this is a quick death: the restart delay doubles (default 1)",
    "  --killtime S          seconds from SIGTERM to SIGKILL when stopping (default 5)",
    "  --minrestartdelay S   the first delay after a quick death (default 1)",
    "  --maxrestartdelay S   the longest delay (default 3600)",
    "",
    "The program's stdout and stderr go to the log, a line per event.",
  ].join("\n"),
  makeService(options: ServiceMakerOptions): IService {
    const argv = [...options.argv];
    const settings: Record<string, number> = {};
    while (argv.length > 0 && argv[0].startsWith("--")) {
      const flag = argv.shift()!;
      if (flag === "--") break;
      const [name, inline] = flag.includes("=") ? flag.split("=", 2) : [flag, undefined];
      const key = (PROCMON_OPTIONS as Record<string, string>)[name];
      if (key === undefined) {
        throw new UsageError(`skein procmon: unknown option ${name}; see skein procmon --help`);
      }
      const text = inline ?? argv.shift();
      const value = Number(text);
      if (text === undefined || !(value >= 0) || !Number.isFinite(value)) {
        throw new UsageError(`skein procmon: ${name} takes a number of seconds >= 0`);
      }
      settings[key] = value;
    }
    if (argv.length === 0) {
      throw new UsageError("skein procmon needs a program to run: skein procmon PROGRAM [ARGS...]");
    }
    const monitor = new ProcessMonitor(options.reactor, settings);
    monitor.addProcess(argv[0].split("/").pop()!, { args: argv });
    return monitor;
  },
};
