/**
 * adbapi benchmark: `runQuery` of a one-row primary-key SELECT, in ops/s,
 * with 1 and 16 concurrent callers, on SQLite and PostgreSQL, against
 *
 * - Python Twisted's `adbapi.ConnectionPool` over `sqlite3` and `psycopg2`,
 *   run as a subprocess in the same invocation (same table, same pool size);
 * - the same query called directly on the main thread through the driver
 *   (`executeOnce`, no pool, no Worker): the limit. The pool's overhead per
 *   query is its time per query minus that.
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

/** One database's figures: ops/s by number of callers (medians over the rounds). */
export interface DbReport {
  readonly db: string;
  /** The query, as each side ran it. */
  readonly sql: string;
  /** The driver called directly on the main thread (one caller: it blocks). */
  readonly direct: number;
  readonly skein: Record<string, number>;
  /** `null` when Twisted was not measured (with the reason in `twistedNote`). */
  readonly twisted: Record<string, number> | null;
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
  return s.length % 2 === 1 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string; }; }; Bun?: { version: string; }; };
  return g.Deno
    ? `deno ${g.Deno.version.deno}`
    : g.Bun
    ? `bun ${g.Bun.version}`
    : `node ${process.version}`;
}

/** ops/s of `callers` loops each awaiting `query(i)` until the deadline. */
async function measure(
  callers: number,
  seconds: number,
  query: (i: number) => PromiseLike<unknown>,
): Promise<number> {
  let count = 0;
  const run = async (ms: number): Promise<number> => {
    count = 0;
    const start = performance.now();
    const deadline = start + ms;
    await Promise.all(Array.from({ length: callers }, async () => {
      while (performance.now() < deadline) {
        await query(count++);
      }
    }));
    return count / ((performance.now() - start) / 1000);
  };
  await run(seconds * 250); // warm-up
  return run(seconds * 1000);
}

function measureDirect(conn: DriverConnection, sql: string, seconds: number): number {
  const run = (ms: number): number => {
    let n = 0;
    const start = performance.now();
    const deadline = start + ms;
    while (performance.now() < deadline) {
      for (let i = 0; i < 100; i++) conn.executeOnce!(sql, [1 + (n++ % ROWS)]);
    }
    return n / ((performance.now() - start) / 1000);
  };
  run(seconds * 250);
  return run(seconds * 1000);
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
    start = time.perf_counter()
    yield defer.gatherResults([caller(start + secs, count) for _ in range(c)])
    return count[0] / (time.perf_counter() - start)
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
): Record<string, number> {
  const out = execFileSync(
    o.python,
    [script, db, target, String(o.seconds), o.callers.join(","), String(ROWS), String(o.max)],
    { encoding: "utf8", timeout: (o.seconds * 3 * o.callers.length + 60) * 1000 },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Record<string, number>;
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
  return {
    db: "sqlite",
    sql: "select v from kv where id = ?",
    driver: sqlite as DriverSpec<unknown>,
    options: { path },
    twistedTarget: path,
    direct: () => connectSqlite({ path }),
  };
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
  return {
    db: "postgres",
    sql: "select v from bench_kv where id = $1",
    driver: postgres as DriverSpec<unknown>,
    options: { conninfo },
    twistedTarget: conninfo,
    direct: () => connectPostgres({ conninfo }),
  };
}

async function benchOne(o: BenchOptions, t: Target, script: string): Promise<DbReport> {
  const note = o.twisted ? twistedAvailable(o.python, t.db) : "not measured (--no-twisted)";
  const direct: number[] = [];
  const skein: Record<string, number[]> = {};
  const twisted: Record<string, number[]> = {};
  for (let round = 0; round < o.rounds; round++) {
    const conn = t.direct();
    direct.push(measureDirect(conn, t.sql, o.seconds));
    conn.close();
    const pool = new ConnectionPool(t.driver, t.options, {
      min: Math.min(3, o.max),
      max: o.max,
      reactor: HOOKS,
    });
    pool.start();
    await pool.runQuery(t.sql, [1]);
    for (const c of o.callers) {
      (skein[c] ??= []).push(
        await measure(c, o.seconds, (i) => pool.runQuery(t.sql, [1 + (i % ROWS)])),
      );
    }
    await pool.close();
    if (note === null) {
      const tw = measureTwisted(o, script, t.db, t.twistedTarget);
      for (const c of o.callers) (twisted[c] ??= []).push(tw[String(c)]);
    }
  }
  const med = (r: Record<string, number[]>): Record<string, number> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
  return {
    db: t.db,
    sql: t.sql,
    direct: median(direct),
    skein: med(skein),
    twisted: note === null ? med(twisted) : null,
    twistedNote: note ?? "",
  };
}

function table(report: BenchReport): string {
  const lines: string[] = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
  lines.push(
    `adbapi runQuery, one-row primary-key SELECT: ${report.runtime}, pool max ${report.max}, `
      + `${report.seconds} s × ${report.rounds} rounds (medians)`,
  );
  lines.push("");
  lines.push(
    "db        callers   Skein ops/s   Twisted ops/s   × Twisted   direct ops/s   pool µs/query   overhead µs/query",
  );
  for (const r of report.results) {
    const directUs = 1e6 / r.direct;
    for (const [c, ops] of Object.entries(r.skein)) {
      const tw = r.twisted?.[c];
      const us = 1e6 / ops;
      lines.push(
        [
          r.db.padEnd(9),
          c.padStart(7),
          fmt(ops).padStart(13),
          (tw === undefined ? "–" : fmt(tw)).padStart(15),
          (tw === undefined ? "–" : `${(ops / tw).toFixed(2)}×`).padStart(11),
          fmt(r.direct).padStart(14),
          us.toFixed(1).padStart(15),
          (us - directUs).toFixed(1).padStart(19),
        ].join(" "),
      );
    }
    if (r.twisted === null) lines.push(`  Twisted (${r.db}): ${r.twistedNote}`);
  }
  lines.push("");
  lines.push(
    "direct: the driver on the main thread, no pool (the limit); overhead = pool µs/query − direct µs/query",
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
