/**
 * Reactor benchmark: idle wake-up latency, idle CPU, ping-pong round trips and
 * callLater throughput, per poller, on the runtime running it, next to C
 * floors measured in the same run.
 *
 *   deno run -A --v8-flags=--expose-gc bench/reactor_bench.ts [--kinds=epoll,poll,select] [--quick] [--reps=3]
 *   bun bench/reactor_bench.ts [--kinds=...] [--quick] [--reps=3]
 *
 * `--spin=µs` sets `PosixReactorOptions.spinMicroseconds`. `--parker=K[,K…]`
 * (nonblocking, worker, hostloop, iouring) picks the FFI layer's parker; with
 * several, each poller is measured once per parker, interleaved. `--gap=µs`
 * sets the mean idle time between two wake-up stamps (default 2000: 1–3 ms).
 * Each repetition measures the C floors and every poller in turn
 * (interleaved; all wake-ups first, garbage collected between phases), and
 * the table shows medians: this machine is shared and noisy, so compare rows
 * of one run, not runs.
 *
 * - Wake-up: a separate process (bench/reactor_floor.c, compiled here with
 *   `cc -O2` into bench/build/) writes an 8-byte CLOCK_MONOTONIC stamp every
 *   1–3 ms (`--gap`) into a Unix socket the reactor watches; latency = time at the start
 *   of `doRead` − stamp. The C floor is the same writer against a C reader
 *   blocked in `epoll_wait(-1)`. Target: reactor p50 within 4× the C floor.
 *   The peer: the runtime's own Unix socket server (`Deno.listen` /
 *   `Bun.listen`) reading the same stamps, i.e. how fast the host loop itself
 *   wakes, measured in each repetition too.
 * - Idle CPU: the reactor running with a registered, silent socket for 2 s
 *   (`process.cpuUsage`, whole process). Target: under 1 %.
 * - Ping-pong: a C client does N round trips of 64 bytes against an echo
 *   descriptor in the reactor, in `run()` (parked) and `runBlocking()` modes;
 *   the C floor is the same client against a C epoll echo.
 * - callLater: 100k callLater(0) in one batch; a chain of 20k callLater(0);
 *   100k scheduled with random delays and half cancelled.
 */

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Failure } from "../deferred/failure.ts";
import type { IReadWriteDescriptor } from "../interfaces.ts";
import {
  constants,
  createParker,
  encodeSockaddrUn,
  errorFromErrno,
  libc,
  type ParkerKind,
} from "../reactor/ffi/mod.ts";
import { availablePollers, type PollerKind } from "../reactor/pollers/mod.ts";
import { PosixReactor, type PosixReactorOptions } from "../reactor/posix_reactor.ts";

const runtime = typeof (globalThis as { Deno?: unknown; }).Deno !== "undefined" ? "deno" : "bun";
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const kindsArg = args.find((a) => a.startsWith("--kinds="))?.slice(8);
const kinds: PollerKind[] = kindsArg ? (kindsArg.split(",") as PollerKind[]) : availablePollers();
const spinArg = args.find((a) => a.startsWith("--spin="))?.slice(7);
const parkerArg = args.find((a) => a.startsWith("--parker="))?.slice(9);
/** The parkers to measure (each poller runs once per parker); `undefined` is the default. */
const parkers: (ParkerKind | undefined)[] = parkerArg === undefined
  ? [undefined]
  : (parkerArg.split(",") as ParkerKind[]);
const gapArg = args.find((a) => a.startsWith("--gap="))?.slice(6);
const GAP_US = gapArg === undefined ? 2000 : Number(gapArg);
if (!Number.isInteger(GAP_US) || GAP_US < 2) {
  throw new RangeError(`--gap: a whole number of microseconds >= 2, got ${gapArg}`);
}
/** The reactor options for one parker kind (`undefined`: the FFI layer's default). */
function reactorOptions(parker: ParkerKind | undefined): PosixReactorOptions {
  return {
    ...(spinArg !== undefined ? { spinMicroseconds: Number(spinArg) } : {}),
    ...(parker !== undefined ? { makeParker: () => createParker(parker) } : {}),
  };
}

const WAKE_N = quick ? 200 : 600;
const PING_N = quick ? 10_000 : 40_000;

