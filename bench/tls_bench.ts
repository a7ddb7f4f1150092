/**
 * TLS benchmark: bulk throughput (`--bytes`, 1 GiB by default, in 16 KiB
 * writes through a push producer) and sequential handshakes (`--handshakes`
 * connect/handshake/close) over loopback, server and client in one process,
 * for every peer in the same run:
 *
 * - Skein, OpenSSL engine (FFI reactor, `listenSSL`/`connectSSL`);
 * - Skein, node:tls engine (same reactor);
 * - the runtime's own TLS: `Deno.listenTls`/`Deno.connectTls`, or Bun's
 *   `Bun.listen`/`Bun.connect` with `tls`;
 * - `node:tls` (`tls.createServer`/`tls.connect`);
 * - Python Twisted 22 (`bench/tls_bench_twisted.py`, its own process).
 *
 * Rounds are interleaved (every peer once per round, the order rotated) and
 * each figure is the median over rounds of work per CPU-second of the
 * process doing it (`process.cpuUsage()`; Python's `time.process_time()`),
 * since the machine is shared: wall times are printed too, for reference
 * only. Both ends of each connection run in the measured process, for every
 * peer alike. A throwaway EC P-256 certificate is made with `openssl req`.
 *
 * Run: `deno run -A bench/tls_bench.ts [--bytes N] [--handshakes N]
 * [--rounds N] [--no-twisted]` or `bun bench/tls_bench.ts …`.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tls from "node:tls";
import { fileURLToPath } from "node:url";
import type { IBorrowingProtocol, IPushProducer } from "../interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../protocols/mod.ts";
import { createReactor } from "../reactor/mod.ts";
import {
  Certificate,
  CertificateOptions,
  optionsForClientTLS,
  PrivateCertificate,
  type TLSEngineName,
} from "../ssl/mod.ts";

const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args ?? process.argv.slice(2);
function option(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}
const BYTES = option("bytes", 1024 * 1024 * 1024);
const CHUNK = 16 * 1024;
const HANDSHAKES = option("handshakes", 300);
const ROUNDS = option("rounds", 3);
const TWISTED = !args.includes("--no-twisted");
const RUNTIME = typeof (globalThis as { Bun?: unknown; }).Bun !== "undefined" ? "bun" : "deno";

// ---- certificates ----
const dir = mkdtempSync(join(tmpdir(), "skein-tls-bench-"));
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const openssl = (...argv: string[]): void =>
  void execFileSync("openssl", argv, { cwd: dir, stdio: "ignore" });
openssl(
  "req",
  "-x509",
  ...EC,
  "-keyout",
  "ca.key",
  "-out",
  "ca.pem",
  "-days",
  "1",
  "-subj",
  "/CN=bench CA",
);
openssl("req", ...EC, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=localhost");
writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
openssl(
  "x509",
  "-req",
  "-in",
  "server.csr",
  "-CA",
  "ca.pem",
  "-CAkey",
  "ca.key",
  "-CAcreateserial",
  "-days",
  "1",
  "-extfile",
  "san.ext",
  "-out",
  "cert.pem",
);
const CERT = readFileSync(join(dir, "cert.pem"), "utf8");
const KEY = readFileSync(join(dir, "key.pem"), "utf8");
const CA = readFileSync(join(dir, "ca.pem"), "utf8");
const certificate = PrivateCertificate.loadPEM(CERT, KEY);
const serverOptions = new CertificateOptions({ certificate });
const clientOptions = optionsForClientTLS("localhost", { trustRoot: Certificate.loadPEM(CA) });

interface Sample {
  cpu: number;
  wall: number;
}

async function measure(fn: () => Promise<void>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

interface BenchPeer {
  readonly name: string;
  bulk(): Promise<Sample>;
  handshakes(): Promise<Sample>;
}

// ---- Skein ----
function skeinPeer(engine: TLSEngineName): BenchPeer {
  const reactor = createReactor();
  let running: Promise<void> | null = null;
  const ensure = (): void => {
    running ??= reactor.run({ installSignalHandlers: false });
  };
  const listen = (onData: (n: number) => void): { port: number; stop(): Promise<unknown>; } => {
    const f = new Factory();
    f.noisy = false;
    f.buildProtocol = () =>
      new (class extends Protocol implements IBorrowingProtocol {
        readonly borrowsReceivedData = true; // counts, keeps nothing
        override dataReceived(data: Uint8Array): void {
          onData(data.length);
        }
      })();
    const port = reactor.listenSSL(0, f, serverOptions, { interface: "127.0.0.1", engine });
    return { port: port.getHost().port, stop: () => port.stopListening().toPromise() };
  };
  return {
    name: `Skein (${engine} engine)`,
    bulk: () =>
      measure(() =>
        new Promise((resolve) => {
          ensure();
          let got = 0;
          const server = listen((n) => {
            got += n;
            if (got >= BYTES) void server.stop().then(() => resolve());
          });
          const chunk = new Uint8Array(CHUNK).fill(120);
          const cf = new ClientFactory();
          cf.noisy = false;
          cf.buildProtocol = () =>
            new (class extends Protocol implements IPushProducer {
              sent = 0;
              paused = false;
              override connectionMade(): void {
                this.transport!.registerProducer(this, true);
                this.resumeProducing();
              }
              pauseProducing(): void {
                this.paused = true;
              }
              resumeProducing(): void {
                this.paused = false;
                const t = this.transport!;
                while (!this.paused && this.sent < BYTES) {
                  t.write(chunk);
                  this.sent += CHUNK;
                }
                if (this.sent >= BYTES && !this.paused) {
                  t.unregisterProducer();
                  t.loseConnection();
                }
              }
              stopProducing(): void {}
            })();
          reactor.connectSSL("127.0.0.1", server.port, cf, clientOptions, { engine });
        })
      ),
    handshakes: () =>
      measure(() =>
        new Promise((resolve) => {
          ensure();
          const server = listen(() => {});
          let left = HANDSHAKES;
          const cf = new ClientFactory();
          cf.noisy = false;
          cf.buildProtocol = () =>
            new (class extends Protocol {
              handshakeCompleted(): void {
                this.transport!.loseConnection();
              }
            })();
          cf.clientConnectionLost = () => next();
          const next = (): void => {
            if (left-- === 0) {
              void server.stop().then(() => resolve());
              return;
            }
            reactor.connectSSL("127.0.0.1", server.port, cf, clientOptions, { engine });
          };
          next();
        })
      ),
    async close(): Promise<void> {
      if (running !== null) {
        reactor.stop();
        await running;
      }
    },
  } as BenchPeer & { close(): Promise<void>; };
}

// ---- node:tls ----
function nodeTlsPeer(): BenchPeer {
  const server = (onData: (n: number) => void): Promise<tls.Server> =>
    new Promise((resolve) => {
      const s = tls.createServer({ cert: CERT, key: KEY }, (socket) => {
        socket.on("data", (d: Uint8Array) => onData(d.length));
        socket.on("end", () => socket.end());
        socket.on("error", () => {});
      });
      s.listen(0, "127.0.0.1", () => resolve(s));
    });
  const portOf = (s: tls.Server): number => (s.address() as { port: number; }).port;
  return {
    name: "node:tls",
    bulk: () =>
      measure(async () => {
        let got = 0;
        let finish: () => void = () => {};
        const done = new Promise<void>((r) => (finish = r));
        const s = await server((n) => {
          got += n;
          if (got >= BYTES) finish();
        });
        const socket = tls.connect({
          port: portOf(s),
          host: "127.0.0.1",
          ca: CA,
          servername: "localhost",
        });
        await new Promise<void>((r) => socket.once("secureConnect", () => r()));
        const chunk = new Uint8Array(CHUNK).fill(120);
        let sent = 0;
        const pump = (): void => {
          while (sent < BYTES) {
            sent += CHUNK;
            if (!socket.write(chunk)) {
              socket.once("drain", pump);
              return;
            }
          }
          socket.end();
        };
        pump();
        await done;
        socket.destroy();
        await new Promise<void>((r) => s.close(() => r()));
      }),
    handshakes: () =>
      measure(async () => {
        const s = await server(() => {});
        for (let i = 0; i < HANDSHAKES; i++) {
          await new Promise<void>((resolve, reject) => {
            const socket = tls.connect({
              port: portOf(s),
              host: "127.0.0.1",
              ca: CA,
              servername: "localhost",
            });
            socket.once("secureConnect", () => socket.end());
            socket.once("close", () => resolve());
            socket.once("error", reject);
            socket.resume();
          });
        }
        await new Promise<void>((r) => s.close(() => r()));
      }),
  };
}

// ---- the runtime's own TLS ----
interface DenoTls {
  listenTls(o: { hostname: string; port: number; cert: string; key: string; }): {
    addr: { port: number; };
    accept(): Promise<DenoConn>;
    close(): void;
  };
  connectTls(o: { hostname: string; port: number; caCerts: string[]; }): Promise<DenoConn>;
}
interface DenoConn {
  read(b: Uint8Array): Promise<number | null>;
  write(b: Uint8Array): Promise<number>;
  handshake(): Promise<unknown>;
  close(): void;
  closeWrite(): Promise<void>;
}

function denoPeer(): BenchPeer {
  const D = (globalThis as unknown as { Deno: DenoTls; }).Deno;
  const drain = async (conn: DenoConn): Promise<number> => {
    const buf = new Uint8Array(64 * 1024);
    let got = 0;
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return got;
      got += n;
    }
  };
  return {
    name: "Deno.listenTls/connectTls",
    bulk: () =>
      measure(async () => {
        const listener = D.listenTls({ hostname: "127.0.0.1", port: 0, cert: CERT, key: KEY });
        const accepted = listener.accept().then(drain);
        const conn = await D.connectTls({
          hostname: "localhost",
          port: listener.addr.port,
          caCerts: [CA],
        });
        const chunk = new Uint8Array(CHUNK).fill(120);
        for (let sent = 0; sent < BYTES; sent += CHUNK) {
          let off = 0;
          while (off < CHUNK) off += await conn.write(off === 0 ? chunk : chunk.subarray(off));
        }
        await conn.closeWrite();
        const got = await accepted;
        if (got < BYTES) throw new Error(`Deno TLS bulk: ${got} of ${BYTES} bytes`);
        conn.close();
        listener.close();
      }),
    handshakes: () =>
      measure(async () => {
        const listener = D.listenTls({ hostname: "127.0.0.1", port: 0, cert: CERT, key: KEY });
        const serving = (async () => {
          for (let i = 0; i < HANDSHAKES; i++) {
            const c = await listener.accept();
            void c.handshake().then(() => drain(c)).catch(() => 0).finally(() => {
              try {
                c.close();
              } catch { /* closed */ }
            });
          }
        })();
        for (let i = 0; i < HANDSHAKES; i++) {
          const conn = await D.connectTls({
            hostname: "localhost",
            port: listener.addr.port,
            caCerts: [CA],
          });
          await conn.handshake();
          conn.close();
        }
        await serving;
        listener.close();
      }),
  };
}

