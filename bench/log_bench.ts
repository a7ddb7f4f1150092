/**
 * Logging benchmark: events per second written to a file, with the peers
 * measured in the same run.
 *
 * The pino case waits for its file to be open before timing and for it to
 * be closed (everything written) after; Skein's closes its LogFile.
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
 *
 * ```sh
 * deno run -A bench/log_bench.ts --pino /tmp/pino
 * bun bench/log_bench.ts --events 200000 --no-twisted
 * ```
 *
 * Options: `--events N` per batch (default 100000), `--batches N` (default
 * 5; the median is shown), `--no-twisted`, `--python PATH` (default
 * `/usr/bin/python3`), `--pino DIR`.
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

const argv = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args ?? process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const EVENTS = Number(option("events", "100000"));
const BATCHES = Number(option("batches", "5"));
const PYTHON = option("python", existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const PINO_DIR = option("pino", "");
const RUNTIME = "Deno" in globalThis ? "deno" : "bun";
const dir = mkdtempSync(join(tmpdir(), "skein-log-bench-"));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Run `batch` BATCHES times; events per second of the median batch, and the file's size. */
async function measure(
  batch: (path: string) => Promise<void> | void,
): Promise<{ rate: number; bytes: number; }> {
  const rates: number[] = [];
  let bytes = 0;
  for (let b = 0; b < BATCHES; b++) {
    const path = join(dir, `batch-${b}-${Math.random().toString(36).slice(2)}.log`);
    const t0 = performance.now();
    await batch(path);
    const ms = performance.now() - t0;
    rates.push(EVENTS / (ms / 1000));
    bytes = statSync(path).size;
  }
  return { rate: median(rates), bytes };
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
    t0 = time.perf_counter()
    for i in range(n):
        log.info("request {i} from {peer} took {ms} ms", i=i, peer="10.0.0.1", ms=12.5)
    f.flush()
    print(n / (time.perf_counter() - t0))
`;

function twisted(kind: "text" | "json"): number | null {
  const n = Math.max(1000, Math.floor(EVENTS / 5));
  const rates: number[] = [];
  try {
    for (let b = 0; b < BATCHES; b++) {
      const out = execFileSync(PYTHON, [
        "-c",
        PY,
        kind,
        join(dir, `py-${kind}-${b}.log`),
        String(n),
      ], {
        encoding: "utf8",
      });
      rates.push(Number(out.trim()));
    }
  } catch (e) {
    console.error(`Twisted not measured: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    return null;
  }
  return median(rates);
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

const rows: [string, number, number | null][] = [];
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const skeinText = await measure(skein("text"));
rows.push([`Skein text (${RUNTIME})`, skeinText.rate, skeinText.bytes]);
const skeinJSON = await measure(skein("json"));
rows.push([`Skein JSON (${RUNTIME})`, skeinJSON.rate, skeinJSON.bytes]);
if (!argv.includes("--no-twisted")) {
  const t = twisted("text");
  if (t !== null) rows.push(["Twisted text (python3)", t, null]);
  const j = twisted("json");
  if (j !== null) rows.push(["Twisted JSON (python3)", j, null]);
}
if (PINO_DIR !== "") {
  const require = createRequire(join(PINO_DIR, "package.json"));
  const pino = require("pino") as PinoModule;
  const p = await measure(pinoBatch(pino));
  rows.push([`pino JSON (${RUNTIME})`, p.rate, p.bytes]);
}
console.log(
  `events per second into a file, ${EVENTS} events per batch, median of ${BATCHES} (Twisted: ${
    Math.max(1000, Math.floor(EVENTS / 5))
  } per batch)`,
);
for (const [name, rate, bytes] of rows) {
  console.log(
    `${name.padEnd(26)} ${fmt(rate).padStart(12)} events/s${
      bytes === null ? "" : `  (${fmt(bytes / EVENTS)} B/event)`
    }`,
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
rmSync(dir, { recursive: true, force: true });