const here = fileURLToPath(new URL(".", import.meta.url));
const buildDir = `${here}build`;
const helper = `${buildDir}/reactor_floor`;

function compile(): void {
  mkdirSync(buildDir, { recursive: true });
  execFileSync("cc", ["-O2", "-o", helper, `${here}reactor_floor.c`], { stdio: "inherit" });
}

function runHelper(argv: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(helper, argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (b: Uint8Array) => {
      out += new TextDecoder().decode(b);
    });
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`reactor_floor ${argv.join(" ")} exited ${code}`));
      else if (out.trim() === "") resolve({});
      else resolve(JSON.parse(out));
    });
  });
}

// ---------------------------------------------------------------------------
// Raw fds for the reactor side
// ---------------------------------------------------------------------------

const lib = libc();
const TS = new Uint8Array(16);
const TS_U32 = new Uint32Array(TS.buffer);
const TS_I32 = new Int32Array(TS.buffer);

/** CLOCK_MONOTONIC in nanoseconds (as a double: exact to well under 1 µs). */
function nowNs(): number {
  lib.clock_gettime(constants.CLOCK_MONOTONIC, TS);
  return (TS_U32[0] + TS_I32[1] * 4294967296) * 1e9 + TS_U32[2];
}

function listenUnix(path: string): number {
  rmSync(path, { force: true });
  const fd = lib.socket(
    constants.AF_UNIX,
    constants.SOCK_STREAM | constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC,
    0,
  );
  const sa = encodeSockaddrUn(path);
  if (lib.bind(fd, sa, sa.length) !== 0) throw errorFromErrno(lib.errno(), `bind ${path}`);
  if (lib.listen(fd, 8) !== 0) throw errorFromErrno(lib.errno(), "listen");
  return fd;
}

class Fd implements IReadWriteDescriptor {
  constructor(public fd: number, readonly onRead: (self: Fd) => Error | null) {}
  fileno(): number {
    return this.fd;
  }
  doRead(): Error | null {
    return this.onRead(this);
  }
  doWrite(): null {
    return null;
  }
  connectionLost(_reason: Failure): void {
    if (this.fd >= 0) lib.close(this.fd);
    this.fd = -1;
  }
  logPrefix(): string {
    return "bench";
  }
}

const EOF = new Error("eof");

/** Accept one connection on `listenFd`, then hand it to `onConn`. */
function acceptOne(reactor: PosixReactor, listenFd: number, onConn: (fd: number) => void): Fd {
  const listener = new Fd(listenFd, (self) => {
    const c = lib.accept4(self.fd, null, null, constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC);
    if (c >= 0) {
      reactor.removeReader(self);
      onConn(c);
    }
    return null;
  });
  reactor.addReader(listener);
  return listener;
}

/** A wake-up latency summary, in µs. */
interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** Add the latency (µs) of each 8-byte stamp in `bytes`, read at `t` (ns). */
function recordStamps(lat: number[], t: number, bytes: Uint8Array): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 8 <= bytes.byteLength; i += 8) {
    lat.push((t - Number(v.getBigInt64(i, true))) / 1000);
  }
}

/** p50 and p99 of `lat`, leaving out the first 20 samples (warm-up). */
function summarize(lat: number[]): Latency {
  const v = lat.slice(20);
  return { p50: percentile(v, 0.5), p99: percentile(v, 0.99), n: v.length };
}

function percentile(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
}

// ---------------------------------------------------------------------------
// The measurements
// ---------------------------------------------------------------------------

async function wakeLatency(
  kind: PollerKind,
  blocking: boolean,
  parker: ParkerKind | undefined,
): Promise<Latency> {
  const reactor = new PosixReactor(kind, reactorOptions(parker));
  const path = `${buildDir}/wake-${runtime}-${kind}.sock`;
  const lfd = listenUnix(path);
  const lat: number[] = [];
  const buf = new Uint8Array(4096);
  acceptOne(reactor, lfd, (c) => {
    reactor.addReader(
      new Fd(c, (self) => {
        const t = nowNs();
        const n = lib.read(self.fd, buf, buf.length);
        if (n <= 0) {
          reactor.stop();
          return EOF;
        }
        recordStamps(lat, t, buf.subarray(0, n));
        return null;
      }),
    );
  });
  const writer = runHelper(["writer", path, String(WAKE_N), String(GAP_US)]);
  await (blocking ? reactor.runBlocking() : reactor.run({ installSignalHandlers: false }));
  await writer;
  lib.close(lfd);
  rmSync(path, { force: true });
  return summarize(lat);
}

