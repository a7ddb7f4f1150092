/**
 * TLS as a protocol wrapper (Twisted's `twisted.protocols.tls`): a
 * `TLSMemoryBIOProtocol` sits between any transport (TCP, Unix, a
 * process's pipes, an in-memory pair) and the application's protocol.
 * Ciphertext goes in and out through the wrapped transport; the application
 * protocol sees plaintext and a transport that also answers TLS questions
 * (the peer's certificate, ALPN, the version). `TLSMemoryBIOFactory` wraps a
 * factory so every connection it builds speaks TLS; `startTLS` switches a
 * live connection to TLS (STARTTLS).
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type {
  IAbortableTransport,
  IAddress,
  IBorrowingProtocol,
  IClientFactory,
  IConnector,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IReactorTime,
  ITransport,
} from "../interfaces.ts";
import { FileDescriptor } from "../reactor/abstract.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import type { TLSEngine } from "../ssl/_engine.ts";
import { Certificate } from "../ssl/certificate.ts";
import { engineKind, type TLSEngineName } from "../ssl/engines.ts";
import { TLSError, TLSHandshakeTimeoutError, TLSTruncationError } from "../ssl/errors.ts";
import type { TLSContextFactory, TLSSettings } from "../ssl/options.ts";

const encoder = new TextEncoder();
/** Plaintext held for the handshake beyond which a streaming producer is paused. */
const APP_BUFFER_HIGH = 64 * 1024;

/**
 * What a TLS connection's transport adds to a transport: the peer's
 * certificate, the negotiated protocol and version, and the handshake.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ISSLTransport } from "@skein/skein/ssl";
 * const alpn = (t: ISSLTransport): string | null => t.negotiatedProtocol;
 * assert.equal(typeof alpn, "function");
 * ```
 */
export interface ISSLTransport extends IAbortableTransport {
  /** True once the handshake finished. */
  readonly handshakeDone: boolean;
  /** The ALPN protocol agreed (`"h2"`), or `null`. */
  readonly negotiatedProtocol: string | null;
  /** `"TLSv1.3"` or `"TLSv1.2"` once the handshake finished, else `null`. */
  readonly tlsVersion: string | null;
  /** The SNI name: the one a client sent (on both sides), or `null`. */
  readonly serverName: string | null;
  /** The peer's certificate (after the handshake), or `null` when it sent none. */
  getPeerCertificate(): Certificate | null;
  /** Fires when the handshake finishes; fails with the reason when the connection ends first. */
  whenHandshakeDone(): Deferred<void>;
}

/**
 * A protocol that wants to hear when the handshake finishes (Twisted's
 * `IHandshakeListener`): `handshakeCompleted()` runs then, when the peer's
 * certificate and the ALPN choice are known.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IHandshakeListener } from "@skein/skein/ssl";
 * const seen: string[] = [];
 * const p: IHandshakeListener = { handshakeCompleted: () => void seen.push("done") };
 * p.handshakeCompleted();
 * assert.deepEqual(seen, ["done"]);
 * ```
 */
export interface IHandshakeListener {
  /** The handshake finished. */
  handshakeCompleted(): void;
}

/**
 * Options of {@linkcode TLSMemoryBIOFactory} and {@linkcode startTLS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TLSWrapperOptions } from "@skein/skein/ssl";
 * import { Clock } from "@skein/skein/testing";
 * const o: TLSWrapperOptions = { clock: new Clock(), handshakeTimeout: 10 };
 * assert.equal(o.handshakeTimeout, 10);
 * ```
 */
