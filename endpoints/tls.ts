/**
 * TLS endpoints (Twisted's `SSL4ServerEndpoint`, `wrapClientTLS` and the
 * `ssl:`/`tls:` description strings, parsed in `_tls_parse.ts`): a server
 * endpoint that listens with `listenSSL`, and a client endpoint that wraps
 * any other client endpoint in TLS.
 *
 * @module
 */

import { type Deferred, fail, succeed } from "../deferred/deferred.ts";
import type {
  IListeningPort,
  IPAddress,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import {
  TLSMemoryBIOFactory,
  type TLSMemoryBIOProtocol,
  type TLSWrapperOptions,
} from "../protocols/tls.ts";
import type { TLSContextFactory } from "../ssl/options.ts";
import { listenSSL } from "../ssl/reactor_ssl.ts";
import { checkPort } from "./_util.ts";

/**
 * Options of {@linkcode SSL4ServerEndpoint}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SSL4ServerEndpointOptions } from "@skein/skein/endpoints";
 * const o: SSL4ServerEndpointOptions = { interface: "127.0.0.1", backlog: 128 };
 * assert.equal(o.backlog, 128);
 * ```
 */
export interface SSL4ServerEndpointOptions {
  /** Listen queue length. @default {50} */
  backlog?: number;
  /** Local address to bind. @default {""} */
  interface?: string;
}

/**
 * Listens for TLS connections on a TCP port (Twisted's
 * `SSL4ServerEndpoint`): each connection speaks TLS configured by
 * `contextFactory` (`CertificateOptions`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SSL4ServerEndpoint } from "@skein/skein/endpoints";
 * import type { CertificateOptions } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 * assert.throws(
 *   () => new SSL4ServerEndpoint(new MemoryReactor(), 443, {} as CertificateOptions),
 *   /TLS options/,
 * );
 * ```
 */
export class SSL4ServerEndpoint implements IStreamServerEndpoint<IPAddress> {
  /** The reactor to listen with. */
  readonly reactor: IReactorTCP;
  /** The port (0 picks a free one). */
  readonly port: number;
  /** The TLS options. */
  readonly contextFactory: TLSContextFactory;
  /** Listen queue length. */
  readonly backlog: number;
  /** The interface to bind. */
  readonly interface: string;

  /** Build the endpoint; nothing happens until `listen`. */
  constructor(
    reactor: IReactorTCP,
    port: number,
    contextFactory: TLSContextFactory,
    options: SSL4ServerEndpointOptions = {},
  ) {
    checkPort(port, "SSL4ServerEndpoint");
    if (contextFactory?.tls?.isClient !== false) {
      throw new TypeError(
        "SSL4ServerEndpoint needs server TLS options: new CertificateOptions({ certificate })",
      );
    }
    this.reactor = reactor;
    this.port = port;
    this.contextFactory = contextFactory;
    this.backlog = options.backlog ?? 50;
    this.interface = options.interface ?? "";
  }

  /** Listen with `factory`; fires with the port. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<IPAddress>> {
    try {
      return succeed(
        listenSSL(this.reactor, this.port, factory, this.contextFactory, {
          backlog: this.backlog,
          interface: this.interface,
        }),
      );
    } catch (e) {
      return fail<IListeningPort<IPAddress>>(e);
    }
  }
}

/**
 * A client endpoint that speaks TLS over another one (what
 * {@linkcode wrapClientTLS} returns): it connects the wrapped endpoint with
 * a `TLSMemoryBIOFactory` and fires with the application's protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ClientEndpoint, TLSWrapperClientEndpoint, wrapClientTLS } from "@skein/skein/endpoints";
 * import { optionsForClientTLS } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const inner = new TCP4ClientEndpoint(new MemoryReactor(), "example.com", 443);
 * assert.ok(wrapClientTLS(optionsForClientTLS("example.com"), inner) instanceof TLSWrapperClientEndpoint);
 * ```
 */
export class TLSWrapperClientEndpoint implements IStreamClientEndpoint {
  /** The TLS options. */
  readonly connectionCreator: TLSContextFactory;
  /** The endpoint carrying the ciphertext. */
  readonly wrappedEndpoint: IStreamClientEndpoint;
  readonly #options: TLSWrapperOptions;

  /** Use {@linkcode wrapClientTLS}. */
  constructor(
    connectionCreator: TLSContextFactory,
    wrappedEndpoint: IStreamClientEndpoint,
    options: TLSWrapperOptions = {},
  ) {
    if (connectionCreator?.tls?.isClient !== true) {
      throw new TypeError("wrapClientTLS needs client TLS options: optionsForClientTLS(host)");
    }
    this.connectionCreator = connectionCreator;
    this.wrappedEndpoint = wrappedEndpoint;
    this.#options = options;
  }

  /** Connect; fires with the application's protocol once its `connectionMade` ran. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    let tlsFactory: TLSMemoryBIOFactory;
    try {
      tlsFactory = new TLSMemoryBIOFactory(this.connectionCreator, true, factory, this.#options);
    } catch (e) {
      return fail<P>(e);
    }
    return this.wrappedEndpoint.connect<TLSMemoryBIOProtocol>(tlsFactory).addCallback(
      (p: TLSMemoryBIOProtocol) => p.wrappedProtocol,
    ) as Deferred<P>;
  }
}

/**
 * Speak TLS over `wrappedEndpoint` (Twisted's `wrapClientTLS`): TCP, Unix,
 * a process's pipes, anything that connects. `options` choose the engine
 * and a handshake timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNIXClientEndpoint, wrapClientTLS } from "@skein/skein/endpoints";
 * import { optionsForClientTLS } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const ep = wrapClientTLS(optionsForClientTLS("db.internal"), new UNIXClientEndpoint(new MemoryReactor(), "/run/db.sock"));
 * assert.equal(ep.connectionCreator.tls.hostname, "db.internal");
 * ```
 */
export function wrapClientTLS(
  connectionCreator: TLSContextFactory,
  wrappedEndpoint: IStreamClientEndpoint,
  options: TLSWrapperOptions = {},
): TLSWrapperClientEndpoint {
  return new TLSWrapperClientEndpoint(connectionCreator, wrappedEndpoint, options);
}
