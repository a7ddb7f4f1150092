/**
 * FFI layer micro-benchmarks, on the runtime that runs this file:
 *
 * - the cost of one FFI `recv` on an empty non-blocking socket (EAGAIN);
 * - `epoll_wait(ep, …, 0)` through the raw binding and `poll(0)` of each
 *   poller with 1 and 100 idle fds;
 * - `encodeSockaddr`/`decodeSockaddr` (per datagram on UDP);
 * - `monotonicSeconds()`;
 * - parker wake-up latency: a separate process writes a CLOCK_MONOTONIC stamp
 *   into a Unix socket every 1–3 ms (random), so the parker is idle when each
 *   lands; latency = when the parked JS thread resumes − the stamp. For
 *   scale, the C floor of bench/reactor_floor.c (a C reader blocked in
 *   `epoll_wait(-1)`, same stimulus) runs in the same session when `cc` is
 *   available.
 *
 *   deno run -A bench/ffi_bench.ts [--json]
 *   bun bench/ffi_bench.ts [--json]
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  constants as C,
  createParker,
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  errorFromErrno,
  libc,
  monotonicSeconds,
  type ParkerKind,
} from "../reactor/ffi/mod.ts";
import { createPoller, READ } from "../reactor/pollers/mod.ts";

const isDeno = typeof Deno !== "undefined";
const args: string[] = isDeno ? Deno.args : process.argv.slice(2);
const L = libc();
const runtime = isDeno ? `deno ${Deno.version.deno}` : `bun ${process.versions.bun}`;

const ts = new Uint8Array(16);
const tsU32 = new Uint32Array(ts.buffer);
const tsI32 = new Int32Array(ts.buffer);
/** CLOCK_MONOTONIC in seconds, comparable across processes. */
function clockMono(): number {
  L.clock_gettime(C.CLOCK_MONOTONIC, ts);
  return tsU32[0] + tsI32[1] * 4294967296 + tsU32[2] / 1e9;
}

// ---------------------------------------------------------------------------
// Writer process: connect to the socket and send stamps.

if (args[0] === "--writer") {
  const path = args[1];
  const count = Number(args[2]);
  const fd = L.socket(C.AF_UNIX, C.SOCK_STREAM, 0);
  const sa = encodeSockaddrUn(path);
  if (L.connect(fd, sa, sa.length) < 0) throw errorFromErrno(L.errno(), "connect");
  const stamp = new Float64Array(1);
  const bytes = new Uint8Array(stamp.buffer);
  let sent = 0;
  const tick = (): void => {
    if (sent++ >= count) {
      L.close(fd);
      return;
    }
    stamp[0] = clockMono();
    L.send(fd, bytes, 8, C.MSG_NOSIGNAL);
    setTimeout(tick, 1 + Math.random() * 2);
  };
  setTimeout(tick, 50);
} else {
  await main();
}

// ---------------------------------------------------------------------------

function nsPerCall(fn: () => void, iterations: number): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / iterations);
  }
  return best;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function wakeLatency(
  kind: ParkerKind,
  samples: number,
): Promise<{ p50: number; p90: number; p99: number; n: number; }> {
  const dir = mkdtempSync(join(tmpdir(), "skein-bench-"));
  const path = join(dir, "w.sock");
  const lfd = L.socket(C.AF_UNIX, C.SOCK_STREAM, 0);
  const sa = encodeSockaddrUn(path);
  if (L.bind(lfd, sa, sa.length) < 0) throw errorFromErrno(L.errno(), "bind");
  if (L.listen(lfd, 1) < 0) throw errorFromErrno(L.errno(), "listen");
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    isDeno
      ? ["run", "-A", self, "--writer", path, String(samples + 20)]
      : [self, "--writer", path, String(samples + 20)],
    { stdio: "inherit" },
  );
  const parker = createParker(kind);
  const lat: number[] = [];
  try {
    await parker.park(new Int32Array([lfd]));
    const name = new Uint8Array(128);
    const nameLen = new Uint32Array([128]);
    const fd = L.accept4(lfd, name, nameLen, C.SOCK_NONBLOCK | C.SOCK_CLOEXEC);
    decodeSockaddr(name, nameLen[0]);
    const buf = new Float64Array(64);
    const bytes = new Uint8Array(buf.buffer);
    const fds = new Int32Array([fd]);
    let seen = 0;
    for (;;) {
      await parker.park(fds);
      const now = clockMono();
      const n = L.recv(fd, bytes, bytes.length, 0);
      if (n <= 0) break;
      // Only a lone stamp measures an idle wake-up.
      if (n === 8 && seen++ >= 20) lat.push((now - buf[0]) * 1e6);
    }
    L.close(fd);
  } finally {
    parker.close();
    L.close(lfd);
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  lat.sort((a, b) => a - b);
  return {
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    n: lat.length,
  };
}

