/**
 * TCP over raw sockets through FFI: Twisted's `twisted/internet/tcp.py`.
 *
 * - {@linkcode TCPPort}: a listening socket (`listenTCP`), a
 *   {@linkcode StreamPort}.
 * - {@linkcode TCPConnector}: `connectTCP`'s connector (Twisted's
 *   `BaseConnector` state machine, timeout, `bindAddress`, name resolution
 *   through `reactor.resolve`).
 * - {@linkcode TCPConnection}: the transport of one connection (accepted or
 *   connected), a {@linkcode StreamConnection} implementing `ITCPTransport`.
 *
 * TCP_NODELAY is on by default for accepted and connected sockets (Twisted
 * leaves Nagle on). Skein sends a write at once when nothing is buffered
 * (Twisted waits for the next poll), so with Nagle on, a second small write
 * before the peer's ACK waits for the peer's delayed ACK. Measured here: a
 * request answered with two writes from a timer took 44 ms per round trip
 * with Nagle on and 0.16 ms with it off. Writes made inside one
 * `dataReceived` are gathered into one send anyway, so turning Nagle off
 * costs no extra packets there (the C reference echo server of the benchmark
 * turns Nagle off too). `setTcpNoDelay(false)` turns it back on.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type {
  ConnectTCPOptions,
  IAddress,
  IClientFactory,
  IPAddress,
  IProtocol,
  IProtocolFactory,
  ITCPTransport,
  ListenTCPOptions,
} from "../interfaces.ts";
import { BaseConnector } from "./_connector.ts";
import {
  asError,
  closeFd,
  type DecodedSockaddr,
  describe,
  encodeIP,
  getIntOpt,
  getPeerName,
  getSockName,
  isIPv4Address,
  isIPv6Address,
  lastError,
  lib,
  logPrefixOf,
  openSocket,
  setIntOpt,
  setIntOptOrThrow,
  SOCKET_CONSTANTS as K,
} from "./_socket.ts";
import { connectTCPArgs, listenTCPArgs } from "./_validate.ts";
import type { FDReactor } from "./abstract.ts";
import { IPv4Address, IPv6Address } from "./address.ts";
import { CannotListenError, ConnectBindError, ConnectError, DNSLookupError } from "./errors.ts";
import { StreamConnection } from "./stream_connection.ts";
import { StreamPort } from "./stream_port.ts";

function ipAddress(
  family: "INET" | "INET6",
  host: string,
  port: number,
): IPv4Address | IPv6Address {
  return family === "INET6"
    ? new IPv6Address("TCP", host, port)
    : new IPv4Address("TCP", host, port);
}

function tcpAddress(sa: DecodedSockaddr): IPv4Address | IPv6Address {
  if (sa.family === "UNIX") return new IPv4Address("TCP", "", 0);
  return sa.family === "INET6"
    ? new IPv6Address("TCP", sa.host, sa.port, sa.flowInfo, sa.scopeID)
    : new IPv4Address("TCP", sa.host, sa.port);
}

/**
 * The transport of one TCP connection: Twisted's `tcp.Server` / `tcp.Client`
 * (`ITCPTransport`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, TCPConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     const t = this.transport as TCPConnection;
 *     assert.ok(t instanceof TCPConnection);
 *     assert.equal(t.getTcpNoDelay(), true); // Skein turns Nagle off
 *     t.setTcpKeepAlive(true);
 *     assert.equal(t.getTcpKeepAlive(), true);
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
export class TCPConnection extends StreamConnection implements ITCPTransport<IPAddress> {
  /** The session number of an accepted connection (-1 for a client). */
  readonly sessionno: number;
  #peer: IPv4Address | IPv6Address | null;
  #host: IPv4Address | IPv6Address | null = null;

  /**
   * Wrap an accepted socket (used by {@linkcode TCPPort}); `peer` is the
   * address accept returned.
   */
  constructor(
    reactor: FDReactor,
    fd: number,
    protocol: IProtocol | null,
    peer: IPv4Address | IPv6Address | null,
    sessionno: number,
  ) {
    super(reactor, fd, protocol);
    this.#peer = peer;
    this.sessionno = sessionno;
    if (protocol !== null && fd >= 0) {
      this.logstr = `${logPrefixOf(protocol)},${sessionno},${peer?.host ?? ""}`;
      this.connected = true;
      this.startReading();
    }
  }

  /** The local address (`getsockname`). */
  getHost(): IPv4Address | IPv6Address {
    if (this.#host === null) {
      if (this.fd < 0) return new IPv4Address("TCP", "0.0.0.0", 0);
      this.#host = tcpAddress(getSockName(this.fd));
    }
    return this.#host;
  }

  /** The remote address. */
  getPeer(): IPv4Address | IPv6Address {
    if (this.#peer === null) {
      if (this.fd < 0) return new IPv4Address("TCP", "0.0.0.0", 0);
      this.#peer = tcpAddress(getPeerName(this.fd));
    }
    return this.#peer;
  }

  // protected: TCPClientConnection calls it.
  /** Set the peer address (a client knows it before connecting). */
  protected setPeer(peer: IPv4Address | IPv6Address): void {
    this.#peer = peer;
  }

  /** Disable (true) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void {
    setIntOptOrThrow(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY, enabled ? 1 : 0);
  }

  /** Whether Nagle's algorithm is off. */
  getTcpNoDelay(): boolean {
    return getIntOpt(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY) !== 0;
  }

  /** Enable or disable SO_KEEPALIVE. */
  setTcpKeepAlive(enabled: boolean): void {
    setIntOptOrThrow(this.fd, K.SOL_SOCKET, K.SO_KEEPALIVE, enabled ? 1 : 0);
  }

  /** Whether SO_KEEPALIVE is on. */
  getTcpKeepAlive(): boolean {
    return getIntOpt(this.fd, K.SOL_SOCKET, K.SO_KEEPALIVE) !== 0;
  }

  /** `<Protocol #n on port>`-style text. */
  override toString(): string {
    return `<${this.protocol.constructor?.name ?? "Protocol"} #${this.sessionno} ${
      this.#peer ?? ""
    }>`;
  }
}

