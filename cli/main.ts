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

import process from "node:process";
import { skein } from "./skein.ts";

if (import.meta.main) {
  const outcome = await skein(process.argv.slice(2));
  if (outcome.signal !== null) {
    // Nothing listens for it any more: the default action ends the process.
    process.kill(process.pid, outcome.signal);
    setTimeout(() => process.exit(128 + (outcome.signal === "SIGINT" ? 2 : 15)), 1000);
  } else {
    process.exit(outcome.code);
  }
}
