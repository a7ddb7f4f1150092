/**
 * `listenSSL` and `connectSSL` (Twisted's `IReactorSSL`): `listenTCP` and
 * `connectTCP` with every connection wrapped in TLS by a
 * `TLSMemoryBIOFactory`. The reactors have them as methods; the functions
 * here are what those methods run, for any reactor with TCP and a clock.
 *
 * @module
 */

import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IListeningPort,
  IPAddress,
  IProtocolFactory,
  IReactorTCP,
  IReactorTime,
  ListenTCPOptions,
} from "../interfaces.ts";
import { TLSMemoryBIOFactory } from "../protocols/tls.ts";
import { defaultTLSEngine, type TLSEngineName } from "./engines.ts";
import type { TLSContextFactory } from "./options.ts";

/**
 * TLS options of `listenSSL` and `connectSSL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SSLOptions } from "@skein/skein/ssl";
 * const o: SSLOptions = { handshakeTimeout: 30, engine: "openssl" };
 * assert.equal(o.handshakeTimeout, 30);
 * ```
 */
export interface SSLOptions {
  /** The TLS engine. @default {"node" on the host reactor, else defaultTLSEngine()} */
  engine?: TLSEngineName;
  /** Abort a connection whose handshake takes longer than this (seconds). */
  handshakeTimeout?: number;
}

/**
 * Options of `listenSSL`: `listenTCP`'s and the TLS ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ListenSSLOptions } from "@skein/skein/ssl";
 * const o: ListenSSLOptions = { interface: "127.0.0.1", handshakeTimeout: 10 };
 * assert.equal(o.interface, "127.0.0.1");
 * ```
 */
export interface ListenSSLOptions extends ListenTCPOptions, SSLOptions {}

/**
 * Options of `connectSSL`: `connectTCP`'s and the TLS ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConnectSSLOptions } from "@skein/skein/ssl";
 * const o: ConnectSSLOptions = { timeout: 5 };
 * assert.equal(o.timeout, 5);
 * ```
 */
export interface ConnectSSLOptions extends ConnectTCPOptions, SSLOptions {}

/**
 * A reactor that speaks TLS over TCP (Twisted's `IReactorSSL`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor } from "@skein/skein/reactor";
 * import type { IReactorSSL } from "@skein/skein/ssl";
 * const reactor: IReactorSSL = createReactor();
 * assert.equal(typeof reactor.listenSSL, "function");
 * ```
 */
export interface IReactorSSL {
  /** Listen on `port`; each connection speaks TLS configured by `contextFactory` (`CertificateOptions`). */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: TLSContextFactory,
    options?: ListenSSLOptions,
  ): IListeningPort<IPAddress>;
  /** Connect to `host:port` and speak TLS configured by `contextFactory` (`optionsForClientTLS`). */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: TLSContextFactory,
    options?: ConnectSSLOptions,
  ): IConnector;
}

/**
 * What `listenSSL`/`connectSSL` need of a reactor: TCP, and a clock for a
 * handshake timeout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TCPReactor } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const r: TCPReactor = new MemoryReactor();
 * assert.equal(typeof r.listenTCP, "function");
 * ```
 */
export type TCPReactor = IReactorTCP & Partial<IReactorTime> & { readonly kind?: string; };

function clockOf(reactor: TCPReactor, options: SSLOptions | undefined): IReactorTime | undefined {
  if (typeof reactor.callLater === "function") return reactor as IReactorTime;
  if (options?.handshakeTimeout !== undefined) {
    throw new TypeError("handshakeTimeout needs a reactor with callLater (a clock)");
  }
  return undefined;
}

function engineFor(reactor: TCPReactor, options: SSLOptions | undefined): TLSEngineName {
  return options?.engine ?? (reactor.kind === "host" ? "node" : defaultTLSEngine());
}

function splitOptions<T extends SSLOptions>(options: T | undefined): Omit<T, keyof SSLOptions> {
  const { engine: _engine, handshakeTimeout: _timeout, ...rest } = options ?? ({} as T);
  return rest;
}

/**
 * `reactor.listenTCP` with TLS: what the reactors' `listenSSL` runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { execFileSync } from "node:child_process";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Factory } from "@skein/skein/protocols";
 * import { CertificateOptions, listenSSL, PrivateCertificate, TLSMemoryBIOFactory } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const dir = mkdtempSync(join(tmpdir(), "skein-"));
 * execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
 *   "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=localhost"],
 *   { stdio: "ignore" });
 * const certificate = PrivateCertificate.loadPEM(readFileSync(join(dir, "c.pem")), readFileSync(join(dir, "k.pem")));
 * rmSync(dir, { recursive: true });
 * const reactor = new MemoryReactor();
 * listenSSL(reactor, 8443, new Factory(), new CertificateOptions({ certificate }));
 * assert.ok(reactor.tcpServers[0][1] instanceof TLSMemoryBIOFactory);
 * ```
 */
export function listenSSL(
  reactor: TCPReactor,
  port: number,
  factory: IProtocolFactory,
  contextFactory: TLSContextFactory,
  options?: ListenSSLOptions,
): IListeningPort<IPAddress> {
  const wrapped = new TLSMemoryBIOFactory(contextFactory, false, factory, {
    engine: engineFor(reactor, options),
    clock: clockOf(reactor, options),
    handshakeTimeout: options?.handshakeTimeout,
  });
  return reactor.listenTCP(port, wrapped, splitOptions(options));
}

/**
 * `reactor.connectTCP` with TLS: what the reactors' `connectSSL` runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import { connectSSL, optionsForClientTLS, TLSMemoryBIOFactory } from "@skein/skein/ssl";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * connectSSL(reactor, "example.com", 443, new ClientFactory(), optionsForClientTLS("example.com"));
 * const [host, port, factory] = reactor.tcpClients[0];
 * assert.deepEqual([host, port], ["example.com", 443]);
 * assert.ok(factory instanceof TLSMemoryBIOFactory);
 * ```
 */
export function connectSSL(
  reactor: TCPReactor,
  host: string,
  port: number,
  factory: IClientFactory,
  contextFactory: TLSContextFactory,
  options?: ConnectSSLOptions,
): IConnector {
  const wrapped = new TLSMemoryBIOFactory(contextFactory, true, factory, {
    engine: engineFor(reactor, options),
    clock: clockOf(reactor, options),
    handshakeTimeout: options?.handshakeTimeout,
  });
  return reactor.connectTCP(host, port, wrapped, splitOptions(options));
}
