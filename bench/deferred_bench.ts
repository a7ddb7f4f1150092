/**
 * Deferred micro-benchmarks: the four cases of `bench/defer_twisted.py` (in
 * the shared benchmark folder), on Skein's Deferred, compared with Python
 * Twisted (run in the same invocation) and with the native Promise code of
 * `promise_ref.ts` (measured in this same process).
 *
 * ```sh
 * deno run -A bench/deferred_bench.ts                 # table: ops/s, ×Twisted, ×Promise
 * bun bench/deferred_bench.ts --batch-ms 200 --batches 7
 * deno run -A bench/deferred_bench.ts --json          # one JSON object, as defer_twisted.py prints
 * ```
 *
 * Options: `--batch-ms N` (default 200), `--batches N` (default 7), `--json`
 * (print only the JSON object, for `run_micro.sh`'s MICRO list), `--no-twisted`,
 * `--no-promise`, `--stat median|best` (which batch the table shows; `best`
 * is steadier on a busy machine), `--python PATH` (default `/usr/bin/python3`, else `python3`),
 * `--twisted-script PATH` (default `../shared/bench/defer_twisted.py` next to
 * this repository, or `$SKEIN_DEFER_TWISTED`).
 *
 * Cases (one op =):
 * - `a_fire_10_callbacks`: `new Deferred()`, 10 × `addCallback(x => x + 1)`, `callback(0)`
 * - `b_chain_10_fired`: the same, each callback returning `succeed(x + 1)`
 * - `c_list_100_fired`: `new DeferredList([succeed(0) … succeed(99)])`
 * - `d_coroutine_10_fired`: an `inlineCallbacks` function doing
 *   `total += yield succeed(i)` ten times
 *
 * Skein's ops are synchronous, as Twisted's are (an already-fired Deferred
 * runs its callbacks at once); each Promise op is awaited before the next,
 * as in `promise_ref.ts`.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Deferred, succeed } from "../deferred/deferred.ts";
import { DeferredList } from "../deferred/deferred_list.ts";
import { inlineCallbacks } from "../deferred/inline_callbacks.ts";

// ---------------------------------------------------------------------------
// Skein cases
// ---------------------------------------------------------------------------

const inc = (x: number): number => x + 1;
const incFired = (x: number): Deferred<number> => succeed(x + 1);

function caseA(): Deferred<number> {
  const d = new Deferred<number>();
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.addCallback(inc);
  d.callback(0);
  return d;
}

function caseB(): Deferred<number> {
  const d = new Deferred<number>();
  for (let i = 0; i < 10; i++) d.addCallback(incFired);
  d.callback(0);
  return d;
}

function caseC(): Deferred<unknown> {
  const ds = new Array<Deferred<number>>(100);
  for (let i = 0; i < 100; i++) ds[i] = succeed(i);
  return new DeferredList(ds);
}

const tenYields = inlineCallbacks(function*(): Generator<unknown, number, unknown> {
  let total = 0;
  for (let i = 0; i < 10; i++) total += (yield succeed(i)) as number;
  return total;
});

const tenYieldStars = inlineCallbacks(function*(): Generator<unknown, number, unknown> {
  let total = 0;
  for (let i = 0; i < 10; i++) total += yield* succeed(i);
  return total;
});

function caseD(): Deferred<number> {
  return tenYields();
}

function caseDStar(): Deferred<number> {
  return tenYieldStars();
}

function resultOf(d: Deferred<unknown>): unknown {
  let out: unknown = undefined;
  d.addBoth((r: unknown) => {
    out = r;
  });
  return out;
}

function checkSkein(): void {
  if (resultOf(caseA()) !== 10) throw new Error("case a gave a wrong result");
  if (resultOf(caseB()) !== 10) throw new Error("case b gave a wrong result");
  const c = resultOf(caseC()) as [boolean, unknown][];
  if (c.length !== 100 || !c.every(([ok]) => ok) || c[99][1] !== 99) {
    throw new Error("case c gave a wrong result");
  }
  if (resultOf(caseD()) !== 45) throw new Error("case d gave a wrong result");
  if (resultOf(caseDStar()) !== 45) throw new Error("case d* gave a wrong result");
}

// ---------------------------------------------------------------------------
// Native Promise counterparts (the code of promise_ref.ts)
// ---------------------------------------------------------------------------

const incP = (x: number): number => x + 1;
const incFiredP = (x: number): Promise<number> => Promise.resolve(x + 1);

function promiseA(): Promise<number> {
  let resolve!: (v: number) => void;
  let p = new Promise<number>((r) => {
    resolve = r;
  });
  for (let i = 0; i < 10; i++) p = p.then(incP);
  resolve(0);
  return p;
}

function promiseB(): Promise<number> {
  let resolve!: (v: number) => void;
  let p = new Promise<number>((r) => {
    resolve = r;
  });
  for (let i = 0; i < 10; i++) p = p.then(incFiredP);
  resolve(0);
  return p;
}

function promiseC(): Promise<number[]> {
  const arr: Promise<number>[] = new Array(100);
  for (let i = 0; i < 100; i++) arr[i] = Promise.resolve(i);
  return Promise.all(arr);
}

function promiseC2(): Promise<PromiseSettledResult<number>[]> {
  const arr: Promise<number>[] = new Array(100);
  for (let i = 0; i < 100; i++) arr[i] = Promise.resolve(i);
  return Promise.allSettled(arr);
}

async function promiseD(): Promise<number> {
  let total = 0;
  for (let i = 0; i < 10; i++) total += await Promise.resolve(i);
  return total;
}

async function checkPromise(): Promise<void> {
  if ((await promiseA()) !== 10) throw new Error("promise case a");
  if ((await promiseB()) !== 10) throw new Error("promise case b");
  const c = await promiseC();
  if (c.length !== 100 || c[99] !== 99) throw new Error("promise case c");
  const c2 = await promiseC2();
  if (c2.length !== 100 || c2[99].status !== "fulfilled") throw new Error("promise case c2");
  if ((await promiseD()) !== 45) throw new Error("promise case d");
}

// ---------------------------------------------------------------------------
// Measuring (the method of defer_twisted.py / promise_ref.ts)
// ---------------------------------------------------------------------------

/** One case's measurement, shaped like defer_twisted.py's. */
export interface CaseResult {
  /** Median ops/s over the batches. */
  "ops_per_sec": number;
  /** Ops/s of each batch. */
  batches: number[];
  /** Ops per batch. */
  "n_per_batch": number;
  /** What one op is. */
  what: string;
}

