/**
 * TCP for the host backend over `node:net`: Twisted's `tcp.Port` and
 * `tcp.Connector`, for runtimes where FFI is not allowed.
 *
 * @module
 */

import * as net from "node:net";
import type { Failure } from "../../deferred/failure.ts";
import type {
  ConnectTCPOptions,
  IAddress,
  IClientFactory,
  IPAddress,
  IProtocolFactory,
  ListenTCPOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { connectTCPArgs, listenTCPArgs } from "../_validate.ts";
import { IPv4Address, IPv6Address } from "../address.ts";
import { CannotListenError, ConnectBindError, DNSLookupError } from "../errors.ts";
import { ipAddress, isIPAddress } from "./_common.ts";
import { listenNow } from "./_listen.ts";
import type { ConnectAttempt } from "./connector.ts";
import { HostConnector } from "./connector.ts";
import { type AcceptedAddresses, HostStreamPort } from "./stream_port.ts";
import type { HostReactorLike } from "./types.ts";

/**
 * A listening TCP port on the host backend (Twisted's `tcp.Port`), returned
 * by `HostReactor.listenTCP`. Each accepted connection gets a protocol from
 * the factory (`buildProtocol(addr)`; null refuses it) and a
 * {@linkcode HostConnection} as its transport.
 *
 * The listen backlog (default 511) reaches the kernel as given on Deno; Bun's
 * `node:net` listens with 512 whatever is asked, so there it cannot be set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostTCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostTCPPort);
 * assert.ok(port.getHost().port > 0);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export class HostTCPPort extends HostStreamPort<IPAddress> {
  /** The port asked for (0 = any free one). */
  readonly port: number;
  /** The interface asked for (`""` = all IPv4 interfaces). */
  readonly interface: string;

  #host: IPv4Address | IPv6Address | null = null;

  /** A port on `port`; call `startListening()` (the reactor does). */
  constructor(
    reactor: HostReactorLike,
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ) {
    const args = listenTCPArgs(port, options);
    super(reactor, factory, args.backlog);
    this.port = args.port;
    this.interface = args.interface;
    if (options.reusePort === true) {
      throw new CannotListenError(
        args.interface,
        args.port,
        new Error(
          "reusePort (SO_REUSEPORT) needs an FFI reactor (epoll, poll, select, kqueue); the host reactor cannot set it",
        ),
      );
    }
  }

  /** Bind and listen, then start the factory. Throws `CannotListenError`. */
  startListening(): void {
    if (this.connected) return;
    const iface = this.interface;
    const host = iface === "" ? "0.0.0.0" : iface; // checked by listenTCPArgs
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    const error = listenNow(server, { host, port: this.port }, this.backlog);
    if (error !== null) throw new CannotListenError(iface, this.port, error);
    const a = server.address() as net.AddressInfo;
    this.#host = net.isIPv6(a.address)
      ? new IPv6Address("TCP", a.address, a.port)
      : new IPv4Address("TCP", a.address, a.port);
    this.adopt(server);
    log.msg(`${logPrefixOf(this.factory)} starting on ${a.port}`);
    this.started();
  }

  // protected: implements HostStreamPort's hook.
  /** Our and the peer's IP address of an accepted socket. */
  protected acceptedAddresses(s: net.Socket): AcceptedAddresses | null {
    const rhost = s.remoteAddress;
    const rport = s.remotePort;
    if (rhost === undefined || rport === undefined) return null;
    const lhost = s.localAddress;
    const lport = s.localPort;
    return {
      host: lhost !== undefined && lport !== undefined
        ? ipAddress("TCP", lhost, lport)
        : this.#host!,
      peer: ipAddress("TCP", rhost, rport),
      peerName: rhost,
    };
  }

  // protected: implements HostStreamPort's hook.
  /** Log the close. */
  protected closed(): void {
    log.msg(`(TCP Port ${this.#host?.port} Closed)`);
  }

  /** The bound address, with the real port number. */
  getHost(): IPAddress {
    if (this.#host === null) {
      throw new Error("getHost(): the port is not listening; call startListening() first");
    }
    return this.#host;
  }

  /** `<HostTCPPort of Factory on 8080>`. */
  override toString(): string {
    return this.#host !== null
      ? `<HostTCPPort of ${logPrefixOf(this.factory)} on ${this.#host.port}>`
      : `<HostTCPPort of ${logPrefixOf(this.factory)} (not listening)>`;
  }
}

