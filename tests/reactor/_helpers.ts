/**
 * Shared helpers for the transport tests: the list of reactor kinds every
 * suite runs on (one place), a runner that starts and stops a reactor around
 * a test body, and small protocols/factories that record what happens.
 */

import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import type {
  IAddress,
  IConnector,
  IPAddress,
  IProtocol,
  ITCPTransport,
  IUDPTransport,
} from "../../interfaces.ts";
import { concatBytes } from "../../protocols/basic/_buffer.ts";
import { ClientFactory, Factory, Protocol } from "../../protocols/mod.ts";
import { IPv4Address, IPv6Address } from "../../reactor/address.ts";
import type { Reactor, ReactorKind } from "../../reactor/install.ts";
import { availablePollers } from "../../reactor/pollers/mod.ts";
import { type PollerKind, PosixReactor } from "../../reactor/posix_reactor.ts";

/**
 * Every reactor kind the transport suites run on: each FFI poller this OS
 * has (epoll, poll, select / kqueue), and the host reactor (node:net /
 * node:dgram, no FFI).
 */
export const KINDS: ReactorKind[] = [...(availablePollers() as ReactorKind[]), "host"];

export { LogCapture } from "../_log_capture.ts";
export { RUNTIME } from "../_runtime.ts";

/** An environment variable on either runtime. */
export function env(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(n: string): string | undefined; }; };
    process?: { env: Record<string, string | undefined>; };
  };
  try {
    return g.Deno ? g.Deno.env.get(name) : g.process?.env[name];
  } catch {
    return undefined;
  }
}

/** Reject after `ms` with a message naming `what`. */
export function timeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    Promise.resolve(p).finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Sleep on the host loop. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Create a reactor of `kind`, run it, run `body`, then stop it and wait for
 * the loop to end (also when `body` fails). Bounded by `ms`.
 */
export async function withReactor<T>(
  kind: ReactorKind,
  body: (r: Reactor) => Promise<T>,
  ms = 20000,
): Promise<T> {
  // FFI kinds are built directly; the host reactor comes from install.ts (loaded
  // only when asked for, so the FFI suites do not depend on the host backend).
  const r: Reactor = kind === "host"
    ? (await import("../../reactor/install.ts")).createReactor("host")
    : new PosixReactor(kind as PollerKind) as unknown as Reactor;
  const done = r.run({ installSignalHandlers: false });
  try {
    return await timeout(body(r), ms, `test body on ${kind}`);
  } finally {
    if (r.running) r.stop();
    await timeout(done, 5000, "reactor stop");
  }
}