/** The JSON object the bench prints with `--json`. */
export interface BenchReport {
  /** Runtime and version, e.g. `deno 2.9.6 / Skein`. */
  runtime: string;
  /** Results by case name. */
  cases: Record<string, CaseResult>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function calibrate(run: (n: number) => number, batchMs: number): number {
  let n = 64;
  let dt = 0;
  // Grow until one batch takes at least min(50 ms, batchMs/2); bounded by count.
  const floor = Math.min(50, Math.max(1, batchMs / 2));
  for (let k = 0; k < 40; k++) {
    dt = run(n);
    if (dt >= floor) break;
    n *= 2;
  }
  return Math.max(1, Math.round((n * batchMs) / Math.max(dt, 1e-3)));
}

function measureSync(
  fn: () => unknown,
  batchMs: number,
  batches: number,
  what: string,
): CaseResult {
  const run = (n: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return performance.now() - t0;
  };
  const n = calibrate(run, batchMs);
  const rates: number[] = [];
  for (let b = 0; b < batches; b++) rates.push((n * 1000) / Math.max(run(n), 1e-3));
  return {
    ops_per_sec: Math.round(median(rates)),
    batches: rates.map(Math.round),
    n_per_batch: n,
    what,
  };
}

async function measureAsync(
  fn: () => Promise<unknown>,
  batchMs: number,
  batches: number,
  what: string,
): Promise<CaseResult> {
  const run = async (n: number): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return performance.now() - t0;
  };
  let n = 64;
  let dt = 0;
  const floor = Math.min(50, Math.max(1, batchMs / 2));
  for (let k = 0; k < 40; k++) {
    dt = await run(n);
    if (dt >= floor) break;
    n *= 2;
  }
  n = Math.max(1, Math.round((n * batchMs) / Math.max(dt, 1e-3)));
  const rates: number[] = [];
  for (let b = 0; b < batches; b++) rates.push((n * 1000) / Math.max(await run(n), 1e-3));
  return {
    ops_per_sec: Math.round(median(rates)),
    batches: rates.map(Math.round),
    n_per_batch: n,
    what,
  };
}

/** Calibrate a synchronous case: ops per batch of about `batchMs`. */
function calibrateSync(fn: () => unknown, batchMs: number): number {
  return calibrate((n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return performance.now() - t0;
  }, batchMs);
}

async function runAsync(fn: () => Promise<unknown>, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return performance.now() - t0;
}

