/**
 * The connector state machine of the host backend (Twisted's
 * `base.BaseConnector`) and one connection attempt (the connecting half of
 * Twisted's `tcp.BaseClient`), shared by `HostTCPConnector` and
 * `HostUNIXConnector`.
 *
 * @module
 */

import type { Socket } from "node:net";
import { Failure } from "../../deferred/failure.ts";
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IDelayedCall,
  IProtocol,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { ConnectError, NotConnectingError, TimeoutError, UserError } from "../errors.ts";
import { connectErrorFrom, NullProtocol, prefixOf } from "./_common.ts";
import { HostConnection } from "./connection.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

/**
 * The states of a connector.
 *
 * @example
 * ```ts
 * import type { HostConnectorState } from "./connector.ts";
 * const s: HostConnectorState = "connecting";
 * ```
 */
export type HostConnectorState = "disconnected" | "connecting" | "connected";

/**
 * One attempt to connect: owns the socket until it connects, and reports the
 * failure (DNS, refused, timeout, `stopConnecting`, shutdown) exactly once.
 * Connectors make one per `connect()`; subclasses of
 * {@linkcode HostConnector} start it in `startAttempt`.
 *
 * @example
 * ```ts ignore
 * protected startAttempt(attempt: ConnectAttempt): void {
 *   attempt.open(new net.Socket({ allowHalfOpen: true }), (s) => s.connect({ path }), () => [
 *     new UNIXAddress(null),
 *     new UNIXAddress(path),
 *   ]);
 * }
 * ```
 */
export class ConnectAttempt implements HostSelectable {
  /** The socket being connected, once there is one. */
  socket: Socket | null = null;
  /** True once the attempt has connected or failed. */
  done: boolean = false;
  readonly #connector: HostConnector;

  /** An attempt for `connector`; registered with the reactor for shutdown. */
  constructor(connector: HostConnector) {
    this.#connector = connector;
    connector.reactor.addSelectable(this);
  }

  /** Give up (if still connecting) and report `err` to the connector. */
  failIfNotConnected(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.#connector.reactor.removeSelectable(this);
    const s = this.socket;
    this.socket = null;
    if (s !== null) s.destroy();
    this.#connector.connectionFailed(new Failure(err));
  }

  /** Shutdown while connecting: Twisted fails the attempt with a `ConnectError`. */
  connectionLost(reason: Failure): void {
    this.failIfNotConnected(new ConnectError(reason.getErrorMessage(), { cause: reason.value }));
  }