/**
 * A TCP connector on the host backend (Twisted's `tcp.Connector`), returned
 * by `HostReactor.connectTCP`. Host names are resolved with the reactor's
 * `resolve` (IPv4, as Twisted's `connectTCP`); failures reach the factory as
 * `DNSLookupError`, `ConnectionRefusedError`, `TimeoutError`,
 * `ConnectBindError`, ….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type IConnector, HostTCPConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * const outcomes: string[] = [];
 * class Once extends ClientFactory {
 *   override clientConnectionFailed(_c: IConnector, reason: { value: unknown; }): void {
 *     outcomes.push((reason.value as Error).name);
 *     reactor.stop();
 *   }
 * }
 * // Port 1 on loopback: nothing listens there, so the attempt is refused.
 * const c = reactor.connectTCP("127.0.0.1", 1, new Once(), { timeout: 5 });
 * assert.ok(c instanceof HostTCPConnector);
 * assert.equal(c.state, "connecting");
 * await reactor.run();
 * ```
 */
export class HostTCPConnector extends HostConnector {
  /** The host to connect to (name or IP literal). */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** Local `[host, port]` to bind first, if any. */
  readonly bindAddress: [string, number] | null;

  /** A connector for `host:port`; call `connect()` (the reactor does). */
  constructor(
    reactor: HostReactorLike,
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ) {
    const args = connectTCPArgs(host, port, options);
    super(reactor, factory, args.timeout);
    this.host = args.host;
    this.port = args.port;
    this.bindAddress = args.bindAddress;
  }

  /** The address being connected to (as given, not resolved). */
  getDestination(): IAddress {
    return net.isIPv6(this.host)
      ? new IPv6Address("TCP", this.host, this.port)
      : new IPv4Address("TCP", this.host, this.port);
  }

  // protected: implements HostConnector's hook.
  /** Resolve the host if it is a name, then connect. */
  protected startAttempt(attempt: ConnectAttempt): void {
    const host = this.host;
    if (isIPAddress(host)) {
      this.#open(attempt, host);
      return;
    }
    this.reactor.resolve(host).addCallbacks(
      (ip: string): null => {
        if (!attempt.done) this.#open(attempt, ip);
        return null;
      },
      (f: Failure): null => {
        const e = f.value instanceof Error ? f.value : new DNSLookupError(String(f.value));
        attempt.failIfNotConnected(
          e instanceof DNSLookupError
            ? e
            : new DNSLookupError(`address ${host} not found`, { cause: e }),
        );
        return null;
      },
    );
  }

  #open(attempt: ConnectAttempt, ip: string): void {
    const port = this.port;
    const family = net.isIPv6(ip) ? 6 : 4;
    const bind = this.bindAddress;
    if (bind !== null && bind[0] !== "" && !isIPAddress(bind[0])) {
      this.reactor.callLater(0, () =>
        attempt.failIfNotConnected(
          new ConnectBindError(`bindAddress ${JSON.stringify(bind[0])} is not an IP address`),
        ));
      return;
    }
    const socket = new net.Socket({ allowHalfOpen: true });
    attempt.open(
      socket,
      (s) => {
        const options: net.TcpSocketConnectOpts = { host: ip, port, family };
        if (bind !== null) {
          options.localAddress = bind[0] === "" ? (family === 6 ? "::" : "0.0.0.0") : bind[0];
          options.localPort = bind[1];
        }
        s.connect(options);
      },
      (s) => [
        ipAddress("TCP", s.localAddress ?? (family === 6 ? "::" : "0.0.0.0"), s.localPort ?? 0),
        ipAddress("TCP", ip, port),
      ],
    );
  }

  /** `<HostTCPConnector to host:port>`. */
  override toString(): string {
    return `<HostTCPConnector to ${this.host}:${this.port} (${this.state})>`;
  }
}