async function calibrateAsync(fn: () => Promise<unknown>, batchMs: number): Promise<number> {
  let n = 64;
  let dt = 0;
  const floor = Math.min(50, Math.max(1, batchMs / 2));
  for (let k = 0; k < 40; k++) {
    dt = await runAsync(fn, n);
    if (dt >= floor) break;
    n *= 2;
  }
  return Math.max(1, Math.round((n * batchMs) / Math.max(dt, 1e-3)));
}

function toResult(rates: number[], n: number, what: string): CaseResult {
  return {
    "ops_per_sec": Math.round(median(rates)),
    batches: rates.map(Math.round),
    "n_per_batch": n,
    what,
  };
}

/**
 * Measure Skein and its Promise counterpart case by case, alternating their
 * batches, so both see the same machine load (a busy machine otherwise skews
 * the ratio). Returns a Skein report (with `d_yield_star_10_fired`) and a
 * Promise report (with `c2_allsettled_100`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measurePaired } from "./deferred_bench.ts";
 * const { skein, promise } = await measurePaired({ batchMs: 2, batches: 1 });
 * assert.ok("d_yield_star_10_fired" in skein.cases);
 * assert.ok("c2_allsettled_100" in promise.cases);
 * ```
 */
export async function measurePaired(
  opts: { batchMs: number; batches: number; },
): Promise<{ skein: BenchReport; promise: BenchReport; }> {
  checkSkein();
  await checkPromise();
  const skein: BenchReport = { runtime: `${runtimeName()} / Skein`, cases: {} };
  const promise: BenchReport = { runtime: `${runtimeName()} / Promise`, cases: {} };
  const rows: [string, () => unknown, string, string, () => Promise<unknown>, string][] = [
    [
      "a_fire_10_callbacks",
      caseA,
      "Deferred + 10 addCallback + callback()",
      "a_fire_10_callbacks",
      promiseA,
      "new Promise + 10 .then + resolve, awaited",
    ],
    [
      "b_chain_10_fired",
      caseB,
      "10 callbacks each returning succeed(x) (fired Deferred)",
      "b_chain_10_fired",
      promiseB,
      "10 .then each returning Promise.resolve(x), awaited",
    ],
    [
      "c_list_100_fired",
      caseC,
      "DeferredList of 100 succeed(i)",
      "c_list_100_fired",
      promiseC,
      "await Promise.all of 100 Promise.resolve(i)",
    ],
    [
      "c_list_100_fired",
      caseC,
      "DeferredList of 100 succeed(i)",
      "c2_allsettled_100",
      promiseC2,
      "await Promise.allSettled of 100 Promise.resolve(i)",
    ],
    [
      "d_coroutine_10_fired",
      caseD,
      "inlineCallbacks yielding 10 succeed(i)",
      "d_coroutine_10_fired",
      promiseD,
      "async fn awaiting 10 Promise.resolve(i)",
    ],
    [
      "d_yield_star_10_fired",
      caseDStar,
      "inlineCallbacks with yield* on 10 succeed(i)",
      "d_coroutine_10_fired",
      promiseD,
      "async fn awaiting 10 Promise.resolve(i)",
    ],
  ];
  for (const [sName, sFn, sWhat, pName, pFn, pWhat] of rows) {
    const ns = calibrateSync(sFn, opts.batchMs);
    const np = await calibrateAsync(pFn, opts.batchMs);
    const sRates: number[] = [];
    const pRates: number[] = [];
    for (let b = 0; b < opts.batches; b++) {
      const t0 = performance.now();
      for (let i = 0; i < ns; i++) sFn();
      sRates.push((ns * 1000) / Math.max(performance.now() - t0, 1e-3));
      pRates.push((np * 1000) / Math.max(await runAsync(pFn, np), 1e-3));
    }
    if (!(sName in skein.cases)) skein.cases[sName] = toResult(sRates, ns, sWhat);
    if (!(pName in promise.cases)) promise.cases[pName] = toResult(pRates, np, pWhat);
  }
  return { skein, promise };
}

function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string; }; }; Bun?: { version: string; }; };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}

/** The four canonical cases plus the `yield*` variant of d (table only). */
const SKEIN_CASES: [string, () => unknown, string][] = [
  ["a_fire_10_callbacks", caseA, "Deferred + 10 addCallback + callback()"],
  ["b_chain_10_fired", caseB, "10 callbacks each returning succeed(x) (fired Deferred)"],
  ["c_list_100_fired", caseC, "DeferredList of 100 succeed(i)"],
  ["d_coroutine_10_fired", caseD, "inlineCallbacks yielding 10 succeed(i)"],
];

