/**
 * An in-memory network for protocol tests: Twisted's `twisted.test.iosim`.
 * Two protocols are connected by a pair of {@linkcode FakeTransport}s and an
 * {@linkcode IOPump} moves the bytes between them when you say so, so a
 * client/server conversation runs synchronously and deterministically.
 *
 * @example A line echo round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineReceiver } from "@skein/skein/protocols/basic";
 * import { connectedServerAndClient } from "@skein/skein/testing";
 *
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     this.sendLine(line);
 *   }
 * }
 * class Client extends LineReceiver {
 *   got: string[] = [];
 *   override lineReceived(line: Uint8Array): void {
 *     this.got.push(new TextDecoder().decode(line));
 *   }
 * }
 * const [client, _server, pump] = connectedServerAndClient(Echo, Client);
 * client.sendLine("HI");
 * pump.flush();
 * assert.equal(client.got[0], "HI");
 * ```
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
} from "../interfaces.ts";
import { concatBytes } from "../protocols/basic/_buffer.ts";
import { IPv4Address } from "../reactor/address.ts";
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
} from "../reactor/errors.ts";
import type { MemoryReactor } from "./memory_reactor.ts";
import { TCPOptionsRecorder } from "./tcp_options_recorder.ts";

const encoder = new TextEncoder();
let serial = 0;

/**
 * Options of {@linkcode FakeTransport}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import type { FakeTransportOptions } from "@skein/skein/testing";
 * import { FakeTransport } from "@skein/skein/testing";
 * const o: FakeTransportOptions = { peerAddress: new IPv4Address("TCP", "10.0.0.2", 4000) };
 * assert.equal(new FakeTransport(new Protocol(), false, o).getPeer(), o.peerAddress);
 * ```
 */
export interface FakeTransportOptions<
  H extends IAddress = IAddress,
  P extends IAddress = IAddress,
> {
  /** What `getHost()` returns. @default {IPv4Address("TCP", "127.0.0.1", 80 for a server, else 49152 + n)} */
  hostAddress?: H;
  /** What `getPeer()` returns. @default {the other side's usual host address} */
  peerAddress?: P;
}

/**
 * One end of an in-memory connection (Twisted's `iosim.FakeTransport`):
 * writes are queued until an {@linkcode IOPump} delivers them to the other
 * side. Beyond Twisted's, it honours flow control (a paused transport
 * receives nothing until resumed), half-close (`loseWriteConnection` reaches
 * a peer with `readConnectionLost`), and `abortConnection` (queued data is
 * dropped; this side sees `ConnectionAborted`, the peer `ConnectionLost`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { FakeTransport } from "@skein/skein/testing";
 * const t = new FakeTransport(new Protocol(), false);
 * t.write("queued");
 * assert.ok(new TextDecoder().decode(t.getOutBuffer()!) === "queued");
 * ```
 */
