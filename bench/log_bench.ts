/**
 * Logging benchmark: the CPU time per event written to a file, Skein and its
 * peers measured in the same run, batch by batch in turn (interleaved), and
 * how long a write blocks the reactor.
 *
 * Rates are events per CPU second (`process.cpuUsage()`: user + system, all
 * threads of the process; Python's `time.process_time()`), not wall time:
 * the machine is shared. The pino case waits for its file to be open before
 * timing and for it to be closed (everything written) after; Skein's closes
 * its LogFile.
 *
 * 1. Skein: `Logger.info(format, fields)` through `textFileLogObserver` and
 *    through `jsonFileLogObserver`, each into a `LogFile` (buffered per turn).
 * 2. Python Twisted (Debian's `python3-twisted`, run as a subprocess):
 *    `Logger.info` through `textFileLogObserver` and `jsonFileLogObserver`
 *    into a file opened by Python.
 * 3. pino (JSON lines), `pino.destination` to a file, if `--pino DIR` names
 *    a folder whose `node_modules` holds pino (install it there for the
 *    benchmark only: `npm install --prefix DIR pino`; it is never a
 *    dependency of Skein).
 * 4. Blocking: a reactor runs a 1 ms repeating timer while a producer logs
 *    `--per-turn` JSON events every millisecond (about 50,000 a second) for
 *    `--block-seconds`; it shows the
 *    longest `LogFile.flush` (the write to the file) and the timer's
 *    lateness (median, 99th percentile, worst), with the same timer and no
 *    logging as the baseline.
 *
 * ```sh
 * deno run -A bench/log_bench.ts --pino /tmp/pino
 * bun bench/log_bench.ts --events 200000 --no-twisted
 * ```
 *
 * Options: `--events N` per batch (default 100000), `--batches N` (default
 * 5; the median is shown), `--no-twisted`, `--python PATH` (default
 * `/usr/bin/python3`), `--pino DIR`, `--per-turn N` (default 50),
 * `--block-seconds S` (default 2; 0 skips it).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { LogFile } from "../log/log_file.ts";
import { textFileLogObserver } from "../logger/file_observer.ts";
import { jsonFileLogObserver } from "../logger/json.ts";
import { Logger } from "../logger/logger.ts";
import { createReactor } from "../reactor/install.ts";

const argv = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args ?? process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const EVENTS = Number(option("events", "100000"));
const BATCHES = Number(option("batches", "5"));
const PYTHON = option("python", existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const PINO_DIR = option("pino", "");
const PER_TURN = Number(option("per-turn", "50"));
const BLOCK_SECONDS = Number(option("block-seconds", "2"));
const RUNTIME = "Deno" in globalThis ? "deno" : "bun";
const dir = mkdtempSync(join(tmpdir(), "skein-log-bench-"));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU seconds (user + system, every thread of this process) since `start`. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** One batch of `events` into a fresh file: events per CPU second, and the file's size. */
async function once(
  batch: (path: string) => Promise<void> | void,
): Promise<{ rate: number; bytes: number; }> {
  const path = join(dir, `batch-${Math.random().toString(36).slice(2)}.log`);
  const c0 = process.cpuUsage();
  await batch(path);
  const rate = EVENTS / cpuSince(c0);
  return { rate, bytes: statSync(path).size };
}

function skein(kind: "text" | "json"): (path: string) => void {
  return (path) => {
    const file = LogFile.fromFullPath(path, { rotateLength: null });
    const observer = kind === "text" ? textFileLogObserver(file) : jsonFileLogObserver(file);
    const log = new Logger({ namespace: "bench", observer });
    for (let i = 0; i < EVENTS; i++) {
      log.info("request {i} from {peer} took {ms} ms", { i, peer: "10.0.0.1", ms: 12.5 });
    }
    file.close();
  };
}

const PY = String.raw`
import sys, time, io
from twisted.logger import Logger, textFileLogObserver, jsonFileLogObserver
kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with io.open(path, "w", encoding="utf-8") as f:
    obs = textFileLogObserver(f) if kind == "text" else jsonFileLogObserver(f)
    log = Logger(namespace="bench", observer=obs)
    t0 = time.process_time()
    for i in range(n):
        log.info("request {i} from {peer} took {ms} ms", i=i, peer="10.0.0.1", ms=12.5)
    f.flush()
    print(n / (time.process_time() - t0))
`;

