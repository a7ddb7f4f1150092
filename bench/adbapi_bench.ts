/**
 * adbapi benchmark: `runQuery` of a one-row primary-key SELECT, in ops/s,
 * with 1 and 16 concurrent callers, on SQLite and PostgreSQL, against
 *
 * - Python Twisted's `adbapi.ConnectionPool` over `sqlite3` and `psycopg2`,
 *   run as a subprocess in the same invocation (same table, same pool size);
 * - the same query called directly on the main thread through the driver
 *   (`executeOnce`, no pool, no Worker): the limit of the database itself;
 * - the floor of any Worker pool: a bare `node:worker_threads` Worker that
 *   runs the same driver call per message, one caller (post, Worker wake,
 *   driver call, reply, main-thread wake: what the runtime and the OS cost).
 *   The pool's overhead per query is its time per query minus that floor.
 *
 * Every peer runs in each round, one after another (the floor twice, before
 * and after the pool, each on a Worker of its own), and the table shows each
 * figure's median over the rounds. Besides ops/s (wall time, which a busy machine stretches) it
 * shows CPU time per query (`process.cpuUsage()`, every thread of the
 * process; Python's `time.process_time()` likewise), the fairer comparison
 * on a shared machine.
 *
 * ```sh
 * deno run -A bench/adbapi_bench.ts                  # both databases, table with ratios
 * bun bench/adbapi_bench.ts --db=sqlite --seconds=3
 * deno run -A bench/adbapi_bench.ts --json           # one JSON object
 * ```
 *
 * Options: `--db=sqlite,postgres` (default both; PostgreSQL is the server of
 * `scripts/postgres.sh`, started when needed, or `$SKEIN_PG_CONNINFO`),
 * `--callers=1,16`, `--seconds=N` per measurement (default 2), `--rounds=N`
 * (default 3; the table shows each figure's median), `--max=N` pool size
 * (default 5, min 3, as both pools' defaults), `--no-twisted`,
 * `--python=PATH` (default `/usr/bin/python3`; needs Debian's
 * `python3-twisted` and `python3-psycopg2`), `--json`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { postgres, sqlite } from "../adbapi/builtin_drivers.ts";
import { ConnectionPool } from "../adbapi/connection_pool.ts";
import type { DriverConnection, DriverSpec } from "../adbapi/driver.ts";
import { connectPostgres } from "../adbapi/postgres.ts";
import { connectSqlite } from "../adbapi/sqlite.ts";
import type { IReactorCore, TriggerHandle } from "../interfaces.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROWS = 1000;

/** Parsed command line. */
export interface BenchOptions {
  dbs: ("sqlite" | "postgres")[];
  callers: number[];
  seconds: number;
  rounds: number;
  max: number;
  twisted: boolean;
  python: string;
  json: boolean;
}

/** Parse `argv` (see the module docs). */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    dbs: ["sqlite", "postgres"],
    callers: [1, 16],
    seconds: 2,
    rounds: 3,
    max: 5,
    twisted: true,
    python: existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3",
    json: false,
  };
  for (const arg of argv) {
    const [key, value = ""] = arg.replace(/^--/, "").split("=", 2);
    if (key === "db") o.dbs = value.split(",") as BenchOptions["dbs"];
    else if (key === "callers") o.callers = value.split(",").map(Number);
    else if (key === "seconds") o.seconds = Number(value);
    else if (key === "rounds") o.rounds = Number(value);
    else if (key === "max") o.max = Number(value);
    else if (key === "no-twisted") o.twisted = false;
    else if (key === "python") o.python = value;
    else if (key === "json") o.json = true;
    else {throw new Error(
        `adbapi_bench: unknown option ${arg} (see the header of bench/adbapi_bench.ts)`,
      );}
  }
  for (const db of o.dbs) {
    if (db !== "sqlite" && db !== "postgres") {
      throw new Error(`adbapi_bench: --db takes sqlite and/or postgres, got ${db}`);
    }
  }
  if (!(o.seconds > 0) || !(o.rounds >= 1) || !(o.max >= 1) || o.callers.some((c) => !(c >= 1))) {
    throw new Error("adbapi_bench: --seconds, --rounds, --max and --callers must be positive");
  }
  return o;
}

/** One database's figures by number of callers (each the median over the rounds). */
export interface DbReport {
  readonly db: string;
  /** The query, as each side ran it. */
  readonly sql: string;
  /** The driver called directly on the main thread (one caller: it blocks). */
  readonly direct: Figure;
  /** A bare Worker running the same driver call, one caller: the floor of a Worker pool. */
  readonly floor: Figure;
  readonly skein: Record<string, Figure>;
  /** `null` when Twisted was not measured (with the reason in `twistedNote`). */
  readonly twisted: Record<string, Figure> | null;
  readonly twistedNote: string;
}

