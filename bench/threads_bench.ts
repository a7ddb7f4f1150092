/**
 * Thread benchmarks, with their peers measured in the same run:
 *
 * 1. `deferToThread` round trips per second (one call in flight, awaited
 *    before the next), against a raw Worker `postMessage` round trip (the
 *    limit: a `node:worker_threads` echo Worker, the API the pool uses, and a
 *    Web `Worker` echo) and against Python Twisted's `deferToThread` (run as a
 *    subprocess, `/usr/bin/python3` with Debian's `python3-twisted`).
 * 2. CPU-bound throughput: the same prime counts on a pool of 2 threads
 *    against 1.
 * 3. Reactor responsiveness: an echo server's ping-pong latency p50/p99,
 *    idle and while a thread burns CPU.
 *
 * ```sh
 * deno run -A bench/threads_bench.ts
 * bun bench/threads_bench.ts
 * deno run -A bench/threads_bench.ts --calls 5000 --batches 5 --no-twisted
 * ```
 *
 * Options: `--calls N` round trips per batch (default 5000), `--batches N`
 * (default 5; the median batch is shown), `--no-twisted`, `--python PATH`
 * (default `/usr/bin/python3`), `--reactor KIND` (default: the platform's),
 * `--cpu-limit N` (the CPU-bound prime counts' bound, default 1500000),
 * `--burn-limit N` (the prime count burnt during the latency run, default
 * 4000000), `--idle-ms N` (the idle latency run, default 1000).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { Worker as NodeWorker } from "node:worker_threads";
import { Deferred } from "../deferred/deferred.ts";
import { EchoFactory } from "../examples/echo_server.ts";
import { countPrimes, pingWhile } from "../examples/threads_echo.ts";
import { getReactor, installReactor, type ReactorKind } from "../reactor/install.ts";
import { deferToThread } from "../threads/defer_to_thread.ts";
import { task } from "../threads/task.ts";
import { ThreadPool } from "../threads/thread_pool.ts";

const argv = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args ?? process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const CALLS = Number(option("calls", "5000"));
const BATCHES = Number(option("batches", "5"));
const PYTHON = option("python", existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const KIND = option("reactor", "") as ReactorKind | "";
const CPU_LIMIT = Number(option("cpu-limit", "1500000"));
const BURN_LIMIT = Number(option("burn-limit", "4000000"));
const IDLE_MS = Number(option("idle-ms", "1000"));
const RUNTIME = "Deno" in globalThis ? "deno" : "bun";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

// ---------------------------------------------------------------------------
// Raw Worker round trips (the limit)
// ---------------------------------------------------------------------------

const NODE_ECHO = "data:text/javascript," + encodeURIComponent(
  "import { parentPort } from 'node:worker_threads';"
    + "parentPort.on('message', (m) => parentPort.postMessage(m));",
);
const WEB_ECHO = "data:text/javascript,"
  + encodeURIComponent("self.onmessage = (e) => postMessage(e.data);");

/** One batch: `n` sequential round trips; resolves with round trips per second. */
type Batch = (n: number) => Promise<number>;

/** Sequential round trips through `send`/`onReply`, chained in the reply handler (no await). */
function chained(send: (m: unknown) => void, onReply: (fn: () => void) => void): Batch {
  let done: (() => void) | null = null;
  let left = 0;
  onReply(() => {
    if (--left > 0) send([left, 1]);
    else done!();
  });
  return async (n) => {
    left = n;
    const t0 = performance.now();
    await new Promise<void>((r) => {
      done = r;
      send([left, 1]);
    });
    return n / ((performance.now() - t0) / 1000);
  };
}

/** Sequential round trips, each awaited as a promise (as a caller of deferToThread awaits). */
function awaited(send: (m: unknown) => void, onReply: (fn: () => void) => void): Batch {
  let resolve: (() => void) | null = null;
  onReply(() => resolve!());
  const one = (i: number): Promise<void> =>
    new Promise<void>((r) => {
      resolve = r;
      send([i, 1]);
    });
  return async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await one(i);
    return n / ((performance.now() - t0) / 1000);
  };
}

