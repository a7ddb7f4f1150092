/**
 * In-memory transports for testing protocols without sockets: Twisted's
 * `StringTransport` and `StringTransportWithDisconnection`
 * (`twisted/internet/testing.py`).
 *
 * @example Testing an echo protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const proto = new Echo();
 * const transport = new StringTransport();
 * proto.makeConnection(transport);
 * proto.dataReceived(new TextEncoder().encode("hi"));
 * assert.equal(transport.valueString(), "hi");
 * ```
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IProtocol,
  IPullProducer,
  IPushProducer,
  ITCPTransport,
} from "../interfaces.ts";
import { concatBytes } from "../protocols/basic/_buffer.ts";
import { IPv4Address } from "../reactor/address.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import { TCPOptionsRecorder } from "./tcp_options_recorder.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Options for {@linkcode StringTransport}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import type { StringTransportOptions } from "@skein/skein/testing";
 * import { StringTransport } from "@skein/skein/testing";
 * const o: StringTransportOptions = { peerAddress: new IPv4Address("TCP", "127.0.0.1", 4000) };
 * assert.equal(new StringTransport(o).getPeer().toString(), "IPv4Address(TCP, '127.0.0.1', 4000)");
 * ```
 */
export interface StringTransportOptions<
  H extends IAddress = IAddress,
  P extends IAddress = IAddress,
> {
  /** What `getHost()` returns. @default {IPv4Address("TCP", "10.0.0.1", 12345)} */
  hostAddress?: H;
  /** What `getPeer()` returns. @default {IPv4Address("TCP", "192.168.1.1", 54321)} */
  peerAddress?: P;
  /** Allow `pauseProducing`/`resumeProducing` after `loseConnection`. @default {false} */
  lenient?: boolean;
}

/**
 * A transport that records what is written to it and otherwise only keeps
 * track of its state (Twisted's `StringTransport`). Hand it to
 * `protocol.makeConnection()` and inspect {@linkcode StringTransport.value}.
 *
 * `loseConnection()` only sets {@linkcode StringTransport.disconnecting}
 * (nothing calls the protocol's `connectionLost`: do it yourself, or use
 * {@linkcode StringTransportWithDisconnection}); `abortConnection()` also
 * sets {@linkcode StringTransport.disconnected}. It is a push producer too:
 * protocols that pause their transport move
 * {@linkcode StringTransport.producerState}.
 *
 * Unlike Twisted's (which insists on bytes), `write` accepts strings and
 * records them as UTF-8, as every Skein transport does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, StringTransport } from "@skein/skein/testing";
 * const t = new StringTransport();
 * t.write("abc");
 * t.writeSequence([new Uint8Array([100]), "e"]);
 * assert.equal(t.valueString(), "abcde");
 * assert.equal(t.bufferedAmount, 5);
 * t.clear();
 * assert.equal(t.value().length, 0);
 * // Its methods work unbound, as Twisted code passes them around.
 * const clock = new Clock();
 * clock.callLater(2, t.loseConnection);
 * clock.advance(2);
 * assert.equal(t.disconnecting, true);
 * ```
 */