/**
 * The parker alone, no reactor: park on the connection's fd, read, repeat.
 * Shows what the off-thread hand-off itself costs on this runtime.
 */
async function parkerOnlyLatency(): Promise<Latency> {
  const path = `${buildDir}/parker-${runtime}.sock`;
  const lfd = listenUnix(path);
  const parker = createParker(parkers[0]);
  // An io_uring parker parks through its fallback until its socket is connected.
  await (parker as { whenReady?: () => Promise<boolean>; }).whenReady?.();
  const writer = runHelper(["writer", path, String(WAKE_N), String(GAP_US)]);
  const one = new Int32Array(1);
  one[0] = lfd;
  await parker.park(one);
  const c = lib.accept4(lfd, null, null, constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC);
  one[0] = c;
  const buf = new Uint8Array(4096);
  const lat: number[] = [];
  for (;;) {
    await parker.park(one);
    const t = nowNs();
    const n = lib.read(c, buf, buf.length);
    if (n === 0) break;
    recordStamps(lat, t, buf.subarray(0, n));
  }
  parker.close();
  await writer;
  lib.close(c);
  lib.close(lfd);
  rmSync(path, { force: true });
  return summarize(lat);
}

/** Bun's listener API, as far as the peer below uses it. */
interface BunListen {
  listen(o: {
    unix: string;
    socket: {
      data(s: unknown, d: Uint8Array): void;
      close(s: unknown): void;
    };
  }): { stop(): void; };
}

/**
 * The peer: the runtime's own Unix socket server (`Deno.listen` or
 * `Bun.listen`) reading the same stamps, stamped at the start of its read
 * callback. How fast the host loop itself wakes; the reactor cannot beat it
 * without blocking that loop.
 */
async function hostSocketLatency(): Promise<Latency> {
  const path = `${buildDir}/host-${runtime}.sock`;
  rmSync(path, { force: true });
  const lat: number[] = [];
  if (runtime === "deno") {
    const listener = Deno.listen({ transport: "unix", path });
    const writer = runHelper(["writer", path, String(WAKE_N), String(GAP_US)]);
    const conn = await listener.accept();
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf);
      const t = nowNs();
      if (n === null) break;
      recordStamps(lat, t, buf.subarray(0, n));
    }
    conn.close();
    listener.close();
    await writer;
  } else {
    const bun = (globalThis as unknown as { Bun: BunListen; }).Bun;
    const { promise, resolve } = Promise.withResolvers<void>();
    const server = bun.listen({
      unix: path,
      socket: { data: (_s, d) => recordStamps(lat, nowNs(), d), close: () => resolve() },
    });
    const writer = runHelper(["writer", path, String(WAKE_N), String(GAP_US)]);
    await promise;
    server.stop();
    await writer;
  }
  rmSync(path, { force: true });
  return summarize(lat);
}

async function idleCpu(kind: PollerKind, parker: ParkerKind | undefined): Promise<number> {
  const reactor = new PosixReactor(kind, reactorOptions(parker));
  const fds = new Int32Array(2);
  lib.socketpair(constants.AF_UNIX, constants.SOCK_STREAM | constants.SOCK_NONBLOCK, 0, fds);
  reactor.addReader(new Fd(fds[0], () => null));
  let percent = 0;
  reactor.callLater(0.2, () => {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    reactor.callLater(2, () => {
      const u = process.cpuUsage(u0);
      percent = ((u.user + u.system) / 1000 / (performance.now() - t0)) * 100;
      reactor.stop();
    });
  });
  await reactor.run({ installSignalHandlers: false });
  lib.close(fds[0]);
  lib.close(fds[1]);
  return percent;
}

