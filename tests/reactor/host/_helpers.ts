/**
 * Helpers for the host-reactor suites: run a fresh HostReactor around a test
 * body (bounded in time), and small protocols/factories that record what
 * happens to them as promises.
 */

import type { Failure } from "../../../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IListeningPort,
  IPAddress,
  IProtocol,
} from "../../../interfaces.ts";
import { Factory, Protocol } from "../../../protocols/mod.ts";
import { HostReactor } from "../../../reactor/host/host_reactor.ts";
import { listenAndConnect, type ListenAndConnectOptions } from "../_connect.ts";
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

/** A quiet factory counting its startFactory and stopFactory calls. */
class CountingFactory extends Factory {
  /** startFactory calls. */
  started = 0;
  /** stopFactory calls. */
  stopped = 0;
  constructor() {
    super();
    this.noisy = false;
  }
  override startFactory(): void {
    this.started++;
  }
  override stopFactory(): void {
    this.stopped++;
  }
}

/** A server factory building protocols with `make`, keeping them. */
export class ServerOf<P extends IProtocol> extends CountingFactory {
  /** Protocols built so far. */
  built: P[] = [];
  /** Addresses buildProtocol saw. */
  addrs: IAddress[] = [];
  constructor(readonly make: () => P | null) {
    super();
  }
  override buildProtocol(addr: IAddress): IProtocol | null {
    this.addrs.push(addr);
    const p = this.make();
    if (p !== null) this.built.push(p);
    return p;
  }
}

/**
 * A client factory recording the IClientFactory hooks in order (all three
 * are its own, so it needs nothing of ClientFactory but the counting base).
 */
export class ClientOf<P extends IProtocol> extends CountingFactory implements IClientFactory {
  /** Hooks in order. */
  events: string[] = [];
  /** The protocol built, if any. */
  proto: P | null = null;
  /** The reason of clientConnectionFailed/Lost. */
  reason: Failure | null = null;
  readonly #built = deferred<P>();
  readonly #finished = deferred<Failure>();
  /** Resolves with the protocol once built. */
  readonly built: Promise<P> = this.#built.promise;
  /** Resolves with the reason at clientConnectionFailed or clientConnectionLost. */
  readonly finished: Promise<Failure> = this.#finished.promise;
  constructor(readonly make: () => P) {
    super();
  }
  startedConnecting(_c: IConnector): void {
    this.events.push("startedConnecting");
  }
  override buildProtocol(addr: IAddress): IProtocol | null {
    this.events.push(`buildProtocol ${addr}`);
    const p = this.make();
    this.proto = p;
    this.#built.resolve(p);
    return p;
  }
  clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.events.push(`failed ${(reason.value as Error).name}`);
    this.reason = reason;
    this.#finished.resolve(reason);
  }
  clientConnectionLost(_c: IConnector, reason: Failure): void {
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

/** What {@linkcode hostTCPPair} builds, and where it listens and connects. */
export interface HostPairOptions<S extends IProtocol, C extends Recorder>
  extends ListenAndConnectOptions
{
  /** The server's protocols (default: a Recorder each). */
  server?: () => S;
  /** The client's protocol (default: a Recorder). */
  client?: () => C;
}

/**
 * Listen on a fresh loopback port of `r` with `server()` protocols, connect a
 * `client()` protocol to it, and resolve once its connectionMade ran.
 */
export async function hostTCPPair<S extends IProtocol = Recorder, C extends Recorder = Recorder>(
  r: HostReactor,
  opts: HostPairOptions<S, C> = {},
): Promise<
  {
    sf: ServerOf<S>;
    port: IListeningPort<IPAddress>;
    cf: ClientOf<C>;
    connector: IConnector;
    client: C;
  }
> {
  const sf = new ServerOf(opts.server ?? (() => new Recorder() as unknown as S));
  const cf = new ClientOf(opts.client ?? (() => new Recorder() as C));
  const { port, connector } = listenAndConnect(r, sf, cf, opts);
  const client = await cf.built;
  await client.made;
  return { sf, port, cf, connector, client };
}

/** A maker of Recorders that run `fn(p)` at their connectionMade (a server that writes first, say). */
export function whenMade(fn: (p: Recorder) => void): () => Recorder {
  return () => {
    const p = new Recorder();
    void p.made.then(() => fn(p));
    return p;
  };
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