export class StringTransport<H extends IAddress = IAddress, P extends IAddress = IAddress>
  extends TCPOptionsRecorder
  implements ITCPTransport<H | P>, IPushProducer
{
  /** False until `loseConnection()` (or `abortConnection()`) is called. */
  disconnecting: boolean = false;
  /** False until `abortConnection()` is called. */
  disconnected: boolean = false;
  /** True until a subclass disconnects the protocol. */
  connected: boolean = true;
  /** True once `loseWriteConnection()` was called. */
  writeDisconnected: boolean = false;
  /** The registered producer, if any. */
  producer: IPushProducer | IPullProducer | null = null;
  /** The `streaming` flag given with the registered producer. */
  streaming: boolean | null = null;
  /** The address `getHost()` returns, or null for the default. */
  hostAddr: H | null = null;
  /** The address `getPeer()` returns, or null for the default. */
  peerAddr: P | null = null;
  /** This transport's state as a push producer. */
  producerState: "producing" | "paused" | "stopped" = "producing";

  #chunks: Uint8Array[] = [];
  #size = 0;
  #lenient: boolean;

  /** Build a transport; see {@linkcode StringTransportOptions}. */
  constructor(options: StringTransportOptions<H, P> = {}) {
    super();
    // Twisted code hands these around unbound: callLater(2, t.loseConnection).
    // Bound here, they are this instance's (or a subclass's) methods.
    this.write = this.write.bind(this);
    this.writeSequence = this.writeSequence.bind(this);
    this.loseConnection = this.loseConnection.bind(this);
    this.abortConnection = this.abortConnection.bind(this);
    if (options.hostAddress !== undefined) this.hostAddr = options.hostAddress;
    if (options.peerAddress !== undefined) this.peerAddr = options.peerAddress;
    this.#lenient = options.lenient ?? false;
  }

  /**
   * The bytes queued: everything written since the last `clear()` (nothing
   * drains a StringTransport).
   */
  get bufferedAmount(): number {
    return this.#size;
  }

  /** Forget everything written so far (a test helper, not a transport method). */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  /** Every byte written since the last `clear()` (a test helper). */
  value(): Uint8Array {
    if (this.#chunks.length !== 1) {
      this.#chunks = this.#size === 0 ? [] : [concatBytes(this.#chunks)];
    }
    return this.#chunks.length === 0 ? new Uint8Array(0) : this.#chunks[0].slice();
  }

  /** {@linkcode StringTransport.value} decoded as UTF-8 (a test helper). */
  valueString(): string {
    return decoder.decode(this.value());
  }

  /** Record `data` (a string as UTF-8). */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? encoder.encode(data) : data.slice();
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#size += bytes.length;
  }

  /** Record each chunk of `data`, in order. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.write(d);
  }

  /** Only sets `disconnecting`. */
  loseConnection(): void {
    this.disconnecting = true;
  }

  /** Sets `disconnected`, then behaves as `loseConnection()`. */
  abortConnection(): void {
    this.disconnected = true;
    this.loseConnection();
  }

  /** Only sets `writeDisconnected`. */
  loseWriteConnection(): void {
    this.writeDisconnected = true;
  }

  /** The peer address: `peerAddr`, or `IPv4Address("TCP", "192.168.1.1", 54321)`. */
  getPeer(): P {
    // P is IAddress (its default) unless a peerAddress says otherwise.
    return this.peerAddr ?? (new IPv4Address("TCP", "192.168.1.1", 54321) as IAddress as P);
  }

  /** The local address: `hostAddr`, or `IPv4Address("TCP", "10.0.0.1", 12345)`. */
  getHost(): H {
    // H is IAddress (its default) unless a hostAddress says otherwise.
    return this.hostAddr ?? (new IPv4Address("TCP", "10.0.0.1", 12345) as IAddress as H);
  }

  /** Record the producer. Throws if one is already registered. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.producer !== null) {
      throw new Error("Cannot register two producers: unregisterProducer() the first one");
    }
    this.producer = producer;
    this.streaming = streaming;
  }

  /** Forget the producer. Throws if none is registered. */
  unregisterProducer(): void {
    if (this.producer === null) {
      throw new Error("Cannot unregister a producer unless one is registered");
    }
    this.producer = null;
    this.streaming = null;
  }

  #checkState(): void {
    if (this.disconnecting && !this.#lenient) {
      throw new Error(
        "Cannot resume producing after loseConnection (pass { lenient: true } to allow it)",
      );
    }
    if (this.producerState === "stopped") throw new Error("Cannot resume a stopped producer");
  }

  /** Sets `producerState` to `"paused"`. */
  pauseProducing(): void {
    this.#checkState();
    this.producerState = "paused";
  }

  /** Sets `producerState` to `"producing"`. */
  resumeProducing(): void {
    this.#checkState();
    this.producerState = "producing";
  }

  /** Sets `producerState` to `"stopped"`. */
  stopProducing(): void {
    this.producerState = "stopped";
  }
}

/**
 * A {@linkcode StringTransport} whose `loseConnection()` really disconnects:
 * the first call marks it disconnecting and calls
 * `protocol.connectionLost(Failure(ConnectionDone("Bye.")))` (Twisted's
 * `StringTransportWithDisconnection`). Set {@linkcode StringTransportWithDisconnection.protocol}
 * (done by `connect()`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { Protocol } from "@skein/skein/protocols";
 * import { StringTransportWithDisconnection } from "@skein/skein/testing";
 *
 * class Closer extends Protocol {
 *   reason: Failure | null = null;
 *   override connectionMade(): void { this.transport!.loseConnection(); }
 *   override connectionLost(reason: Failure): void { this.reason = reason; }
 * }
 * const p = new Closer();
 * new StringTransportWithDisconnection().connect(p);
 * assert.ok(p.reason?.getErrorMessage() === "Bye.");
 * ```
 */
export class StringTransportWithDisconnection<
  H extends IAddress = IAddress,
  P extends IAddress = IAddress,
> extends StringTransport<H, P> {
  /** The protocol told about the disconnection. */
  protocol: IProtocol | null = null;

  /** Set `protocol` and call its `makeConnection(this)`. */
  connect(protocol: IProtocol): void {
    this.protocol = protocol;
    protocol.makeConnection(this);
  }

  /** Disconnect once: `connectionLost(ConnectionDone("Bye."))` on the protocol. */
  override loseConnection(): void {
    this.disconnecting = true;
    if (!this.connected) return;
    this.connected = false;
    this.protocol?.connectionLost(new Failure(new ConnectionDone("Bye.")));
  }
}
