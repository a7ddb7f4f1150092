/**
 * `HostnameEndpoint`: connect to a host name by trying each of its addresses,
 * IPv6 and IPv4, with staggered starts ("happy eyeballs"), Twisted's
 * `HostnameEndpoint`.
 *
 * @example Connecting to "localhost", whichever of its addresses answers
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostnameEndpoint } from "@skein/skein/endpoints";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const server = Factory.forProtocol(Protocol);
 * server.noisy = false;
 * const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
 * let peer = "";
 * reactor.callWhenRunning(async () => {
 *   // An IPv6 attempt to ::1 is refused (nothing listens there); 127.0.0.1 wins.
 *   const proto = await new HostnameEndpoint(reactor, "localhost", port.getHost().port, {
 *     attemptDelay: 0.05,
 *   }).connect(ClientFactory.forProtocol(Protocol));
 *   peer = proto.transport!.getPeer().toString();
 *   proto.transport!.loseConnection();
 *   reactor.stop();
 * });
 * reactor.addSystemEventTrigger("before", "shutdown", () => port.stopListening());
 * await reactor.run();
 * assert.match(peer, /127\.0\.0\.1/);
 * ```
 *
 * @module
 */

import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { type Deferred, fail } from "../deferred/deferred.ts";
import type {
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IReactorTime,
  IStreamClientEndpoint,
} from "../interfaces.ts";
import { DNSLookupError, InvalidAddressError } from "../reactor/errors.ts";
import { AttemptRace } from "./_attempt_race.ts";
import { checkPort, checkTimeout, isIPv6Literal, lookupAll, toBindAddress } from "./_util.ts";
import { TCP4ClientEndpoint, TCP6ClientEndpoint } from "./tcp.ts";

/**
 * Resolves a host name to all its addresses (IPv6 and IPv4 literals), in
 * preference order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostnameResolver } from "@skein/skein/endpoints";
 * import { HostnameEndpoint } from "@skein/skein/endpoints";
 * import { Factory } from "@skein/skein/protocols";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const fixed: HostnameResolver = (_host) => ["::1", "127.0.0.1"];
 * const reactor = new MemoryReactorClock();
 * new HostnameEndpoint(reactor, "localhost", 80, { resolver: fixed }).connect(new Factory());
 * assert.equal(reactor.tcpClients[0][0], "::1");
 * ```
 */
export type HostnameResolver = (host: string) => PromiseLike<readonly string[]> | readonly string[];

/**
 * Options of {@linkcode HostnameEndpoint}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostnameEndpointOptions } from "@skein/skein/endpoints";
 * import { HostnameEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const o: HostnameEndpointOptions = { timeout: 10, attemptDelay: 0.25 };
 * const ep = new HostnameEndpoint(new MemoryReactorClock(), "example.com", 443, o);
 * assert.equal(ep.attemptDelay, 0.25);
 * ```
 */
export interface HostnameEndpointOptions {
  /** Seconds before each attempt fails. @default {30} */
  timeout?: number;
  /** Local address to bind: `"HOST"` or `["HOST", PORT]`. */
  bindAddress?: string | [string, number] | null;
  /** Seconds between starting one attempt and the next. @default {0.3} */
  attemptDelay?: number;
  /** Name resolution. @default {getaddrinfo through `node:dns` `lookup({ all: true })`} */
  resolver?: HostnameResolver;
}

const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** The ASCII (punycode) form of a host name, or null when it is not a valid name. */
function asciiHostname(host: string): string | null {
  if (isIP(host) !== 0) return host;
  // deno-lint-ignore no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(host) ? host : domainToASCII(host);
  if (ascii === "" || ascii.length > 253) return null;
  const labels = (ascii.endsWith(".") ? ascii.slice(0, -1) : ascii).split(".");
  return labels.every((l) => LABEL.test(l)) ? ascii : null;
}

const defaultResolver: HostnameResolver = (host) => lookupAll(host, 0);

