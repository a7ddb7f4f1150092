/**
 * `launchDaemon`: start `skein` again as a daemon, detached from the terminal
 * in a session of its own, and wait until it has written its pid file.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { resolve } from "node:path";
import process from "node:process";
import { runtimeCommand } from "../reactor/ffi/runtime_command.ts";
import { mainScript, ROLE_VARIABLE } from "./_self.ts";
import type { RunnerOptions } from "./options.ts";
import { PIDFile } from "./pid_file.ts";

/**
 * Start this command line again as a daemon: a new session (`setsid`, by
 * spawning it detached), stdin, stdout and stderr on `/dev/null`, its pid in
 * `--pidfile` (default `skein.pid`) and its log in `--logfile` (default
 * `skein.log`), both relative to `--rundir`. Resolves once the daemon has
 * written its pid file (exit status 0), or when it exits first (1). A live
 * process already holding the pid file is refused before anything starts.
 */
export async function launchDaemon(
  argv: readonly string[],
  options: RunnerOptions,
  print: (line: string) => void,
  timeoutSeconds: number = 30,
): Promise<number> {
  const dir = resolve(options.rundir ?? ".");
  const pidPath = resolve(dir, options.pidfile ?? "skein.pid");
  const logPath = resolve(dir, options.logfile ?? "skein.log");
  const pidFile = new PIDFile(pidPath);
  const held = pidFile.read();
  if (held !== null && pidFile.isRunning()) {
    print(
      `skein: another process (pid ${held}) is running with pid file ${pidPath}; stop it first`,
    );
    return 1;
  }
  const line = runtimeCommand(mainScript(), argv);
  const child = spawn(line.command, line.args, {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, [ROLE_VARIABLE]: "daemon" },
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    print("skein: could not start the daemon process");
    return 1;
  }
  return await new Promise<number>((done) => {
    let finished = false;
    const finish = (code: number, message: string): void => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      clearTimeout(deadline);
      print(message);
      done(code);
    };
    child.once("exit", (code, signal) => {
      finish(
        1,
        `skein: the daemon exited during startup (${signal ?? `status ${code}`}); see ${logPath}`,
      );
    });
    // The daemon is up once it has claimed the pid file (after binding its ports).
    const poll = setInterval(() => {
      let now: number | null = null;
      try {
        now = pidFile.read();
      } catch {
        // half-written or replaced: look again
      }
      if (now === pid) {
        finish(0, `skein: daemon started, pid ${pid} (pid file ${pidPath}, log ${logPath})`);
      }
    }, 20);
    const deadline = setTimeout(() => {
      finish(
        1,
        `skein: the daemon (pid ${pid}) did not write ${pidPath} within ${timeoutSeconds} s; see ${logPath}`,
      );
    }, timeoutSeconds * 1000);
  });
}
