/**
 * What the FFI reactor and the host reactor share on top of
 * {@linkcode ReactorBase}: `listenTCP`, `connectTCP`, `listenUNIX`,
 * `connectUNIX` and `listenUDP`, as Twisted's `PosixReactorBase` holds them.
 * Each call builds the backend's port or connector and starts it; a backend
 * names only its transport classes ({@linkcode SocketClasses}).
 *
 * @module
 */

import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
  IConnector,
  IDatagramProtocol,
  IListeningPort,
  IPAddress,
  IProtocolFactory,
  IReactorTCP,
  IReactorUDP,
  IReactorUNIX,
  IUDPTransport,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
} from "../interfaces.ts";
import type { TLSContextFactory } from "../ssl/options.ts";
import {
  connectSSL,
  type ConnectSSLOptions,
  type IReactorSSL,
  listenSSL,
  type ListenSSLOptions,
} from "../ssl/reactor_ssl.ts";
import type { UNIXAddress } from "./address.ts";
import { ReactorBase } from "./reactor_base.ts";

/**
 * The transport classes of a backend: each is built with the reactor first,
 * then the arguments of the reactor call that makes it; the reactor then
 * starts it (`startListening()` on a port, `connect()` on a connector).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   HostTCPConnector,
 *   HostTCPPort,
 *   type HostReactor,
 *   HostUDPPort,
 *   HostUNIXConnector,
 *   HostUNIXPort,
 *   type SocketClasses,
 * } from "@skein/skein/reactor";
 *
 * const host: SocketClasses<HostReactor, HostUDPPort> = {
 *   tcpPort: HostTCPPort,
 *   tcpConnector: HostTCPConnector,
 *   unixPort: HostUNIXPort,
 *   unixConnector: HostUNIXConnector,
 *   udpPort: HostUDPPort,
 * };
 * assert.equal(host.udpPort, HostUDPPort);
 * ```
 */
export interface SocketClasses<R, U extends IUDPTransport> {
  /** What `listenTCP` builds. */
  tcpPort: new(
    reactor: R,
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ) => IListeningPort<IPAddress> & { startListening(): void; };
  /** What `connectTCP` builds. */
  tcpConnector: new(
    reactor: R,
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ) => IConnector & { connect(): void; };
  /** What `listenUNIX` builds. */
  unixPort: new(
    reactor: R,
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ) => IListeningPort<UNIXAddress> & { startListening(): void; };
  /** What `connectUNIX` builds. */
  unixConnector: new(
    reactor: R,
    path: string,
    factory: IClientFactory,
    options?: ConnectUNIXOptions,
  ) => IConnector & { connect(): void; };
  /** What `listenUDP` builds. */
  udpPort: new(
    reactor: R,
    port: number,
    protocol: IDatagramProtocol,
    options?: ListenUDPOptions,
  ) => U & { startListening(): void; };
}

/**
 * A reactor with sockets: {@linkcode ReactorBase} plus TCP, Unix and UDP,
 * built from the backend's {@linkcode SocketClasses}. `PosixReactor` (FFI)
 * and `HostReactor` (the runtime's own sockets) extend it; `U` is the type
 * `listenUDP` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, SocketReactorBase } from "@skein/skein/reactor";
 *
 * assert.ok(createReactor("host") instanceof SocketReactorBase);
 * assert.ok(createReactor("poll") instanceof SocketReactorBase);
 * ```
 */
