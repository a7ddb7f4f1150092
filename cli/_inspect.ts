/**
 * `runInspected`: start `skein` again under the runtime's V8 inspector
 * (`skein run -b` / `--inspect`) and wait for it.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { runtimeCommand } from "../reactor/ffi/runtime_command.ts";
import type { RunOutcome } from "./_runner.ts";
import { mainScript, ROLE_VARIABLE } from "./_self.ts";
import type { RunnerOptions } from "./options.ts";

/**
 * Run this command line again with `--inspect-brk` (for `-b/--debug`: the
 * program waits for a debugger and stops on its first line) or `--inspect`
 * (runs at once), stdio shared, SIGTERM and SIGINT passed on; resolves with
 * how it ended. Prints how to attach.
 */
export function runInspected(
  argv: readonly string[],
  options: RunnerOptions,
  print: (line: string) => void,
): Promise<RunOutcome> {
  const address = options.inspect ?? "127.0.0.1:9229";
  const mode = options.debug ? "inspect-brk" : "inspect";
  const line = runtimeCommand(mainScript(), argv, { inspect: mode, inspectAddress: address });
  print(
    `skein: running under the inspector on ${address}${
      mode === "inspect-brk" ? ", stopped before the first line until a debugger attaches" : ""
    }.`,
  );
  print(
    `skein: attach with Chrome or Edge (open chrome://inspect, "Configure…" ${address}), VS Code ("Attach" to ${address}), or the ws:// URL the runtime prints below.`,
  );
  const child = spawn(line.command, line.args, {
    stdio: "inherit",
    env: { ...process.env, [ROLE_VARIABLE]: "inspected" },
  });
  const forward = (signal: "SIGTERM" | "SIGINT"): () => void => () => child.kill(signal);
  const onTerm = forward("SIGTERM");
  const onInt = forward("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      resolve({
        code: code ?? 1,
        signal: signal === "SIGTERM" || signal === "SIGINT" ? signal : null,
      });
    });
  });
}
