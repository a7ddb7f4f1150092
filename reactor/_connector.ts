/**
 * The connector state machine shared by `TCPConnector` and `UNIXConnector`:
 * Twisted's `base.BaseConnector`. Internal.
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
} from "../interfaces.ts";
import type { FDReactor } from "./abstract.ts";
import { NotConnectingError, TimeoutError, UserError } from "./errors.ts";

/** What a connector needs of the client transport it creates.  *
 * @example
 * ```ts
 * import type { ConnectingTransport } from "./_connector.ts";
 * const give = (t: ConnectingTransport): void => t.failIfNotConnected(new Error("no"));
 * ```
 */
export interface ConnectingTransport {
  /** Give up the attempt (if still connecting) and report `reason` to the connector. */
  failIfNotConnected(reason: Error): void;
  /** Close an established connection after its buffer drains. */
  loseConnection(): void;
}

/** The states of a connector.  *
 * @example
 * ```ts
 * import type { ConnectorState } from "./_connector.ts";
 * const s: ConnectorState = "connecting";
 * ```
 */
export type ConnectorState = "disconnected" | "connecting" | "connected";

/**
 * Twisted's `BaseConnector`: starts the factory, creates one transport per
 * attempt, arms the timeout, and reports `startedConnecting`,
 * `clientConnectionFailed` and `clientConnectionLost`. A factory may call
 * `connector.connect()` from those hooks to try again (what
 * `ReconnectingClientFactory` does); otherwise the factory is stopped.
 *
 * @example
 * ```ts ignore
 * // TCPConnector and UNIXConnector extend it; a factory retries through it:
 * class Retry extends ClientFactory {
 *   override clientConnectionFailed(connector: IConnector): void {
 *     connector.connect();
 *   }
 * }
 * ```
 */
export abstract class BaseConnector implements IConnector {
  /** The reactor the attempts run on. */
  readonly reactor: FDReactor;
  /** The factory told about each attempt. */
  readonly factory: IClientFactory;
  /** Seconds before an attempt fails with `TimeoutError`; null for none. */
  readonly timeout: number | null;
  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  state: ConnectorState = "disconnected";
  /** The transport of the current attempt or connection. */
  transport: ConnectingTransport | null = null;
  private timeoutCall: IDelayedCall | null = null;
  private factoryStarted = false;

  /** Binds the connector to its reactor, factory and timeout. */
  constructor(reactor: FDReactor, factory: IClientFactory, timeout: number | null) {
    this.reactor = reactor;
    this.factory = factory;
    this.timeout = timeout;
  }

  /** Make the transport for one attempt (it starts connecting on its own). */
  protected abstract makeTransport(): ConnectingTransport;

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
    if (!this.factoryStarted) {
      this.factory.doStart();
      this.factoryStarted = true;
    }
    const transport = this.transport = this.makeTransport();
    if (this.timeout !== null && this.timeout !== undefined) {
      this.timeoutCall = this.reactor.callLater(this.timeout, () => {
        this.timeoutCall = null;
        transport.failIfNotConnected(new TimeoutError("User timeout caused connection failure."));
      });
    }
    this.factory.startedConnecting(this);
  }

  /** Stop the attempt in progress; the factory sees `UserError`. */
  stopConnecting(): void {
    if (this.state !== "connecting") {
      throw new NotConnectingError("we're not trying to connect");
    }
    this.state = "disconnected";
    const t = this.transport;
    this.transport = null;
    t?.failIfNotConnected(new UserError("Connection attempt stopped by the user (stopConnecting)"));
  }

  /** Cancel the pending timeout call, if any. */
  private cancelTimeout(): void {
    const c = this.timeoutCall;
    if (c !== null) {
      this.timeoutCall = null;
      if (c.active()) c.cancel();
    }
  }

  /** The attempt succeeded: build the protocol (called by the transport). */
  buildProtocol(addr: IAddress): IProtocol | null {
    this.state = "connected";
    this.cancelTimeout();
    return this.factory.buildProtocol(addr);
  }

  /** The attempt failed (called by the transport). */
  connectionFailed(reason: Failure): void {
    this.cancelTimeout();
    this.transport = null;
    this.state = "disconnected";
    this.factory.clientConnectionFailed(this, reason);
    if (this.state === "disconnected") {
      // The factory did not call connect() again.
      this.factory.doStop();
      this.factoryStarted = false;
    }
  }

  /** An established connection was lost (called by the transport). */
  connectionLost(reason: Failure): void {
    this.state = "disconnected";
    this.factory.clientConnectionLost(this, reason);
    if (this.state === "disconnected") {
      this.factory.doStop();
      this.factoryStarted = false;
    }
  }
}
