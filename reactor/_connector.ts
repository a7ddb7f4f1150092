/**
 * The connector state machine shared by every client connector, FFI
 * (`TCPConnector`, `UNIXConnector`) and host (`HostTCPConnector`,
 * `HostUNIXConnector`) alike: Twisted's `base.BaseConnector`. Internal.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IDelayedCall,
  IProtocol,
  IReactorTime,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import type { FDReactor } from "./abstract.ts";
import { NotConnectingError, TimeoutError, UserError } from "./errors.ts";

/**
 * What a connector needs of the transport it makes for each attempt.
 * @example
 * ```ts
 * import type { ConnectingTransport } from "./_connector.ts";
 * const give = (t: ConnectingTransport): void => t.failIfNotConnected(new Error("no"));
 * ```
 */
export interface ConnectingTransport {
  /**
   * Give up the attempt (if still connecting) and report `reason` to the
   * connector's `connectionFailed`, later or at once, but exactly once.
   */
  failIfNotConnected(reason: Error): void;
  /** Close an established connection after its buffer drains. */
  loseConnection(): void;
}

/**
 * The states of a connector.
 * @example
 * ```ts
 * import type { ConnectorState } from "./_connector.ts";
 * const s: ConnectorState = "connecting";
 * ```
 */
export type ConnectorState = "disconnected" | "connecting" | "connected";

/**
 * Twisted's `BaseConnector`: starts the factory, makes one transport per
 * attempt, arms the timeout, and reports `startedConnecting`,
 * `clientConnectionFailed` and `clientConnectionLost`. A factory may call
 * `connector.connect()` from those hooks to try again (what
 * `ReconnectingClientFactory` does); otherwise the factory is stopped.
 *
 * An exception from `clientConnectionFailed`, `clientConnectionLost` or
 * `doStop` (called from socket events) is logged, as Twisted's reactor logs
 * what escapes a callback, and the state machine goes on: it never reaches
 * the event loop.
 *
 * Type parameters: `R`, the reactor (only its clock is used here); `T`, what
 * `transport` holds (the attempt, or what the backend replaces it with once
 * connected); `A`, the attempt made by `makeTransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BaseConnector, createReactor, type IConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * // Nothing listens on port 1: each attempt is refused; try once more, then give up.
 * let attempts = 0;
 * class RetryOnce extends ClientFactory {
 *   override clientConnectionFailed(connector: IConnector): void {
 *     if (++attempts < 2) connector.connect();
 *     else reactor.stop();
 *   }
 * }
 * const c = reactor.connectTCP("127.0.0.1", 1, new RetryOnce());
 * assert.ok(c instanceof BaseConnector);
 * await reactor.run();
 * assert.equal(attempts, 2);
 * ```
 */
export abstract class BaseConnector<
  R extends IReactorTime = FDReactor,
  T extends Pick<ConnectingTransport, "loseConnection"> = ConnectingTransport,
  A extends T & ConnectingTransport = T & ConnectingTransport,
> implements IConnector {
  /** The reactor the attempts run on. */
  readonly reactor: R;
  /** The factory told about each attempt. */
  readonly factory: IClientFactory;
  /** Seconds before an attempt fails with `TimeoutError`; null for none. */
  readonly timeout: number | null;
  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  state: ConnectorState = "disconnected";
  /** The transport of the current attempt or connection. */
  transport: T | null = null;
  #attempt: A | null = null;
  #timeoutCall: IDelayedCall | null = null;
  #factoryStarted = false;

  /** Binds the connector to its reactor, factory and timeout. */
  constructor(reactor: R, factory: IClientFactory, timeout: number | null) {
    this.reactor = reactor;
    this.factory = factory;
    this.timeout = timeout;
  }

  // protected: hooks the connector subclasses implement.
  /**
   * Make the transport for one attempt. It must report nothing before it
   * returns; it may start connecting at once or in `startAttempt`.
   */
  protected abstract makeTransport(): A;

  /**
   * Start the attempt made by `makeTransport`, after `startedConnecting`
   * (unless the factory already stopped it). Transports that start on their
   * own leave this as is.
   */
  protected startAttempt(_attempt: A): void {}

  /** The address being connected to. */
  abstract getDestination(): IAddress;

  /** Disconnect if connected, or stop connecting. */
  disconnect(): void {
    if (this.state === "connecting") this.stopConnecting();
    else if (this.state === "connected" && this.transport !== null) this.transport.loseConnection();
  }

  /** Start an attempt. Throws unless disconnected. */
  connect(): void {
    if (this.state !== "disconnected") {
      throw new Error(`Cannot connect in state "${this.state}": disconnect() first`);
    }
    this.state = "connecting";
    if (!this.#factoryStarted) {
      this.factory.doStart();
      this.#factoryStarted = true;
    }
    const attempt = this.transport = this.#attempt = this.makeTransport();
    if (this.timeout !== null && this.timeout !== undefined) {
      this.#timeoutCall = this.reactor.callLater(this.timeout, () => {
        this.#timeoutCall = null;
        attempt.failIfNotConnected(new TimeoutError("User timeout caused connection failure."));
      });
    }
    this.factory.startedConnecting(this);
    // The attempt has reported nothing yet, so startedConnecting always comes
    // first, as in Twisted.
    if (this.#attempt === attempt) this.startAttempt(attempt);
  }

  /** Stop the attempt in progress; the factory sees `UserError`. Throws `NotConnectingError` otherwise. */
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError("we're not trying to connect");
    this.state = "disconnected";
    const a = this.#attempt;
    this.#attempt = null;
    this.transport = null;
    a?.failIfNotConnected(new UserError("Connection attempt stopped by the user (stopConnecting)"));
  }

  #cancelTimeout(): void {
    const c = this.#timeoutCall;
    if (c !== null) {
      this.#timeoutCall = null;
      if (c.active()) c.cancel();
    }
  }

  /** The attempt succeeded: build the protocol (called by the transport). */
  buildProtocol(addr: IAddress): IProtocol | null {
    this.state = "connected";
    this.#attempt = null;
    this.#cancelTimeout();
    return this.factory.buildProtocol(addr);
  }

  /** The attempt failed (called by the transport). */
  connectionFailed(reason: Failure): void {
    this.#cancelTimeout();
    this.#attempt = null;
    this.transport = null;
    this.state = "disconnected";
    this.#hook(() => this.factory.clientConnectionFailed(this, reason), "clientConnectionFailed");
    this.#stopFactoryUnlessReconnecting();
  }

  /** An established connection was lost (called by the transport). */
  connectionLost(reason: Failure): void {
    this.state = "disconnected";
    this.transport = null;
    this.#hook(() => this.factory.clientConnectionLost(this, reason), "clientConnectionLost");
    this.#stopFactoryUnlessReconnecting();
  }

  #stopFactoryUnlessReconnecting(): void {
    if (this.state === "disconnected") {
      // The factory did not call connect() again.
      this.#hook(() => this.factory.doStop(), "doStop");
      this.#factoryStarted = false;
    }
  }

  /** Run a factory hook: log what it throws (see the class comment). */
  #hook(fn: () => void, name: string): void {
    try {
      fn();
    } catch (e) {
      log.err(e, `Error in ${name}`);
    }
  }
}