/** The whole run. */
export interface BenchReport {
  readonly runtime: string;
  readonly seconds: number;
  readonly rounds: number;
  readonly max: number;
  readonly results: DbReport[];
}

/** A reactor the pool only registers its hooks with (the bench starts and closes it itself). */
const HOOKS: IReactorCore = {
  running: false,
  run: () => Promise.resolve(),
  stop: () => {},
  crash: () => {},
  callWhenRunning: (): TriggerHandle | null => ({ phase: "after", event: "startup" }),
  addSystemEventTrigger: (phase, event): TriggerHandle => ({ phase, event }),
  removeSystemEventTrigger: () => {},
  fireSystemEvent: () => {},
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string; }; }; Bun?: { version: string; }; };
  return g.Deno
    ? `deno ${g.Deno.version.deno}`
    : g.Bun
    ? `bun ${g.Bun.version}`
    : `node ${process.version}`;
}

/** One measurement: queries per second (wall) and CPU µs per query (the whole process). */
export interface Figure {
  readonly ops: number;
  readonly cpuUs: number;
}

/** `count` queries done since `start` (ms) and `cpu0`. */
function figure(count: number, start: number, cpu0: NodeJS.CpuUsage): Figure {
  const cpu = process.cpuUsage(cpu0);
  return {
    ops: count / ((performance.now() - start) / 1000),
    cpuUs: (cpu.user + cpu.system) / count,
  };
}

/** `callers` loops each awaiting `query(i)` until the deadline, after a warm-up. */
async function measure(
  callers: number,
  seconds: number,
  query: (i: number) => PromiseLike<unknown>,
): Promise<Figure> {
  let count = 0;
  const run = async (ms: number): Promise<Figure> => {
    count = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const deadline = start + ms;
    await Promise.all(Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        await query(count++);
      }
    }));
    return figure(count, start, cpu0);
  };
  await run(seconds * 250); // warm-up
  return run(seconds * 1000);
}

function measureDirect(conn: DriverConnection, sql: string, seconds: number): Figure {
  const run = (ms: number): Figure => {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const deadline = start + ms;
    while (performance.now() < deadline) {
      for (let i = 0; i < 100; i++) conn.executeOnce!(sql, [1 + (n++ % ROWS)]);
    }
    return figure(n, start, cpu0);
  };
  run(seconds * 250);
  return run(seconds * 1000);
}

// The floor: a bare Worker that opens the driver and answers each message
// with the rows of one executeOnce (what a pool Worker does, without the pool).
const FLOOR_WORKER = "data:text/javascript," + encodeURIComponent(`
import { parentPort } from "node:worker_threads";
let conn = null;
parentPort.on("message", async (m) => {
  if (conn === null) {
    const module = await import(m.module);
    conn = module.connect(m.options);
    parentPort.postMessage(0);
    return;
  }
  if (m === "close") { conn.close(); parentPort.postMessage(0); return; }
  parentPort.postMessage([1, m[0], [[true, conn.executeOnce(m[1], [m[2]])]]]);
});`);

/** The floor's round trips, one caller (see FLOOR_WORKER). */
async function measureFloor(t: Target, seconds: number): Promise<Figure> {
  const worker = new Worker(new URL(FLOOR_WORKER));
  let wake: ((m: unknown) => void) | null = null;
  worker.on("message", (m: unknown) => wake?.(m));
  const next = (): Promise<unknown> => new Promise((resolve) => wake = resolve);
  try {
    const opened = next();
    worker.postMessage({ module: t.driver.module, options: t.options });
    await opened;
    const figure = await measure(1, seconds, (i) => {
      const reply = next();
      worker.postMessage([i, t.sql, 1 + (i % ROWS)]);
      return reply;
    });
    const closed = next();
    worker.postMessage("close");
    await closed;
    return figure;
  } finally {
    await worker.terminate();
  }
}