// ---------------------------------------------------------------------------
// Skein
// ---------------------------------------------------------------------------

const reactor = KIND === "" ? getReactor() : installReactor(KIND);

const add = task((a: number, b: number): number => a + b);

/** deferToThread round trips on the running reactor, each awaited. */
const skeinDeferToThread: Batch = async (n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await deferToThread(add, i, 1);
  return n / ((performance.now() - t0) / 1000);
};

/** deferToThread with 100 calls in flight on the reactor's pool (at most 10 threads, as Twisted's). */
const skeinPipelined: Batch = async (n) => {
  const t0 = performance.now();
  const waves = Math.floor(n / 100);
  for (let w = 0; w < waves; w++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => deferToThread(add, i, 1)));
  }
  return (waves * 100) / ((performance.now() - t0) / 1000);
};

/** The same through the pool alone (no reactor hop), each awaited. */
function skeinPoolOnly(pool: ThreadPool): Batch {
  const one = (i: number): Promise<unknown> =>
    new Promise((r) => pool.callInThreadWithCallback((_ok, v) => r(v), add, i, 1));
  return async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await one(i);
    return n / ((performance.now() - t0) / 1000);
  };
}

/**
 * A batch kind: sets up its Workers (or pool threads) afresh and gives the
 * batch and how to end them. Fresh threads each round: on a busy 2-core
 * machine a thread pair's round trip is bimodal (about 8 µs or about 110 µs
 * on Bun, depending on how the scheduler places the pair) and stays in its
 * mode for the thread's life, so a kind measured on one long-lived thread
 * could be compared in its slow mode against another in its fast one.
 */
type Kind = () => Promise<{ batch: Batch; end: () => Promise<void>; ready?: () => Promise<void>; }>;

/**
 * Wait until every thread the pool started is up and idle: a pool grows
 * during the warm-up batch, and a thread still starting (about 0.1 s on Deno)
 * would otherwise be timed with the batch.
 */
async function allReady(pool: ThreadPool): Promise<void> {
  while (pool.waiters < pool.workers) await new Promise((r) => setTimeout(r, 5));
}

/**
 * Run every batch kind once per round, interleaved (a busy machine slows
 * them alike), after a warm-up round: the rates per kind, one per round.
 */
async function rounds(kinds: Record<string, Kind>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(kinds)) out[k] = [];
  for (let r = -1; r < BATCHES; r++) {
    for (const [k, kind] of Object.entries(kinds)) {
      const { batch, end, ready } = await kind();
      await batch(Math.min(200, CALLS)); // warm this round's threads
      if (ready !== undefined) await ready();
      const rate = await batch(r < 0 ? Math.min(1000, CALLS) : CALLS);
      await end();
      if (r >= 0) out[k]!.push(rate);
    }
  }
  return out;
}

/** A `node:worker_threads` echo Worker. */
function nodeEcho(
  make: (send: (m: unknown) => void, onReply: (fn: () => void) => void) => Batch,
): Kind {
  return () => {
    const w = new NodeWorker(new URL(NODE_ECHO));
    return Promise.resolve({
      batch: make((m) => w.postMessage(m), (fn) => w.on("message", fn)),
      end: async () => {
        await w.terminate();
      },
    });
  };
}

/** A Web `Worker` echo. */
function webEcho(
  make: (send: (m: unknown) => void, onReply: (fn: () => void) => void) => Batch,
): Kind {
  return () => {
    const w = new Worker(WEB_ECHO, { type: "module" });
    return Promise.resolve({
      batch: make((m) => w.postMessage(m), (fn) => {
        w.onmessage = fn;
      }),
      end: () => {
        w.terminate();
        return Promise.resolve();
      },
    });
  };
}

