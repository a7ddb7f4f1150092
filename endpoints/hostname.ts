/**
 * `HostnameEndpoint`: connect to a host name by trying each of its addresses,
 * IPv6 and IPv4, with staggered starts ("happy eyeballs"), Twisted's
 * `HostnameEndpoint`.
 *
 * @example
 * ```ts ignore
 * import { HostnameEndpoint } from "./hostname.ts";
 * import { ClientFactory, Protocol } from "../protocols/protocol.ts";
 * import { reactor } from "../reactor/install.ts";
 *
 * const proto = await new HostnameEndpoint(reactor, "localhost", 8080)
 *   .connect(ClientFactory.forProtocol(Protocol));
 * ```
 *
 * @module
 */

import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { Deferred, fail } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IReactorTime,
  IStreamClientEndpoint,
} from "../interfaces.ts";
import {
  ConnectingCancelledError,
  DNSLookupError,
  InvalidAddressError,
} from "../reactor/errors.ts";
import { checkPort, checkTimeout, isIPv6Literal, lookupAll, toBindAddress } from "./_util.ts";
import { TCP4ClientEndpoint, TCP6ClientEndpoint } from "./tcp.ts";

/**
 * Resolves a host name to all its addresses (IPv6 and IPv4 literals), in
 * preference order.
 *
 * @example
 * ```ts
 * import type { HostnameResolver } from "./hostname.ts";
 * const fixed: HostnameResolver = (_host) => ["::1", "127.0.0.1"];
 * ```
 */
export type HostnameResolver = (host: string) => PromiseLike<readonly string[]> | readonly string[];

/**
 * Options of {@linkcode HostnameEndpoint}.
 *
 * @example
 * ```ts
 * import type { HostnameEndpointOptions } from "./hostname.ts";
 * const o: HostnameEndpointOptions = { timeout: 10, attemptDelay: 0.25 };
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

/**
 * Interleave address families, starting with the family of the first
 * address and keeping the resolver's order within each family (RFC 8305).
 */
function interleave(addresses: readonly string[]): string[] {
  if (addresses.length === 0) return [];
  const firstIs6 = isIPv6Literal(addresses[0]);
  const a: string[] = [];
  const b: string[] = [];
  for (const addr of addresses) (isIPv6Literal(addr) === firstIs6 ? a : b).push(addr);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]);
    if (i < b.length) out.push(b[i]);
  }
  return out;
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
 * import { ClientFactory, Protocol } from "../protocols/protocol.ts";
 * import { MemoryReactorClock } from "../testing/memory_reactor.ts";
 * import { HostnameEndpoint } from "./hostname.ts";
 *
 * const reactor = new MemoryReactorClock();
 * const ep = new HostnameEndpoint(reactor, "example.com", 80, {
 *   resolver: () => ["2001:db8::1", "2001:db8::2", "192.0.2.1"],
 * });
 * ep.connect(ClientFactory.forProtocol(Protocol));
 * console.assert(reactor.tcpClients.length === 1 && reactor.tcpClients[0][0] === "2001:db8::1");
 * reactor.advance(0.3);
 * console.assert(reactor.tcpClients[1][0] === "192.0.2.1");
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
    const reactor = this.reactor;
    const queue: string[] = [];
    const pending: Deferred<P>[] = [];
    const failures: Failure[] = [];
    let done = false;
    let timer: IDelayedCall | null = null;

    const stopTimer = (): void => {
      if (timer !== null) {
        if (timer.active()) timer.cancel();
        timer = null;
      }
    };
    const cancelPending = (): void => {
      for (const d of pending.splice(0)) d.cancel();
    };
    const result = new Deferred<P>((d) => {
      done = true;
      stopTimer();
      queue.length = 0;
      cancelPending();
      d.errback(new ConnectingCancelledError(`Connecting to ${this} was cancelled`));
    });

    const checkDone = (): void => {
      if (done || pending.length > 0 || queue.length > 0) return;
      done = true;
      stopTimer();
      result.errback(failures[failures.length - 1]);
    };

    const attemptNext = (): void => {
      timer = null;
      if (done) return;
      const address = queue.shift();
      if (address === undefined) return checkDone();
      if (queue.length > 0) timer = reactor.callLater(this.attemptDelay, attemptNext);
      const Endpoint = isIPv6Literal(address) ? TCP6ClientEndpoint : TCP4ClientEndpoint;
      const attempt = new Endpoint(reactor, address, this.port, {
        timeout: this.timeout,
        bindAddress: this.bindAddress ?? null,
      }).connect<P>(factory);
      pending.push(attempt);
      attempt.addCallback((proto: P): null => {
        const i = pending.indexOf(attempt);
        if (i >= 0) pending.splice(i, 1);
        if (done) {
          // Lost the race after the result was decided: drop the connection.
          proto.transport?.loseConnection();
          return null;
        }
        done = true;
        stopTimer();
        queue.length = 0;
        cancelPending();
        result.callback(proto);
        return null;
      });
      attempt.addErrback((f: Failure): null => {
        const i = pending.indexOf(attempt);
        if (i >= 0) pending.splice(i, 1);
        if (done) return null;
        failures.push(f);
        if (pending.length === 0 && queue.length > 0) {
          // Nothing in flight: start the next attempt now.
          stopTimer();
          attemptNext();
        } else {
          checkDone();
        }
        return null;
      });
    };

    const start = (addresses: readonly string[]): void => {
      if (done) return;
      if (addresses.length === 0) {
        done = true;
        result.errback(new DNSLookupError(`no results for hostname lookup: ${name}`));
        return;
      }
      queue.push(...interleave(addresses));
      attemptNext();
    };
    const resolutionFailed = (e: unknown): void => {
      if (done) return;
      done = true;
      result.errback(new DNSLookupError(`Couldn't find the hostname '${name}'`, { cause: e }));
    };

    if (isIP(name) !== 0) {
      start([name]);
    } else {
      let resolved: PromiseLike<readonly string[]> | readonly string[];
      try {
        resolved = this.#resolver(name);
      } catch (e) {
        resolutionFailed(e);
        return result;
      }
      if (Array.isArray(resolved)) start(resolved as readonly string[]);
      else (resolved as PromiseLike<readonly string[]>).then(start, resolutionFailed);
    }
    return result;
  }
}
