// Running `skein` as a real process for the cli tests: start it, wait for a
// line in its output or its log file, signal it, and see how it ended.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtimeArgs } from "../_runtime.ts";

export const root: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const mainTs: string = join(root, "cli", "main.ts");
export const fixtureApp: string = join(root, "tests", "cli", "_fixture_app.ts");

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "skein-cli-"));
}

/** A running `skein` and what it has printed so far. */
export interface Skein {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with how it ended: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; }>;
}

/**
 * Start `skein args` on this runtime in `cwd`, stdin closed, stdout/stderr
 * piped; `entry` is the module run as the program (default `cli/main.ts`).
 */
export function startSkein(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string>; entry?: string; } = {},
): Skein {
  const child = spawn(process.execPath, runtimeArgs(opts.entry ?? mainTs, args), {
    cwd: opts.cwd ?? root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  child.stderr!.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; }>((done) => {
    child.on("close", (code, signal) => done({ code, signal }));
  });
  return { child, out: () => out, err: () => err, exited };
}

/** Run `skein args` to the end (killed and failed after `timeoutMs`). */
export async function runSkein(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; entry?: string; } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; }> {
  const s = startSkein(args, opts);
  const timer = setTimeout(() => s.child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const end = await s.exited;
  clearTimeout(timer);
  return { ...end, out: s.out(), err: s.err() };
}

/**
 * Resolve once `read()` returns something `test` accepts (checked on every
 * turn of 20 ms, an event wait, not a fixed sleep); reject with what was last
 * read after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  read: () => T,
  test: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = read();
      if (test(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last seen: ${String(last)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Wait until `text()` contains `needle`. */
export function waitForText(
  what: string,
  text: () => string,
  needle: string | RegExp,
  timeoutMs?: number,
): Promise<string> {
  return waitFor(
    what,
    text,
    (t) => (typeof needle === "string" ? t.includes(needle) : needle.test(t)),
    timeoutMs,
  );
}

/** A file's text, or "" when it does not exist yet. */
export function fileText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The port a fixture logged (`fixture listening on N`) in `text`. */
export function fixturePort(text: string): number {
  const m = /fixture listening on (\d+)|"port":(\d+),[^\n]*fixture listening on/.exec(text);
  if (m === null) throw new Error("no port yet");
  return Number(m[1] ?? m[2]);
}

/** Connect to 127.0.0.1:`port` and read everything the server says before it closes. */
export function readFrom(port: number): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d: Uint8Array) => (text += new TextDecoder().decode(d)));
    socket.on("end", () => done(text));
    socket.on("error", fail);
  });
}

/** Send `data` and read the echo until `data.length` bytes came back. */
export function echoFrom(port: number, data: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(data));
    let text = "";
    socket.on("data", (d: Uint8Array) => {
      text += new TextDecoder().decode(d);
      if (text.length >= data.length) {
        socket.end();
        done(text);
      }
    });
    socket.on("error", fail);
  });
}

/** The TCP ports process `pid` listens on (from `ss`). */
export function listeningPorts(pid: number): number[] {
  const out = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  const ports: number[] = [];
  for (const line of out.split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[3] ?? "";
    ports.push(Number(local.slice(local.lastIndexOf(":") + 1)));
  }
  return ports;
}

/** Whether process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number; }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