/**
 * The client side of `connectTCP`: created by {@linkcode TCPConnector} for
 * each attempt. Resolves the host (without blocking the loop), connects, then
 * behaves as a {@linkcode TCPConnection}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, TCPClientConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 *   override connectionMade(): void {
 *     assert.ok(!(this.transport instanceof TCPClientConnection));
 *   }
 * }
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: "127.0.0.1" });
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     assert.ok(this.transport instanceof TCPClientConnection);
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
export class TCPClientConnection extends TCPConnection {
  readonly #family: number;
  readonly #destHost: string;
  readonly #destPort: number;
  readonly #needsResolution: boolean;

  /** Start an attempt for `connector` (the connector calls this). */
  constructor(
    reactor: FDReactor,
    connector: TCPConnector,
    host: string,
    port: number,
    bindAddress: [string, number] | null,
  ) {
    super(reactor, -1, null, null, -1);
    this.connector = connector;
    this.#destHost = host;
    this.#destPort = port;
    this.connecting = true;
    let family: number = K.AF_INET;
    if (isIPv4Address(host)) {
      this.#needsResolution = false;
    } else if (isIPv6Address(host)) {
      this.#needsResolution = false;
      family = K.AF_INET6;
    } else {
      this.#needsResolution = true;
      if (bindAddress !== null && isIPv6Address(bindAddress[0])) family = K.AF_INET6;
    }
    this.#family = family;
    let failure: Error | null = null;
    try {
      this.fd = openSocket(family, K.SOCK_STREAM);
      setIntOpt(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY, 1);
      if (bindAddress !== null) {
        const sa = encodeIP(family, bindAddress[0], bindAddress[1]);
        if (lib().bind(this.fd, sa, sa.byteLength) < 0) throw lastError("bind");
      }
    } catch (e) {
      const cause = asError(e);
      failure = new ConnectBindError(`Couldn't bind: ${describe(cause)}`, {
        errno: (cause as { errno?: number; }).errno,
        cause,
      });
    }
    if (failure !== null) {
      const f = failure;
      reactor.callLater(0, () => this.failIfNotConnected(f));
    } else {
      reactor.callLater(0, () => this.#resolveAddress());
    }
  }

  /** Resolve the host name (if needed) without blocking, then connect. */
  #resolveAddress(): void {
    if (this.connector === null) return;
    if (!this.#needsResolution) {
      this.#setRealAddress(this.#destHost);
      return;
    }
    const d = this.reactor.resolve(this.#destHost, { family: this.#family === K.AF_INET6 ? 6 : 4 });
    d.addCallback((ip: string) => {
      this.#setRealAddress(ip);
      return null;
    });
    d.addErrback((f: Failure) => {
      const v = f.value;
      this.failIfNotConnected(
        v instanceof ConnectError
          ? v
          : new DNSLookupError(`${this.#destHost}: ${v instanceof Error ? v.message : String(v)}`),
      );
      return null;
    });
  }

  /** Connect to the resolved IP address. */
  #setRealAddress(ip: string): void {
    if (this.connector === null || this.fd < 0) return;
    let sa: Uint8Array;
    try {
      sa = encodeIP(this.#family, ip, this.#destPort);
    } catch (e) {
      this.failIfNotConnected(new ConnectError(describe(e), { cause: e }));
      return;
    }
    this.setPeer(ipAddress(this.#family === K.AF_INET6 ? "INET6" : "INET", ip, this.#destPort));
    this.startConnect(sa);
  }
}

/**
 * A listening TCP port: Twisted's `tcp.Port`, made by `listenTCP`. Binds with
 * SO_REUSEADDR, listens on IPv6 when the interface contains `":"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, TCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof TCPPort);
 * assert.ok(port.getHost().port > 0); // the port the kernel picked
 * assert.equal(port.backlog, 511);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export class TCPPort extends StreamPort {
  /** The port asked for (0 = any). */
  readonly port: number;
  /** The interface asked for (`""` = all IPv4 interfaces). */
  readonly interface: string;
  // protected: these implement StreamPort's hooks.
  /** The port's type in log lines. */
  protected readonly kindName: string = "TCP";
  readonly #family: number;
  readonly #reusePort: boolean;
  #host: IPv4Address | IPv6Address | null = null;

  /** Prepare a port; `startListening()` binds it. */
  constructor(
    reactor: FDReactor,
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ) {
    const args = listenTCPArgs(port, options);
    super(reactor, factory, args.backlog);
    this.port = args.port;
    this.interface = args.interface;
    this.#family = this.interface.includes(":") ? K.AF_INET6 : K.AF_INET;
    this.#reusePort = options?.reusePort === true;
  }

  /** Create, bind and listen; returns the fd. Throws `CannotListenError`. */
  protected openSocket(): number {
    let fd = -1;
    try {
      fd = openSocket(this.#family, K.SOCK_STREAM);
      setIntOpt(fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
      if (this.#reusePort) setIntOpt(fd, K.SOL_SOCKET, K.SO_REUSEPORT, 1);
      const sa = encodeIP(this.#family, this.interface, this.port);
      if (lib().bind(fd, sa, sa.byteLength) < 0) throw lastError("bind");
      if (lib().listen(fd, this.backlog) < 0) throw lastError("listen");
      this.#host = tcpAddress(getSockName(fd));
    } catch (e) {
      closeFd(fd);
      throw new CannotListenError(this.interface, this.port, asError(e));
    }
    return fd;
  }

  /**
   * The address of an accepted peer (internal: takes the decoded sockaddr).
   * @ignore
   */
  protected buildAddr(sa: DecodedSockaddr): IPv4Address | IPv6Address {
    return tcpAddress(sa);
  }

  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(
    fd: number,
    protocol: IProtocol,
    peer: IAddress,
    sessionno: number,
  ): StreamConnection {
    setIntOpt(fd, K.IPPROTO_TCP, K.TCP_NODELAY, 1);
    return new TCPConnection(
      this.reactor,
      fd,
      protocol,
      peer as IPv4Address | IPv6Address,
      sessionno,
    );
  }

  /** The address for log lines. */
  protected describeAddress(): string {
    return String(this.#host?.port ?? this.port);
  }

  /** The bound address; the real port when 0 was asked for. */
  getHost(): IPv4Address | IPv6Address {
    if (this.#host !== null) return this.#host;
    return this.#family === K.AF_INET6
      ? new IPv6Address("TCP", this.interface, this.port)
      : new IPv4Address("TCP", this.interface || "0.0.0.0", this.port);
  }

  /** `<TCPPort of Factory on 8080>`. */
  override toString(): string {
    const name = logPrefixOf(this.factory);
    return this.connected
      ? `<TCPPort of ${name} on ${this.getHost().port}>`
      : `<TCPPort of ${name} (not listening)>`;
  }
}

/**
 * `connectTCP`'s connector: Twisted's `tcp.Connector`. Each `connect()` makes
 * a {@linkcode TCPClientConnection}; outcomes go to the client factory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type IConnector, TCPConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * const outcomes: string[] = [];
 * class Once extends ClientFactory {
 *   override clientConnectionFailed(_c: IConnector, reason: { value: unknown; }): void {
 *     outcomes.push((reason.value as Error).name);
 *     reactor.stop();
 *   }
 * }
 * // Port 1 on loopback: nothing listens there, so the attempt is refused.
 * const c = reactor.connectTCP("127.0.0.1", 1, new Once(), { timeout: 5 });
 * assert.ok(c instanceof TCPConnector);
 * assert.equal(c.state, "connecting");
 * await reactor.run();
 * ```
 */
export class TCPConnector extends BaseConnector {
  /** The host to connect to (a name or an IP literal). */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** The local `[host, port]` to bind first, or null. */
  readonly bindAddress: [string, number] | null;

  /** Prepare a connector; `connect()` starts the attempt. */
  constructor(
    reactor: FDReactor,
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ) {
    const args = connectTCPArgs(host, port, options);
    super(reactor, factory, args.timeout);
    this.host = args.host;
    this.port = args.port;
    this.bindAddress = args.bindAddress;
  }

  // protected: implements BaseConnector's hook.
  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(): TCPClientConnection {
    return new TCPClientConnection(this.reactor, this, this.host, this.port, this.bindAddress);
  }

  /** The address being connected to. */
  getDestination(): IPv4Address | IPv6Address {
    return isIPv6Address(this.host)
      ? new IPv6Address("TCP", this.host, this.port)
      : new IPv4Address("TCP", this.host, this.port);
  }
}