  readonly #onError = (err: Error): void => {
    this.failIfNotConnected(connectErrorFrom(err));
  };

  /**
   * Start connecting `socket`: `start(socket)` issues the `connect` call. On
   * success, `addresses(socket)` gives the local and remote addresses.
   */
  open(
    socket: Socket,
    start: (s: Socket) => void,
    addresses: (s: Socket) => [IAddress, IAddress],
  ): void {
    if (this.done) return;
    this.socket = socket;
    socket.unref();
    socket.on("error", this.#onError);
    socket.once("connect", () => {
      if (this.done) return;
      this.done = true;
      this.socket = null;
      this.#connector.reactor.removeSelectable(this);
      socket.off("error", this.#onError);
      let host: IAddress, peer: IAddress;
      try {
        [host, peer] = addresses(socket);
      } catch (e) {
        socket.destroy();
        this.#connector.connectionFailed(new Failure(connectErrorFrom(e)));
        return;
      }
      this.#connector.connected(socket, host, peer);
    });
    try {
      start(socket);
    } catch (e) {
      // Bad arguments are reported like the OS's errors: to the factory, later.
      this.#connector.reactor.callLater(0, () => this.failIfNotConnected(connectErrorFrom(e)));
    }
  }
}

/**
 * Twisted's `BaseConnector` over the host backend: starts the factory, makes
 * one {@linkcode ConnectAttempt} per `connect()`, arms the timeout, and
 * reports `startedConnecting`, `clientConnectionFailed` and
 * `clientConnectionLost`. A factory may call `connector.connect()` from those
 * hooks to try again; otherwise the factory is stopped.
 *
 * @example
 * ```ts ignore
 * const connector = reactor.connectTCP("127.0.0.1", 8080, factory) as HostConnector;
 * if (connector.state === "connecting") connector.stopConnecting();
 * ```
 */
export abstract class HostConnector implements IConnector {
  /** The reactor the attempts run on. */
  readonly reactor: HostReactorLike;
  /** The factory told about each attempt. */
  readonly factory: IClientFactory;
  /** Seconds before an attempt fails with `TimeoutError`; null for none. */
  readonly timeout: number | null;
  /** `"disconnected"`, `"connecting"` or `"connected"`. */
  state: HostConnectorState = "disconnected";
  /** The established connection, while connected. */
  transport: HostConnection | null = null;
  #attempt: ConnectAttempt | null = null;
  #timeoutCall: IDelayedCall | null = null;
  #factoryStarted = false;

  /** Binds the connector to its reactor, factory and timeout. */
  constructor(reactor: HostReactorLike, factory: IClientFactory, timeout: number | null) {
    this.reactor = reactor;
    this.factory = factory;
    this.timeout = timeout;
  }

  /** Begin the attempt: resolve if needed, then `attempt.open(...)`. */
  protected abstract startAttempt(attempt: ConnectAttempt): void;

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
    this.transport = null;
    const attempt = this.#attempt = new ConnectAttempt(this);
    if (this.timeout !== null && this.timeout !== undefined) {
      this.#timeoutCall = this.reactor.callLater(this.timeout, () => {
        this.#timeoutCall = null;
        attempt.failIfNotConnected(new TimeoutError("User timeout caused connection failure."));
      });
    }
    this.factory.startedConnecting(this);
    // The attempt reports nothing synchronously, so startedConnecting always
    // comes first, as in Twisted.
    if (!attempt.done) this.startAttempt(attempt);
  }

  /** Stop the attempt in progress; the factory sees `UserError`. Throws `NotConnectingError` otherwise. */
  stopConnecting(): void {
    if (this.state !== "connecting") throw new NotConnectingError("we're not trying to connect");
    this.state = "disconnected";
    const a = this.#attempt;
    this.#attempt = null;
    a?.failIfNotConnected(new UserError("User aborted connection."));
  }

  #cancelTimeout(): void {
    const c = this.#timeoutCall;
    if (c !== null) {
      this.#timeoutCall = null;
      if (c.active()) c.cancel();
    }
  }

  /** The attempt succeeded: build the protocol. */
  buildProtocol(addr: IAddress): IProtocol | null {
    this.state = "connected";
    this.#cancelTimeout();
    return this.factory.buildProtocol(addr);
  }

  /** The attempt connected `socket`: build the protocol and start the connection. */
  connected(socket: Socket, host: IAddress, peer: IAddress): void {
    this.#attempt = null;
    let protocol: IProtocol | null;
    try {
      protocol = this.buildProtocol(peer);
    } catch (e) {
      log.err(e, "Error in buildProtocol");
      socket.destroy();
      this.connectionFailed(new Failure(new ConnectError(String(e), { cause: e })));
      return;
    }
    const conn = new HostConnection(
      this.reactor,
      socket,
      protocol ?? (new NullProtocol() as unknown as IProtocol),
      host,
      peer,
      {
        logstr: `${prefixOf(protocol)},client`,
        onLost: (reason) => this.connectionLost(reason),
      },
    );
    this.transport = conn;
    if (protocol === null) {
      // Twisted: buildProtocol may refuse; dispose of the connection quickly.
      conn.loseConnection();
      return;
    }
    try {
      protocol.makeConnection(conn);
    } catch (e) {
      const f = new Failure(e);
      log.err(f, undefined, { system: conn.logPrefix() });
      conn.connectionLost(f);
    }
  }

  /** The attempt failed. */
  connectionFailed(reason: Failure): void {
    this.#cancelTimeout();
    this.#attempt = null;
    this.transport = null;
    this.state = "disconnected";
    this.#hook(() => this.factory.clientConnectionFailed(this, reason), "clientConnectionFailed");
    if (this.state === "disconnected") {
      // The factory did not call connect() again.
      this.#hook(() => this.factory.doStop(), "doStop");
      this.#factoryStarted = false;
    }
  }

  /** An established connection was lost. */
  connectionLost(reason: Failure): void {
    this.state = "disconnected";
    this.transport = null;
    this.#hook(() => this.factory.clientConnectionLost(this, reason), "clientConnectionLost");
    if (this.state === "disconnected") {
      this.#hook(() => this.factory.doStop(), "doStop");
      this.#factoryStarted = false;
    }
  }

  /**
   * Run a factory hook from a socket event: an exception is logged (as
   * Twisted's reactor logs what escapes a callback) and never reaches the
   * runtime's event loop, where it would end the process.
   */
  #hook(fn: () => void, name: string): void {
    try {
      fn();
    } catch (e) {
      log.err(e, `Error in ${name}`);
    }
  }
}
