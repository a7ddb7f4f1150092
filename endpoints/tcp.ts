/**
 * TCP endpoints: Twisted's `TCP4ServerEndpoint`, `TCP6ServerEndpoint`,
 * `TCP4ClientEndpoint` and `TCP6ClientEndpoint`
 * (`twisted/internet/endpoints.py`).
 *
 * @example An echo server and a client on loopback
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectProtocol, TCP4ClientEndpoint, TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * class Client extends Protocol {
 *   got = "";
 *   override dataReceived(data: Uint8Array): void {
 *     this.got += new TextDecoder().decode(data);
 *     this.transport!.loseConnection();
 *   }
 *   override connectionLost(): void {
 *     reactor.stop();
 *   }
 * }
 * const reactor = createReactor();
 * const server = Factory.forProtocol(Echo);
 * server.noisy = false;
 * const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen(server);
 * const client = new Client();
 * reactor.callWhenRunning(async () => {
 *   const endpoint = new TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port);
 *   (await connectProtocol(endpoint, client)).transport!.write("ping");
 * });
 * reactor.addSystemEventTrigger("before", "shutdown", () => port.stopListening());
 * await reactor.run();
 * assert.equal(client.got, "ping");
 * ```
 *
 * @module
 */

import { Deferred, fail, succeed } from "../deferred/deferred.ts";
import type {
  IListeningPort,
  IPAddress,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import { ConnectingCancelledError, DNSLookupError } from "../reactor/errors.ts";
import { checkPort, checkTimeout, isIPv6Literal, lookupAll, toBindAddress } from "./_util.ts";
import { WrappingFactory } from "./_wrapping.ts";

/**
 * Options of the TCP server endpoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TCPServerEndpointOptions } from "@skein/skein/endpoints";
 * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: TCPServerEndpointOptions = { interface: "127.0.0.1", backlog: 128 };
 * assert.equal(new TCP4ServerEndpoint(new MemoryReactor(), 0, o).backlog, 128);
 * ```
 */
export interface TCPServerEndpointOptions {
  /** Listen queue length. @default {50} */
  backlog?: number;
  /** Local address to bind: `""` (all IPv4) for TCP4, `"::"` (all IPv6) for TCP6. */
  interface?: string;
}

/**
 * Options of the TCP client endpoints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TCPClientEndpointOptions } from "@skein/skein/endpoints";
 * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: TCPClientEndpointOptions = { timeout: 5, bindAddress: "127.0.0.1" };
 * const ep = new TCP4ClientEndpoint(new MemoryReactor(), "example.com", 80, o);
 * assert.deepEqual(ep.bindAddress, ["127.0.0.1", 0]);
 * ```
 */
export interface TCPClientEndpointOptions {
  /** Seconds before an attempt fails with `TimeoutError`. @default {30} */
  timeout?: number;
  /** Local address to bind first: `"HOST"` (any port) or `["HOST", PORT]`. */
  bindAddress?: string | [string, number] | null;
}

/** A reactor that can resolve names, as full Skein reactors can. */
type MaybeResolver = {
  resolve?(name: string, options?: { family?: 0 | 4 | 6; }): Deferred<string>;
};

function listenTCP(
  reactor: IReactorTCP,
  port: number,
  factory: IProtocolFactory,
  backlog: number,
  iface: string,
): Deferred<IListeningPort<IPAddress>> {
  try {
    return succeed(reactor.listenTCP(port, factory, { backlog, interface: iface }));
  } catch (e) {
    return fail<IListeningPort<IPAddress>>(e);
  }
}

/**
 * Listen on a TCP port over IPv4 (Twisted's `TCP4ServerEndpoint`). `listen`
 * fires with the listening port, or fails (e.g. with `CannotListenError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new TCP4ServerEndpoint(reactor, 8080, { interface: "127.0.0.1" }).listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.tcpServers[0][0], 8080);
 * ```
 */
export class TCP4ServerEndpoint implements IStreamServerEndpoint<IPAddress> {
  /** The reactor to listen with. */
  readonly reactor: IReactorTCP;
  /** The port (0 picks a free one). */
  readonly port: number;
  /** Listen queue length. */
  readonly backlog: number;
  /** The interface to bind. */
  readonly interface: string;

  /** Build the endpoint; nothing happens until `listen`. */
  constructor(reactor: IReactorTCP, port: number, options: TCPServerEndpointOptions = {}) {
    checkPort(port, new.target.name);
    this.reactor = reactor;
    this.port = port;
    this.backlog = options.backlog ?? 50;
    this.interface = options.interface ?? this.defaultInterface();
  }

  /** The interface bound when none is given: `""` (all IPv4 interfaces). */
  // protected: TCP6ServerEndpoint overrides it to bind "::" by default.
  protected defaultInterface(): string {
    return "";
  }

  /** Listen with `factory`; fires with the port. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<IPAddress>> {
    return listenTCP(this.reactor, this.port, factory, this.backlog, this.interface);
  }
}

/**
 * Listen on a TCP port over IPv6 (Twisted's `TCP6ServerEndpoint`); the
 * interface defaults to `"::"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP6ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new TCP6ServerEndpoint(reactor, 8080).listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.tcpServers[0][3], "::");
 * ```
 */
export class TCP6ServerEndpoint extends TCP4ServerEndpoint {
  /** `"::"`: all IPv6 interfaces. */
  protected override defaultInterface(): string {
    return "::";
  }
}

function connectTCP<P extends IProtocol>(
  reactor: IReactorTCP,
  host: string,
  port: number,
  factory: IProtocolFactory,
  timeout: number,
  bindAddress: [string, number] | undefined,
): Deferred<P> {
  try {
    const wf = new WrappingFactory(factory);
    reactor.connectTCP(host, port, wf, { timeout, bindAddress });
    return wf.onConnection as Deferred<P>;
  } catch (e) {
    return fail<P>(e);
  }
}

/**
 * Connect over TCP (Twisted's `TCP4ClientEndpoint`). `connect` fires with
 * your protocol once its `connectionMade` has run, or fails with why the
 * attempt failed (`ConnectionRefusedError`, `TimeoutError`, …); cancelling
 * it stops the attempt (`ConnectingCancelledError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", 80, { timeout: 5 })
 *   .connect(ClientFactory.forProtocol(Protocol));
 * assert.equal(reactor.tcpClients[0][3], 5);
 * d.cancel();
 * ```
 */
export class TCP4ClientEndpoint implements IStreamClientEndpoint {
  /** The reactor to connect with. */
  readonly reactor: IReactorTCP;
  /** The host (a name is resolved by the reactor). */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** Seconds before an attempt fails. */
  readonly timeout: number;
  /** The local address to bind, if any. */
  readonly bindAddress: [string, number] | undefined;

  /** Build the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    options: TCPClientEndpointOptions = {},
  ) {
    const what = new.target.name;
    if (typeof host !== "string" || host === "") {
      throw new TypeError(`${what}: host must be a non-empty string, got ${String(host)}`);
    }
    checkPort(port, what);
    this.timeout = options.timeout ?? 30;
    checkTimeout(this.timeout, what);
    this.reactor = reactor;
    this.host = host;
    this.port = port;
    this.bindAddress = toBindAddress(options.bindAddress, what);
  }

  /** Connect with `factory`; fires with the connected protocol. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    return connectTCP<P>(
      this.reactor,
      this.host,
      this.port,
      factory,
      this.timeout,
      this.bindAddress,
    );
  }
}

/**
 * Connect over TCP/IPv6 (Twisted's `TCP6ClientEndpoint`): an IPv6 literal is
 * used as is; a name is first resolved to its first IPv6 address (through
 * the reactor's `resolve`, or getaddrinfo), failing with `DNSLookupError`
 * when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP6ClientEndpoint } from "@skein/skein/endpoints";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new TCP6ClientEndpoint(reactor, "::1", 80).connect(ClientFactory.forProtocol(Protocol));
 * assert.equal(reactor.tcpClients[0][0], "::1");
 * ```
 */
export class TCP6ClientEndpoint extends TCP4ClientEndpoint {
  /** Resolve the host to IPv6 if needed, then connect. */
  override connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    if (isIPv6Literal(this.host)) return super.connect<P>(factory);
    const host = this.host;
    let cancelled = false;
    let attempt: Deferred<P> | null = null;
    const result = new Deferred<P>((d) => {
      cancelled = true;
      if (attempt !== null) attempt.cancel();
      else d.errback(new ConnectingCancelledError(`Connecting to ${host} was cancelled`));
    });
    const resolver = (this.reactor as MaybeResolver).resolve;
    const resolved: PromiseLike<string> = typeof resolver === "function"
      ? resolver.call(this.reactor, host, { family: 6 })
      : lookupAll(host, 6).then((all) => {
        if (all.length === 0) throw new DNSLookupError(`no IPv6 address for ${host}`);
        return all[0];
      });
    resolved.then(
      (address) => {
        if (cancelled) return;
        attempt = connectTCP<P>(
          this.reactor,
          address,
          this.port,
          factory,
          this.timeout,
          this.bindAddress,
        );
        attempt.chainDeferred(result);
      },
      (e: unknown) => {
        if (cancelled) return;
        result.errback(
          e instanceof DNSLookupError
            ? e
            : new DNSLookupError(`Couldn't find an IPv6 address for '${host}'`, { cause: e }),
        );
      },
    );
    return result;
  }
}