interface BunSocket {
  write(d: Uint8Array): number;
  end(): void;
}
interface BunApi {
  listen(o: unknown): { port: number; stop(force?: boolean): void; };
  connect(o: unknown): Promise<BunSocket>;
}

function bunPeer(): BenchPeer {
  const B = (globalThis as unknown as { Bun: BunApi; }).Bun;
  const listen = (onData: (n: number) => void): { port: number; stop(force?: boolean): void; } =>
    B.listen({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: CERT, key: KEY },
      socket: {
        data: (_s: unknown, d: Uint8Array) => onData(d.length),
        end: (s: BunSocket) => s.end(),
      },
    });
  return {
    name: "Bun.listen/connect (tls)",
    bulk: () =>
      measure(async () => {
        let got = 0;
        let finish: () => void = () => {};
        const done = new Promise<void>((r) => (finish = r));
        const server = listen((n) => {
          got += n;
          if (got >= BYTES) finish();
        });
        const chunk = new Uint8Array(CHUNK).fill(120);
        let sent = 0;
        let pending: Uint8Array | null = null;
        const pump = (s: BunSocket): void => {
          for (;;) {
            if (pending !== null) {
              const n = s.write(pending);
              if (n < pending.length) {
                pending = pending.subarray(n);
                return;
              }
              pending = null;
            }
            if (sent >= BYTES) return;
            sent += CHUNK;
            pending = chunk;
          }
        };
        await B.connect({
          hostname: "127.0.0.1",
          port: server.port,
          tls: { ca: CA, serverName: "localhost" },
          socket: { open: pump, drain: pump, data: () => {} },
        });
        await done;
        server.stop(true);
      }),
    handshakes: () =>
      measure(async () => {
        const server = listen(() => {});
        for (let i = 0; i < HANDSHAKES; i++) {
          await new Promise<void>((resolve, reject) => {
            void B.connect({
              hostname: "127.0.0.1",
              port: server.port,
              tls: { ca: CA, serverName: "localhost" },
              socket: {
                handshake: (s: BunSocket, ok: boolean, error: unknown) => {
                  if (!ok) reject(error);
                  s.end();
                },
                close: () => resolve(),
                data: () => {},
              },
            }).catch(reject);
          });
        }
        server.stop(true);
      }),
  };
}