export class FakeTransport<H extends IAddress = IAddress, P extends IAddress = IAddress>
  extends TCPOptionsRecorder
  implements ITCPTransport<H | P>, IPushProducer
{
  /** The protocol bytes are delivered to. */
  readonly protocol: IProtocol;
  /** True on the accepting side. */
  readonly isServer: boolean;
  /** A number naming this transport in `toString()`. */
  readonly serial: number;
  /** True once this side asked to close (or the peer closed). */
  disconnecting: boolean = false;
  /** True once the close was carried out by the pump. */
  disconnected: boolean = false;
  /** What this side's protocol is told when the connection goes. */
  disconnectReason: Error = new ConnectionDone("Connection done");
  /** True while reading is paused (`pauseProducing`). */
  paused: boolean = false;
  /** True once `loseWriteConnection()` was called. */
  writeDisconnecting: boolean = false;
  /** True once the half-close reached the peer. */
  writeDisconnected: boolean = false;
  /** The registered producer, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** Whether the registered producer is a push producer. */
  streamingProducer: boolean = false;
  #stream: Uint8Array[] = [];
  #queued = 0;
  #host: H;
  #peer: P;

  /** Build one end; `isServer` says which. */
  constructor(protocol: IProtocol, isServer: boolean, options: FakeTransportOptions<H, P> = {}) {
    super();
    this.protocol = protocol;
    this.isServer = isServer;
    this.serial = serial++;
    // Twisted code hands these around unbound: callLater(2, t.loseConnection).
    this.write = this.write.bind(this);
    this.writeSequence = this.writeSequence.bind(this);
    this.loseConnection = this.loseConnection.bind(this);
    this.abortConnection = this.abortConnection.bind(this);
    const server = new IPv4Address("TCP", "127.0.0.1", 80);
    const client = new IPv4Address("TCP", "127.0.0.1", 49152 + (this.serial % 16384));
    // H and P are IAddress (their default) unless the options say otherwise.
    this.#host = options.hostAddress ?? (isServer ? server : client) as IAddress as H;
    this.#peer = options.peerAddress ?? (isServer ? client : server) as IAddress as P;
  }

  /** `FakeTransport<S|C,serial,ProtocolClass>`. */
  override toString(): string {
    return `FakeTransport<${
      this.isServer ? "S" : "C"
    },${this.serial},${this.protocol.constructor.name}>`;
  }

  /** Queue bytes for the peer (dropped once disconnecting or write-closed). */
  write(data: Uint8Array | string): void {
    if (this.disconnecting || this.writeDisconnecting) return;
    const bytes = typeof data === "string" ? encoder.encode(data) : data.slice();
    if (bytes.length > 0) {
      this.#stream.push(bytes);
      this.#queued += bytes.length;
    }
  }

  /** The bytes written and not yet delivered to the peer by the pump. */
  get bufferedAmount(): number {
    return this.#queued;
  }

  /** Queue several chunks. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.write(d);
  }

  /** Close once the queued data has been delivered. */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Close now: queued data is dropped; this side sees `ConnectionAborted`. */
  abortConnection(): void {
    if (this.disconnecting && this.disconnected) return;
    this.#stream = [];
    this.#queued = 0;
    this.disconnectReason = new ConnectionAborted();
    this.disconnecting = true;
  }

  /** Half-close: the peer learns it once the queued data is delivered. */
  loseWriteConnection(): void {
    this.writeDisconnecting = true;
  }

  /** The local address. */
  getHost(): H {
    return this.#host;
  }

  /** The remote address. */
  getPeer(): P {
    return this.#peer;
  }

  /** Register a producer; a pull producer is asked for data at once and on every pump. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new Error("Cannot register two producers: unregisterProducer() the first one");
    }
    this.producer = producer;
    this.streamingProducer = streaming;
    if (!streaming) producer.resumeProducing();
  }

  /** Forget the producer. */
  unregisterProducer(): void {
    this.producer = null;
  }

  /** Stop receiving: the pump keeps the peer's data queued. */
  pauseProducing(): void {
    this.paused = true;
  }

  /** Receive again. */
  resumeProducing(): void {
    this.paused = false;
  }

  /** Stop for good: closes the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** `"iosim"`, for log lines. */
  logPrefix(): string {
    return "iosim";
  }

  /** Take the queued bytes (joined), or null when there are none. */
  getOutBuffer(): Uint8Array | null {
    const s = this.#stream;
    if (s.length === 0) return null;
    this.#stream = [];
    this.#queued = 0;
    return s.length === 1 ? s[0] : concatBytes(s);
  }

  /** Deliver bytes from the peer to this side's protocol. */
  bufferReceived(data: Uint8Array): void {
    this.protocol.dataReceived(data);
  }

  /** Tell this side's protocol the connection is gone. */
  reportDisconnect(): void {
    this.protocol.connectionLost(new Failure(this.disconnectReason));
  }

  /** Ask a pull producer for more (the pump's idle-time hook). */
  checkProducer(): void {
    if (this.producer !== null && !this.streamingProducer) this.producer.resumeProducing();
  }
}

/**
 * Moves bytes between two {@linkcode FakeTransport}s (Twisted's
 * `iosim.IOPump`). Each `pump()` advances the clock by 0 (if there is one),
 * moves what each side wrote to the other (unless the receiver is paused),
 * and, once nothing is in flight, carries out a pending close or half-close.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { connect, FakeTransport } from "@skein/skein/testing";
 * const s = new Protocol();
 * const c = new Protocol();
 * const pump = connect(s, new FakeTransport(s, true), c, new FakeTransport(c, false));
 * c.transport!.write("x");
 * assert.ok(pump.pump() === true && pump.pump() === false);
 * ```
 */
