/**
 * Reactor networking: TCP, Unix and UDP on the reactor. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { UNIXAddress } from "../reactor/address.ts";
import type { IPAddress } from "./address.ts";
import type { IClientFactory, IConnector, IListeningPort, IProtocolFactory } from "./protocols.ts";

/**
 * Options for `listenTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { ListenTCPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenTCPOptions = { interface: "127.0.0.1", backlog: 128 };
 * const r = new MemoryReactor();
 * r.listenTCP(0, new Factory(), o);
 * assert.equal(r.tcpServers[0][2], 128);
 * ```
 */
export interface ListenTCPOptions {
  /** Listen queue length (Twisted: 50; Skein: 511, as Node and nginx). @default {511} */
  backlog?: number;
  /** Local address to bind; `""` (the default) means all IPv4 interfaces, `"::"` all IPv6. */
  interface?: string;
  /**
   * Set SO_REUSEPORT, so several processes can listen on the same port and
   * the kernel spreads connections between them (`skein run --workers`).
   * FFI reactors only. @default {false}
   */
  reusePort?: boolean;
}

/**
 * Options for `connectTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import type { ConnectTCPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ConnectTCPOptions = { timeout: 5, bindAddress: ["127.0.0.1", 0] };
 * const r = new MemoryReactor();
 * r.connectTCP("127.0.0.1", 80, new ClientFactory(), o);
 * assert.deepEqual(r.tcpClients[0][4], ["127.0.0.1", 0]);
 * ```
 */
export interface ConnectTCPOptions {
  /** Seconds before the attempt fails with `TimeoutError`. @default {30} */
  timeout?: number;
  /** Local `[host, port]` to bind before connecting. */
  bindAddress?: [string, number];
}

/**
 * TCP support; Twisted's `IReactorTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IReactorTCP } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function serve(r: IReactorTCP, f: IProtocolFactory): number {
 *   const port = r.listenTCP(0, f, { interface: "127.0.0.1" });
 *   return port.getHost().port;
 * }
 * assert.equal(serve(new MemoryReactor(), new Factory()), 0); // MemoryReactor binds nothing
 * ```
 */
