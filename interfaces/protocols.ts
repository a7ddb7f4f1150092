/**
 * Protocols and factories. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IAddress } from "./address.ts";
import type { ITransport } from "./transports.ts";

/**
 * A stream protocol; Twisted's `IProtocol`. Extend `Protocol` from
 * `protocols/protocol.ts` rather than implementing this by hand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IProtocol, ITransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * class Echo implements IProtocol {
 *   transport: ITransport | null = null;
 *   makeConnection(t: ITransport): void { this.transport = t; this.connectionMade(); }
 *   connectionMade(): void {}
 *   dataReceived(data: Uint8Array): void { this.transport!.write(data); }
 *   connectionLost(_reason: Failure): void {}
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new Uint8Array([42]));
 * assert.deepEqual(t.value(), new Uint8Array([42]));
 * ```
 */
export interface IProtocol {
  /** The transport, set by `makeConnection`. */
  transport: ITransport | null;
  /** Attach the transport, then call `connectionMade()`. */
  makeConnection(transport: ITransport): void;
  /** The connection is up. */
  connectionMade(): void;
  /** Bytes arrived; chunk boundaries are arbitrary. */
  dataReceived(data: Uint8Array): void;
  /** The connection is gone: `ConnectionDone` when clean, else the error. */
  connectionLost(reason: Failure): void;
}

/**
 * A protocol that wants to know about half-closes; Twisted's
 * `IHalfCloseableProtocol`. When a protocol has these methods, a peer's FIN
 * calls `readConnectionLost()` instead of closing the whole connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IHalfCloseableProtocol } from "@skein/skein/reactor";
 * const p: IHalfCloseableProtocol = {
 *   readConnectionLost(): void {},
 *   writeConnectionLost(): void {},
 * };
 * p.readConnectionLost();
 * assert.equal(typeof p.writeConnectionLost, "function");
 * ```
 */
export interface IHalfCloseableProtocol {
  /** The peer will send no more data. */
  readConnectionLost(): void;
  /** Our write side was closed by `loseWriteConnection`. */
  writeConnectionLost(): void;
}

/**
 * A protocol that only borrows the bytes given to `dataReceived`: it reads
 * `data` during the call and keeps no reference to it (nor to a `subarray`
 * of it) afterwards; what it needs later it copies (`data.slice()`). In
 * return the FFI transports lend it a view of their receive buffer instead
 * of a copy, with no allocation per read; the next read overwrites it.
 *
 * Writing `data` to the protocol's own transport is allowed (the transport
 * then gives up the buffer it lent if it could not send all of it at once);
 * handing it to anything else that keeps it (another transport, a queue) is
 * not. A protocol without `borrowsReceivedData: true` owns what it receives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IBorrowingProtocol } from "@skein/skein/reactor";
 * import { Protocol } from "@skein/skein/protocols";
 * class Count extends Protocol implements IBorrowingProtocol {
 *   readonly borrowsReceivedData = true;
 *   total = 0;
 *   override dataReceived(data: Uint8Array): void {
 *     this.total += data.byteLength; // read now, keep nothing
 *   }
 * }
 * const p = new Count();
 * p.dataReceived(new Uint8Array(3));
 * assert.equal(p.total, 3);
 * ```
 */
export interface IBorrowingProtocol {
  /** `dataReceived`'s `data` is only read during the call (see above). */
  readonly borrowsReceivedData: true;
}

/**
 * Makes protocols for connections; Twisted's `IProtocolFactory`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import type { IAddress, IProtocol, IProtocolFactory } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * function makeOne(f: IProtocolFactory, addr: IAddress): IProtocol | null {
 *   return f.buildProtocol(addr);
 * }
 * const proto = makeOne(Factory.forProtocol(Protocol), new IPv4Address("TCP", "127.0.0.1", 80));
 * assert.ok(proto instanceof Protocol);
 * ```
 */
export interface IProtocolFactory {
  /** A protocol for a new connection from/to `addr`, or null to refuse it. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called by each port or connector as it starts using the factory. */
  doStart(): void;
  /** Called by each port or connector as it stops using the factory. */
  doStop(): void;
}

/**
 * A connector, returned by `connectTCP`/`connectUNIX`; Twisted's `IConnector`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IConnector } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeConnector } from "@skein/skein/testing";
 * const retry = (c: IConnector): void => c.connect();
 * const c = new FakeConnector(new IPv4Address("TCP", "127.0.0.1", 80));
 * retry(c);
 * assert.equal(c.connectCalls, 1);
 * ```
 */
export interface IConnector {
  /** Cancel a connection attempt in progress. */
  stopConnecting(): void;
  /** Disconnect if connected, or stop connecting. */
  disconnect(): void;
  /** Try to connect (again). */
  connect(): void;
  /** The address being connected to. */
  getDestination(): IAddress;
}

/**
 * What a client factory sees of its connections; Twisted's `ClientFactory`
 * hooks, called by connectors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IAddress, IClientFactory, IConnector, IProtocol } from "@skein/skein/reactor";
 * import { ConnectionCompleter, MemoryReactor } from "@skein/skein/testing";
 * const failures: string[] = [];
 * const f: IClientFactory = {
 *   buildProtocol(_a: IAddress): IProtocol | null { return null; },
 *   doStart(): void {}, doStop(): void {},
 *   startedConnecting(_c: IConnector): void {},
 *   clientConnectionFailed(_c: IConnector, r: Failure): void { failures.push(r.getErrorMessage()); },
 *   clientConnectionLost(_c: IConnector, _r: Failure): void {},
 * };
 * const r = new MemoryReactor();
 * r.connectTCP("127.0.0.1", 9, f);
 * new ConnectionCompleter(r).failOnce();
 * assert.equal(failures[0], "An error occurred while connecting");
 * ```
 */
export interface IClientFactory extends IProtocolFactory {
  /** A connection attempt has started. */
  startedConnecting(connector: IConnector): void;
  /** The attempt failed (`ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`, …). */
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  /** An established connection was lost. */
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

/**
 * A listening port; Twisted's `IListeningPort`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IListeningPort } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * async function close(p: IListeningPort): Promise<void> {
 *   await p.stopListening();
 * }
 * const port = new MemoryReactor().listenTCP(0, new Factory());
 * await close(port);
 * assert.ok(port.getHost().port >= 0);
 * ```
 */
export interface IListeningPort<A extends IAddress = IAddress> {
  /** Start listening (done already by `listenTCP`). */
  startListening(): void;
  /** Stop accepting connections; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void>;
  /** The address actually bound (the real port when 0 was asked for). */
  getHost(): A;
}