export interface TLSWrapperOptions {
  /** The engine. @default {defaultTLSEngine()} */
  engine?: TLSEngineName;
  /** The clock for `handshakeTimeout` (the reactor). */
  clock?: IReactorTime;
  /** Abort a connection whose handshake takes longer (seconds; needs `clock`). */
  handshakeTimeout?: number;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

function hasMethod<K extends string>(
  o: unknown,
  name: K,
): o is Record<K, (...a: unknown[]) => unknown> {
  return typeof (o as Record<string, unknown> | null)?.[name] === "function";
}

/**
 * One TLS connection over another transport (Twisted's
 * `TLSMemoryBIOProtocol`). The wrapped protocol's `connectionMade` runs as
 * soon as the transport is up; what it writes before the handshake finishes
 * is sent right after it. `handshakeCompleted()` (if the protocol has it)
 * and {@linkcode TLSMemoryBIOProtocol.whenHandshakeDone} tell when the
 * peer is known. `loseConnection` sends close_notify once everything
 * written is out; a peer that closes without close_notify is a
 * `TLSTruncationError` (a `ConnectionLost`), and a failed handshake ends the
 * connection with a `TLSError` naming what failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { optionsForClientTLS, TLSMemoryBIOProtocol } from "@skein/skein/ssl";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * const app = new Protocol();
 * const tls = new TLSMemoryBIOProtocol(optionsForClientTLS("example.com"), app);
 * const wire = new StringTransport();
 * tls.makeConnection(wire);
 * assert.equal(app.transport, tls); // the app writes plaintext to the TLS transport
 * assert.equal(wire.value()[0], 0x16); // a TLS handshake record: the ClientHello
 * tls.abortConnection();
 * ```
 */
export class TLSMemoryBIOProtocol implements IProtocol, ISSLTransport, IBorrowingProtocol {
  /** Ciphertext is copied into the engine at once: the transport may lend its buffer. */
  readonly borrowsReceivedData = true;
  /** The transport carrying the ciphertext. */
  transport: ITransport | null = null;
  /** The application's protocol. */
  readonly wrappedProtocol: IProtocol;
  /** The factory that built this connection, if any. */
  readonly factory: TLSMemoryBIOFactory | null;
  /** True once `makeConnection` ran. */
  connected: boolean = false;
  /** True once `loseConnection` was called. */
  disconnecting: boolean = false;
  #settings: TLSSettings;
  #options: TLSWrapperOptions;
  #engine: TLSEngine | null = null;
  #handshakeDone = false;
  #appBuffer: Uint8Array[] = [];
  #appBuffered = 0;
  #producer: IPushProducer | IPullProducer | null = null;
  #shutdownSent = false;
  #peerClosed = false;
  #lost = false;
  #reason: Failure | null = null;
  #waiting: Deferred<void>[] = [];
  #handshakeOutcome: Failure | null = null;
  #timeout: IDelayedCall | null = null;
  #wrappedConnected: boolean;
  #closing = false;
  #engineBacklog = false;
  #lowerPaused = false;
  #producerPaused = false;
  #afterClose: (() => void)[] = [];
  /** The wrapped protocol reads plaintext only during dataReceived (IBorrowingProtocol). */
  #wrappedBorrows = false;

  /**
   * Wrap `wrappedProtocol` in TLS configured by `contextFactory`
   * (`optionsForClientTLS(...)` on the connecting side, `CertificateOptions`
   * on the accepting side).
   */
  constructor(
    contextFactory: TLSContextFactory,
    wrappedProtocol: IProtocol,
    options: TLSWrapperOptions = {},
    factory: TLSMemoryBIOFactory | null = null,
    /** True when the wrapped protocol is connected already (STARTTLS). */
    wrappedConnected: boolean = false,
  ) {
    this.#settings = contextFactory.tls;
    this.#options = options;
    this.wrappedProtocol = wrappedProtocol;
    this.#wrappedBorrows =
      (wrappedProtocol as Partial<IBorrowingProtocol>).borrowsReceivedData === true;
    this.factory = factory;
    this.#wrappedConnected = wrappedConnected;
    this.write = this.write.bind(this);
    this.loseConnection = this.loseConnection.bind(this);
    this.abortConnection = this.abortConnection.bind(this);
  }