export interface IReactorTCP {
  /** Listen on `port` (0 picks a free one). Throws `CannotListenError`. */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort<IPAddress>;
  /** Connect to `host:port`; outcomes are reported to the factory. */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/**
 * Options for `listenUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { ListenUNIXOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenUNIXOptions = { mode: 0o600, wantPID: true };
 * const r = new MemoryReactor();
 * r.listenUNIX("/tmp/app.sock", new Factory(), o);
 * assert.equal(r.unixServers[0][3], 0o600);
 * ```
 */
export interface ListenUNIXOptions {
  /** Listen queue length (Twisted: 50; Skein: 511, as Node and nginx). @default {511} */
  backlog?: number;
  /** File mode of the socket file. @default {0o666} */
  mode?: number;
  /** Keep a `PATH.lock` file with our PID to guard against a second listener. @default {false} */
  wantPID?: boolean;
}

/**
 * Options for `connectUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import type { ConnectUNIXOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ConnectUNIXOptions = { timeout: 5, checkPID: true };
 * const r = new MemoryReactor();
 * r.connectUNIX("/tmp/app.sock", new ClientFactory(), o);
 * assert.equal(r.unixClients[0][3], true);
 * ```
 */
export interface ConnectUNIXOptions {
  /** Seconds before the attempt fails with `TimeoutError`. @default {30} */
  timeout?: number;
  /** Fail with `BadFileError` unless `PATH.lock` names a live process. @default {false} */
  checkPID?: boolean;
}

/**
 * Unix-domain stream sockets; Twisted's `IReactorUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IReactorUNIX } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const serve = (r: IReactorUNIX, f: IProtocolFactory): void => {
 *   r.listenUNIX("/tmp/skein.sock", f);
 * };
 * const r = new MemoryReactor();
 * serve(r, new Factory());
 * assert.equal(r.unixServers[0][0], "/tmp/skein.sock");
 * ```
 */
export interface IReactorUNIX {
  /** Listen on a Unix socket at `path`. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): IListeningPort<UNIXAddress>;
  /** Connect to the Unix socket at `path`. */
  connectUNIX(path: string, factory: IClientFactory, options?: ConnectUNIXOptions): IConnector;
}

/**
 * A UDP protocol; Twisted's `DatagramProtocol` contract.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IDatagramProtocol, IUDPTransport } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 * class Echo implements IDatagramProtocol {
 *   transport: IUDPTransport | null = null;
 *   makeConnection(t: IUDPTransport): void { this.transport = t; }
 *   doStop(): void {}
 *   datagramReceived(d: Uint8Array, addr: [string, number]): void { this.transport!.write(d, addr); }
 * }
 * const port = new FakeDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 53));
 * const echo = new Echo();
 * echo.makeConnection(port);
 * echo.datagramReceived(new Uint8Array([7]), ["127.0.0.1", 4000]);
 * assert.deepEqual(port.written[0][1], ["127.0.0.1", 4000]);
 * ```
 */
export interface IDatagramProtocol {
  /** The port, set by `makeConnection`. */
  transport: IUDPTransport | null;
  /** Called by the port as it starts; sets `transport` and calls `startProtocol`. */
  makeConnection(transport: IUDPTransport): void;
  /** Called by the port as it stops. */
  doStop(): void;
  /** A datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(data: Uint8Array, addr: [string, number]): void;
  /** A connected UDP socket got ICMP port-unreachable (ECONNREFUSED). */
  connectionRefused?(): void;
}

/**
 * A UDP port; Twisted's `IUDPTransport` + `IMulticastTransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IUDPTransport } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 * const ping = (t: IUDPTransport): void => t.write(new Uint8Array([1]), ["127.0.0.1", 9999]);
 * const t = new FakeDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 5000));
 * ping(t);
 * assert.deepEqual(t.written[0][1], ["127.0.0.1", 9999]);
 * assert.equal((await t.whenListening()).port, 5000);
 * ```
 */
export interface IUDPTransport {
  /** Send one datagram to `addr`, or to the connected peer when omitted. */
  write(data: Uint8Array | string, addr?: [string, number]): void;
  /** Connect to `host:port`: only its datagrams are received; `write` needs no address. */
  connect(host: string, port: number): void;
  /**
   * The bound address. Never throws: where the runtime binds asynchronously
   * (host UDP on Bun), the port reads as asked (0 for "any") until
   * `whenListening()` has fired.
   */
  getHost(): IPAddress;
  /**
   * Fires with the bound address once the socket is bound (at once where
   * binding is synchronous), or fails with `CannotListenError`.
   */
  whenListening(): Deferred<IPAddress>;
  /** Stop listening; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void>;
  /** Change the largest datagram that can be received. */
  setMaxPacketSize?(size: number): void;
  /** Allow sending to broadcast addresses. */
  setBroadcastAllowed(enabled: boolean): void;
  /** Join a multicast group on an interface (default: any). */
  joinGroup(addr: string, iface?: string): Deferred<void>;
  /** Leave a multicast group. */
  leaveGroup(addr: string, iface?: string): Deferred<void>;
  /** Multicast TTL for outgoing datagrams. */
  setTTL(ttl: number): void;
  /** Read back the multicast TTL. */
  getTTL(): number;
  /** Whether our own multicast datagrams loop back to us. */
  setLoopbackMode(mode: boolean): void;
  /** Read back the multicast loopback mode. */
  getLoopbackMode(): boolean;
}

/**
 * Options for `listenUDP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import type { ListenUDPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenUDPOptions = { interface: "127.0.0.1", maxPacketSize: 8192 };
 * const r = new MemoryReactor();
 * const proto = new DatagramProtocol();
 * proto.noisy = false;
 * r.listenUDP(0, proto, o);
 * assert.equal(r.udpPorts[0][3], 8192);
 * ```
 */
export interface ListenUDPOptions {
  /** Local address to bind. @default {""} */
  interface?: string;
  /** Largest datagram received. @default {8192} */
  maxPacketSize?: number;
}

/**
 * UDP support; Twisted's `IReactorUDP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import type { IDatagramProtocol, IReactorUDP } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const bindIt = (r: IReactorUDP, p: IDatagramProtocol): void => {
 *   r.listenUDP(0, p, { interface: "127.0.0.1" });
 * };
 * const r = new MemoryReactor();
 * const proto = new DatagramProtocol();
 * proto.noisy = false;
 * bindIt(r, proto);
 * assert.equal(proto.transport?.getHost().host, "127.0.0.1");
 * ```
 */
export interface IReactorUDP {
  /** Bind a UDP port and deliver its datagrams to `protocol`. */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): IUDPTransport;
}