// ---- Python Twisted ----
const TWISTED_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "tls_bench_twisted.py");
let twistedRound: { bulk: Sample; handshakes: Sample; } | null = null;
function twistedPeer(): BenchPeer {
  const run = (): { bulk: Sample; handshakes: Sample; } => {
    const r = spawnSync("/usr/bin/python3", [
      TWISTED_SCRIPT,
      join(dir, "cert.pem"),
      join(dir, "key.pem"),
      join(dir, "ca.pem"),
      String(BYTES),
      String(CHUNK),
      String(HANDSHAKES),
    ], { encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) throw new Error(`Twisted peer failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
  };
  return {
    name: "Python Twisted 22",
    bulk(): Promise<Sample> {
      twistedRound = run();
      return Promise.resolve(twistedRound.bulk);
    },
    handshakes(): Promise<Sample> {
      const r = twistedRound ?? run();
      twistedRound = null;
      return Promise.resolve(r.handshakes);
    },
  };
}

// ---- the run ----
const peers: BenchPeer[] = [
  skeinPeer("openssl"),
  skeinPeer("node"),
  RUNTIME === "deno" ? denoPeer() : bunPeer(),
  nodeTlsPeer(),
];
if (TWISTED) peers.push(twistedPeer());

const bulkRates = new Map<string, number[]>();
const bulkWalls = new Map<string, number[]>();
const hsRates = new Map<string, number[]>();
const hsWalls = new Map<string, number[]>();
const push = (m: Map<string, number[]>, k: string, v: number): void =>
  void m.set(k, [...(m.get(k) ?? []), v]);

for (let round = 0; round < ROUNDS; round++) {
  const order = peers.map((_, i) => peers[(i + round) % peers.length]);
  for (const peer of order) {
    const b = await peer.bulk();
    push(bulkRates, peer.name, BYTES / b.cpu / 1e6);
    push(bulkWalls, peer.name, BYTES / b.wall / 1e6);
    const h = await peer.handshakes();
    push(hsRates, peer.name, HANDSHAKES / h.cpu);
    push(hsWalls, peer.name, HANDSHAKES / h.wall);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

console.log(
  `TLS bench on ${RUNTIME}: ${BYTES} bytes in ${CHUNK}-byte writes, ${HANDSHAKES} sequential handshakes, `
    + `${ROUNDS} interleaved rounds, medians (per CPU-second of the process; wall for reference)`,
);
console.log(
  `${"peer".padEnd(30)} ${"bulk MB/CPU-s".padStart(14)} ${"bulk MB/s wall".padStart(15)} ${
    "handshakes/CPU-s".padStart(17)
  } ${"handshakes/s wall".padStart(18)}`,
);
for (const peer of peers) {
  console.log(
    `${peer.name.padEnd(30)} ${fmt(median(bulkRates.get(peer.name)!)).padStart(14)} ${
      fmt(median(bulkWalls.get(peer.name)!)).padStart(15)
    } ${fmt(median(hsRates.get(peer.name)!)).padStart(17)} ${
      fmt(median(hsWalls.get(peer.name)!)).padStart(18)
    }`,
  );
}
const ratio = (a: string, b: string, m: Map<string, number[]>): string =>
  (median(m.get(a)!) / median(m.get(b)!)).toFixed(2) + "x";
const skein = peers[0].name;
const native = peers[2].name;
console.log(
  `Skein (openssl) / ${native}: bulk ${ratio(skein, native, bulkRates)}, handshakes ${
    ratio(skein, native, hsRates)
  }`,
);
console.log(
  `Skein (openssl) / node:tls: bulk ${ratio(skein, "node:tls", bulkRates)}, handshakes ${
    ratio(skein, "node:tls", hsRates)
  }`,
);
console.log(
  `Skein (node) / ${native}: bulk ${ratio(peers[1].name, native, bulkRates)}, handshakes ${
    ratio(peers[1].name, native, hsRates)
  }`,
);
if (TWISTED) {
  console.log(
    `Skein (openssl) / Twisted: bulk ${ratio(skein, "Python Twisted 22", bulkRates)}, handshakes ${
      ratio(skein, "Python Twisted 22", hsRates)
    }`,
  );
}

for (const peer of peers) await (peer as Partial<{ close(): Promise<void>; }>).close?.();
rmSync(dir, { recursive: true, force: true });
