// deno-lint-ignore-file camelcase -- the harness's JSON keys are snake_case
/**
 * Echo benchmark driver: runs the C load generator of the benchmark harness against
 * the Skein echo server (`examples/echo_server.ts`) on Deno and on Bun and against the
 * peers (C epoll, Python Twisted, Deno.listen, Bun.listen, node:net) in the same run,
 * then prints msgs/s, p50/p99 and server CPU µs per message with ratios to the peers.
 *
 * usage: deno run -A bench/echo.ts [--configs pp_50c_64B,...] [--repeats N] [--duration S]
 *        (or: bun bench/echo.ts ...). Needs python3-twisted for the Twisted peer.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = resolve(root, "..", "shared", "bench");
const work = join(root, ".tmp", "bench");
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const configs = opt("configs", "pp_1c_64B_samecpu,pp_50c_64B,stream_10c_16K");
const repeats = opt("repeats", "3");
const duration = opt("duration", "2.5");
const only = opt("only", "c_epoll,twisted,deno,bun,node,skein_deno,skein_bun");

if (!existsSync(join(work, "run_all.sh"))) {
  mkdirSync(dirname(work), { recursive: true });
  cpSync(shared, work, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", work]);
}
execFileSync("make", ["-s"], { cwd: work, stdio: "inherit" });

const bin = join(root, "node_modules", ".bin");
const server = join(root, "examples", "echo_server.ts");
const extra = `
skein_deno     $DENO run -A ${server} {PORT}
skein_bun      $BUN ${server} {PORT}
`;
const out = join(work, "results", `skein-${Date.now()}`);
const r = spawnSync(
  "bash",
  [
    "./run_all.sh",
    "--only",
    only,
    "--configs",
    configs,
    "--repeats",
    repeats,
    "--duration",
    duration,
    "--out",
    out,
  ],
  {
    cwd: work,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      EXTRA_SERVERS: extra,
      RUNTIMES_DIR: root,
      PATH: `${bin}:${process.env.PATH}`,
    },
  },
);
if (r.status !== 0) process.exit(r.status ?? 1);

interface Row {
  server: string;
  config: string;
  ok?: boolean;
  loadgen?: { msgs_per_sec?: number; p50_us?: number; p99_us?: number; };
  cpu?: { server_cpu_s?: number; wall_s?: number; };
}
const rows: Row[] = readFileSync(join(out, "echo.jsonl"), "utf8").trim().split("\n")
  .map((l) => JSON.parse(l) as Row).filter((r) => r.ok && r.loadgen);
const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const of = (srv: string, cfg: string): Row[] =>
  rows.filter((x) => x.server === srv && x.config === cfg);
const msgs = (srv: string, cfg: string): number =>
  median(of(srv, cfg).map((x) => Number(x.loadgen?.msgs_per_sec)));
const p50 = (srv: string, cfg: string): number =>
  median(of(srv, cfg).map((x) => Number(x.loadgen?.p50_us)));
const p99 = (srv: string, cfg: string): number =>
  median(of(srv, cfg).map((x) => Number(x.loadgen?.p99_us)));
const cpuPerMsg = (srv: string, cfg: string): number =>
  median(
    of(srv, cfg).map((x) =>
      1e6 * Number(x.cpu?.server_cpu_s) / Number(x.cpu?.wall_s) / Number(x.loadgen?.msgs_per_sec)
    ),
  );

console.log(`\nSkein against its peers (median of ${repeats}; all measured in this run):`);
console.log(
  "| config | server | msgs/s | p50 µs | p99 µs | × own runtime | × Twisted | CPU µs/msg | CPU ÷ C epoll |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const cfg of configs.split(",")) {
  for (const [skein, own] of [["skein_deno", "deno"], ["skein_bun", "bun"]]) {
    const m = msgs(skein, cfg);
    const cpu = cpuPerMsg(skein, cfg);
    console.log(
      `| ${cfg} | ${skein} | ${m.toFixed(0)} | ${p50(skein, cfg).toFixed(1)} | ${
        p99(skein, cfg).toFixed(1)
      } | ${(m / msgs(own, cfg)).toFixed(2)} | ${(m / msgs("twisted", cfg)).toFixed(2)} | ${
        cpu.toFixed(2)
      } | ${(cpu / cpuPerMsg("c_epoll", cfg)).toFixed(2)} |`,
    );
  }
}