/** A Skein batch on the reactor's pool, restarted so its threads are new. */
function onReactorPool(batch: Batch): Kind {
  return async () => {
    const pool = reactor.getThreadPool();
    await pool.stop();
    pool.start();
    return { batch, end: () => Promise.resolve(), ready: () => allReady(pool) };
  };
}

/** A Skein batch on a new one-thread pool. */
function onOwnPool(make: (pool: ThreadPool) => Batch): Kind {
  return () => {
    const pool = new ThreadPool({ minThreads: 1, maxThreads: 1 });
    pool.start();
    return Promise.resolve({
      batch: make(pool),
      end: async () => {
        await pool.stop();
      },
      ready: () => allReady(pool),
    });
  };
}

/** The median of the per-round ratios. */
const ratio = (xs: number[], ys: number[]): number => median(xs.map((x, i) => x / ys[i]!));

/** Wall time of `chunks` prime counts on a pool of `threads` threads. */
async function cpuBound(threads: number, chunks: number, limit: number): Promise<number> {
  const pool = new ThreadPool({ minThreads: threads, maxThreads: threads });
  pool.start();
  const count = task(countPrimes);
  const one = (): Promise<unknown> =>
    new Promise((r) => pool.callInThreadWithCallback((_ok, v) => r(v), count, limit));
  try {
    await Promise.all(Array.from({ length: threads }, one)); // start and warm the threads
    const t0 = performance.now();
    await Promise.all(Array.from({ length: chunks }, one));
    return performance.now() - t0;
  } finally {
    await pool.stop();
  }
}

/** Echo ping-pong latencies (ms, sorted) while `busy` runs, or for `idleMs`. */
async function echoLatency(
  busy: (() => Deferred<unknown>) | null,
  idleMs: number,
): Promise<number[]> {
  const port = reactor.listenTCP(0, new EchoFactory(), { interface: "127.0.0.1" });
  const done = new Deferred<void>();
  const pings = pingWhile(reactor, port.getHost().port, done);
  if (busy === null) reactor.callLater(idleMs / 1000, () => done.callback(undefined));
  else busy().addBoth(() => done.callback(undefined));
  const times = (await pings).sort((a, b) => a - b);
  await port.stopListening();
  return times;
}

// ---------------------------------------------------------------------------
// Python Twisted
// ---------------------------------------------------------------------------

const TWISTED = `
import sys, time
from twisted.internet import reactor, threads, defer
calls, batches = int(sys.argv[1]), int(sys.argv[2])
def add(a, b):
    return a + b
@defer.inlineCallbacks
def main():
    for i in range(min(1000, calls)):
        yield threads.deferToThread(add, i, 1)
    rates = []
    for b in range(batches):
        t0 = time.perf_counter()
        for i in range(calls):
            yield threads.deferToThread(add, i, 1)
        rates.append(calls / (time.perf_counter() - t0))
    rates.sort()
    piped = []
    for b in range(batches):
        t0 = time.perf_counter()
        for w in range(calls // 100):
            yield defer.DeferredList([threads.deferToThread(add, i, 1) for i in range(100)])
        piped.append((calls // 100) * 100 / (time.perf_counter() - t0))
    piped.sort()
    print(rates[len(rates) // 2], piped[len(piped) // 2])
    reactor.stop()
reactor.callWhenRunning(main)
reactor.run()
`;