const TWISTED_SCRIPT = `
import sys, json, time
from twisted.internet import reactor, defer
from twisted.enterprise import adbapi
db, target, seconds, rows, cpmax = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[5]), int(sys.argv[6])
callers = [int(x) for x in sys.argv[4].split(",")]
if db == "sqlite":
    pool = adbapi.ConnectionPool("sqlite3", target, check_same_thread=False, cp_min=min(3, cpmax), cp_max=cpmax)
    sql = "select v from kv where id = ?"
else:
    pool = adbapi.ConnectionPool("psycopg2", target, cp_min=min(3, cpmax), cp_max=cpmax)
    sql = "select v from bench_kv where id = %s"
@defer.inlineCallbacks
def caller(deadline, count):
    while time.perf_counter() < deadline:
        n = count[0]
        count[0] += 1
        yield pool.runQuery(sql, (1 + n % rows,))
@defer.inlineCallbacks
def run(c, secs):
    count = [0]
    cpu0 = time.process_time()
    start = time.perf_counter()
    yield defer.gatherResults([caller(start + secs, count) for _ in range(c)])
    ops = count[0] / (time.perf_counter() - start)
    return {"ops": ops, "cpuUs": (time.process_time() - cpu0) * 1e6 / count[0]}
@defer.inlineCallbacks
def main():
    out = {}
    try:
        for c in callers:
            yield run(c, seconds / 4)
            out[str(c)] = yield run(c, seconds)
        print(json.dumps(out))
    finally:
        pool.close()
        reactor.stop()
reactor.callWhenRunning(main)
reactor.run()
`;

function twistedAvailable(python: string, db: string): string | null {
  const module = db === "sqlite" ? "sqlite3" : "psycopg2";
  const r = spawnSync(python, ["-c", `import twisted.enterprise.adbapi, ${module}`], {
    encoding: "utf8",
  });
  if (r.status === 0) return null;
  return `${python} cannot import Twisted's adbapi and ${module} (Debian: apt-get install python3-twisted python3-psycopg2)`;
}

