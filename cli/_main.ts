/**
 * The `skein` program's entry: run the command line, then exit with its
 * status, or, when a signal stopped it, deliver that signal to itself again
 * so whoever started it sees the real cause (as twist and twistd do). Both
 * `cli/main.ts` and the `./cli` export (`cli/mod.ts`) call it when they are
 * the main module.
 *
 * @module
 */

import process from "node:process";
import { skein } from "./skein.ts";

/** Runs `skein` on the process's arguments and ends the process as it says. */
export async function runMain(): Promise<void> {
  const outcome = await skein(process.argv.slice(2));
  if (outcome.signal !== null) {
    // Nothing listens for it any more: the default action ends the process.
    process.kill(process.pid, outcome.signal);
    setTimeout(() => process.exit(128 + (outcome.signal === "SIGINT" ? 2 : 15)), 1000);
  } else {
    process.exit(outcome.code);
  }
}
