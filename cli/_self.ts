/**
 * How `skein` starts itself again: the entry script and the environment
 * variable that tells the new process its role.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The entry point to start again: a file path, or the URL when not on disk. */
export function mainScript(): string {
  const url = new URL("./main.ts", import.meta.url);
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}

/** The variable that tells a process started by `skein` what it is: daemon, worker or inspected. */
export const ROLE_VARIABLE = "SKEIN_RUNNER_ROLE";