export class IOPump {
  /** Build a pump between the two ends. */
  constructor(
    /** The client protocol. */
    readonly client: IProtocol,
    /** The server protocol. */
    readonly server: IProtocol,
    /** The client's transport. */
    readonly clientIO: FakeTransport,
    /** The server's transport. */
    readonly serverIO: FakeTransport,
    /** A clock advanced by 0 on every pump (so `callLater(0)` work runs). */
    readonly clock: { advance(amount: number): void; } | null = null,
  ) {}

  /** Pump until nothing moves; throws after 1000 rounds (Twisted's "Too long"). */
  flush(): boolean {
    let moved = false;
    for (let i = 0; i < 1000; i++) {
      if (!this.pump()) return moved;
      moved = true;
    }
    throw new Error("IOPump.flush: too long (still moving data after 1000 pumps)");
  }

  /** Move data once; true when anything moved or a close was carried out. */
  pump(): boolean {
    this.clock?.advance(0);
    const c = this.clientIO;
    const s = this.serverIO;
    // A paused side receives nothing (its peer's data stays queued); an
    // aborted side receives nothing ever again.
    const sData = c.paused || aborted(c) ? null : s.getOutBuffer();
    const cData = s.paused || aborted(s) ? null : c.getOutBuffer();
    c.checkProducer();
    s.checkProducer();
    if (cData !== null) s.bufferReceived(cData);
    if (sData !== null) c.bufferReceived(sData);
    if (cData !== null || sData !== null) return true;
    if (this.#halfClose(s, c) || this.#halfClose(c, s)) return true;
    if (s.disconnecting && !s.disconnected) {
      this.#close(s, c);
      return true;
    }
    if (c.disconnecting && !c.disconnected) {
      this.#close(c, s);
      return true;
    }
    return false;
  }

  /**
   * `from` is closing: mark it done and tell the peer's protocol (the peer
   * then counts as closing, so the next pump tells `from`'s protocol), as in
   * Twisted: each side hears `connectionLost` exactly once.
   */
  #close(from: FakeTransport, to: FakeTransport): void {
    from.disconnected = true;
    if (!to.disconnecting) {
      to.disconnecting = true;
      if (from.disconnectReason instanceof ConnectionAborted) {
        to.disconnectReason = new ConnectionLost();
      }
    }
    to.reportDisconnect();
  }

  #halfClose(
    from: FakeTransport,
    to: FakeTransport,
  ): boolean {
    if (!from.writeDisconnecting || from.writeDisconnected || from.disconnecting) return false;
    from.writeDisconnected = true;
    const peer = to.protocol as Partial<IHalfCloseableProtocol>;
    if (typeof peer.readConnectionLost === "function") {
      peer.readConnectionLost();
      const self = from.protocol as Partial<IHalfCloseableProtocol>;
      if (typeof self.writeConnectionLost === "function") self.writeConnectionLost();
    } else {
      // Without half-close support, a FIN closes the whole connection.
      from.disconnecting = true;
    }
    return true;
  }
}

function aborted(t: FakeTransport): boolean {
  return t.disconnecting && t.disconnectReason instanceof ConnectionAborted;
}

/**
 * Options of {@linkcode connect} and {@linkcode connectedServerAndClient}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { Clock, connectedServerAndClient, type ConnectOptions } from "@skein/skein/testing";
 * const o: ConnectOptions = { greet: false, clock: new Clock() };
 * const [client, , pump] = connectedServerAndClient(Protocol, Protocol, o);
 * client.transport!.write("not yet delivered");
 * assert.equal(pump.flush(), true);
 * ```
 */
export interface ConnectOptions {
  /** Flush once before returning (server greetings are delivered). @default {true} */
  greet?: boolean;
  /** A clock the pump advances by 0 on every round. */
  clock?: { advance(amount: number): void; } | null;
}

/**
 * Connect two protocols through their fake transports and return the pump
 * (Twisted's `iosim.connect`): the server's `makeConnection` runs first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { connect, FakeTransport } from "@skein/skein/testing";
 * const s = new Protocol();
 * const c = new Protocol();
 * connect(s, new FakeTransport(s, true), c, new FakeTransport(c, false));
 * assert.ok(s.connected && c.connected);
 * ```
 */
export function connect(
  serverProtocol: IProtocol,
  serverTransport: FakeTransport,
  clientProtocol: IProtocol,
  clientTransport: FakeTransport,
  options: ConnectOptions = {},
): IOPump {
  serverProtocol.makeConnection(serverTransport);
  clientProtocol.makeConnection(clientTransport);
  const pump = new IOPump(
    clientProtocol,
    serverProtocol,
    clientTransport,
    serverTransport,
    options.clock ?? null,
  );
  if (options.greet ?? true) pump.flush();
  return pump;
}

