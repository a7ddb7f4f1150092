/**
 * `ClientService`: Twisted's `application.internet.ClientService`, one
 * outgoing connection kept up while the service runs.
 *
 * @module
 */

import { Deferred, fail, succeed } from "../deferred/deferred.ts";
import { CancelledError } from "../deferred/errors.ts";
import { Failure } from "../deferred/failure.ts";
import { maybeDeferred } from "../deferred/maybe_deferred.ts";
import type {
  IAddress,
  IDelayedCall,
  IProtocol,
  IProtocolFactory,
  IReactorTime,
  IStreamClientEndpoint,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { reactor } from "../reactor/install.ts";
import { backoffPolicy, type RetryPolicy } from "./backoff_policy.ts";
import { Service } from "./service.ts";

/**
 * Options for {@linkcode ClientService}.
 *
 * @example
 * ```ts
 * import type { ClientServiceOptions } from "@skein/skein/application";
 * import { Clock } from "@skein/skein/testing";
 * const options: ClientServiceOptions = { retryPolicy: () => 0.5, clock: new Clock() };
 * ```
 */
export interface ClientServiceOptions {
  /** Seconds to wait before retry number n (default `backoffPolicy()`). */
  retryPolicy?: RetryPolicy;
  /** The scheduler for retries (default: the global reactor). */
  clock?: IReactorTime;
  /**
   * Called with each new connection's protocol before `whenConnected`
   * callers get it (e.g. to log in); a throw or a failing Deferred drops the
   * connection attempt, which is retried.
   */
  prepareConnection?: (protocol: IProtocol) => unknown;
}

/**
 * Options for {@linkcode ClientService.whenConnected}.
 *
 * @example
 * ```ts
 * import type { WhenConnectedOptions } from "@skein/skein/application";
 * const options: WhenConnectedOptions = { failAfterFailures: 1 };
 * ```
 */
export interface WhenConnectedOptions {
  /**
   * Fail with the connection error after this many failed attempts in a row
   * (1: the first failure); by default only `stopService` fails the wait.
   */
  failAfterFailures?: number | null;
}

type State =
  | "init"
  | "connecting"
  | "waiting"
  | "connected"
  | "disconnecting"
  | "restarting"
  | "stopped";

/**
 * Keep one connection to `endpoint` open while running: connect on
 * `startService`; after a failed attempt or a lost connection, wait
 * `retryPolicy(failedAttempts)` seconds and connect again; on `stopService`,
 * stop retrying, cancel an attempt under way or close the connection, and
 * fail every pending `whenConnected` with `CancelledError`. This is Twisted's
 * state machine, transition for transition (a `startService` while stopping
 * reconnects once the old connection is gone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientService } from "@skein/skein/application";
 * import { TCP4ClientEndpoint, TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const server = Factory.forProtocol(Protocol);
 * server.noisy = false;
 * const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen(server);
 * const client = Factory.forProtocol(Protocol);
 * client.noisy = false;
 * const service = new ClientService(
 *   new TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port),
 *   client,
 *   { clock: reactor },
 * );
 * let connected = false;
 * reactor.callWhenRunning(() => {
 *   service.startService();
 *   service.whenConnected().addCallback(async (protocol) => {
 *     connected = protocol.transport !== null;
 *     await service.stopService();
 *     await port.stopListening();
 *     reactor.stop();
 *   });
 * });
 * await reactor.run();
 * assert.equal(connected, true);
 * ```
 */
export class ClientService extends Service {
  /** Where to connect. */
  readonly endpoint: IStreamClientEndpoint;
  /** The factory each connection's protocol comes from. */
  readonly factory: IProtocolFactory;
  #retryPolicy: RetryPolicy;
  #clock: IReactorTime;
  #prepare: ((protocol: IProtocol) => unknown) | null;
  #state: State = "init";
  #failedAttempts = 0;
  #inProgress: Deferred<unknown> = succeed(undefined);
  #retryCall: IDelayedCall | null = null;
  #current: IProtocol | null = null;
  #awaiting: [Deferred<IProtocol>, number | null][] = [];
  #stopWaiters: Deferred<void>[] = [];

  /** A service keeping a connection to `endpoint` made with `factory`. */
  constructor(
    endpoint: IStreamClientEndpoint,
    factory: IProtocolFactory,
    options: ClientServiceOptions = {},
  ) {
    super();
    this.endpoint = endpoint;
    this.factory = factory;
    this.#retryPolicy = options.retryPolicy ?? backoffPolicy();
    this.#clock = options.clock ?? reactor;
    this.#prepare = options.prepareConnection ?? null;
  }

  /**
   * Mark running and start connecting.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ClientService } from "@skein/skein/application";
   * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactorClock } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactorClock();
   * const service = new ClientService(new TCP4ClientEndpoint(reactor, "127.0.0.1", 25), new Factory(), { clock: reactor });
   * service.startService();
   * assert.equal(reactor.tcpClients[0][1], 25);
   * service.stopService();
   * ```
   */
  override startService(): void {
    if (this.running) return;
    super.startService();
    switch (this.#state) {
      case "init":
      case "stopped":
        this.#state = "connecting";
        this.#connect();
        return;
      case "disconnecting":
        this.#state = "restarting";
        this.#failedAttempts = 0;
        return;
      default:
        return;
    }
  }

  /**
   * Stop retrying and disconnect. The Deferred fires once the connection (or
   * attempt) is gone; pending `whenConnected` Deferreds fail with
   * `CancelledError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ClientService } from "@skein/skein/application";
   * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { MemoryReactorClock } from "@skein/skein/testing";
   *
   * const reactor = new MemoryReactorClock();
   * const service = new ClientService(new TCP4ClientEndpoint(reactor, "127.0.0.1", 25), new Factory(), { clock: reactor });
   * service.startService();
   * const waiting = service.whenConnected();
   * await service.stopService();
   * await assert.rejects(waiting.toPromise(), { name: "CancelledError" });
   * ```
   */
  override stopService(): Deferred<unknown> {
    if (!this.running) return succeed(undefined);
    super.stopService();
    switch (this.#state) {
      case "init":
      case "stopped":
        this.#state = "stopped";
        return succeed(undefined);
      case "connecting": {
        this.#state = "disconnecting";
        const done = this.#waitForStop();
        this.#inProgress.cancel();
        return done;
      }
      case "waiting": {
        this.#state = "stopped";
        const done = this.#waitForStop();
        this.#unawait(new Failure(new CancelledError()));
        this.#retryCall?.cancel();
        this.#retryCall = null;
        this.#finishStopping();
        return done;
      }
      case "connected": {
        this.#state = "disconnecting";
        const done = this.#waitForStop();
        this.#current?.transport?.loseConnection();
        return done;
      }
      case "disconnecting":
        return this.#waitForStop();
      case "restarting":
        this.#state = "disconnecting";
        return this.#waitForStop();
    }
  }

  /**
   * The connected protocol, now or once the next connection is made. It
   * fails with `CancelledError` when the service stops (or is stopped), and
   * with the connection error after `failAfterFailures` failed attempts in a
   * row.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ClientService } from "@skein/skein/application";
   * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
   * import { Factory } from "@skein/skein/protocols";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * // Port 1 on loopback refuses connections.
   * const service = new ClientService(new TCP4ClientEndpoint(reactor, "127.0.0.1", 1), new Factory(), {
   *   clock: reactor,
   *   retryPolicy: () => 0.01,
   * });
   * let error = "";
   * reactor.callWhenRunning(() => {
   *   service.startService();
   *   service.whenConnected({ failAfterFailures: 2 }).addErrback(async (failure) => {
   *     error = failure.type?.name ?? "";
   *     await service.stopService();
   *     reactor.stop();
   *   });
   * });
   * await reactor.run();
   * assert.equal(error, "ConnectionRefusedError");
   * ```
   */
  whenConnected(options: WhenConnectedOptions = {}): Deferred<IProtocol> {
    const failAfter = options.failAfterFailures ?? null;
    if (failAfter !== null && (!Number.isInteger(failAfter) || failAfter < 1)) {
      throw new RangeError(
        `whenConnected: failAfterFailures must be an integer >= 1 (or null), got ${failAfter}`,
      );
    }
    if (this.#state === "connected" && this.#current !== null) return succeed(this.#current);
    if (this.#state === "stopped") return fail(new CancelledError());
    const waiting = new Deferred<IProtocol>();
    this.#awaiting.push([waiting, failAfter]);
    return waiting;
  }

  #connect(): void {
    const factory = this.#disconnectFactory();
    this.#inProgress = this.endpoint.connect<IProtocol>(factory)
      .addCallback((protocol: IProtocol) => {
        const prepare = this.#prepare;
        if (prepare === null) return protocol;
        return maybeDeferred(prepare, protocol).addCallback(() => protocol);
      })
      .addCallbacks(
        (protocol: IProtocol) => this.#connectionMade(protocol),
        (failure: Failure) => this.#connectionFailed(failure),
      ) as Deferred<unknown>;
  }

  /** A factory whose protocols tell this service when their connection is lost. */
  #disconnectFactory(): IProtocolFactory {
    const inner = this.factory;
    return {
      doStart: () => inner.doStart(),
      doStop: () => inner.doStop(),
      buildProtocol: (addr: IAddress): IProtocol | null => {
        const protocol = inner.buildProtocol(addr);
        if (protocol === null) return null;
        const lost = protocol.connectionLost;
        protocol.connectionLost = (reason: Failure): void => {
          try {
            lost.call(protocol, reason);
          } finally {
            this.#clientDisconnected();
          }
        };
        return protocol;
      },
    };
  }

  #connectionMade(protocol: IProtocol): void {
    if (this.#state !== "connecting") return;
    this.#state = "connected";
    this.#failedAttempts = 0;
    this.#current = protocol;
    this.#unawait(protocol);
  }

  #connectionFailed(failure: Failure): void {
    if (this.#state === "connecting") {
      this.#state = "waiting";
      this.#wait();
      this.#deliverConnectionFailure(failure);
    } else if (this.#state === "disconnecting") {
      this.#state = "stopped";
      this.#unawait(new Failure(new CancelledError()));
      this.#finishStopping();
    }
  }

  #clientDisconnected(): void {
    switch (this.#state) {
      case "connected":
        this.#state = "waiting";
        this.#current = null;
        this.#wait();
        return;
      case "disconnecting":
        this.#state = "stopped";
        this.#unawait(new Failure(new CancelledError()));
        this.#finishStopping();
        this.#current = null;
        return;
      case "restarting":
        this.#state = "connecting";
        this.#current = null;
        this.#finishStopping();
        this.#connect();
        return;
      default:
        return;
    }
  }

  #wait(): void {
    this.#failedAttempts += 1;
    const delay = this.#retryPolicy(this.#failedAttempts);
    log.msg(
      `Scheduling retry ${this.#failedAttempts} to connect ${
        String(this.endpoint)
      } in ${delay} seconds.`,
    );
    this.#retryCall = this.#clock.callLater(delay, () => {
      this.#retryCall = null;
      if (this.#state !== "waiting") return;
      this.#state = "connecting";
      this.#connect();
    });
  }

  #waitForStop(): Deferred<void> {
    const done = new Deferred<void>();
    this.#stopWaiters.push(done);
    return done;
  }

  #finishStopping(): void {
    const waiting = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const d of waiting) d.callback(undefined);
  }

  #unawait(value: IProtocol | Failure): void {
    const waiting = this.#awaiting;
    this.#awaiting = [];
    for (const [d] of waiting) {
      if (value instanceof Failure) d.errback(value);
      else d.callback(value);
    }
  }

  #deliverConnectionFailure(failure: Failure): void {
    const ready: Deferred<IProtocol>[] = [];
    const notReady: [Deferred<IProtocol>, number | null][] = [];
    for (const [d, remaining] of this.#awaiting) {
      if (remaining === null) notReady.push([d, remaining]);
      else if (remaining <= 1) ready.push(d);
      else notReady.push([d, remaining - 1]);
    }
    this.#awaiting = notReady;
    for (const d of ready) d.errback(failure);
  }
}