/**
 * Measure Skein's four cases (plus `d_yield_star_10_fired` when `extra` is
 * set) and return the report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureSkein } from "./deferred_bench.ts";
 * const report = measureSkein({ batchMs: 2, batches: 1 });
 * assert.ok(report.cases.a_fire_10_callbacks.ops_per_sec > 0);
 * assert.match(report.runtime, /Skein$/);
 * ```
 */
export function measureSkein(
  opts: { batchMs: number; batches: number; extra?: boolean; },
): BenchReport {
  checkSkein();
  const out: BenchReport = { runtime: `${runtimeName()} / Skein`, cases: {} };
  const cases = opts.extra
    ? [...SKEIN_CASES, [
      "d_yield_star_10_fired",
      caseDStar,
      "inlineCallbacks with yield* on 10 succeed(i)",
    ] as [string, () => unknown, string]]
    : SKEIN_CASES;
  for (const [name, fn, what] of cases) {
    out.cases[name] = measureSync(fn, opts.batchMs, opts.batches, what);
  }
  return out;
}

/**
 * Measure the native Promise counterparts (promise_ref.ts's code) in this
 * process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measurePromises } from "./deferred_bench.ts";
 * const report = await measurePromises({ batchMs: 2, batches: 1 });
 * assert.ok(report.cases.d_coroutine_10_fired.ops_per_sec > 0);
 * ```
 */
export async function measurePromises(
  opts: { batchMs: number; batches: number; },
): Promise<BenchReport> {
  await checkPromise();
  const out: BenchReport = { runtime: `${runtimeName()} / Promise`, cases: {} };
  const cases: [string, () => Promise<unknown>, string][] = [
    ["a_fire_10_callbacks", promiseA, "new Promise + 10 .then + resolve, awaited"],
    ["b_chain_10_fired", promiseB, "10 .then each returning Promise.resolve(x), awaited"],
    ["c_list_100_fired", promiseC, "await Promise.all of 100 Promise.resolve(i)"],
    ["c2_allsettled_100", promiseC2, "await Promise.allSettled of 100 Promise.resolve(i)"],
    ["d_coroutine_10_fired", promiseD, "async fn awaiting 10 Promise.resolve(i)"],
  ];
  for (const [name, fn, what] of cases) {
    out.cases[name] = await measureAsync(fn, opts.batchMs, opts.batches, what);
  }
  return out;
}

/**
 * Run Python Twisted's `defer_twisted.py` with the same budget and return its
 * report, or `null` (with the reason) when Python or Twisted is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureTwisted } from "./deferred_bench.ts";
 * const t = measureTwisted({ batchMs: 2, batches: 1, script: "/nonexistent/defer_twisted.py" });
 * assert.equal(t.report, null); // no script there: the reason says so
 * assert.match(String(t.reason), /nonexistent/);
 * ```
 */