  /** Attach the ciphertext transport, start the handshake, then connect the wrapped protocol. */
  makeConnection(transport: ITransport): void {
    this.transport = transport;
    this.connected = true;
    const timeout = this.#options.handshakeTimeout;
    const clock = this.#options.clock;
    if (timeout !== undefined && clock !== undefined) {
      this.#timeout = clock.callLater(timeout, () => {
        this.#timeout = null;
        if (this.#handshakeDone || this.#lost) return;
        this.#fail(new TLSHandshakeTimeoutError(timeout), true);
      });
    }
    try {
      this.#engine = engineKind(this.#options.engine).create(this.#settings, {
        sendCiphertext: (data) => {
          const t = this.transport;
          if (this.#lost || t === null) return true;
          t.write(data);
          // A descriptor queues by reference only what it could not send at
          // once (then bufferedAmount > 0); any other transport may keep it.
          return t instanceof FileDescriptor && t.bufferedAmount === 0;
        },
        receivedPlaintext: (data, lent) => {
          if (this.#lost) return;
          this.wrappedProtocol.dataReceived(lent && !this.#wrappedBorrows ? data.slice() : data);
        },
        handshakeDone: () => this.#onHandshake(),
        closeNotifyReceived: () => {
          this.#peerClosed = true;
          this.#shutdownTLS();
        },
        backlog: (full) => {
          this.#engineBacklog = full;
          this.#updateProducer();
        },
        failed: (error) => this.#fail(error, false),
      });
    } catch (e) {
      this.#fail(
        e instanceof TLSError ? e : new TLSError(e instanceof Error ? e.message : String(e)),
        true,
      );
    }
    if (this.#wrappedConnected) {
      this.wrappedProtocol.transport = this;
    } else {
      this.#wrappedConnected = true;
      this.wrappedProtocol.makeConnection(this);
    }
    if (!this.#lost) this.#engine?.start();
  }

  /** Nothing to do here: `makeConnection` did the work. */
  connectionMade(): void {}

  /** Ciphertext from the peer. */
  dataReceived(data: Uint8Array): void {
    this.#engine?.receiveCiphertext(data);
  }

