/**
 * The `skein` program: `deno run -A cli/main.ts run app.ts` or
 * `bun cli/main.ts run app.ts`. Runs the command line and exits with its
 * status, or, when a signal stopped it, delivers that signal to itself again
 * so whoever started it sees the real cause (as twist and twistd do).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skein } from "@skein/skein/cli";
 * assert.equal(typeof skein, "function");
 * ```
 *
 * @module
 */

import { runMain } from "./_main.ts";

if (import.meta.main) await runMain();