/** Wait until `cond()` holds, polling on the host loop. */
export async function waitFor(cond: () => boolean, ms = 10000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * `t` once its socket is bound. The FFI ports and the host port on Deno are
 * bound when `listenUDP` returns; the host port on Bun learns its address a
 * microtask later (Bun's dgram hands the bound socket over in a promise
 * callback), so tests that need the port number wait here. Where the port
 * has `whenListening()`, the address it gives must be `getHost()`'s.
 */
export async function bound<T extends IUDPTransport>(t: T): Promise<T> {
  const host = await timeout(t.whenListening(), 5000, "UDP port bound");
  assert.deepEqual(host, t.getHost());
  return t;
}

/** The port number a listening port (TCP or UDP) is bound to. */
export function portOf(p: { getHost(): IPAddress; }): number {
  return p.getHost().port;
}

/** `address`, checked to be an IP address (a transport's kind is not in its type). */
export function ipOf(address: IAddress): IPAddress {
  assert.ok(
    address instanceof IPv4Address || address instanceof IPv6Address,
    `not an IP address: ${address}`,
  );
  return address;
}

/** Concatenate byte chunks. */
export const concat: (chunks: readonly Uint8Array[]) => Uint8Array = concatBytes;

/** UTF-8 text of bytes. */
export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** A running FNV-1a checksum over a byte stream. */
export class Checksum {
  /** The hash so far. */
  h = 0x811c9dc5;
  /** Bytes seen. */
  n = 0;
  /** Feed bytes. */
  update(b: Uint8Array): void {
    let h = this.h;
    for (let i = 0; i < b.length; i++) {
      h ^= b[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.h = h;
    this.n += b.length;
  }
}

/** Deterministic pseudo-random bytes (so both ends can check them). */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes back whatever it receives. */
export class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/** A protocol that records everything that happens to it. */
export class Recorder extends Protocol {
  /** Received chunks. */
  chunks: Uint8Array[] = [];
  /** Bytes received. */
  received = 0;
  /** Why the connection ended, once it has. */
  reason: Failure | null = null;
  /** Fires at `connectionMade`. */
  made: Deferred<Recorder> = new Deferred<Recorder>();
  /** Resolves with the reason at `connectionLost` (a Promise: a Deferred would errback on a Failure). */
  lost: Promise<Failure>;
  private resolveLost!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((res) => {
      this.resolveLost = res;
    });
  }

  override connectionMade(): void {
    this.made.callback(this);
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data);
    this.received += data.byteLength;
  }
  override connectionLost(reason: Failure): void {
    this.reason = reason;
    this.resolveLost(reason);
  }
  /** Everything received so far. */
  data(): Uint8Array {
    return concat(this.chunks);
  }
}

/** A Recorder that also implements the half-close hooks. */
export class HalfCloseRecorder extends Recorder {
  /** Times readConnectionLost ran. */
  readLost = 0;
  /** Times writeConnectionLost ran. */
  writeLost = 0;
  /** What to do on the peer's FIN. */
  onReadLost: ((p: HalfCloseRecorder) => void) | null = null;
  readConnectionLost(): void {
    this.readLost++;
    this.onReadLost?.(this);
  }
  writeConnectionLost(): void {
    this.writeLost++;
  }
}

/**
 * The TCP options every stream transport has, as Twisted's: NODELAY on by
 * default (the FFI and host transports both turn it on) and switchable off;
 * keep-alive off by default and switchable on.
 */
export function assertTcpOptionDefaults(t: ITCPTransport): void {
  assert.equal(t.getTcpNoDelay(), true, "NODELAY is on by default");
  t.setTcpNoDelay(false);
  assert.equal(t.getTcpNoDelay(), false);
  assert.equal(t.getTcpKeepAlive(), false, "keep-alive is off by default");
  t.setTcpKeepAlive(true);
  assert.equal(t.getTcpKeepAlive(), true);
}

/** Append `p` to `built` (what a recording factory built) and return it. */
function keep<P>(built: P[], p: P): P {
  built.push(p);
  return p;
}

/** A server factory handing out protocols from `make`, remembering them. */
export class ServerFactoryOf<P extends IProtocol> extends Factory {
  /** Protocols built so far. */
  built: P[] = [];
  /** doStart / doStop calls. */
  starts = 0;
  stops = 0;
  constructor(private make: () => P) {
    super();
  }
  override buildProtocol(_addr: IAddress): IProtocol | null {
    return keep(this.built, this.make());
  }
  override doStart(): void {
    this.starts++;
  }
  override doStop(): void {
    this.stops++;
  }
}

/** A free TCP port on 127.0.0.1: listen on 0, read the port, close. */
export async function freePort(r: Reactor): Promise<number> {
  const p = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), { interface: "127.0.0.1" });
  const n = portOf(p);
  await p.stopListening();
  return n;
}

/** A client factory recording outcomes; `result` fires with the protocol or the failure. */
export class ClientFactoryOf<P extends IProtocol> extends ClientFactory {
  /** Protocols built so far. */
  built: P[] = [];
  /** Events in order: "started", "failed", "lost". */
  events: string[] = [];
  /** The failure of `clientConnectionFailed`, if any. */
  failure: Failure | null = null;
  /** The reason of `clientConnectionLost`, if any. */
  lostReason: Failure | null = null;
  /** Fires with the protocol (connected) or errbacks with the failure. */
  result: Deferred<P> = new Deferred<P>();
  /** Fires at `clientConnectionLost` / `clientConnectionFailed`. */
  finished: Deferred<string> = new Deferred<string>();
  starts = 0;
  stops = 0;
  constructor(private make: () => P) {
    super();
  }
  override buildProtocol(_addr: IAddress): IProtocol | null {
    const p = keep(this.built, this.make());
    if (p === null) return null;
    if ((p as unknown as Recorder).made instanceof Deferred) {
      (p as unknown as Recorder).made.addCallback(() => {
        if (!this.result.called) this.result.callback(p);
        return null;
      });
    } else if (!this.result.called) this.result.callback(p);
    return p;
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push("started");
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push("failed");
    this.failure = reason;
    if (!this.result.called) {
      this.result.errback(reason);
      this.result.addErrback(() => null);
    }
    this.finished.callback("failed");
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.events.push("lost");
    this.lostReason = reason;
    this.finished.callback("lost");
  }
  override doStart(): void {
    this.starts++;
  }
  override doStop(): void {
    this.stops++;
  }
}