export function measureTwisted(
  opts: { batchMs: number; batches: number; python?: string; script?: string; },
): { report: BenchReport | null; reason?: string; } {
  const script = opts.script ?? process.env.SKEIN_DEFER_TWISTED
    ?? fileURLToPath(new URL("../../shared/bench/defer_twisted.py", import.meta.url));
  if (!existsSync(script)) return { report: null, reason: `no ${script}` };
  const python = opts.python ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  try {
    const out = execFileSync(python, [
      script,
      "--batch-ms",
      String(opts.batchMs),
      "--batches",
      String(opts.batches),
    ], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
    const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop();
    if (!line) return { report: null, reason: "defer_twisted.py printed no JSON" };
    return { report: JSON.parse(line) as BenchReport };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return {
      report: null,
      reason:
        `${python} ${script} failed (${msg}); install Twisted with: apt-get install -y python3-twisted`,
    };
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "-";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

/**
 * Format the comparison table: ops/s per case for Skein, Twisted and
 * Promise, and Skein's ratio to each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTable, measureSkein } from "./deferred_bench.ts";
 * const table = formatTable(measureSkein({ batchMs: 2, batches: 1 }), null, null);
 * assert.match(table, /^a_fire_10_callbacks +[\d,]+ /m);
 * assert.match(table, /Twisted: not measured/);
 * ```
 */
export function formatTable(
  skein: BenchReport,
  twisted: BenchReport | null,
  promise: BenchReport | null,
  stat: "median" | "best" = "median",
): string {
  type Case = CaseResult | undefined;
  const pick = (c: Case): number | undefined =>
    c === undefined ? undefined : stat === "best" ? Math.max(...c.batches) : c.ops_per_sec;
  const rows: string[][] = [[
    "case",
    "Skein ops/s",
    "Twisted ops/s",
    "× Twisted",
    "Promise ops/s",
    "× Promise",
  ]];
  for (const [name, r] of Object.entries(skein.cases)) {
    const ref = name === "d_yield_star_10_fired" ? "d_coroutine_10_fired" : name;
    const s = pick(r) as number;
    const t = pick(twisted?.cases[ref]);
    const p = pick(promise?.cases[ref]);
    rows.push([name, fmt(s), t ? fmt(t) : "-", ratio(s, t), p ? fmt(p) : "-", ratio(s, p)]);
    const p2 = pick(promise?.cases.c2_allsettled_100);
    if (name === "c_list_100_fired" && p2 !== undefined) {
      rows.push(["  (vs Promise.allSettled)", "", "", "", fmt(p2), ratio(s, p2)]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]): string =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const header = [
    `Skein:   ${skein.runtime}`,
    `Twisted: ${twisted?.runtime ?? "not measured"}`,
    `Promise: ${promise?.runtime ?? "not measured"}`,
    `ops/s: ${stat === "best" ? "best batch" : "median batch"}`,
    "",
  ];
  return [
    ...header,
    line(rows[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
  ].join(
    "\n",
  );
}

/** Parsed command-line options. */
export interface BenchOptions {
  /** Target duration of one batch, in ms. */
  batchMs: number;
  /** Number of timed batches per case. */
  batches: number;
  /** Print only the JSON object. */
  json: boolean;
  /** Also run Python Twisted. */
  twisted: boolean;
  /** Also measure native Promises. */
  promise: boolean;
  /** The Python with Twisted. */
  python?: string;
  /** Path of defer_twisted.py. */
  script?: string;
  /** Which batch the table shows: the median (default) or the best (robust on a busy machine). */
  stat: "median" | "best";
}

/**
 * Parse `--batch-ms N --batches N --json --no-twisted --no-promise
 * --stat median|best --python P --twisted-script S`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseArgs } from "./deferred_bench.ts";
 * assert.equal(parseArgs(["--batches", "3"]).batches, 3);
 * assert.equal(parseArgs(["--stat", "best"]).stat, "best");
 * ```
 */
export function parseArgs(argv: string[]): BenchOptions {
  const opts: BenchOptions = {
    batchMs: 200,
    batches: 7,
    json: false,
    twisted: true,
    promise: true,
    stat: "median",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === "--batch-ms") opts.batchMs = num();
    else if (a === "--batches") opts.batches = Math.max(1, Math.round(num()));
    else if (a === "--json") opts.json = true;
    else if (a === "--no-twisted") opts.twisted = false;
    else if (a === "--no-promise") opts.promise = false;
    else if (a === "--python") opts.python = argv[++i];
    else if (a === "--twisted-script") opts.script = argv[++i];
    else if (a === "--stat") {
      const v = argv[++i];
      if (v !== "median" && v !== "best") throw new Error("--stat takes median or best");
      opts.stat = v;
    } else throw new Error(`unknown option ${a} (see the header of bench/deferred_bench.ts)`);
  }
  return opts;
}

/**
 * Run the benchmark as the command line asks and return what it printed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./deferred_bench.ts";
 * const printed: string[] = [];
 * await main(["--batch-ms", "2", "--batches", "1", "--json"], (s) => printed.push(s));
 * assert.equal(printed.length, 1);
 * assert.ok("c_list_100_fired" in JSON.parse(printed[0]).cases);
 * ```
 */
export async function main(
  argv: string[],
  print: (s: string) => void = console.log,
): Promise<string> {
  const opts = parseArgs(argv);
  if (opts.json) {
    const report = measureSkein(opts);
    const out = JSON.stringify(report);
    print(out);
    return out;
  }
  let skein: BenchReport;
  let promise: BenchReport | null = null;
  if (opts.promise) ({ skein, promise } = await measurePaired(opts));
  else skein = measureSkein({ ...opts, extra: true });
  let twisted: BenchReport | null = null;
  let note = "";
  if (opts.twisted) {
    const t = measureTwisted(opts);
    twisted = t.report;
    if (t.reason) note = `\n(Twisted not measured: ${t.reason})`;
  }
  const out = formatTable(skein, twisted, promise, opts.stat) + note;
  print(out);
  return out;
}

if (import.meta.main) {
  await main(process.argv.slice(2));
}