export abstract class SocketReactorBase<U extends IUDPTransport = IUDPTransport> extends ReactorBase
  implements IReactorTCP, IReactorUNIX, IReactorUDP, IReactorSSL
{
  // protected: each backend (a package subclass) names its transport classes.
  /** The classes this reactor's ports and connectors are made of. */
  protected abstract readonly sockets: SocketClasses<this, U>;

  /**
   * Listen for TCP connections on `port` (0 picks a free one; read it back
   * with `getHost().port`). Throws `CannotListenError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Factory, Protocol } from "@skein/skein/protocols";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const factory = Factory.forProtocol(Protocol);
   * factory.noisy = false;
   * const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1", backlog: 128 });
   * const address = port.getHost();
   * assert.equal(address.host, "127.0.0.1");
   * assert.ok(address.port > 0); // 0 picked a free port
   * reactor.callWhenRunning(() => port.stopListening().addBoth(reactor.stop));
   * await reactor.run();
   * ```
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort<IPAddress> {
    const p = new this.sockets.tcpPort(this, port, factory, options);
    p.startListening();
    return p;
  }

  /**
   * Connect to `host:port` over TCP; the outcome goes to the factory's hooks.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import type { Failure } from "@skein/skein/deferred";
   * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
   * import { createReactor, type IConnector } from "@skein/skein/reactor";
   *
   * // Connect to a port of our own; the client hangs up once connected.
   * class HangUp extends Protocol {
   *   override connectionMade(): void {
   *     this.transport!.loseConnection();
   *   }
   * }
   * class OneShot extends ClientFactory {
   *   override protocol = HangUp;
   *   ended = "";
   *   override clientConnectionLost(_connector: IConnector, reason: Failure): void {
   *     this.ended = reason.getErrorMessage();
   *     reactor.stop();
   *   }
   * }
   * const reactor = createReactor();
   * const server = Factory.forProtocol(Protocol);
   * server.noisy = false;
   * const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
   * const client = new OneShot();
   * client.noisy = false;
   * reactor.connectTCP("127.0.0.1", port.getHost().port, client, { timeout: 5 });
   * await reactor.run();
   * assert.equal(client.ended, "Connection was closed cleanly.");
   * ```
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector {
    const c = new this.sockets.tcpConnector(this, host, port, factory, options);
    c.connect();
    return c;
  }

  /**
   * Listen on a Unix-domain socket at `path`. Throws `CannotListenError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { Factory, Protocol } from "@skein/skein/protocols";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * const path = join(dir, "app.sock");
   * const reactor = createReactor();
   * const factory = Factory.forProtocol(Protocol);
   * factory.noisy = false;
   * const port = reactor.listenUNIX(path, factory, { mode: 0o600 });
   * assert.equal(port.getHost().name, path);
   * reactor.callWhenRunning(() => port.stopListening().addBoth(reactor.stop));
   * await reactor.run();
   * rmSync(dir, { recursive: true });
   * ```
   */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): IListeningPort<UNIXAddress> {
    const p = new this.sockets.unixPort(this, path, factory, options);
    p.startListening();
    return p;
  }

  /**
   * Connect to the Unix-domain socket at `path`; the outcome goes to the
   * factory's hooks.
   *
   * @example Nothing listens at the path: the attempt fails, and the factory hears why
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { ClientFactory, Protocol } from "@skein/skein/protocols";
   * import { PosixReactor } from "@skein/skein/reactor";
   *
   * class Client extends ClientFactory {
   *   why = "";
   *   override clientConnectionFailed(_c: unknown, reason: { value: unknown; }): void {
   *     this.why = String(reason.value);
   *     reactor.stop();
   *   }
   * }
   * const dir = mkdtempSync(join(tmpdir(), "skein-example-"));
   * const reactor = new PosixReactor("poll");
   * const client = Client.forProtocol(Protocol);
   * reactor.connectUNIX(join(dir, "nobody.sock"), client);
   * await reactor.run();
   * assert.match(client.why, /No such file or directory \(ENOENT\)/);
   * rmSync(dir, { recursive: true });
   * ```
   *
   * @example A connection to a listening socket
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
   * import { HostReactor } from "@skein/skein/reactor";
   *
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * const path = join(dir, "app.sock");
   * const reactor = new HostReactor();
   * const server = Factory.forProtocol(Protocol);
   * server.noisy = false;
   * reactor.listenUNIX(path, server);
   * let connected = false;
   * class Hi extends Protocol {
   *   override connectionMade(): void {
   *     connected = true;
   *     reactor.stop();
   *   }
   * }
   * const client = ClientFactory.forProtocol(Hi);
   * client.noisy = false;
   * reactor.connectUNIX(path, client, { timeout: 5 });
   * await reactor.run();
   * assert.equal(connected, true);
   * rmSync(dir, { recursive: true });
   * ```
   */
  connectUNIX(path: string, factory: IClientFactory, options?: ConnectUNIXOptions): IConnector {
    const c = new this.sockets.unixConnector(this, path, factory, options);
    c.connect();
    return c;
  }

  /**
   * Bind UDP `port` and deliver its datagrams to `protocol`. Throws
   * `CannotListenError` where the bind is synchronous (the FFI reactors, and
   * the host reactor on Deno; see `HostUDPPort` for Bun).
   *
   * @example A UDP echo: send it a datagram from a second port and hear it come back
   * ```ts
   * import assert from "node:assert/strict";
   * import { DatagramProtocol } from "@skein/skein/protocols";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * class Echo extends DatagramProtocol {
   *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
   *     this.transport!.write(data, addr);
   *   }
   * }
   * class Listener extends DatagramProtocol {
   *   heard = "";
   *   override datagramReceived(data: Uint8Array): void {
   *     this.heard = new TextDecoder().decode(data);
   *     reactor.stop();
   *   }
   * }
   * const reactor = createReactor();
   * const echo = reactor.listenUDP(0, new Echo(), { interface: "127.0.0.1" });
   * const listener = new Listener();
   * const other = reactor.listenUDP(0, listener, { interface: "127.0.0.1" });
   * reactor.callWhenRunning(() => {
   *   Promise.all([echo.whenListening(), other.whenListening()]).then(() => {
   *     other.write("ping", ["127.0.0.1", echo.getHost().port]);
   *   });
   * });
   * await reactor.run();
   * assert.equal(listener.heard, "ping");
   * ```
   */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): U {
    const p = new this.sockets.udpPort(this, port, protocol, options);
    p.startListening();
    return p;
  }

  /**
   * Listen on `port` for TLS (Twisted's `listenSSL`): `listenTCP` with each
   * connection wrapped by a `TLSMemoryBIOFactory` configured by
   * `contextFactory` (`CertificateOptions`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { execFileSync } from "node:child_process";
   * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { Factory, Protocol } from "@skein/skein/protocols";
   * import { createReactor } from "@skein/skein/reactor";
   * import { CertificateOptions, PrivateCertificate } from "@skein/skein/ssl";
   *
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
   *   "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=localhost"],
   *   { stdio: "ignore" });
   * const certificate = PrivateCertificate.loadPEM(readFileSync(join(dir, "c.pem")), readFileSync(join(dir, "k.pem")));
   * rmSync(dir, { recursive: true });
   * const reactor = createReactor();
   * const factory = Factory.forProtocol(Protocol);
   * factory.noisy = false;
   * const port = reactor.listenSSL(0, factory, new CertificateOptions({ certificate }), { interface: "127.0.0.1" });
   * assert.ok(port.getHost().port > 0);
   * reactor.callWhenRunning(() => port.stopListening().addBoth(reactor.stop));
   * await reactor.run();
   * ```
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSContextFactory,
    options?: ListenSSLOptions,
  ): IListeningPort<IPAddress> {
    return listenSSL(this, port, factory, contextFactory, options);
  }

  /**
   * Connect to `host:port` over TLS (Twisted's `connectSSL`): `connectTCP`
   * with the connection wrapped by a `TLSMemoryBIOFactory` configured by
   * `contextFactory` (`optionsForClientTLS(host)`).
   *
   * @example Nothing listens there: the factory hears why
   * ```ts
   * import assert from "node:assert/strict";
   * import type { Failure } from "@skein/skein/deferred";
   * import { ClientFactory } from "@skein/skein/protocols";
   * import { createReactor, type IConnector } from "@skein/skein/reactor";
   * import { optionsForClientTLS } from "@skein/skein/ssl";
   *
   * const reactor = createReactor();
   * const failures: string[] = [];
   * const factory = new ClientFactory();
   * factory.noisy = false;
   * factory.clientConnectionFailed = (_c: IConnector, reason: Failure): void => {
   *   failures.push(reason.type?.name ?? "");
   *   reactor.stop();
   * };
   * reactor.connectSSL("127.0.0.1", 1, factory, optionsForClientTLS("localhost"));
   * await reactor.run();
   * assert.deepEqual(failures, ["ConnectionRefusedError"]);
   * ```
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: TLSContextFactory,
    options?: ConnectSSLOptions,
  ): IConnector {
    return connectSSL(this, host, port, factory, contextFactory, options);
  }
}
