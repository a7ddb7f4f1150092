/**
 * What the host backend's listening stream ports share (Twisted's `tcp.Port`
 * plumbing, which `unix.Port` inherits): serving each accepted socket, and
 * the stop sequence (close, stop the factory, fire the waiting Deferreds).
 *
 * @module
 */

import type { Server, Socket } from "node:net";
import type { Deferred } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IListeningPort, IProtocol, IProtocolFactory } from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { PendingStop } from "../_pending_stop.ts";
import { ConnectionDone } from "../errors.ts";
import { HostConnection } from "./connection.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

/**
 * The addresses of an accepted socket, and the peer's name for the log prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AcceptedAddresses, IPv4Address } from "@skein/skein/reactor";
 * const a: AcceptedAddresses = {
 *   host: new IPv4Address("TCP", "127.0.0.1", 8080),
 *   peer: new IPv4Address("TCP", "127.0.0.1", 50000),
 *   peerName: "127.0.0.1",
 * };
 * assert.equal(a.peerName, "127.0.0.1");
 * ```
 */
export interface AcceptedAddresses {
  /** Our end. */
  host: IAddress;
  /** The peer's end. */
  peer: IAddress;
  /** The last part of the connection's log prefix (the peer's IP for TCP). */
  peerName: string;
}

/**
 * A listening stream port on the host backend, the base of
 * {@linkcode HostTCPPort} and {@linkcode HostUNIXPort}: each accepted socket
 * gets a protocol from the factory (`buildProtocol(peer)`; null or an
 * exception refuses the connection) and a {@linkcode HostConnection} as its
 * transport; `stopListening()` closes the socket on the next iteration,
 * stops the factory and fires its Deferreds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostStreamPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostStreamPort);
 * assert.equal(port.connected, true);
 * reactor.callLater(0, () =>
 *   port.stopListening().addCallback(() => {
 *     assert.equal(port.connected, false);
 *     reactor.stop();
 *   }));
 * await reactor.run();
 * ```
 */
export abstract class HostStreamPort<A extends IAddress>
  implements IListeningPort<A>, HostSelectable
{
  /** The reactor. */
  readonly reactor: HostReactorLike;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  /** Listen queue length. */
  readonly backlog: number;
  /** True while listening. */
  connected: boolean = false;
  /** True between `stopListening()` and the socket being closed. */
  disconnecting: boolean = false;
  /** How many connections were accepted (Twisted's `sessionno`). */
  sessionno: number = 0;

  #server: Server | null = null;
  readonly #stop: PendingStop = new PendingStop();

  // protected: only the subclasses construct.
  /** A port for `factory`; the subclass binds it in `startListening()`. */
  protected constructor(reactor: HostReactorLike, factory: IProtocolFactory, backlog: number) {
    this.reactor = reactor;
    this.factory = factory;
    this.backlog = backlog;
  }

  /** Bind and listen, then start the factory. Throws `CannotListenError`. */
  abstract startListening(): void;

  /** The bound address. */
  abstract getHost(): A;

  // protected: the subclass says what an accepted socket's addresses are.
  /** The addresses of an accepted `socket`, or null when it is already gone. */
  protected abstract acceptedAddresses(socket: Socket): AcceptedAddresses | null;

  // protected: the subclass's part of closing.
  /** After the socket is closed: remove files, log the close. */
  protected abstract closed(): void;

  // protected: the subclasses hand over the server they bound.
  /** Serve the connections `server` accepts (it must be listening already). */
  protected adopt(server: Server): void {
    server.unref();
    server.on("connection", this.#onConnection);
    this.#server = server;
  }

  // protected: the subclasses retire a server (Unix re-creates a stalled one).
  /** Close the server served now, if any; connections arriving meanwhile are reset. */
  protected retire(): void {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    server.off("connection", this.#onConnection);
    server.on("connection", (s: Socket) => s.destroy());
    server.close();
  }

  // protected: the subclasses call it once listening.
  /** Start the factory and count as listening. */
  protected started(): void {
    this.factory.doStart();
    this.connected = true;
    this.reactor.addSelectable(this);
  }

  /** Serve one accepted socket (Twisted's per-connection part of `Port.doRead`). */
  readonly #onConnection = (socket: Socket): void => {
    if (!this.connected || this.disconnecting) {
      socket.destroy();
      return;
    }
    socket.unref();
    const a = this.acceptedAddresses(socket);
    if (a === null) {
      socket.destroy(); // reset before we got to it
      return;
    }
    let protocol: IProtocol | null;
    try {
      protocol = this.factory.buildProtocol(a.peer);
    } catch (e) {
      log.err(e, "Error in buildProtocol", { system: this.logPrefix() });
      socket.destroy();
      return;
    }
    if (protocol === null || protocol === undefined) {
      socket.destroy();
      return;
    }
    const s = this.sessionno++;
    const transport = new HostConnection(this.reactor, socket, protocol, a.host, a.peer, {
      logstr: `${logPrefixOf(protocol)},${s},${a.peerName}`,
    });
    try {
      protocol.makeConnection(transport);
    } catch (e) {
      // Twisted's Port.doRead logs and carries on; the connection stays.
      log.err(e, undefined, { system: transport.logPrefix() });
    }
  };

  /**
   * Stop accepting connections (established ones are not affected):
   * connections arriving from now on are refused, and the socket is closed
   * on the next iteration. The Deferred fires once it is closed and the
   * factory stopped.
   */
  stopListening(): Deferred<void> {
    this.disconnecting = true;
    return this.#stop.request(
      this.connected,
      this.reactor,
      () => this.connectionLost(new Failure(new ConnectionDone())),
    );
  }

  /** Twisted's name for `stopListening`. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  /**
   * Close the socket (later connections are reset), clean up, stop the
   * factory, then fire the waiting Deferreds (an exception from `doStop`
   * errbacks them, or is logged if none waits). Also at reactor shutdown.
   */
  connectionLost(_reason: Failure): void {
    const fire = this.#stop.beginClose(this.connected);
    if (fire === null) return;
    this.connected = false;
    this.reactor.removeSelectable(this);
    this.retire();
    this.closed();
    let error: unknown = null;
    try {
      this.factory.doStop();
    } catch (e) {
      error = e;
    } finally {
      this.disconnecting = false;
    }
    if (fire(error) === 0 && error !== null) log.err(error, "Error in factory.doStop");
  }

  /** The factory's name, for log lines. */
  logPrefix(): string {
    return logPrefixOf(this.factory);
  }
}