/** Build and run bench/reactor_floor.c's `floor` mode, or null without a C compiler. */
function cFloor(samples: number): { p50: number; p99: number; } | null {
  const dir = mkdtempSync(join(tmpdir(), "skein-floor-"));
  try {
    const exe = join(dir, "reactor_floor");
    const src = fileURLToPath(new URL("./reactor_floor.c", import.meta.url));
    execFileSync("cc", ["-O2", "-o", exe, src], { stdio: "ignore" });
    const out = execFileSync(exe, ["floor", String(samples)], { encoding: "utf8" });
    const r = JSON.parse(out.trim().split("\n").at(-1)!);
    return { p50: r.p50_us, p99: r.p99_us };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const json = args.includes("--json");
  const rows: Record<string, number | string>[] = [];
  const add = (name: string, value: number, unit: string): void => {
    rows.push({ runtime, name, value: Math.round(value * 10) / 10, unit });
  };

  // recv on an empty socket: one FFI call and a syscall failing with EAGAIN.
  const pair = new Int32Array(2);
  L.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0, pair);
  const rbuf = new Uint8Array(65536);
  add(
    "recv (EAGAIN) via libc().recv",
    nsPerCall(() => L.recv(pair[0], rbuf, rbuf.length, 0), 200_000),
    "ns/call",
  );
  add("errno read after it", nsPerCall(() => L.errno(), 2_000_000), "ns/call");

  const ep = L.epoll_create1!(C.EPOLL_CLOEXEC);
  const evbuf = new Uint8Array(12 * 64);
  add(
    "epoll_wait(ep, 64, 0), raw",
    nsPerCall(() => L.epoll_wait!(ep, evbuf, 64, 0), 200_000),
    "ns/call",
  );
  L.close(ep);

  const noop = (): void => {};
  for (const kind of ["epoll", "poll", "select"] as const) {
    for (const nfds of [1, 100]) {
      const poller = createPoller(kind);
      const pairs: number[] = [];
      for (let i = 0; i < nfds; i++) {
        const p = new Int32Array(2);
        L.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0, p);
        pairs.push(p[0], p[1]);
        poller.modify(p[0], READ);
      }
      add(
        `${kind} poller poll(0), ${nfds} idle fd${nfds > 1 ? "s" : ""}`,
        nsPerCall(() => poller.poll(0, noop), 50_000),
        "ns/call",
      );
      poller.close();
      for (const fd of pairs) L.close(fd);
    }
  }
  L.close(pair[0]);
  L.close(pair[1]);

  const saOut = new Uint8Array(128);
  const saOpts = { out: saOut };
  add(
    "encodeSockaddr(\"127.0.0.1\", port)",
    nsPerCall(() => encodeSockaddr("127.0.0.1", 8080, saOpts), 500_000),
    "ns/call",
  );
  add(
    "encodeSockaddr(\"2001:db8::1\", port)",
    nsPerCall(() => encodeSockaddr("2001:db8::1", 8080, saOpts), 500_000),
    "ns/call",
  );
  const sa4 = encodeSockaddr("127.0.0.1", 8080);
  const sa6 = encodeSockaddr("2001:db8::1", 8080);
  add("decodeSockaddr(sockaddr_in)", nsPerCall(() => decodeSockaddr(sa4, 16), 500_000), "ns/call");
  add("decodeSockaddr(sockaddr_in6)", nsPerCall(() => decodeSockaddr(sa6, 28), 500_000), "ns/call");

  add("monotonicSeconds()", nsPerCall(() => monotonicSeconds(), 2_000_000), "ns/call");
  add("performance.now()", nsPerCall(() => performance.now(), 2_000_000), "ns/call");
  add("clock_gettime(MONOTONIC) via FFI", nsPerCall(() => clockMono(), 2_000_000), "ns/call");

  const kinds: ParkerKind[] = isDeno ? ["nonblocking", "worker"] : ["worker"];
  const samples = Number(args.find((a) => a.startsWith("--samples="))?.slice(10) ?? 500);
  for (const kind of kinds) {
    const r = await wakeLatency(kind, samples);
    add(`parker ${kind}: idle wake-up p50 (n=${r.n})`, r.p50, "µs");
    add(`parker ${kind}: idle wake-up p90`, r.p90, "µs");
    add(`parker ${kind}: idle wake-up p99`, r.p99, "µs");
  }

  const floor = cFloor(samples);
  if (floor !== null) {
    add(`C floor (epoll_wait -1 in C): idle wake-up p50`, floor.p50, "µs");
    add(`C floor (epoll_wait -1 in C): idle wake-up p99`, floor.p99, "µs");
  }

  if (json) {
    console.log(JSON.stringify(rows));
  } else {
    console.log(`FFI layer, ${runtime}, ${L.os}/${L.arch}`);
    for (const r of rows) {
      console.log(`  ${String(r.name).padEnd(48)} ${String(r.value).padStart(9)} ${r.unit}`);
    }
  }
}
