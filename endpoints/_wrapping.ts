/**
 * Internal: the factory and protocol wrappers client endpoints use to turn a
 * connection attempt into a Deferred (Twisted's `_WrappingFactory` and
 * `_WrappingProtocol`).
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IConnector,
  IHalfCloseableProtocol,
  IProtocol,
  IProtocolFactory,
  ITransport,
} from "../interfaces.ts";
import { ClientFactory } from "../protocols/factory.ts";
import { ConnectingCancelledError, NotConnectingError } from "../reactor/errors.ts";
import { NoProtocol } from "./errors.ts";

/**
 * Stands between the transport and the user's protocol until it is
 * connected: on `connectionMade` it connects the wrapped protocol, then fires
 * the endpoint's Deferred with it. Everything else is passed through, and the
 * half-close methods exist only when the wrapped protocol has them (transports
 * detect half-close support by their presence).
 */
export class WrappingProtocol implements IProtocol {
  transport: ITransport | null = null;
  connected = false;
  readConnectionLost?: () => void;
  writeConnectionLost?: () => void;
  readonly #onConnection: Deferred<IProtocol>;
  readonly wrappedProtocol: IProtocol;
  #wrappedConnected = false;

  constructor(onConnection: Deferred<IProtocol>, wrappedProtocol: IProtocol) {
    this.#onConnection = onConnection;
    this.wrappedProtocol = wrappedProtocol;
    const half = wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (typeof half.readConnectionLost === "function") {
      this.readConnectionLost = (): void => half.readConnectionLost!();
    }
    if (typeof half.writeConnectionLost === "function") {
      this.writeConnectionLost = (): void => half.writeConnectionLost!();
    }
  }

  makeConnection(transport: ITransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  connectionMade(): void {
    const transport = this.transport!;
    if (this.#onConnection.called) {
      // The attempt was cancelled but the connection won the race: nobody
      // wants it any more.
      const t = transport as Partial<{ abortConnection(): void; }>;
      if (typeof t.abortConnection === "function") t.abortConnection();
      else transport.loseConnection();
      return;
    }
    this.#wrappedConnected = true;
    this.wrappedProtocol.makeConnection(transport);
    this.#onConnection.callback(this.wrappedProtocol);
  }

  dataReceived(data: Uint8Array): void {
    this.wrappedProtocol.dataReceived(data);
  }

  connectionLost(reason: Failure): void {
    if (!this.#wrappedConnected) return; // cancelled before it was connected
    this.wrappedProtocol.connectionLost(reason);
  }

  logPrefix(): string {
    const w = this.wrappedProtocol as Partial<{ logPrefix(): string; }>;
    return typeof w.logPrefix === "function"
      ? w.logPrefix()
      : this.wrappedProtocol.constructor.name;
  }
}

/**
 * Wraps the user's factory for one connection attempt. `onConnection` fires
 * with the user's protocol once it is connected, or fails with the reason the
 * attempt failed; cancelling it stops the attempt with
 * `ConnectingCancelledError`.
 */
export class WrappingFactory extends ClientFactory {
  readonly onConnection: Deferred<IProtocol>;
  readonly wrappedFactory: IProtocolFactory;
  #connector: IConnector | null = null;

  constructor(wrappedFactory: IProtocolFactory) {
    super();
    this.wrappedFactory = wrappedFactory;
    this.onConnection = new Deferred<IProtocol>((d) => this.#cancel(d));
  }

  #cancel(d: Deferred<IProtocol>): void {
    const connector = this.#connector;
    const where = connector === null ? "" : ` to ${connector.getDestination()}`;
    d.errback(new ConnectingCancelledError(`Connecting${where} was cancelled`));
    if (connector !== null) {
      try {
        connector.stopConnecting();
      } catch (e) {
        if (!(e instanceof NotConnectingError)) throw e;
      }
    }
  }

  override startedConnecting(connector: IConnector): void {
    this.#connector = connector;
  }

  override doStart(): void {
    this.wrappedFactory.doStart();
  }

  override doStop(): void {
    this.wrappedFactory.doStop();
  }

  override buildProtocol(addr: IAddress): IProtocol | null {
    if (this.onConnection.called) return null;
    let proto: IProtocol | null;
    try {
      proto = this.wrappedFactory.buildProtocol(addr);
      if (proto === null) throw new NoProtocol();
    } catch (e) {
      this.onConnection.errback(e);
      return null;
    }
    return new WrappingProtocol(this.onConnection, proto);
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.onConnection.called) this.onConnection.errback(reason);
  }
}