async function pingPong(
  kind: PollerKind,
  blocking: boolean,
  parker: ParkerKind | undefined,
): Promise<Record<string, number>> {
  const reactor = new PosixReactor(kind, reactorOptions(parker));
  const path = `${buildDir}/ping-${runtime}-${kind}.sock`;
  const lfd = listenUnix(path);
  const buf = new Uint8Array(65536);
  acceptOne(reactor, lfd, (c) => {
    reactor.addReader(
      new Fd(c, (self) => {
        const n = lib.read(self.fd, buf, buf.length);
        if (n <= 0) {
          reactor.stop();
          return EOF;
        }
        lib.write(self.fd, buf, n);
        return null;
      }),
    );
  });
  const client = runHelper(["pingpong", path, String(PING_N)]);
  await (blocking ? reactor.runBlocking() : reactor.run({ installSignalHandlers: false }));
  const result = await client;
  lib.close(lfd);
  rmSync(path, { force: true });
  return result;
}

async function callLaterThroughput(
  kind: PollerKind,
  parker: ParkerKind | undefined,
): Promise<{ batch: number; chain: number; schedCancel: number; }> {
  const reactor = new PosixReactor(kind, reactorOptions(parker));
  const N = 100_000;
  const CHAIN = 20_000;
  let batch = 0;
  let chain = 0;
  let schedCancel = 0;
  reactor.callWhenRunning(() => {
    // 1. One batch of N callLater(0).
    let left = N;
    const t0 = performance.now();
    const tick = (): void => {
      if (--left === 0) {
        batch = N / ((performance.now() - t0) / 1000);
        startChain();
      }
    };
    for (let i = 0; i < N; i++) reactor.callLater(0, tick);
  });
  const startChain = (): void => {
    // 2. A chain: each call schedules the next (one per iteration).
    let left = CHAIN;
    const t0 = performance.now();
    const step = (): void => {
      if (--left === 0) {
        chain = CHAIN / ((performance.now() - t0) / 1000);
        schedAndCancel();
      } else reactor.callLater(0, step);
    };
    reactor.callLater(0, step);
  };
  const schedAndCancel = (): void => {
    // 3. N calls at random delays, half of them cancelled (heap + lazy removal).
    const t0 = performance.now();
    const calls = [];
    for (let i = 0; i < N; i++) calls.push(reactor.callLater(60 + Math.random(), () => {}));
    for (let i = 0; i < N; i += 2) calls[i].cancel();
    schedCancel = N / ((performance.now() - t0) / 1000);
    for (let i = 1; i < N; i += 2) calls[i].cancel();
    reactor.stop();
  };
  await reactor.run({ installSignalHandlers: false });
  return { batch, chain, schedCancel };
}

// ---------------------------------------------------------------------------

const fmt = (n: number, d = 1): string => n.toFixed(d);
const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;

const REPS = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? (quick ? 1 : 3));
const median = (v: number[]): number => percentile(v, 0.5);

compile();
console.log(
  `# reactor bench on ${runtime} (${process.platform}), kinds: ${kinds.join(", ")}${
    quick ? " (quick)" : ""
  }, ${REPS} interleaved rep(s), medians shown ${
    JSON.stringify({
      spinMicroseconds: spinArg ?? "default",
      parker: parkerArg ?? "default",
      gapMicroseconds: GAP_US,
    })
  }`,
);

interface Sample {
  wakeP50: number[];
  wakeP99: number[];
  ratio: number[];
  blockingWakeP50: number[];
  cpu: number[];
  rtps: number[];
  rtP50: number[];
  blockingRtps: number[];
  batch: number[];
  chain: number[];
  schedCancel: number[];
}
const floors = {
  p50: [] as number[],
  p99: [] as number[],
  rtps: [] as number[],
  parkerP50: [] as number[],
  hostP50: [] as number[],
  hostRatio: [] as number[],
};
const samples = new Map<string, Sample>();
const raw: unknown[] = [];
/**
 * Collect the garbage the last repetition left (100k-call timer runs) before
 * measuring again, so no measurement pays for another's GC: `gc()` with
 * `--v8-flags=--expose-gc` on Deno, `Bun.gc(true)` on Bun, else a pause.
 */
async function settleGarbage(): Promise<void> {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void; }; };
  if (typeof g.gc === "function") g.gc();
  else if (g.Bun !== undefined) g.Bun.gc(true);
  await new Promise((r) => setTimeout(r, 300));
}