/**
 * Connect to a host name (Twisted's `HostnameEndpoint`). `connect` resolves
 * the name to all its addresses, then starts a TCP attempt to the first and
 * another every `attemptDelay` seconds (0.3) through the rest, alternating
 * IPv6 and IPv4 (starting with the family the resolver preferred). The first
 * attempt to connect wins and the others are cancelled. If every attempt
 * fails, `connect` fails with the last failure; a name that does not resolve
 * fails with `DNSLookupError`; cancelling gives `ConnectingCancelledError`.
 *
 * Two refinements over Twisted: families are interleaved (Twisted keeps
 * resolver order), and when an attempt fails while no other is in flight the
 * next one starts at once instead of waiting out the delay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostnameEndpoint } from "@skein/skein/endpoints";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactorClock();
 * const ep = new HostnameEndpoint(reactor, "example.com", 80, {
 *   resolver: () => ["2001:db8::1", "2001:db8::2", "192.0.2.1"],
 * });
 * ep.connect(ClientFactory.forProtocol(Protocol));
 * assert.ok(reactor.tcpClients.length === 1 && reactor.tcpClients[0][0] === "2001:db8::1");
 * reactor.advance(0.3);
 * assert.equal(reactor.tcpClients[1][0], "192.0.2.1");
 * ```
 */
export class HostnameEndpoint implements IStreamClientEndpoint {
  /** The reactor to connect and schedule with. */
  readonly reactor: IReactorTCP & IReactorTime;
  /** The host name (or address) given. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** Seconds before each attempt fails. */
  readonly timeout: number;
  /** Seconds between attempt starts. */
  readonly attemptDelay: number;
  /** The local address to bind, if any. */
  readonly bindAddress: [string, number] | undefined;
  readonly #resolver: HostnameResolver;
  readonly #ascii: string | null;

  /** Build the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: IReactorTCP & IReactorTime,
    host: string,
    port: number,
    options: HostnameEndpointOptions = {},
  ) {
    if (typeof host !== "string") {
      throw new TypeError(`HostnameEndpoint: host must be a string, got ${String(host)}`);
    }
    checkPort(port, "HostnameEndpoint");
    this.timeout = options.timeout ?? 30;
    checkTimeout(this.timeout, "HostnameEndpoint");
    this.attemptDelay = options.attemptDelay ?? 0.3;
    if (!(this.attemptDelay >= 0)) {
      throw new RangeError(
        `HostnameEndpoint: attemptDelay must be a number of seconds >= 0, got ${this.attemptDelay}`,
      );
    }
    this.reactor = reactor;
    this.host = host;
    this.port = port;
    this.bindAddress = toBindAddress(options.bindAddress, "HostnameEndpoint");
    this.#resolver = options.resolver ?? defaultResolver;
    this.#ascii = asciiHostname(host);
  }

  /** `<HostnameEndpoint host:port>`, with IPv6 addresses in brackets. */
  toString(): string {
    const h = this.#ascii ?? this.host;
    return `<HostnameEndpoint ${isIPv6Literal(h) ? `[${h}]` : h}:${this.port}>`;
  }

  /** Resolve, race the attempts, and fire with the protocol of the winner. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    const name = this.#ascii;
    if (name === null) {
      return fail<P>(new InvalidAddressError(`invalid hostname: ${JSON.stringify(this.host)}`));
    }
    const race = new AttemptRace<P>(this.reactor, this.attemptDelay, (address) => {
      const Endpoint = isIPv6Literal(address) ? TCP6ClientEndpoint : TCP4ClientEndpoint;
      return new Endpoint(this.reactor, address, this.port, {
        timeout: this.timeout,
        bindAddress: this.bindAddress ?? null,
      }).connect<P>(factory);
    }, `${this}`);
    const start = (addresses: readonly string[]): void => {
      if (addresses.length === 0) {
        race.abort(new DNSLookupError(`no results for hostname lookup: ${name}`));
      } else {
        race.start(addresses);
      }
    };
    const resolutionFailed = (e: unknown): void => {
      race.abort(new DNSLookupError(`Couldn't find the hostname '${name}'`, { cause: e }));
    };
    if (isIP(name) !== 0) {
      start([name]);
      return race.result;
    }
    let resolved: PromiseLike<readonly string[]> | readonly string[];
    try {
      resolved = this.#resolver(name);
    } catch (e) {
      resolutionFailed(e);
      return race.result;
    }
    if (Array.isArray(resolved)) start(resolved as readonly string[]);
    else (resolved as PromiseLike<readonly string[]>).then(start, resolutionFailed);
    return race.result;
  }
}
