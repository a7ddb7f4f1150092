/**
 * What a test needs to know about the runtime it runs on, in one place: which
 * runtime it is, and how to start this runtime again on a script in a child
 * process (`deno run <flags> script …` on Deno, `bun script …` on Bun, which
 * has no permission flags).
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";

/** The runtime the tests run on, for the few differences they pin. */
export const RUNTIME: "deno" | "bun" = "Deno" in globalThis ? "deno" : "bun";

/** Whether the tests run on Deno. */
export const isDeno: boolean = RUNTIME === "deno";

/**
 * The arguments that run `script` with `args` on this runtime, for
 * `spawn(process.execPath, runtimeArgs(…))`. On Deno: `run`, the permission
 * flags `denoFlags` (all of them, `-A`, unless given), the script and its
 * arguments; on Bun: the script and its arguments.
 */
export function runtimeArgs(
  script: string,
  args: readonly string[] = [],
  denoFlags: readonly string[] = ["-A"],
): string[] {
  return isDeno ? ["run", ...denoFlags, script, ...args] : [script, ...args];
}

/** The arguments that evaluate the module source `code` on this runtime (`deno eval` / `bun -e`). */
export function evalArgs(code: string): string[] {
  return isDeno ? ["eval", code] : ["-e", code];
}

/** What a child process printed, how it exited, and how long it took. */
export interface ChildOutput {
  /** Everything it wrote to stdout. */
  out: string;
  /** Everything it wrote to stderr. */
  err: string;
  /** Its exit code (null when a signal ended it). */
  code: number | null;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

/** Options for {@linkcode runCommand} and {@linkcode runScript}. */
export interface RunOptions {
  /** Variables added to (or, as `undefined`, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Kill the child (SIGKILL) and reject when it has not exited by then (default 20 s). */
  timeoutMs?: number;
  /** Called after each stdout chunk with all stdout so far, e.g. to signal the child. */
  onStdout?: (out: string, child: ChildProcess) => void;
}

/**
 * Run `cmd args` with stdin closed; resolve with its output and exit code once
 * it has exited and closed its output, or kill it and reject (naming the
 * command and quoting its output) after `timeoutMs`.
 */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<ChildOutput> {
  const ms = opts.timeoutMs ?? 20_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b: Uint8Array) => {
      out += new TextDecoder().decode(b);
      opts.onStdout?.(out, child);
    });
    child.stderr!.on("data", (b: Uint8Array) => {
      err += new TextDecoder().decode(b);
    });
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} did not exit within ${ms} ms:\n${out}\n${err}`));
    }, ms);
    child.on("error", (e) => {
      clearTimeout(deadline);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ out, err, code, ms: performance.now() - t0 });
    });
  });
}

/**
 * Run `script` with `args` on this runtime in a child process (see
 * {@linkcode runtimeArgs}; `denoFlags` default to `-A`) and collect what it
 * prints, as {@linkcode runCommand} does.
 */
export function runScript(
  script: string,
  args: readonly string[] = [],
  opts: RunOptions & { denoFlags?: readonly string[]; } = {},
): Promise<ChildOutput> {
  return runCommand(process.execPath, runtimeArgs(script, args, opts.denoFlags), opts);
}
