/**
 * `ClientCreator`: connect one protocol instance without writing a factory,
 * Twisted's `ClientCreator` (from `twisted/internet/protocol.py`).
 *
 * @example Connecting to a loopback echo server
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientCreator, Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * class Greeter extends Protocol {
 *   heard = "";
 *   constructor(readonly greeting: string) {
 *     super();
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     this.heard += new TextDecoder().decode(data);
 *     if (this.heard === this.greeting) this.transport!.loseConnection();
 *   }
 *   override connectionLost(): void {
 *     reactor.stop();
 *   }
 * }
 * const reactor = createReactor();
 * const server = Factory.forProtocol(Echo);
 * server.noisy = false;
 * const port = reactor.listenTCP(0, server, { interface: "127.0.0.1" });
 * const creator = new ClientCreator(reactor, Greeter, "hello");
 * let client: Greeter | null = null;
 * creator.connectTCP("127.0.0.1", port.getHost().port, { timeout: 5 }).addCallback((p) => {
 *   client = p;
 *   p.transport!.write(p.greeting);
 * });
 * reactor.addSystemEventTrigger("before", "shutdown", () => port.stopListening());
 * await reactor.run();
 * assert.equal(client!.heard, "hello");
 * ```
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IAddress,
  IConnector,
  IDelayedCall,
  IProtocol,
  IReactorTCP,
  IReactorTime,
  IReactorUNIX,
} from "../interfaces.ts";
import { ClientFactory } from "./factory.ts";

/**
 * What a {@linkcode ClientCreator} needs of its reactor: TCP and Unix
 * connections, and `callLater` (every Skein reactor, and `MemoryReactorClock`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClientCreatorReactor } from "@skein/skein/protocols";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 *
 * const reactor: ClientCreatorReactor = new MemoryReactorClock();
 * assert.equal(typeof reactor.callLater, "function");
 * ```
 */
export type ClientCreatorReactor = IReactorTCP & IReactorUNIX & IReactorTime;

/**
 * The factory of one `ClientCreator` attempt (Twisted's `_InstanceFactory`):
 * it hands out the one protocol instance and, a reactor turn later (after the
 * protocol's `connectionMade`), fires the attempt's Deferred with it, or with
 * why the attempt failed.
 */
class InstanceFactory<P extends IProtocol> extends ClientFactory {
  override noisy: boolean = false;
  readonly #clock: IReactorTime;
  readonly #instance: P;
  readonly #result: Deferred<P>;
  #pending: IDelayedCall | null = null;
  #settled = false;

  constructor(clock: IReactorTime, instance: P, result: Deferred<P>) {
    super();
    this.#clock = clock;
    this.#instance = instance;
    this.#result = result;
  }

  /** Stop the scheduled firing, if any (the attempt was cancelled). */
  cancelPending(): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null && pending.active()) pending.cancel();
  }

  override buildProtocol(_addr: IAddress): IProtocol | null {
    // Cancelled (or already connected once): nobody wants this connection.
    if (this.#settled || this.#result.called) return null;
    this.#settled = true;
    this.#pending = this.#clock.callLater(0, () => {
      this.#pending = null;
      this.#result.callback(this.#instance);
    });
    return this.#instance;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (this.#settled || this.#result.called) return;
    this.#settled = true;
    this.#pending = this.#clock.callLater(0, () => {
      this.#pending = null;
      this.#result.errback(reason);
    });
  }

  override toString(): string {
    return `<ClientCreator factory: ${this.#instance.constructor.name}>`;
  }
}

/**
 * Connects one protocol instance, built from `protocolClass` and `args` for
 * each connection, without a factory of your own (Twisted's
 * `ClientCreator`): for clients with no state shared between connections and
 * no need to reconnect.
 *
 * {@linkcode ClientCreator.connectTCP} and {@linkcode ClientCreator.connectUNIX}
 * return a Deferred that fires with the protocol a reactor turn after it is
 * connected (its `connectionMade` has run), or fails with why the attempt
 * failed (`ConnectionRefusedError`, `TimeoutError`, …). Cancelling the
 * Deferred stops the attempt (`connector.disconnect()`, which also closes a
 * connection made just before) and fails it with `CancelledError`, as in
 * Twisted.
 *
 * @example Cancelling an attempt that has not connected
 * ```ts
 * import assert from "node:assert/strict";
 * import { CancelledError } from "@skein/skein/deferred";
 * import { ClientCreator, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactorClock();
 * const d = new ClientCreator(reactor, Protocol).connectTCP("example.com", 80);
 * let error: unknown = null;
 * d.addErrback((f) => {
 *   error = f.value;
 * });
 * d.cancel();
 * assert.ok(error instanceof CancelledError);
 * assert.equal(reactor.connectors[0].disconnected, true);
 * ```
 */
export class ClientCreator<P extends IProtocol, A extends unknown[] = []> {
  /** The reactor connections are made with. */
  readonly reactor: ClientCreatorReactor;
  /** The class each connection's protocol is built from. */
  readonly protocolClass: new(...args: A) => P;
  /** The arguments it is built with. */
  readonly args: A;

  /** Connect instances of `protocolClass`, built with `args`, through `reactor`. */
  constructor(reactor: ClientCreatorReactor, protocolClass: new(...args: A) => P, ...args: A) {
    if (typeof protocolClass !== "function") {
      throw new TypeError(
        `ClientCreator: protocolClass must be a protocol class, got ${String(protocolClass)}`,
      );
    }
    this.reactor = reactor;
    this.protocolClass = protocolClass;
    this.args = args;
  }

  /**
   * Connect to `host:port` over TCP (options as for `reactor.connectTCP`:
   * `timeout`, `bindAddress`); fires with the connected protocol.
   */
  connectTCP(host: string, port: number, options: ConnectTCPOptions = {}): Deferred<P> {
    return this.#connect((factory) => this.reactor.connectTCP(host, port, factory, options));
  }

  /**
   * Connect to the Unix socket at `path` (options as for
   * `reactor.connectUNIX`: `timeout`, `checkPID`); fires with the connected
   * protocol.
   */
  connectUNIX(path: string, options: ConnectUNIXOptions = {}): Deferred<P> {
    return this.#connect((factory) => this.reactor.connectUNIX(path, factory, options));
  }

  #connect(start: (factory: InstanceFactory<P>) => IConnector): Deferred<P> {
    let connector: IConnector | null = null;
    let factory: InstanceFactory<P> | null = null;
    // As Twisted's: disconnect (stop connecting, or close a connection made
    // just now) and drop a pending firing; the Deferred then fails with
    // CancelledError.
    const result = new Deferred<P>(() => {
      connector?.disconnect();
      factory?.cancelPending();
    });
    factory = new InstanceFactory(this.reactor, new this.protocolClass(...this.args), result);
    connector = start(factory);
    return result;
  }
}