/**
 * Something that makes a protocol: a class (called with `new`) or a
 * zero-argument function (an arrow function is called).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import type { ProtocolMaker } from "@skein/skein/testing";
 * import { connectedServerAndClient } from "@skein/skein/testing";
 * const a: ProtocolMaker<Protocol> = Protocol;
 * const b: ProtocolMaker<Protocol> = () => new Protocol();
 * const [client, server] = connectedServerAndClient(a, b);
 * assert.ok(client.connected && server.connected);
 * ```
 */
export type ProtocolMaker<P extends IProtocol> = (new() => P) | (() => P);

function make<P extends IProtocol>(maker: ProtocolMaker<P>): P {
  // Arrow functions have no prototype; classes (and plain functions) do.
  return maker.prototype === undefined
    ? (maker as () => P)()
    : new (maker as new() => P)();
}

/**
 * Make a client and a server protocol, connect them in memory, and return
 * `[client, server, pump]` (Twisted's `iosim.connectedServerAndClient`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { connectedServerAndClient } from "@skein/skein/testing";
 * const [client, server, pump] = connectedServerAndClient(Protocol, Protocol);
 * client.transport!.loseConnection();
 * pump.flush();
 * assert.ok(client.connected && server.connected);
 * ```
 */
export function connectedServerAndClient<S extends IProtocol, C extends IProtocol>(
  ServerClass: ProtocolMaker<S>,
  ClientClass: ProtocolMaker<C>,
  options: ConnectOptions = {},
): [client: C, server: S, pump: IOPump] {
  const c = make(ClientClass);
  const s = make(ServerClass);
  const pump = connect(s, new FakeTransport(s, true), c, new FakeTransport(c, false), options);
  return [c, s, pump];
}

/**
 * Completes or fails the connection attempts a {@linkcode MemoryReactor}
 * recorded (Twisted's `iosim.ConnectionCompleter`): a `connectTCP` to a port
 * someone `listenTCP`s on is joined to a new server protocol through an
 * {@linkcode IOPump}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 * import { ConnectionCompleter, MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * reactor.listenTCP(4321, Factory.forProtocol(Protocol));
 * reactor.connectTCP("127.0.0.1", 4321, ClientFactory.forProtocol(Protocol));
 * const pump = new ConnectionCompleter(reactor).succeedOnce();
 * assert.ok(pump !== null && pump.client.transport !== null);
 * ```
 */
export class ConnectionCompleter {
  readonly #reactor: MemoryReactor;

  /** Attach to `reactor`. */
  constructor(reactor: MemoryReactor) {
    this.#reactor = reactor;
  }

  /**
   * Join the first recorded client attempt whose port someone listens on;
   * returns its pump (already greeted), or null when none matches.
   */
  succeedOnce(options: ConnectOptions = {}): IOPump | null {
    const r = this.#reactor;
    for (let i = 0; i < r.tcpClients.length; i++) {
      const [, port, clientFactory] = r.tcpClients[i];
      const server = r.tcpServers.find(([p]) => p === port);
      if (server === undefined) continue;
      r.tcpClients.splice(i, 1);
      const [connector] = r.connectors.splice(i, 1);
      const dest = connector.getDestination();
      const clientProtocol = clientFactory.buildProtocol(dest);
      const serverProtocol = server[1].buildProtocol(new IPv4Address("TCP", "127.0.0.1", 49152));
      if (clientProtocol === null || serverProtocol === null) {
        throw new Error("ConnectionCompleter: a factory refused to build a protocol");
      }
      return connect(
        serverProtocol,
        new FakeTransport(serverProtocol, true),
        clientProtocol,
        new FakeTransport(clientProtocol, false, { peerAddress: dest }),
        options,
      );
    }
    return null;
  }

  /** Fail the first recorded client attempt with `reason` (default `ConnectionRefusedError`). */
  failOnce(reason: Failure = new Failure(new ConnectionRefusedError())): void {
    const r = this.#reactor;
    const record = r.tcpClients.shift();
    const connector = r.connectors.shift();
    if (record === undefined || connector === undefined) {
      throw new Error("ConnectionCompleter.failOnce: no connection attempt to fail");
    }
    record[2].clientConnectionFailed(connector, reason);
  }
}