  /** The ciphertext transport went away: tell the wrapped protocol why. */
  connectionLost(reason: Failure): void {
    const engine = this.#engine;
    this.#closing = true;
    if (engine === null || this.#reason !== null) return this.#closed(reason);
    // Let the engine finish what it received (a close_notify may be in it).
    engine.finish(() => this.#closed(reason));
  }

  #closed(reason: Failure): void {
    this.#lost = true;
    this.#timeout?.cancel();
    this.#timeout = null;
    let final = this.#reason;
    if (final === null) {
      const clean = reason.check(ConnectionDone) !== null;
      if (this.#peerClosed || (clean && this.#shutdownSent)) {
        final = clean ? reason : new Failure(new ConnectionDone());
      } else if (clean && !this.#handshakeDone) {
        final = new Failure(
          new TLSError("the peer closed the connection during the TLS handshake"),
        );
      } else if (clean) {
        final = new Failure(new TLSTruncationError());
      } else {
        final = reason;
      }
    }
    this.#engine?.destroy();
    this.#finishHandshake(final);
    this.#appBuffer = [];
    this.#appBuffered = 0;
    if (this.#wrappedConnected) this.wrappedProtocol.connectionLost(final);
    this.factory?.connectionEnded(this);
    const after = this.#afterClose;
    this.#afterClose = [];
    for (const fn of after) fn();
  }

  /** Encrypt and send (queued until the handshake finishes). Dropped once closing. */
  write(data: Uint8Array | string): void {
    if (this.#lost || this.#shutdownSent) return;
    const bytes = toBytes(data);
    if (bytes.length === 0) return;
    if (!this.#handshakeDone) {
      // A copy: the caller may reuse its buffer once write returns.
      this.#appBuffer.push(bytes.slice());
      this.#appBuffered += bytes.length;
      if (this.#appBuffered >= APP_BUFFER_HIGH) this.#updateProducer();
      return;
    }
    this.#engine!.writePlaintext(bytes);
  }

  /** Write several chunks. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const chunk of data) this.write(chunk);
  }

  /** Plaintext waiting for the handshake plus ciphertext the transport holds. */
  get bufferedAmount(): number {
    return this.#appBuffered + (this.transport?.bufferedAmount ?? 0);
  }

  /**
   * Close cleanly: once what was written is sent (and a registered producer
   * unregistered), send close_notify; the connection closes when the peer's
   * close_notify comes back (or the peer closes). Before the handshake with
   * nothing written, there is nothing to protect: the connection is aborted
   * (as Twisted does).
   */
  loseConnection(): void {
    if (this.disconnecting || this.#lost || !this.connected) return;
    if (!this.#handshakeDone && this.#appBuffer.length === 0) {
      this.disconnecting = true;
      this.abortConnection();
      return;
    }
    this.disconnecting = true;
    if (this.#appBuffer.length === 0 && this.#producer === null) this.#shutdownTLS();
  }

  /** Close now, mid-handshake or not: nothing more is sent. */
  abortConnection(): void {
    if (this.#lost) return;
    this.disconnecting = true;
    this.#appBuffer = [];
    this.#appBuffered = 0;
    const t = this.transport;
    if (hasMethod(t, "abortConnection")) t.abortConnection();
    else t?.loseConnection();
  }

  /** The peer's address (the ciphertext transport's). */
  getPeer(): IAddress {
    return this.transport!.getPeer();
  }

  /** This side's address. */
  getHost(): IAddress {
    return this.transport!.getHost();
  }

  /** Register a producer: it is paused and resumed by the ciphertext transport's buffer. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new Error("registerProducer: a producer is already registered; unregister it first");
    }
    this.#producer = producer;
    if (!streaming) {
      this.transport?.registerProducer(producer, false);
      return;
    }
    // The producer is paused while the wire's buffer is full or the engine
    // holds a backlog of plaintext (Twisted's producer membrane).
    this.#lowerPaused = false;
    this.#producerPaused = false;
    this.transport?.registerProducer({
      pauseProducing: () => {
        this.#lowerPaused = true;
        this.#updateProducer();
      },
      resumeProducing: () => {
        this.#lowerPaused = false;
        this.#updateProducer();
      },
      stopProducing: () => producer.stopProducing(),
    }, true);
    this.#updateProducer();
  }

  #updateProducer(): void {
    const p = this.#producer;
    if (p === null || !("pauseProducing" in p)) return;
    const pause = this.#lowerPaused || this.#engineBacklog || this.#appBuffered >= APP_BUFFER_HIGH;
    if (pause === this.#producerPaused) return;
    this.#producerPaused = pause;
    if (pause) p.pauseProducing();
    else p.resumeProducing();
  }

  /** Unregister it; a pending `loseConnection` goes ahead. */
  unregisterProducer(): void {
    if (this.#producer === null) return;
    this.#producer = null;
    this.transport?.unregisterProducer();
    if (this.disconnecting && this.#handshakeDone && this.#appBuffer.length === 0) {
      this.#shutdownTLS();
    }
  }

  /** Stop reading from the peer. */
  pauseProducing(): void {
    const t = this.transport;
    if (hasMethod(t, "pauseProducing")) t.pauseProducing();
  }

  /** Read again. */
  resumeProducing(): void {
    const t = this.transport;
    if (hasMethod(t, "resumeProducing")) t.resumeProducing();
  }

  /** Stop reading and close. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** True once the handshake finished. */
  get handshakeDone(): boolean {
    return this.#handshakeDone;
  }

  /** The ALPN protocol agreed, or `null`. */
  get negotiatedProtocol(): string | null {
    return this.#handshakeDone ? this.#engine?.negotiatedProtocol() ?? null : null;
  }

  /** The TLS version, once the handshake finished. */
  get tlsVersion(): string | null {
    return this.#handshakeDone ? this.#engine?.protocolVersion() ?? null : null;
  }

  /** The SNI name, or `null`. */
  get serverName(): string | null {
    return this.#engine?.serverName() ?? null;
  }

  /** The peer's certificate, or `null`. */
  getPeerCertificate(): Certificate | null {
    if (!this.#handshakeDone) return null;
    const der = this.#engine?.peerCertificate() ?? null;
    return der === null ? null : new Certificate(der);
  }

  /** A Deferred that fires when the handshake is done (or fails with why it never will be). */
  whenHandshakeDone(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#handshakeDone) d.callback(undefined);
    else if (this.#handshakeOutcome !== null) d.errback(this.#handshakeOutcome);
    else this.#waiting.push(d);
    return d;
  }

  /** The name used in log lines. */
  logPrefix(): string {
    const w = this.wrappedProtocol as Partial<{ logPrefix(): string; }>;
    const inner = typeof w.logPrefix === "function"
      ? w.logPrefix()
      : this.wrappedProtocol.constructor.name;
    return `${inner} (TLS)`;
  }

  /**
   * Run `fn` once the wrapped protocol has heard `connectionLost` (at once
   * when it has, or when the transport is still up); true when it waits.
   */
  afterWrappedLost(fn: () => void): boolean {
    if (!this.#closing || this.#lost) return false;
    this.#afterClose.push(fn);
    return true;
  }

  #onHandshake(): void {
    if (this.#lost) return;
    this.#handshakeDone = true;
    this.#timeout?.cancel();
    this.#timeout = null;
    const queued = this.#appBuffer;
    this.#appBuffer = [];
    this.#appBuffered = 0;
    for (const chunk of queued) this.#engine!.writePlaintext(chunk);
    this.#updateProducer();
    this.#finishHandshake(null);
    const listener = this.wrappedProtocol as Partial<IHandshakeListener>;
    if (typeof listener.handshakeCompleted === "function" && !this.#lost) {
      listener.handshakeCompleted();
    }
    if (this.disconnecting && this.#producer === null && !this.#lost) this.#shutdownTLS();
  }

  #finishHandshake(failure: Failure | null): void {
    if (this.#handshakeOutcome !== null || (failure !== null && this.#handshakeDone)) return;
    if (failure !== null) this.#handshakeOutcome = failure;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const d of waiting) {
      if (failure === null) d.callback(undefined);
      else d.errback(failure);
    }
  }

  #shutdownTLS(): void {
    if (this.#lost || this.#engine === null) return;
    this.#shutdownSent = true;
    if (this.#engine.shutdown()) this.#engine.afterFlush(() => this.transport?.loseConnection());
  }

  /** The connection failed: keep the reason, send what the engine queued (an alert), close. */
  #fail(error: TLSError, abort: boolean): void {
    if (this.#reason === null) this.#reason = new Failure(error);
    this.#appBuffer = [];
    this.#appBuffered = 0;
    this.#finishHandshake(this.#reason);
    const t = this.transport;
    if (abort && hasMethod(t, "abortConnection")) t.abortConnection();
    else t?.loseConnection();
    this.#lost = true;
  }
}

/**
 * Wraps a factory so every connection it builds speaks TLS (Twisted's
 * `TLSMemoryBIOFactory`): give it to `listenTCP`/`listenUNIX` with
 * `CertificateOptions`, or to `connectTCP` with `optionsForClientTLS(...)`.
 * A client factory's connection hooks reach the wrapped factory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { optionsForClientTLS, TLSMemoryBIOFactory, TLSMemoryBIOProtocol } from "@skein/skein/ssl";
 *
 * const factory = new TLSMemoryBIOFactory(optionsForClientTLS("example.com"), true, Factory.forProtocol(Protocol));
 * const p = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 443));
 * assert.ok(p instanceof TLSMemoryBIOProtocol);
 * assert.ok(p.wrappedProtocol instanceof Protocol);
 * ```
 */
export class TLSMemoryBIOFactory implements IClientFactory {
  /** The TLS options. */
  readonly contextFactory: TLSContextFactory;
  /** True when the connections are clients (checked against the options). */
  readonly isClient: boolean;
  /** The application's factory. */
  readonly wrappedFactory: IProtocolFactory;
  readonly #options: TLSWrapperOptions;
  readonly #live = new Set<TLSMemoryBIOProtocol>();

  /**
   * Wrap `wrappedFactory`. Throws a `TLSConfigurationError` at once when the
   * options cannot work (the engine compiles them here).
   */
  constructor(
    contextFactory: TLSContextFactory,
    isClient: boolean,
    wrappedFactory: IProtocolFactory,
    options: TLSWrapperOptions = {},
  ) {
    if (contextFactory?.tls === undefined) {
      throw new TypeError(
        "TLSMemoryBIOFactory needs TLS options: optionsForClientTLS(host) or new CertificateOptions({...})",
      );
    }
    if (contextFactory.tls.isClient !== isClient) {
      throw new TypeError(
        isClient
          ? "client connections need client options: optionsForClientTLS(host, {...})"
          : "server connections need server options: new CertificateOptions({ certificate })",
      );
    }
    this.contextFactory = contextFactory;
    this.isClient = isClient;
    this.wrappedFactory = wrappedFactory;
    this.#options = options;
    engineKind(options.engine).prepare(contextFactory.tls);
  }

  /** A TLS connection around the wrapped factory's protocol (or `null` when it refuses). */
  buildProtocol(addr: IAddress): TLSMemoryBIOProtocol | null {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === null) return null;
    const p = new TLSMemoryBIOProtocol(this.contextFactory, wrapped, this.#options, this);
    this.#live.add(p);
    return p;
  }

  /** Forwarded to the wrapped factory. */
  doStart(): void {
    this.wrappedFactory.doStart();
  }

  /** Forwarded to the wrapped factory. */
  doStop(): void {
    this.wrappedFactory.doStop();
  }

  /** Forwarded to a wrapped client factory. */
  startedConnecting(connector: IConnector): void {
    const f = this.wrappedFactory;
    if (hasMethod(f, "startedConnecting")) f.startedConnecting(connector);
  }

  /** Forwarded to a wrapped client factory. */
  clientConnectionFailed(connector: IConnector, reason: Failure): void {
    const f = this.wrappedFactory;
    if (hasMethod(f, "clientConnectionFailed")) f.clientConnectionFailed(connector, reason);
  }

  /** Forwarded to a wrapped client factory. */
  clientConnectionLost(connector: IConnector, reason: Failure): void {
    const f = this.wrappedFactory;
    if (!hasMethod(f, "clientConnectionLost")) return;
    // The wrapped protocol hears connectionLost first, as without TLS (an
    // engine may finish reading what arrived on a later turn).
    const forward = (): void => void f.clientConnectionLost(connector, reason);
    for (const p of this.#live) if (p.afterWrappedLost(forward)) return;
    forward();
  }

  /** How many of its connections are open. */
  get openConnections(): number {
    return this.#live.size;
  }

  /** Called by a connection as it ends. */
  connectionEnded(p: TLSMemoryBIOProtocol): void {
    this.#live.delete(p);
  }

  /** `TLSMemoryBIOFactory(<wrapped>)`. */
  toString(): string {
    return `TLSMemoryBIOFactory(${String(this.wrappedFactory)})`;
  }
}

/** A connection that can hand its bytes to another protocol (the reactor's connections). */
interface SwitchableConnection extends ITransport {
  protocol: IProtocol;
}

/**
 * Switch a live connection to TLS (STARTTLS; Twisted's
 * `ITLSTransport.startTLS`): what was written before goes out in the clear
 * first, everything after is encrypted, and from here on the protocol's
 * transport is the TLS transport. `transport` is the connection's
 * transport (it must expose its `protocol`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { optionsForClientTLS, startTLS, TLSMemoryBIOProtocol } from "@skein/skein/ssl";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * const app = new Protocol();
 * const wire = Object.assign(new StringTransport(), { protocol: app as Protocol });
 * app.makeConnection(wire);
 * wire.write("STARTTLS\r\n"); // in the clear
 * const tls = startTLS(wire, optionsForClientTLS("example.com"));
 * assert.ok(wire.protocol instanceof TLSMemoryBIOProtocol);
 * assert.equal(app.transport, tls);
 * assert.equal(wire.valueString().startsWith("STARTTLS\r\n"), true);
 * tls.abortConnection();
 * ```
 */
export function startTLS(
  transport: ITransport,
  contextFactory: TLSContextFactory,
  options: TLSWrapperOptions = {},
): TLSMemoryBIOProtocol {
  const connection = transport as Partial<SwitchableConnection>;
  const current = connection.protocol;
  if (current === undefined || current === null) {
    throw new TypeError("startTLS needs a connection transport that exposes its protocol");
  }
  if (current instanceof TLSMemoryBIOProtocol) {
    throw new Error("startTLS: this connection already speaks TLS");
  }
  engineKind(options.engine).prepare(contextFactory.tls);
  const tls = new TLSMemoryBIOProtocol(contextFactory, current, options, null, true);
  (connection as SwitchableConnection).protocol = tls;
  tls.makeConnection(transport);
  return tls;
}
