/**
 * The host backend's connector (the shared `BaseConnector` state machine,
 * Twisted's `base.BaseConnector`) and one connection attempt (the connecting
 * half of Twisted's `tcp.BaseClient`), shared by `HostTCPConnector` and
 * `HostUNIXConnector`.
 *
 * @module
 */

import type { Socket } from "node:net";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IProtocol } from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { BaseConnector, type ConnectingTransport, type ConnectorState } from "../_connector.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { NullProtocol } from "../_null_protocol.ts";
import { ConnectError } from "../errors.ts";
import { connectErrorFrom } from "./_common.ts";
import { HostConnection } from "./connection.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

/**
 * The states of a connector (the shared {@linkcode ConnectorState}).
 *
 * @example
 * ```ts
 * import type { HostConnectorState } from "./connector.ts";
 * const s: HostConnectorState = "connecting";
 * ```
 */
export type HostConnectorState = ConnectorState;

/**
 * One attempt to connect: owns the socket until it connects, and reports the
 * failure (DNS, refused, timeout, `stopConnecting`, shutdown) exactly once.
 * Connectors make one per `connect()`; subclasses of
 * {@linkcode HostConnector} start it in `startAttempt`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectAttempt, createReactor, HostConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * // While connecting, a host connector's transport is its ConnectAttempt.
 * const c = reactor.connectTCP("127.0.0.1", 1, new ClientFactory());
 * assert.ok(c instanceof HostConnector);
 * assert.ok(c.transport instanceof ConnectAttempt);
 * c.stopConnecting(); // the attempt reports UserError to the factory
 * assert.equal(c.transport, null);
 * ```
 */
export class ConnectAttempt implements ConnectingTransport, HostSelectable {
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

  /**
   * Nothing to close yet: as in Twisted, `loseConnection` before the
   * connection is made does nothing (`stopConnecting` gives up an attempt).
   */
  loseConnection(): void {}

  /** Shutdown while connecting: Twisted fails the attempt with a `ConnectError`. */
  connectionLost(reason: Failure): void {
    this.failIfNotConnected(new ConnectError(reason.getErrorMessage(), { cause: reason.value }));
  }

  readonly #onError = (err: Error): void => {
    if ((err as { code?: string; }).code === "EAGAIN" && this.#retry !== null) {
      // A full Unix listen queue (or, on Linux, a short routing cache for
      // TCP): the peer may accept later. As on the FFI backend, retry with a
      // fresh socket on a timer; the connector's timeout bounds the attempt.
      const retry = this.#retry;
      const s = this.socket;
      this.socket = null;
      s?.off("error", this.#onError);
      s?.destroy();
      this.#connector.reactor.callLater(0.01, retry);
      return;
    }
    this.failIfNotConnected(connectErrorFrom(err));
  };

  /** Starts the same attempt again with a fresh socket (set by `open`). */
  #retry: (() => void) | null = null;

  /**
   * Start connecting `socket`: `start(socket)` issues the `connect` call. On
   * success, `addresses(socket)` gives the local and remote addresses. With
   * `fresh`, an `EAGAIN` from the OS is retried with a new socket on a timer
   * (until the connector's timeout), as Twisted treats it as "try again".
   */
  open(
    socket: Socket,
    start: (s: Socket) => void,
    addresses: (s: Socket) => [IAddress, IAddress],
    fresh?: () => Socket,
  ): void {
    if (this.done) return;
    this.#retry = fresh === undefined ? null : () => {
      if (!this.done) this.open(fresh(), start, addresses, fresh);
    };
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
 * Twisted's `BaseConnector` over the host backend: the shared state machine
 * ({@linkcode BaseConnector}) with one {@linkcode ConnectAttempt} per
 * `connect()`, started by the subclass's `startAttempt`. While connecting,
 * `transport` is the attempt; once connected, the {@linkcode HostConnection}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, ConnectAttempt, HostConnector, type IConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * const outcomes: string[] = [];
 * class Once extends ClientFactory {
 *   override clientConnectionFailed(_c: IConnector, reason: { value: unknown; }): void {
 *     outcomes.push((reason.value as Error).name);
 *     reactor.stop();
 *   }
 * }
 * // Port 1 on loopback: nothing listens there, so the attempt is refused.
 * const c = reactor.connectTCP("127.0.0.1", 1, new Once(), { timeout: 5 });
 * assert.ok(c instanceof HostConnector);
 * assert.ok(c instanceof HostConnector);
 * assert.ok(c.transport instanceof ConnectAttempt); // while connecting
 * await reactor.run();
 * ```
 */
export abstract class HostConnector
  extends BaseConnector<HostReactorLike, HostConnection | ConnectAttempt, ConnectAttempt>
{
  // protected: implements BaseConnector's hooks.
  /** Make the attempt; `startAttempt` starts it once `startedConnecting` has run. */
  protected makeTransport(): ConnectAttempt {
    return new ConnectAttempt(this);
  }

  /** Begin the attempt: resolve if needed, then `attempt.open(...)`. */
  protected abstract override startAttempt(attempt: ConnectAttempt): void;

  /** The attempt connected `socket`: build the protocol and start the connection. */
  connected(socket: Socket, host: IAddress, peer: IAddress): void {
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
      protocol ?? new NullProtocol(),
      host,
      peer,
      {
        logstr: `${logPrefixOf(protocol)},client`,
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
}
