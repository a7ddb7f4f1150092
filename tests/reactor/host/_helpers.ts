/**
 * Helpers for the host-reactor suites: run a fresh HostReactor around a test
 * body (bounded in time), and small protocols/factories that record what
 * happens to them as promises.
 */

import type { Failure } from "../../../deferred/failure.ts";
import type { IAddress, IConnector, IProtocol } from "../../../interfaces.ts";
import { ClientFactory, Factory, Protocol } from "../../../protocols/mod.ts";
import { HostReactor } from "../../../reactor/host/host_reactor.ts";
import { concat, ipOf, LogCapture, portOf, sleep, text, timeout, waitFor } from "../_helpers.ts";

export { concat, ipOf, LogCapture, portOf, sleep, text, timeout, waitFor };

/**
 * Run a fresh HostReactor, run `body` against it, then stop it and wait for
 * the loop to end (also when `body` fails). Bounded by `ms`.
 */
export async function withHost<T>(body: (r: HostReactor) => Promise<T>, ms = 20000): Promise<T> {
  const r = new HostReactor();
  const done = r.run({ installSignalHandlers: false });
  try {
    return await timeout(body(r), ms, "test body");
  } finally {
    if (r.running) r.stop();
    await timeout(done, 5000, "reactor stop");
  }
}

/** A promise with its resolve function. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A protocol that records its life: data chunks, made/lost promises, hook order. */
export class Recorder extends Protocol {
  /** Received chunks. */
  chunks: Uint8Array[] = [];
  /** Bytes received. */
  received = 0;
  /** The reason given to connectionLost. */
  reason: Failure | null = null;
  /** Events in order. */
  events: string[] = [];
  readonly #made = deferred<Recorder>();
  readonly #lost = deferred<Failure>();
  /** Resolves at connectionMade. */
  readonly made: Promise<Recorder> = this.#made.promise;
  /** Resolves with the reason at connectionLost. */
  readonly lost: Promise<Failure> = this.#lost.promise;
  /** Optional hook run on each chunk. */
  onData: ((self: Recorder, data: Uint8Array) => void) | null = null;

  override connectionMade(): void {
    this.events.push("made");
    this.#made.resolve(this);
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.received += data.byteLength;
    this.onData?.(this, data);
  }
  override connectionLost(reason: Failure): void {
    this.events.push("lost");
    this.reason = reason;
    this.#lost.resolve(reason);
  }
  /** Everything received, as one array. */
  data(): Uint8Array {
    return concat(this.chunks);
  }
  /** Everything received, as text. */
  text(): string {
    return new TextDecoder().decode(this.data());
  }
}

/** A Recorder that is also an IHalfCloseableProtocol. */
export class HalfCloser extends Recorder {
  /** readConnectionLost calls. */
  readLost = 0;
  /** writeConnectionLost calls. */
  writeLost = 0;
  /** Optional hook for readConnectionLost. */
  onReadLost: ((self: HalfCloser) => void) | null = null;
  readConnectionLost(): void {
    this.readLost++;
    this.events.push("readLost");
    this.onReadLost?.(this);
  }
  writeConnectionLost(): void {
    this.writeLost++;
    this.events.push("writeLost");
  }
}

/** A server factory building protocols with `make`, keeping them. */
export class ServerOf<P extends IProtocol> extends Factory {
  /** Protocols built so far. */
  built: P[] = [];
  /** Addresses buildProtocol saw. */
  addrs: IAddress[] = [];
  started = 0;
  stopped = 0;
  constructor(readonly make: () => P | null) {
    super();
    this.noisy = false;
  }
  override startFactory(): void {
    this.started++;
  }
  override stopFactory(): void {
    this.stopped++;
  }
  override buildProtocol(addr: IAddress): IProtocol | null {
    this.addrs.push(addr);
    const p = this.make();
    if (p !== null) this.built.push(p);
    return p;
  }
}

/** A client factory recording the ClientFactory hooks in order. */
export class ClientOf<P extends IProtocol> extends ClientFactory {
  /** Hooks in order. */
  events: string[] = [];
  /** The protocol built, if any. */
  proto: P | null = null;
  /** The reason of clientConnectionFailed/Lost. */
  reason: Failure | null = null;
  started = 0;
  stopped = 0;
  readonly #built = deferred<P>();
  readonly #finished = deferred<Failure>();
  /** Resolves with the protocol once built. */
  readonly built: Promise<P> = this.#built.promise;
  /** Resolves with the reason at clientConnectionFailed or clientConnectionLost. */
  readonly finished: Promise<Failure> = this.#finished.promise;
  constructor(readonly make: () => P) {
    super();
    this.noisy = false;
  }
  override startFactory(): void {
    this.started++;
  }
  override stopFactory(): void {
    this.stopped++;
  }
  override startedConnecting(_c: IConnector): void {
    this.events.push("startedConnecting");
  }
  override buildProtocol(addr: IAddress): IProtocol | null {
    this.events.push(`buildProtocol ${addr}`);
    const p = this.make();
    this.proto = p;
    this.#built.resolve(p);
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push(`failed ${(reason.value as Error).name}`);
    this.reason = reason;
    this.#finished.resolve(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.events.push(`lost ${(reason.value as Error).name}`);
    this.reason = reason;
    this.#finished.resolve(reason);
  }
}

/** An echo protocol. */
export class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/** An echo server factory. */
export function echoFactory(): ServerOf<Echo> {
  return new ServerOf(() => new Echo());
}

/** Deterministic pseudo-random bytes. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
