/**
 * The `skein` command line: Twisted's `twistd`/`twist` for Skein. Run it as
 * `deno run -A jsr:@skein/skein/cli run app.ts` (this module runs the command
 * line when it is the main module), or in a checkout as
 * `deno run -A cli/main.ts run app.ts` or `bun cli/main.ts run app.ts`, where `app.ts` exports an `application` (see
 * `@skein/skein/application`) or a `makeService(options)`. This module is the
 * same thing as functions, for embedding and tests: `skein(argv)`, the option
 * parser, the pid file, the plugin contract and the built-in commands.
 *
 * - Foreground by default; `--daemon` starts itself again in a session of its
 *   own with stdio on `/dev/null`, a pid file (`skein.pid`), a log file
 *   (`skein.log`) and umask 077, and returns once the daemon is up.
 * - SIGTERM and SIGINT stop the services in reverse order, waiting for their
 *   Deferreds up to `--shutdown-timeout` seconds; the process then ends by
 *   the same signal, so its parent sees why.
 * - SIGUSR2 rotates the log file; so does SIGUSR1 on Bun. On Deno, SIGUSR1
 *   always starts the runtime's V8 inspector on port 9229, whatever the
 *   program does, so send SIGUSR2 there.
 * - `--workers N` runs N copies that share their TCP ports (SO_REUSEPORT,
 *   Linux) under a supervisor that restarts any that dies.
 * - `-b/--debug` runs under `--inspect-brk` with Deferred and DelayedCall
 *   debugging on; `--inspect` without stopping.
 * - Commands: `run`, `procmon`, `manhole`, `web` (not available yet), and
 *   plugins (`SkeinPlugin`) from `--plugin MODULE`, the `SKEIN_PLUGINS`
 *   variable (paths joined by `:`), or `"skein": { "plugins": [...] }` in
 *   `./package.json`.
 * - An app module must import Skein from the same copy as the `skein` it runs
 *   under, so that both see one process-wide `reactor`.
 *
 * @example Parse a command line the way `skein` does
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "@skein/skein/cli";
 *
 * const { options, command, args } = parseCommandLine(["run", "--daemon", "--pidfile", "echo.pid", "examples/app.ts"]);
 * assert.equal(options.daemon, true);
 * assert.deepEqual([command, args], ["run", ["examples/app.ts"]]);
 * ```
 *
 * @module
 */
export type { RunOutcome } from "./_runner.ts";
export * from "./builtin_plugins.ts";
export * from "./options.ts";
export * from "./pid_file.ts";
export * from "./plugin.ts";
export * from "./skein.ts";

import { runMain } from "./_main.ts";

if (import.meta.main) await runMain();