/** One batch of Twisted's `kind` observer in a Python subprocess: events per CPU second, or null. */
function twistedOnce(kind: "text" | "json", b: number): number | null {
  const n = Math.max(1000, Math.floor(EVENTS / 5));
  try {
    const out = execFileSync(
      PYTHON,
      ["-c", PY, kind, join(dir, `py-${kind}-${b}.log`), String(n)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    return Number(out.trim());
  } catch (e) {
    if (b === 0) {
      console.error(`Twisted not measured: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    }
    return null;
  }
}

interface PinoLike {
  info(fields: Record<string, unknown>, msg: string): void;
}
interface PinoModule {
  (options: Record<string, unknown>, stream: unknown): PinoLike;
  destination(options: Record<string, unknown>): {
    end(): void;
    once(event: string, f: () => void): void;
  };
}

function pinoBatch(pino: PinoModule): (path: string) => Promise<void> {
  return async (path) => {
    const dest = pino.destination({ dest: path, sync: false, minLength: 4096 });
    await new Promise<void>((resolve) => dest.once("ready", resolve));
    const log = pino({ base: { ns: "bench" } }, dest);
    for (let i = 0; i < EVENTS; i++) {
      log.info({ i, peer: "10.0.0.1", ms: 12.5 }, `request ${i} from 10.0.0.1 took 12.5 ms`);
    }
    const closed = new Promise<void>((resolve) => dest.once("close", resolve));
    dest.end(); // written and closed: the time includes getting it all to the file
    await closed;
  };
}

type Case = { name: string; run: () => Promise<{ rate: number; bytes: number | null; } | null>; };
const cases: Case[] = [
  { name: `Skein text (${RUNTIME})`, run: () => once(skein("text")) },
  { name: `Skein JSON (${RUNTIME})`, run: () => once(skein("json")) },
];
if (!argv.includes("--no-twisted")) {
  let b = 0;
  for (const kind of ["text", "json"] as const) {
    cases.push({
      name: `Twisted ${kind === "text" ? "text" : "JSON"} (python3)`,
      run: () => {
        const rate = twistedOnce(kind, b++);
        return Promise.resolve(rate === null ? null : { rate, bytes: null });
      },
    });
  }
}
if (PINO_DIR !== "") {
  const require = createRequire(join(PINO_DIR, "package.json"));
  const pino = require("pino") as PinoModule;
  cases.push({ name: `pino JSON (${RUNTIME})`, run: () => once(pinoBatch(pino)) });
}
// Interleaved: every case once per round, so load on the machine falls on all alike.
const results = new Map<string, { rates: number[]; bytes: number | null; }>();
for (const c of cases) await c.run(); // warm-up round, not counted
for (let round = 0; round < BATCHES; round++) {
  for (const c of cases) {
    const r = await c.run();
    if (r === null) continue;
    const entry = results.get(c.name) ?? { rates: [], bytes: r.bytes };
    entry.rates.push(r.rate);
    results.set(c.name, entry);
  }
}
const rows: [string, number, number | null][] = [...results].map((
  [name, { rates, bytes }],
) => [name, median(rates), bytes]);
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
console.log(
  `events per CPU second into a file, ${EVENTS} events per batch, median of ${BATCHES} interleaved rounds (Twisted: ${
    Math.max(1000, Math.floor(EVENTS / 5))
  } per batch)`,
);
for (const [name, rate, bytes] of rows) {
  console.log(
    `${name.padEnd(26)} ${fmt(rate).padStart(12)} events/s  ${
      (1e6 / rate).toFixed(2).padStart(6)
    } us/event${bytes === null ? "" : `  (${fmt(bytes / EVENTS)} B/event)`}`,
  );
}
const get = (prefix: string): number | undefined => rows.find(([n]) => n.startsWith(prefix))?.[1];
const ratio = (
  a?: number,
  b?: number,
): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(1)}x` : "n/a");
console.log(
  `Skein/Twisted: text ${ratio(get("Skein text"), get("Twisted text"))}, JSON ${
    ratio(get("Skein JSON"), get("Twisted JSON"))
  }; Skein/pino JSON ${ratio(get("Skein JSON"), get("pino"))}`,
);

/** The lateness of a 1 ms repeating timer, in ms, while `work` runs every millisecond (or nothing). */
async function timerLateness(
  seconds: number,
  work: (() => void) | null,
): Promise<number[]> {
  const reactor = createReactor();
  const late: number[] = [];
  const done = reactor.run({ installSignalHandlers: false });
  const end = performance.now() + seconds * 1000;
  let due = performance.now() + 1;
  const tick = (): void => {
    const now = performance.now();
    late.push(now - due);
    if (now >= end) {
      reactor.stop();
      return;
    }
    due = now + 1;
    reactor.callLater(0.001, tick);
  };
  reactor.callLater(0.001, tick);
  if (work !== null) {
    const produce = (): void => {
      if (!reactor.running) return;
      work();
      reactor.callLater(0.001, produce);
    };
    reactor.callLater(0, produce);
  }
  await done;
  return late.sort((a, b) => a - b);
}

if (BLOCK_SECONDS > 0) {
  const pct = (xs: number[], p: number): number =>
    xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  const show = (xs: number[]): string =>
    `median ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms, worst ${
      xs[xs.length - 1]!.toFixed(2)
    } ms`;
  const idle = await timerLateness(BLOCK_SECONDS, null);
  const file = LogFile.fromFullPath(join(dir, "blocking.log"), { rotateLength: null });
  const flushes: number[] = [];
  const flush = file.flush.bind(file);
  file.flush = (): void => {
    const t0 = performance.now();
    flush();
    flushes.push(performance.now() - t0);
  };
  const log = new Logger({ namespace: "bench", observer: jsonFileLogObserver(file) });
  let n = 0;
  const busy = await timerLateness(BLOCK_SECONDS, () => {
    for (let i = 0; i < PER_TURN; i++) {
      log.info("request {i} from {peer} took {ms} ms", { i: n++, peer: "10.0.0.1", ms: 12.5 });
    }
  });
  file.close();
  flushes.sort((a, b) => a - b);
  const written = statSync(file.path).size;
  console.log(
    `blocking: ${fmt(n)} JSON events (${
      fmt(written / 1024)
    } KiB) in ${BLOCK_SECONDS} s, ${PER_TURN} a millisecond; `
      + `${flushes.length} flushes, longest ${flushes[flushes.length - 1]?.toFixed(2) ?? "n/a"} ms `
      + `(median ${pct(flushes, 0.5).toFixed(3)} ms)`,
  );
  console.log(`1 ms timer lateness, idle reactor:    ${show(idle)}`);
  console.log(`1 ms timer lateness, while logging:   ${show(busy)}`);
}
rmSync(dir, { recursive: true, force: true });