function twistedDeferToThread(): [number, number] | null {
  if (argv.includes("--no-twisted")) return null;
  try {
    const out = execFileSync(PYTHON, ["-c", TWISTED, String(CALLS), String(BATCHES)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [one, piped] = out.trim().split(/\s+/).map(Number);
    return [one!, piped!];
  } catch (e) {
    console.error(
      `Python Twisted not measured (${PYTHON}): ${(e as Error).message.split("\n")[0]}`,
    );
    return null;
  }
}

// ---------------------------------------------------------------------------

reactor.callWhenRunning(async () => {
  try {
    console.log(
      `threads bench on ${RUNTIME} (${reactor.kind} reactor), ${CALLS} calls x ${BATCHES} batches, median batch`,
    );
    console.log("");
    console.log("1. round trips/s, one call in flight (median of interleaved batches):");
    const r = await rounds({
      rawChained: nodeEcho(chained),
      rawAwaited: nodeEcho(awaited),
      webChained: webEcho(chained),
      webAwaited: webEcho(awaited),
      deferToThread: onReactorPool(skeinDeferToThread),
      pool: onOwnPool(skeinPoolOnly),
      pipelined: onReactorPool(skeinPipelined),
    });
    const twisted = twistedDeferToThread();
    const rows: Array<[string, number]> = [
      ["raw node:worker_threads echo, awaited", median(r.rawAwaited!)],
      ["raw Web Worker echo, awaited", median(r.webAwaited!)],
      ["raw node:worker_threads echo, chained", median(r.rawChained!)],
      ["raw Web Worker echo, chained", median(r.webChained!)],
      ["Skein deferToThread (function task)", median(r.deferToThread!)],
      ["Skein ThreadPool.callInThreadWithCallback", median(r.pool!)],
    ];
    if (twisted !== null) rows.push(["Python Twisted deferToThread", twisted[0]]);
    rows.push(["Skein deferToThread, 100 in flight", median(r.pipelined!)]);
    if (twisted !== null) rows.push(["Python Twisted deferToThread, 100 in flight", twisted[1]]);
    for (const [name, rate] of rows) {
      console.log(`   ${name.padEnd(44)} ${fmt(rate).padStart(9)}/s`);
    }
    const line = (name: string, x: number, note = ""): void =>
      console.log(`   ${name.padEnd(44)} ${x.toFixed(2).padStart(8)}x ${note}`);
    line(
      "deferToThread / raw Worker, awaited",
      ratio(r.deferToThread!, r.rawAwaited!),
      "(target >= 0.8x)",
    );
    line("deferToThread / raw Web Worker, awaited", ratio(r.deferToThread!, r.webAwaited!));
    line("deferToThread / raw Worker, chained", ratio(r.deferToThread!, r.rawChained!));
    line("deferToThread / raw Web Worker, chained", ratio(r.deferToThread!, r.webChained!));
    line("pool / raw Worker, awaited", ratio(r.pool!, r.rawAwaited!));
    if (twisted !== null) {
      line("deferToThread / Twisted", median(r.deferToThread!) / twisted[0], "(target >= 5x)");
      line("deferToThread / Twisted, 100 in flight", median(r.pipelined!) / twisted[1]);
    }
    console.log("");
    console.log(`2. CPU-bound: 4 prime counts below ${fmt(CPU_LIMIT)}`);
    const one = await cpuBound(1, 4, CPU_LIMIT);
    const two = await cpuBound(2, 4, CPU_LIMIT);
    console.log(
      `   1 thread: ${one.toFixed(0)} ms   2 threads: ${two.toFixed(0)} ms   speed-up ${
        (one / two).toFixed(2)
      }x`,
    );

    console.log("");
    console.log("3. echo ping-pong latency on the reactor thread (ms)");
    const idle = await echoLatency(null, IDLE_MS);
    const busy = await echoLatency(() => deferToThread(countPrimes, BURN_LIMIT), 0);
    console.log(
      `   idle:                      p50 ${pct(idle, 0.5).toFixed(3)}  p99 ${
        pct(idle, 0.99).toFixed(3)
      }  (${idle.length} pings)`,
    );
    console.log(
      `   while a thread burns CPU:  p50 ${pct(busy, 0.5).toFixed(3)}  p99 ${
        pct(busy, 0.99).toFixed(3)
      }  (${busy.length} pings)`,
    );
  } catch (e) {
    // Said before the stop, which fails the calls still queued (and would hide it).
    console.error("threads bench failed:", e);
    process.exitCode = 1;
  } finally {
    if (reactor.running) reactor.stop(); // an error above may have stopped it already
  }
});
await reactor.run();
