/**
 * `workersPlugin`: the supervisor of `skein run --workers N`, a
 * `ProcessMonitor` over N copies of the command, each sharing its TCP ports
 * with the others through SO_REUSEPORT.
 *
 * @module
 */

import process from "node:process";
import { ProcessMonitor } from "../application/process_monitor.ts";
import type { IService } from "../interfaces.ts";
import { runtimeCommand } from "../reactor/ffi/runtime_command.ts";
import { mainScript, ROLE_VARIABLE } from "./_self.ts";
import type { RunnerOptions } from "./options.ts";
import type { ServiceMakerOptions, SkeinPlugin } from "./plugin.ts";

/**
 * The supervisor: a plugin whose service monitors `workers` processes
 * running `argv` again in the worker role (their listening TCP ports set
 * SO_REUSEPORT, so the kernel spreads connections over them; they log to
 * stdout, which the supervisor logs line by line as `[worker-N] …`). A
 * worker that dies is started again (at once if it ran a second or more);
 * stopping the supervisor sends each SIGTERM, then SIGKILL after 80 % of
 * `--shutdown-timeout`.
 */
export function workersPlugin(argv: readonly string[], options: RunnerOptions): SkeinPlugin {
  const workers = options.workers ?? 1;
  return {
    name: "workers",
    description: `supervise ${workers} workers`,
    help: "",
    makeService(maker: ServiceMakerOptions): IService {
      const monitor = new ProcessMonitor(maker.reactor, {
        killTime: options.shutdownTimeout * 0.8,
      });
      monitor.setName(`${workers} workers`);
      const line = runtimeCommand(mainScript(), argv);
      for (let i = 1; i <= workers; i++) {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
        env[ROLE_VARIABLE] = "worker";
        env.SKEIN_WORKER = String(i);
        // Each worker starts where skein started, so relative paths (and --rundir) mean the same.
        const spec = {
          args: [line.command, ...line.args],
          env,
          ...(maker.cwd === undefined ? {} : { cwd: maker.cwd }),
        };
        monitor.addProcess(`worker-${i}`, spec);
      }
      return monitor;
    },
  };
}