for (let rep = 0; rep < REPS; rep++) {
  await settleGarbage();
  const floor = await runHelper(["floor", String(WAKE_N), String(GAP_US)]);
  const pingFloor = await runHelper(["pingfloor", String(PING_N)]);
  const parkerOnly = await parkerOnlyLatency();
  const hostSocket = await hostSocketLatency();
  floors.hostP50.push(hostSocket.p50);
  floors.hostRatio.push(hostSocket.p50 / floor.p50_us);
  floors.p50.push(floor.p50_us);
  floors.p99.push(floor.p99_us);
  floors.rtps.push(pingFloor.rtps);
  floors.parkerP50.push(parkerOnly.p50);
  const rows = kinds.flatMap((kind) =>
    parkers.map((parker) => ({
      kind,
      parker,
      row: parker === undefined ? kind : `${kind} (${parker})`,
    }))
  );
  // Every wake-up first, then the rest: the callLater runs leave garbage
  // behind, and a wake-up measured right after one would pay for its GC.
  const wakes = new Map<string, Latency[]>();
  for (const { kind, parker, row } of rows) {
    wakes.set(row, [await wakeLatency(kind, false, parker), await wakeLatency(kind, true, parker)]);
  }
  for (const { kind, parker, row } of rows) {
    const [wake, wakeBlocking] = wakes.get(row)!;
    await settleGarbage();
    const cpu = await idleCpu(kind, parker);
    const pp = await pingPong(kind, false, parker);
    const ppBlocking = await pingPong(kind, true, parker);
    const cl = await callLaterThroughput(kind, parker);
    let s = samples.get(row);
    if (s === undefined) {
      s = {
        wakeP50: [],
        wakeP99: [],
        ratio: [],
        blockingWakeP50: [],
        cpu: [],
        rtps: [],
        rtP50: [],
        blockingRtps: [],
        batch: [],
        chain: [],
        schedCancel: [],
      };
      samples.set(row, s);
    }
    s.wakeP50.push(wake.p50);
    s.wakeP99.push(wake.p99);
    s.ratio.push(wake.p50 / floor.p50_us);
    s.blockingWakeP50.push(wakeBlocking.p50);
    s.cpu.push(cpu);
    s.rtps.push(pp.rtps);
    s.rtP50.push(pp.p50_us);
    s.blockingRtps.push(ppBlocking.rtps);
    s.batch.push(cl.batch);
    s.chain.push(cl.chain);
    s.schedCancel.push(cl.schedCancel);
    raw.push({
      rep,
      kind,
      parker: parker ?? "default",
      floor,
      pingFloor,
      parkerOnly,
      hostSocket,
      wake,
      wakeBlocking,
      cpu,
      pp,
      ppBlocking,
      cl,
    });
  }
}

console.log(
  `C floor: wake-up p50 ${fmt(median(floors.p50))} µs, p99 ${
    fmt(median(floors.p99))
  } µs; ping-pong ${k(median(floors.rtps))} rt/s. Parker alone (no reactor): wake-up p50 ${
    fmt(median(floors.parkerP50))
  } µs (${fmt(median(floors.parkerP50) / median(floors.p50), 2)}× the C floor; ${
    parkers[0] ?? "default"
  } parker). ${
    runtime === "deno" ? "Deno.listen" : "Bun.listen"
  } (the host loop's own socket): wake-up p50 ${fmt(median(floors.hostP50))} µs (${
    fmt(median(floors.hostRatio), 2)
  }× the C floor)`,
);
console.log(
  "\n| runtime | poller | wake p50 µs | wake p99 µs | p50 / C floor | blocking wake p50 µs | idle CPU % | ping-pong rt/s | rt p50 µs | blocking rt/s | callLater batch/s | chain/s | sched+cancel/s |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const [row, s] of samples) {
  console.log(
    `| ${runtime} | ${row} | ${fmt(median(s.wakeP50))} | ${fmt(median(s.wakeP99))} | ${
      fmt(median(s.ratio), 2)
    }× | ${fmt(median(s.blockingWakeP50))} | ${fmt(median(s.cpu), 2)} | ${k(median(s.rtps))} | ${
      fmt(median(s.rtP50))
    } | ${k(median(s.blockingRtps))} | ${k(median(s.batch))} | ${k(median(s.chain))} | ${
      k(median(s.schedCancel))
    } |`,
  );
}
console.log(`\n${JSON.stringify({ runtime, raw })}`);
