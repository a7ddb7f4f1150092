/**
 * `skein`: the command line, as a function: parse, pick the command, and run
 * it in the foreground, as a daemon, under workers, or under the inspector.
 *
 * @module
 */

import { writeSync } from "node:fs";
import process from "node:process";
import { Logger } from "../logger/logger.ts";
import { ffiAvailable } from "../reactor/ffi/mod.ts";
import { defaultReactorKind, REACTOR_KINDS } from "../reactor/install.ts";
import { availablePollers } from "../reactor/pollers/mod.ts";
import { launchDaemon } from "./_daemon.ts";
import { runInspected } from "./_inspect.ts";
import { type RunnerRole, type RunOutcome, runService } from "./_runner.ts";
import { ROLE_VARIABLE } from "./_self.ts";
import { workersPlugin } from "./_workers.ts";
import { manholePlugin, procmonPlugin, runPlugin, webPlugin } from "./builtin_plugins.ts";
import {
  type CommandLineParts,
  parseCommandLine,
  runnerOptionsHelp,
  UsageError,
} from "./options.ts";
import { declaredPluginModules, loadPluginModule, type SkeinPlugin } from "./plugin.ts";

/**
 * Where `skein` writes what it tells the user (usage, errors, how to attach
 * a debugger).
 *
 * @example
 * ```ts
 * import type { SkeinOutput } from "@skein/skein/cli";
 * const lines: string[] = [];
 * const output: SkeinOutput = { out: (l) => lines.push(l), err: (l) => lines.push(l) };
 * ```
 */
export interface SkeinOutput {
  /** Normal output (help, version). */
  out(line: string): void;
  /** Errors and notices. */
  err(line: string): void;
}

function writeLine(fd: 1 | 2, line: string): void {
  try {
    writeSync(fd, new TextEncoder().encode(`${line}\n`));
  } catch {
    // the stream is closed (a daemon's): nobody to tell
  }
}

// Straight to the file descriptors: once logging begins, `console` goes into the log.
const standardOutput: SkeinOutput = {
  out: (line) => writeLine(1, line),
  err: (line) => writeLine(2, line),
};

/** The version `skein --version` prints. */
const VERSION = "0.1.0";

function usage(plugins: SkeinPlugin[]): string {
  const width = Math.max(...plugins.map((p) => p.name.length)) + 2;
  return [
    "usage: skein [runner options] COMMAND [runner options] [command arguments]",
    "",
    "Commands:",
    ...plugins.map((p) => `  ${p.name.padEnd(width)}${p.description}`),
    "",
    "Runner options:",
    runnerOptionsHelp(),
    "",
    "SIGTERM and SIGINT stop the services in reverse order, waiting for them; the exit status is the signal's.",
    "SIGUSR2 rotates the log file (and SIGUSR1 on Bun; on Deno SIGUSR1 always opens the runtime's inspector).",
    "More commands: --plugin MODULE, the SKEIN_PLUGINS variable (paths joined by ':'), or",
    "the \"skein\": { \"plugins\": [...] } list of ./package.json; a plugin module exports plugin (a SkeinPlugin).",
    "`skein COMMAND --help` shows a command's own help.",
  ].join("\n");
}

function reactorsHelp(): string {
  const pollers = ffiAvailable() ? availablePollers() : [];
  const lines = REACTOR_KINDS.map((kind) => {
    const here = kind === "host" || (pollers as readonly string[]).includes(kind);
    const what = kind === "host"
      ? "the runtime's own sockets (no FFI needed)"
      : `the ${kind} poller through FFI`;
    return `  ${kind.padEnd(8)}${what}${here ? "" : " (not available here)"}`;
  });
  return ["Reactors (--reactor KIND):", ...lines, `The default here: ${defaultReactorKind()}.`]
    .join("\n");
}

function roleFromEnvironment(): RunnerRole | "inspected" {
  const role = process.env[ROLE_VARIABLE];
  return role === "daemon" || role === "worker" || role === "inspected" ? role : "main";
}

/**
 * Run the `skein` command line `argv` (without the runtime and script) and
 * resolve with how it ended; `main.ts` turns that into the process's exit
 * status or signal. Bad usage prints the error and resolves with status 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skein } from "@skein/skein/cli";
 *
 * const lines: string[] = [];
 * const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
 * assert.deepEqual(await skein(["--version"], output), { code: 0, signal: null });
 * assert.deepEqual(lines, ["skein 0.1.0"]);
 * assert.equal((await skein(["no-such-command"], output)).code, 2);
 * ```
 */
export async function skein(
  argv: readonly string[],
  output: SkeinOutput = standardOutput,
): Promise<RunOutcome> {
  const role = roleFromEnvironment();
  let parts: CommandLineParts;
  const plugins: SkeinPlugin[] = [runPlugin, procmonPlugin, webPlugin, manholePlugin];
  try {
    parts = parseCommandLine(argv);
    const options = parts.options;
    if (options.version) {
      output.out(`skein ${VERSION}`);
      return { code: 0, signal: null };
    }
    if (options.helpReactors) {
      output.out(reactorsHelp());
      return { code: 0, signal: null };
    }
    for (const specifier of [...options.plugins, ...declaredPluginModules()]) {
      for (const plugin of await loadPluginModule(specifier)) {
        if (plugins.some((p) => p.name === plugin.name)) {
          throw new UsageError(
            `two plugins are called ${JSON.stringify(plugin.name)}; rename one (${specifier})`,
          );
        }
        plugins.push(plugin);
      }
    }
    if (parts.command === null) {
      (options.help ? output.out : output.err)(usage(plugins));
      return { code: options.help ? 0 : 2, signal: null };
    }
    const plugin = plugins.find((p) => p.name === parts.command);
    if (plugin === undefined) {
      throw new UsageError(
        `unknown command ${JSON.stringify(parts.command)}; the commands are ${
          plugins.map((p) => p.name).join(", ")
        }`,
      );
    }
    if (options.help) {
      output.out(
        `${plugin.help}\n\nRunner options (before or right after the command):\n${runnerOptionsHelp()}`,
      );
      return { code: 0, signal: null };
    }
    if (role === "main") {
      if ((options.debug || options.inspect !== null) && options.daemon) {
        throw new UsageError("--debug and --inspect run in the foreground; drop --daemon");
      }
      if (options.debug || options.inspect !== null) {
        return await runInspected(argv, options, output.err);
      }
      if (options.daemon) {
        return { code: await launchDaemon(argv, options, output.err), signal: null };
      }
    }
    if (options.workers !== null && role !== "worker") {
      return await runService(
        workersPlugin(argv, options),
        { ...parts, args: [] },
        role === "daemon" ? role : "main",
      );
    }
    return await runService(plugin, parts, role === "inspected" ? "main" : role);
  } catch (e) {
    if (e instanceof UsageError) {
      output.err(`skein: ${e.message}`);
      return { code: 2, signal: null };
    }
    const message = e instanceof Error ? e.message : String(e);
    new Logger({ namespace: "skein" }).failure("skein could not start: {message}", e, undefined, {
      message,
    });
    output.err(`skein: could not start: ${message}`);
    return { code: 1, signal: null };
  }
}