function measureTwisted(
  o: BenchOptions,
  script: string,
  db: string,
  target: string,
): Record<string, Figure> {
  const out = execFileSync(
    o.python,
    [script, db, target, String(o.seconds), o.callers.join(","), String(ROWS), String(o.max)],
    { encoding: "utf8", timeout: (o.seconds * 3 * o.callers.length + 60) * 1000 },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Record<string, Figure>;
}

interface Target {
  readonly db: "sqlite" | "postgres";
  readonly sql: string;
  readonly driver: DriverSpec<unknown>;
  readonly options: unknown;
  /** Where Twisted connects: the file, or the libpq conninfo (psycopg2 takes it as its dsn). */
  readonly twistedTarget: string;
  readonly direct: () => DriverConnection;
}

function sqliteTarget(dir: string): Target {
  const path = join(dir, "kv.db");
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
  const setup = connectSqlite({ path });
  setup.execute("create table kv (id integer primary key, v text not null)", []);
  for (let i = 1; i <= ROWS; i++) setup.execute("insert into kv values (?, ?)", [i, `value ${i}`]);
  setup.commit();
  setup.close();
  return target("sqlite", "select v from kv where id = ?", sqlite, { path }, path, connectSqlite);
}

function target<O>(
  db: Target["db"],
  sql: string,
  driver: DriverSpec<O>,
  options: O,
  twistedTarget: string,
  connect: (options: O) => DriverConnection,
): Target {
  const spec = driver as DriverSpec<unknown>;
  return { db, sql, driver: spec, options, twistedTarget, direct: () => connect(options) };
}

function postgresTarget(): Target {
  let conninfo = process.env.SKEIN_PG_CONNINFO ?? "";
  if (conninfo === "") {
    const r = spawnSync("bash", [join(ROOT, "scripts", "postgres.sh"), "start"], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`adbapi_bench: no PostgreSQL server: ${r.stderr.trim()}`);
    conninfo = r.stdout.trim().split("\n").pop()!;
  }
  const setup = connectPostgres({ conninfo });
  setup.executeOnce!("drop table if exists bench_kv", []);
  setup.executeOnce!("create table bench_kv (id integer primary key, v text not null)", []);
  setup.executeOnce!("insert into bench_kv select i, 'value ' || i from generate_series(1, $1) i", [
    ROWS,
  ]);
  setup.executeOnce!("analyze bench_kv", []);
  setup.close();
  const sql = "select v from bench_kv where id = $1";
  return target("postgres", sql, postgres, { conninfo }, conninfo, connectPostgres);
}

async function benchOne(o: BenchOptions, t: Target, script: string): Promise<DbReport> {
  const note = o.twisted ? twistedAvailable(o.python, t.db) : "not measured (--no-twisted)";
  const rounds: {
    direct: Figure;
    floors: Figure[];
    skein: Record<string, Figure>;
    twisted: Record<string, Figure> | null;
  }[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const conn = t.direct();
    const direct = measureDirect(conn, t.sql, o.seconds);
    conn.close();
    const floor = await measureFloor(t, o.seconds);
    const pool = new ConnectionPool(t.driver, t.options, {
      min: Math.min(3, o.max),
      max: o.max,
      reactor: HOOKS,
    });
    pool.start();
    await pool.runQuery(t.sql, [1]);
    const skein: Record<string, Figure> = {};
    for (const c of o.callers) {
      skein[c] = await measure(c, o.seconds, (i) => pool.runQuery(t.sql, [1 + (i % ROWS)]));
    }
    await pool.close();
    const after = await measureFloor(t, o.seconds);
    const twisted = note === null ? measureTwisted(o, script, t.db, t.twistedTarget) : null;
    rounds.push({ direct, floors: [floor, after], skein, twisted });
  }
  // Each figure's median over the rounds (a Worker pair's round trip is
  // bimodal on a busy machine and keeps its mode for the pair's life, so a
  // single round may pair a fast floor with a slow pool, or the reverse).
  const med = (pick: (r: (typeof rounds)[number]) => Figure | Figure[] | undefined): Figure => {
    const figures = rounds.flatMap(pick).filter((f): f is Figure => f !== undefined);
    return { ops: median(figures.map((f) => f.ops)), cpuUs: median(figures.map((f) => f.cpuUs)) };
  };
  const byCallers = (pick: (r: (typeof rounds)[number]) => Record<string, Figure> | null) =>
    Object.fromEntries(o.callers.map((c) => [String(c), med((r) => pick(r)?.[String(c)])]));
  return {
    db: t.db,
    sql: t.sql,
    direct: med((r) => r.direct),
    floor: med((r) => r.floors),
    skein: byCallers((r) => r.skein),
    twisted: note === null ? byCallers((r) => r.twisted) : null,
    twistedNote: note ?? "",
  };
}

function table(report: BenchReport): string {
  const lines: string[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  const us = (n: number): string => n.toFixed(1);
  lines.push(
    `adbapi runQuery, one-row primary-key SELECT: ${report.runtime}, pool max ${report.max}, `
      + `${report.seconds} s × ${report.rounds} rounds (medians)`,
  );
  lines.push("");
  lines.push(
    "db        callers   Skein ops/s   Twisted ops/s  × Twisted │ Skein CPU µs/q  Twisted CPU µs/q  × Twisted │ floor ops/s  overhead µs/q (wall, CPU)",
  );
  for (const r of report.results) {
    for (const [c, f] of Object.entries(r.skein)) {
      const tw = r.twisted?.[c];
      const one = c === "1";
      lines.push(
        [
          r.db.padEnd(9),
          c.padStart(7),
          fmt(f.ops).padStart(13),
          (tw === undefined ? "–" : fmt(tw.ops)).padStart(15),
          (tw === undefined ? "–" : `${(f.ops / tw.ops).toFixed(2)}×`).padStart(10),
          "│",
          us(f.cpuUs).padStart(14),
          (tw === undefined ? "–" : us(tw.cpuUs)).padStart(17),
          (tw === undefined ? "–" : `${(tw.cpuUs / f.cpuUs).toFixed(2)}×`).padStart(10),
          "│",
          (one ? fmt(r.floor.ops) : "").padStart(11),
          one
            ? `${us(1e6 / f.ops - 1e6 / r.floor.ops)}, ${us(f.cpuUs - r.floor.cpuUs)}`.padStart(26)
            : "",
        ].join(" "),
      );
    }
    lines.push(
      `  ${r.db}: direct on the main thread ${fmt(r.direct.ops)} ops/s, ${
        us(r.direct.cpuUs)
      } CPU µs/q; floor (a bare Worker running the same driver call) ${
        us(1e6 / r.floor.ops)
      } µs/q, ${us(r.floor.cpuUs)} CPU µs/q`,
    );
    if (r.twisted === null) lines.push(`  Twisted (${r.db}): ${r.twistedNote}`);
  }
  lines.push("");
  lines.push(
    "× Twisted by CPU: Twisted's CPU time per query over Skein's. overhead = the pool's time per query − the floor's (one caller)",
  );
  return lines.join("\n");
}

/** Run the benchmark; prints through `print` and returns the printed text. */
export async function main(
  argv: readonly string[],
  print: (s: string) => void = console.log,
): Promise<string> {
  const o = parseArgs(argv);
  const dir = join(ROOT, ".tmp", "adbapi_bench");
  mkdirSync(dir, { recursive: true });
  const script = join(dir, "twisted_adbapi.py");
  writeFileSync(script, TWISTED_SCRIPT);
  const results: DbReport[] = [];
  for (const db of o.dbs) {
    results.push(await benchOne(o, db === "sqlite" ? sqliteTarget(dir) : postgresTarget(), script));
  }
  const report: BenchReport = {
    runtime: runtimeName(),
    seconds: o.seconds,
    rounds: o.rounds,
    max: o.max,
    results,
  };
  const text = o.json ? JSON.stringify(report) : table(report);
  print(text);
  return text;
}

if (import.meta.main) await main(process.argv.slice(2));
