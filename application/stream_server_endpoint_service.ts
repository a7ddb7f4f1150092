/**
 * `StreamServerEndpointService`: Twisted's
 * `application.internet.StreamServerEndpointService`, a service that listens
 * on an endpoint while it runs.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IListeningPort,
  IProtocolFactory,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { Service } from "./service.ts";

/**
 * Options for {@linkcode StreamServerEndpointService}.
 *
 * @example
 * ```ts
 * import type { StreamServerEndpointServiceOptions } from "@skein/skein/application";
 * const options: StreamServerEndpointServiceOptions = { raiseSynchronously: true };
 * ```
 */
export interface StreamServerEndpointServiceOptions {
  /**
   * Throw from `privilegedStartService` (so from `startApplication`, and
   * `skein run` exits) when the endpoint fails to listen at once, e.g. the
   * port is taken; otherwise the failure is logged. `strports.service` sets
   * it, as Twisted's does. @default {false}
   */
  raiseSynchronously?: boolean;
}

/**
 * Listen on `endpoint` with `factory` from `privilegedStartService` (or
 * `startService`, if that was skipped) until `stopService`, which cancels a
 * listen still under way or stops the port, and returns a Deferred that fires
 * once the port is closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamServerEndpointService } from "@skein/skein/application";
 * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const factory = Factory.forProtocol(Protocol);
 * factory.noisy = false;
 * const service = new StreamServerEndpointService(
 *   new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }),
 *   factory,
 * );
 * let listenedOn = 0;
 * reactor.callWhenRunning(async () => {
 *   service.startService();
 *   listenedOn = (await service.whenListening()).getHost().port;
 *   await service.stopService();
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.ok(listenedOn > 0);
 * assert.equal(service.running, false);
 * ```
 */
export class StreamServerEndpointService<A extends IAddress = IAddress> extends Service {
  /** Where to listen. */
  readonly endpoint: IStreamServerEndpoint<A>;
  /** The factory the port builds protocols with. */
  readonly factory: IProtocolFactory;
  #raiseSynchronously: boolean;
  #waitingForPort: Deferred<IListeningPort<A> | null> | null = null;
  #port: IListeningPort<A> | null = null;

  /** A service that listens on `endpoint` with `factory` while it runs. */
  constructor(
    endpoint: IStreamServerEndpoint<A>,
    factory: IProtocolFactory,
    options: StreamServerEndpointServiceOptions = {},
  ) {
    super();
    this.endpoint = endpoint;
    this.factory = factory;
    this.#raiseSynchronously = options.raiseSynchronously ?? false;
  }

  /**
   * Start listening. A failure is logged, or thrown when it happens at once
   * and `raiseSynchronously` is set (only for that first attempt, as in
   * Twisted).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StreamServerEndpointService } from "@skein/skein/application";
   * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactor();
   * const service = new StreamServerEndpointService(new TCP4ServerEndpoint(reactor, 8080), new Factory());
   * service.privilegedStartService();
   * assert.equal(reactor.tcpServers[0][0], 8080);
   * ```
   */
  override privilegedStartService(): void {
    super.privilegedStartService();
    const raisedNow: Failure[] = [];
    this.#waitingForPort = this.endpoint.listen(this.factory).addCallbacks(
      (port: IListeningPort<A>): IListeningPort<A> => {
        this.#port = port;
        return port;
      },
      (failure: Failure): null => {
        if (this.#raiseSynchronously) raisedNow.push(failure);
        else if (failure.check(CancelledError) === null) {
          log.err(failure, `${String(this)} could not listen`);
        }
        return null;
      },
    ) as Deferred<IListeningPort<A> | null>;
    this.#raiseSynchronously = false;
    if (raisedNow.length > 0) throw raisedNow[0].value;
  }

  /**
   * Mark running and listen, unless `privilegedStartService` already did.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StreamServerEndpointService } from "@skein/skein/application";
   * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactor();
   * const service = new StreamServerEndpointService(new TCP4ServerEndpoint(reactor, 8080), new Factory());
   * service.startService();
   * assert.equal(reactor.tcpServers.length, 1);
   * ```
   */
  override startService(): void {
    super.startService();
    if (this.#waitingForPort === null) this.privilegedStartService();
  }

  /**
   * Cancel a listen still under way, or stop listening. The Deferred fires
   * once the port is closed; `running` becomes false then.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StreamServerEndpointService } from "@skein/skein/application";
   * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactor();
   * const service = new StreamServerEndpointService(new TCP4ServerEndpoint(reactor, 8080), new Factory());
   * service.startService();
   * await service.stopService();
   * assert.equal(service.running, false);
   * ```
   */
  override stopService(): Deferred<unknown> {
    const waiting = this.#waitingForPort;
    if (waiting === null) {
      throw new Error(`${String(this)}: stopService before startService; start it first`);
    }
    waiting.cancel();
    return waiting.addCallback((port) => {
      this.#port = null;
      return port === null ? undefined : port.stopListening();
    }).addBoth((result: unknown) => {
      super.stopService();
      return result;
    });
  }

  /**
   * The listening port, once listening (null before, after stopping, or when
   * the listen failed).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StreamServerEndpointService } from "@skein/skein/application";
   * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const service = new StreamServerEndpointService(new TCP4ServerEndpoint(new MemoryReactor(), 80), new Factory());
   * assert.equal(service.port, null);
   * ```
   */
  get port(): IListeningPort<A> | null {
    return this.#port;
  }

  /**
   * A promise of the port once listening (at once if it is), which
   * rejects when the listen failed or the service is not started.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StreamServerEndpointService } from "@skein/skein/application";
   * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactor();
   * const service = new StreamServerEndpointService(new TCP4ServerEndpoint(reactor, 80), new Factory());
   * service.startService();
   * const port = await service.whenListening();
   * assert.equal(port.getHost().port, 80);
   * ```
   */
  whenListening(): Promise<IListeningPort<A>> {
    const waiting = this.#waitingForPort;
    if (waiting === null) {
      return Promise.reject(new Error(`${String(this)} is not started; call startService first`));
    }
    return new Promise((resolve, reject) => {
      waiting.addCallback((port) => {
        if (!port) reject(new Error(`${String(this)} could not listen (see the log)`));
        else resolve(port);
        return port;
      });
    });
  }
}
