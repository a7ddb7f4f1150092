/**
 * The stream transport of the host backend: one connected `node:net` socket
 * (TCP or Unix, accepted or connected) behind Twisted's `ITCPTransport`, with
 * the semantics of Twisted's `tcp.Connection` and `abstract.FileDescriptor`.
 *
 * @module
 */

import type { Socket } from "node:net";
import { Failure } from "../../deferred/failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { type ISSLTransport, startTLS, type TLSWrapperOptions } from "../../protocols/tls.ts";
import type { TLSContextFactory } from "../../ssl/options.ts";
import { notBytes } from "../_validate.ts";
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../errors.ts";
import { connectionLostFrom } from "./_common.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

/**
 * How a {@linkcode HostConnection} is set up; internal to the host backend's
 * ports and connectors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostConnectionOptions } from "@skein/skein/reactor";
 *
 * const lost: string[] = [];
 * const options: HostConnectionOptions = {
 *   logstr: "Echo,0,127.0.0.1",
 *   onLost: (reason) => lost.push(reason.getErrorMessage()),
 * };
 * assert.equal(options.logstr, "Echo,0,127.0.0.1");
 * ```
 */
export interface HostConnectionOptions {
  /** The prefix for log lines (Twisted's `logstr`). */
  logstr?: string;
  /** Called after the protocol's `connectionLost` (a client's connector hook). */
  onLost?: (reason: Failure) => void;
}

/**
 * A connected stream socket as a Twisted transport: Skein's host-backend
 * counterpart of Twisted's `tcp.Server` / `tcp.Client` once connected.
 *
 * - `write`/`writeSequence` hand bytes to the socket at once (strings are
 *   sent as UTF-8). The transport keeps the bytes until they are sent: do not
 *   change a `Uint8Array` after writing it.
 * - A streaming producer is paused when the socket's buffer reaches its
 *   high-water mark (64 KiB, Twisted's `bufferSize`) and resumed when it
 *   drains; a pull producer is asked for more each time it drains.
 * - `loseConnection()` stops reading, sends what was written (also what is
 *   written later in the same turn), then closes: the protocol sees
 *   `ConnectionDone`. `abortConnection()` drops unsent data and resets the
 *   connection: the protocol sees `ConnectionAborted` on the next iteration.
 *   Any other end is `ConnectionLost`, or `ConnectionDone` when the peer closed
 *   cleanly.
 * - Half-close: a protocol with `readConnectionLost`/`writeConnectionLost`
 *   (Twisted's `IHalfCloseableProtocol`) gets `readConnectionLost()` when the
 *   peer shuts down its side and can still write; `loseWriteConnection()` sends
 *   FIN after the buffer drains and calls `writeConnectionLost()`.
 * - `pauseProducing()`/`resumeProducing()` stop and restart reading, so a
 *   slow consumer pushes back on the peer.
 *
 * Users get one as `protocol.transport`; they never build one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     const t = this.transport as HostConnection;
 *     assert.ok(t instanceof HostConnection);
 *     assert.equal(t.getTcpNoDelay(), true);
 *     this.transport!.write("hello");
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     got += new TextDecoder().decode(data);
 *     this.transport!.loseConnection();
 *   }
 *   override connectionLost(): void {
 *     port.stopListening().addCallback(() => reactor.stop());
 *   }
 * }
 * reactor.connectTCP("127.0.0.1", port.getHost().port, ClientFactory.forProtocol(Hello));
 * await reactor.run();
 * assert.equal(got, "hello");
 * ```
 */
