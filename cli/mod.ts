/**
 * The `skein` command line: Twisted's `twistd`/`twist` for Skein. Run it as
 * `deno run -A <checkout>/cli/main.ts run app.ts` or `bun cli/main.ts run
 * app.ts`, where `app.ts` exports an `application` (see
 * `@skein/skein/application`) or a `makeService(options)`. This module is the
 * same thing as functions, for embedding and tests: `skein(argv)`, the option
 * parser, the pid file, the plugin contract and the built-in commands.
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
export * from "./builtin_plugins.ts";
export * from "./options.ts";
export * from "./pid_file.ts";
export * from "./plugin.ts";
export type { RunOutcome } from "./runner.ts";
export * from "./skein.ts";
