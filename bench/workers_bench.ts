/**
 * `skein run --workers N` on the echo app: msgs/s and server CPU per message
 * for N = 1 and N = 2, measured by the benchmark harness's C load generator
 * (50 connections ping-ponging 64-byte messages), rounds interleaved
 * (1, 2, 1, 2, …) so machine noise spreads over both. CPU is the workers'
 * user+system time from /proc over the measured window.
 *
 * usage: deno run -A bench/workers_bench.ts [--rounds 3] [--duration 3] [--conns 50]
 *        (or: bun bench/workers_bench.ts …). Linux only (SO_REUSEPORT, /proc).
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, ".tmp", "bench");
const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const rounds = Number(opt("rounds", "3"));
const duration = opt("duration", "3");
const conns = opt("conns", "50");

if (!existsSync(join(work, "build", "loadgen"))) {
  mkdirSync(dirname(work), { recursive: true });
  cpSync(resolve(root, "..", "shared", "bench"), work, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", work]);
  execFileSync("make", ["-s"], { cwd: work, stdio: "inherit" });
}

const isDeno = "Deno" in globalThis;
const ticks = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, "127.0.0.1", () => {
      s.destroy();
      done(true);
    });
    s.on("error", () => done(false));
  });
}

async function measure(
  workers: number,
  port: number,
): Promise<{ msgs: number; cpuUsPerMsg: number; }> {
  const main = join(root, "cli", "main.ts");
  const app = join(root, "examples", "app.ts");
  const runtimeArgs = isDeno ? ["run", "-A", main] : [main];
  const child = spawn(
    process.execPath,
    [
      ...runtimeArgs,
      "run",
      "--workers",
      String(workers),
      "--log-format",
      "text",
      app,
      "--port",
      String(port),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  const deadline = Date.now() + 20_000;
  while ((out.match(/echo listening on/g)?.length ?? 0) < workers || !(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`the workers did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pids = [...out.matchAll(/Started worker-\d \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  const before = pids.map(cpuSeconds);
  const result = JSON.parse(
    execFileSync(join(work, "build", "loadgen"), [
      "-p",
      String(port),
      "-c",
      conns,
      "-s",
      "64",
      "-d",
      duration,
      "-w",
      "1",
      "-n",
    ], {
      encoding: "utf8",
    }),
  ) as { msgs_per_sec?: number; };
  const cpu = pids.map(cpuSeconds).reduce((a, b, i) => a + b - before[i], 0);
  const exited = new Promise((r) => child.on("close", r));
  child.kill("SIGTERM");
  await exited;
  const msgs = result.msgs_per_sec ?? 0;
  // CPU covers warm-up plus the measured window; messages are counted over the window only.
  const total = msgs * (Number(duration) + 1);
  return { msgs, cpuUsPerMsg: (cpu * 1e6) / total };
}

const results: Record<number, { msgs: number; cpuUsPerMsg: number; }[]> = { 1: [], 2: [] };
let port = 23700 + Math.floor(Math.random() * 200);
for (let r = 0; r < rounds; r++) {
  for (const n of [1, 2]) {
    const m = await measure(n, port++);
    results[n].push(m);
    console.error(
      `round ${r + 1} workers=${n}: ${Math.round(m.msgs)} msgs/s, ${
        m.cpuUsPerMsg.toFixed(1)
      } µs CPU/msg`,
    );
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const n of [1, 2]) {
  console.log(
    `${isDeno ? "deno" : "bun"} workers=${n}: median ${
      Math.round(median(results[n].map((m) => m.msgs)))
    } msgs/s, ${
      median(results[n].map((m) => m.cpuUsPerMsg)).toFixed(1)
    } µs server CPU/msg (${rounds} rounds, ${conns} connections, 64 B ping-pong, ${duration} s)`,
  );
}