export class HostConnection<A extends IAddress = IAddress>
  implements ITCPTransport<A>, IPushProducer, HostSelectable
{
  /** The reactor this connection belongs to. */
  readonly reactor: HostReactorLike;
  /** The runtime's socket. */
  readonly socket: Socket;
  /** The protocol this transport delivers to. */
  protocol: IProtocol;
  /** True from the start until the connection is lost. */
  connected: boolean = true;
  /** True once the connection is lost. */
  disconnected: boolean = false;
  /** True once `loseConnection()` was called (Twisted's `disconnecting`). */
  disconnecting: boolean = false;
  /** The user-space buffer size above which a streaming producer is paused. */
  readonly bufferSize: number;
  /** The registered producer, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether the registered producer is a streaming (push) producer. */
  streamingProducer: boolean = false;
  /** Whether this transport paused its streaming producer. */
  producerPaused: boolean = false;

  #host: A;
  #peer: A;
  #logstr: string;
  #onLost: ((reason: Failure) => void) | null;

  #noDelay = true;
  #keepAlive = false;
  #writeDisconnecting = false;
  #writeDisconnected = false;
  /** `end()` was called: nothing more may be written. */
  #ending = false;
  #aborting = false;
  /** The peer sent FIN. */
  #readDisconnected = false;
  /** Our FIN went out ('finish'). */
  #finished = false;
  #closed = false;
  /** A write returned false: 'drain' will come. */
  #full = false;
  #flushQueued = false;

  /** Wraps `socket`; starts delivering its data to `protocol` at once. */
  constructor(
    reactor: HostReactorLike,
    socket: Socket,
    protocol: IProtocol,
    host: A,
    peer: A,
    options: HostConnectionOptions = {},
  ) {
    this.reactor = reactor;
    this.socket = socket;
    this.protocol = protocol;
    this.#host = host;
    this.#peer = peer;
    this.#logstr = options.logstr ?? "-";
    this.#onLost = options.onLost ?? null;
    this.bufferSize = socket.writableHighWaterMark || 65536;
    // Bound once per connection (not per call), so that passing them on
    // works: `callLater(2, transport.loseConnection)`, `chunks.forEach(t.write)`.
    this.write = this.write.bind(this);
    this.writeSequence = this.writeSequence.bind(this);
    this.loseConnection = this.loseConnection.bind(this);
    this.abortConnection = this.abortConnection.bind(this);
    // As the FFI transports (reactor/tcp.ts) do: TCP_NODELAY on by default
    // (Twisted leaves Nagle on). Writes go out at once, so with Nagle a second
    // small write would wait for the peer's delayed ACK. Set explicitly so
    // getTcpNoDelay() tells the truth whatever the runtime's default.
    socket.setNoDelay(true);
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("finish", this.#onFinish);
    socket.on("drain", this.#onDrain);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    reactor.addSelectable(this);
  }

  // -------------------------------------------------------------------------
  // Socket events
  // -------------------------------------------------------------------------

  readonly #onData = (chunk: Uint8Array): void => {
    if (this.disconnected || this.disconnecting || this.#aborting) return;
    try {
      // A plain Uint8Array view (no copy), as the FFI transports deliver: code
      // written here must not come to depend on Buffer's extra methods.
      this.protocol.dataReceived(
        new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
    } catch (e) {
      this.#fail(e);
    }
  };

  readonly #onEnd = (): void => {
    this.#readDisconnected = true;
    if (this.disconnected || this.disconnecting || this.#aborting) return;
    const p = this.protocol as Partial<IHalfCloseableProtocol>;
    if (typeof p.readConnectionLost === "function") {
      try {
        p.readConnectionLost();
      } catch (e) {
        this.#fail(e);
        return;
      }
      this.#closeIfBothShut();
    } else {
      this.connectionLost(new Failure(new ConnectionDone()));
    }
  };

  readonly #onFinish = (): void => {
    this.#finished = true;
    if (this.disconnected || this.#aborting) return;
    if (this.disconnecting) {
      this.connectionLost(new Failure(new ConnectionDone()));
      return;
    }
    const p = this.protocol as Partial<IHalfCloseableProtocol>;
    if (typeof p.writeConnectionLost === "function") {
      try {
        p.writeConnectionLost();
      } catch (e) {
        this.#fail(e);
        return;
      }
    }
    this.#closeIfBothShut();
  };

  /**
   * Both directions are shut (the peer's FIN came and ours went out): nothing
   * more can happen, so the connection ends with `ConnectionDone`, as on the
   * FFI transports. (Twisted leaves that to the protocol.)
   */
  #closeIfBothShut(): void {
    if (this.#readDisconnected && this.#finished && !this.disconnected && !this.#aborting) {
      this.connectionLost(new Failure(new ConnectionDone()));
    }
  }

  readonly #onDrain = (): void => {
    this.#full = false;
    if (this.disconnected || this.#aborting) return;
    const producer = this.producer;
    if (producer !== null && (!this.streamingProducer || this.producerPaused)) {
      this.producerPaused = false;
      try {
        producer.resumeProducing();
      } catch (e) {
        this.#fail(e);
      }
    }
  };

  /** Called when a write made while a pull producer is registered has been sent. */
  readonly #onPullWritten = (err?: Error | null): void => {
    if (err || this.#full || this.disconnected || this.#aborting) return;
    if (this.socket.writableLength !== 0) return; // a later write's callback will come
    const producer = this.producer;
    if (producer !== null && !this.streamingProducer) {
      try {
        producer.resumeProducing();
      } catch (e) {
        this.#fail(e);
      }
    }
  };

  readonly #onError = (err: Error): void => {
    if (this.disconnected || this.#aborting) return;
    this.connectionLost(new Failure(connectionLostFrom(err)));
  };

  readonly #onClose = (): void => {
    this.#closed = true;
    if (this.disconnected || this.#aborting) return;
    this.connectionLost(
      new Failure(
        this.#readDisconnected && this.#finished ? new ConnectionDone() : new ConnectionLost(),
      ),
    );
  };

  /** An exception from protocol code: log it and drop the connection with it. */
  #fail(e: unknown): void {
    const f = new Failure(e);
    log.err(f, undefined, { system: this.#logstr });
    this.connectionLost(f);
  }

  // -------------------------------------------------------------------------
  // IConsumer / ITransport
  // -------------------------------------------------------------------------

  /**
   * Send bytes (a string is sent as UTF-8). Ignored once the connection is
   * closing for writes.
   */
  write(data: Uint8Array | string): void {
    if (typeof data === "string") {
      if (data.length === 0) return;
    } else if (!(data instanceof Uint8Array)) {
      throw notBytes(data);
    } else if (data.byteLength === 0) return;
    if (this.disconnected || this.#ending || this.#aborting) return;
    const producer = this.producer;
    if (producer !== null && !this.streamingProducer) {
      if (!this.socket.write(data, this.#onPullWritten)) this.#full = true;
      return;
    }
    if (!this.socket.write(data)) {
      this.#full = true;
      if (producer !== null && !this.producerPaused) {
        this.producerPaused = true;
        (producer as IPushProducer).pauseProducing();
      }
    }
  }

  /** Send several chunks, gathered into one system call where possible. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    const parts = Array.isArray(data) ? data : [...data];
    // Check every part first, so a bad one writes nothing (as Twisted does).
    for (const d of parts) {
      if (typeof d !== "string" && !(d instanceof Uint8Array)) throw notBytes(d);
    }
    if (this.disconnected || this.#ending || this.#aborting) return;
    const s = this.socket;
    s.cork();
    try {
      for (const d of parts) this.write(d);
    } finally {
      s.uncork();
    }
  }

  /**
   * Close once everything written so far (and in this turn) is sent. Reading
   * stops now. With a pull producer (or a paused streaming one) registered,
   * the close waits for `unregisterProducer()`, as in Twisted.
   */
  loseConnection(): void {
    if (this.disconnected || this.disconnecting) return;
    this.disconnecting = true;
    this.socket.pause();
    if (this.#writeDisconnected) {
      // Our FIN is out (or going out): close as soon as it is.
      if (this.#finished || this.#closed) this.connectionLost(new Failure(new ConnectionDone()));
      return;
    }
    this.#scheduleFlush();
  }

  /** Send FIN once the buffer drains, but keep reading. */
  loseWriteConnection(): void {
    if (this.disconnected || this.#writeDisconnecting) return;
    this.#writeDisconnecting = true;
    this.#scheduleFlush();
  }

  /** Close now, discarding unsent data and resetting the connection. */
  abortConnection(): void {
    if (this.disconnected || this.#aborting) return;
    this.#aborting = true;
    this.socket.pause();
    this.reactor.callLater(0, () => this.connectionLost(new Failure(new ConnectionAborted())));
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushQueued = false;
    if (this.disconnected || this.#aborting || this.#ending) return;
    const producer = this.producer;
    if (producer !== null && (!this.streamingProducer || this.producerPaused)) return;
    if (this.disconnecting || this.#writeDisconnecting) {
      this.#ending = true;
      this.#writeDisconnected = true;
      try {
        this.socket.end();
      } catch (e) {
        this.connectionLost(new Failure(connectionLostFrom(e)));
      }
    }
  };

  /**
   * Bytes written and not yet handed to the kernel (the runtime socket's
   * `writableLength`); 0 once the connection is gone.
   */
  get bufferedAmount(): number {
    return this.disconnected ? 0 : this.socket.writableLength;
  }

  /** The remote address. */
  getPeer(): A {
    return this.#peer;
  }

  /**
   * Switch this live connection to TLS (STARTTLS; Twisted's
   * `ITLSTransport.startTLS`): what was written so far goes out in the clear
   * first, everything after is encrypted, and the protocol's transport
   * becomes the returned TLS transport. On the host reactor the node:tls engine is used.
   */
  startTLS(contextFactory: TLSContextFactory, options?: TLSWrapperOptions): ISSLTransport {
    return startTLS(this, contextFactory, { engine: "node", ...options });
  }

  /** The local address. */
  getHost(): A {
    return this.#host;
  }

  /** The runtime socket (Twisted's `getHandle`). */
  getHandle(): Socket {
    return this.socket;
  }

  /** The prefix for log lines. */
  logPrefix(): string {
    return this.#logstr;
  }

  /** A short description. */
  toString(): string {
    return `<HostConnection ${this.#logstr} ${this.#peer}>`;
  }

  // -------------------------------------------------------------------------
  // Socket options
  // -------------------------------------------------------------------------

  /** Disable (true) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void {
    this.#noDelay = !!enabled;
    if (!this.disconnected) this.socket.setNoDelay(this.#noDelay);
  }

  /** Whether TCP_NODELAY is set. */
  getTcpNoDelay(): boolean {
    return this.#noDelay;
  }

  /** Turn TCP keep-alive probes on or off. */
  setTcpKeepAlive(enabled: boolean): void {
    this.#keepAlive = !!enabled;
    if (!this.disconnected) this.socket.setKeepAlive(this.#keepAlive);
  }

  /** Whether SO_KEEPALIVE is set. */
  getTcpKeepAlive(): boolean {
    return this.#keepAlive;
  }

  // -------------------------------------------------------------------------
  // Producer (of the bytes we read) and consumer (of a producer's bytes)
  // -------------------------------------------------------------------------

  /** Stop reading from the peer until `resumeProducing()`. */
  pauseProducing(): void {
    if (!this.disconnected) this.socket.pause();
  }

  /** Start reading from the peer again (unless closing). */
  resumeProducing(): void {
    if (!this.disconnected && !this.disconnecting && !this.#aborting) this.socket.resume();
  }

  /** Stop reading and close (Twisted's `stopProducing` = `loseConnection`). */
  stopProducing(): void {
    this.loseConnection();
  }

  /**
   * Register a producer: streaming ones are paused and resumed by the send
   * buffer, pull ones are asked for a chunk now and each time it drains.
   * Throws if one is already registered; a producer registered after the
   * connection is lost is stopped at once.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new Error(
        `Cannot register producer ${producer}, because producer ${this.producer} was never `
          + "unregistered: call unregisterProducer() first",
      );
    }
    if (this.disconnected) {
      producer.stopProducing();
      return;
    }
    this.producer = producer;
    this.streamingProducer = !!streaming;
    this.producerPaused = false;
    if (!streaming) (producer as IPullProducer).resumeProducing();
  }

  /** Remove the producer; a pending `loseConnection()` may now complete. */
  unregisterProducer(): void {
    this.producer = null;
    this.producerPaused = false;
    if (!this.disconnected && (this.disconnecting || this.#writeDisconnecting)) {
      this.#scheduleFlush();
    }
  }

  // -------------------------------------------------------------------------
  // Teardown
  // -------------------------------------------------------------------------

  /**
   * Tear the connection down now with `reason` and tell the protocol (then a
   * client's connector). Called for every way a connection ends; the reactor
   * calls it with `ConnectionLost` at shutdown. Idempotent.
   */
  connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    this.disconnected = true;
    this.connected = false;
    this.reactor.removeSelectable(this);
    const producer = this.producer;
    if (producer !== null) {
      this.producer = null;
      try {
        producer.stopProducing();
      } catch (e) {
        log.err(e, "Error in stopProducing", { system: this.#logstr });
      }
    }
    const s = this.socket;
    if (!s.destroyed) {
      const reset = (s as { resetAndDestroy?: () => unknown; }).resetAndDestroy;
      if (reason.value instanceof ConnectionAborted && typeof reset === "function") {
        try {
          reset.call(s);
        } catch {
          s.destroy();
        }
      } else {
        s.destroy();
      }
    }
    try {
      this.protocol.connectionLost(reason);
    } catch (e) {
      log.err(e, "Error in connectionLost", { system: this.#logstr });
    }
    const hook = this.#onLost;
    if (hook !== null) {
      this.#onLost = null;
      try {
        hook(reason);
      } catch (e) {
        log.err(e, "Error after connectionLost", { system: this.#logstr });
      }
    }
  }
}
