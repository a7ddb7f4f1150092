/**
 * The stream protocol base class: Twisted's `Protocol` (from
 * `twisted/internet/protocol.py`), with the `connectionDone` reason and the
 * {@linkcode ProtocolClass} type factories hold.
 *
 * A {@linkcode Protocol} reacts to the events of one connection
 * (`connectionMade`, `dataReceived`, `connectionLost`). Factories live in
 * `factory.ts`, `reconnecting_client_factory.ts` and `client_creator.ts`, the
 * UDP counterpart in `datagram_protocol.ts`.
 *
 * @example An echo protocol, driven by a StringTransport
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
 * const transport = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(transport);
 * echo.dataReceived(new TextEncoder().encode("ping"));
 * assert.equal(transport.valueString(), "ping");
 * ```
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type { IProtocol, ITransport } from "../interfaces.ts";
import { ConnectionDone } from "../reactor/errors.ts";
import type { Factory } from "./factory.ts";

/**
 * A class whose instances are stream protocols, built with no arguments (what
 * `Factory.protocol` holds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol, type ProtocolClass } from "@skein/skein/protocols";
 *
 * const cls: ProtocolClass = Protocol;
 * assert.ok(new cls() instanceof Protocol);
 * ```
 */
export type ProtocolClass<P extends IProtocol = IProtocol> = new() => P;

/**
 * The reason a cleanly closed connection reports: a {@linkcode Failure} of
 * `ConnectionDone` (Twisted's `protocol.connectionDone`). Handy as a default
 * and in tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionDone } from "@skein/skein/protocols";
 * import { ConnectionDone } from "@skein/skein/reactor";
 *
 * assert.equal(connectionDone.check(ConnectionDone), ConnectionDone);
 * ```
 */
export const connectionDone: Failure = new Failure(new ConnectionDone());

/**
 * The base class of stream protocols: Twisted's `Protocol`.
 *
 * Override {@linkcode Protocol.connectionMade}, {@linkcode Protocol.dataReceived}
 * and {@linkcode Protocol.connectionLost}; write with `this.transport.write()`
 * (bytes, or a string sent as UTF-8). `dataReceived` gets arbitrary chunks:
 * one message may arrive in pieces, or several in one chunk (the classes of
 * `protocols/basic` do the framing).
 *
 * @example A protocol that greets and hangs up
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Greeter extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello\r\n");
 *     this.transport!.loseConnection();
 *   }
 * }
 * const t = new StringTransport();
 * new Greeter().makeConnection(t);
 * assert.equal(t.valueString(), "hello\r\n");
 * assert.equal(t.disconnecting, true);
 * ```
 *
 * @example Narrowing the transport of a TCP protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { type IPAddress, IPv4Address, type ITCPTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Client extends Protocol {
 *   declare transport: ITCPTransport<IPAddress> | null;
 *   peerPort = 0;
 *   override connectionMade(): void {
 *     this.peerPort = this.transport!.getPeer().port;
 *   }
 * }
 * const client = new Client();
 * client.makeConnection(
 *   new StringTransport({ peerAddress: new IPv4Address("TCP", "192.0.2.7", 8080) }),
 * );
 * assert.equal(client.peerPort, 8080);
 * ```
 */
export class Protocol implements IProtocol {
  /**
   * The transport, set by {@linkcode Protocol.makeConnection}; null before.
   * A protocol that knows its kind of connection can narrow it, e.g. a TCP
   * client: `declare transport: ITCPTransport<IPAddress> | null;` (then
   * `this.transport!.getPeer().port` needs no cast).
   */
  transport: ITransport | null = null;
  /** True once {@linkcode Protocol.makeConnection} has run (Twisted's `connected = 1`). */
  connected: boolean = false;
  /**
   * The factory that built this protocol (set by `Factory.buildProtocol`).
   * A subclass can narrow it: `declare factory: MyFactory | null;`.
   */
  factory: Factory | null = null;

  /** Attach the transport, mark the protocol connected, then call `connectionMade()`. */
  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up: send a greeting, start timers. The default does nothing. */
  connectionMade(): void {}

  /** Bytes arrived (any chunking). The default discards them. */
  dataReceived(_data: Uint8Array): void {}

  /**
   * The connection is gone. `reason` wraps `ConnectionDone` for a clean close,
   * else the error (`ConnectionLost`, `ConnectionAborted`, …). The default
   * does nothing.
   */
  connectionLost(_reason: Failure): void {}

  /** The name used in log lines: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
