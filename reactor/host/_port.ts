/**
 * What the host backend's listening ports share (Twisted's `tcp.Port`,
 * `unix.Port` plumbing): serving one accepted socket, and the stop sequence
 * (close, stop the factory, fire the waiting Deferreds). Internal.
 *
 * @module
 */

import type { Server, Socket } from "node:net";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IProtocol, IProtocolFactory } from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { ConnectionDone } from "../errors.ts";
import { HostConnection } from "./connection.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

/**
 * What the helpers below need of a listening stream port (`HostTCPPort`,
 * `HostUNIXPort`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostTCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { type ListeningStreamPort } from "./_port.ts";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostTCPPort);
 * const p: ListeningStreamPort = port; // what the helpers here need of it
 * assert.equal(p.connected, true);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export interface ListeningStreamPort extends HostSelectable {
  /** The reactor. */
  readonly reactor: HostReactorLike;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  /** True while listening. */
  connected: boolean;
  /** True between `stopListening()` and the socket being closed. */
  disconnecting: boolean;
  /** How many connections were accepted (Twisted's `sessionno`). */
  sessionno: number;
  /** The factory's name, for log lines. */
  logPrefix(): string;
}

/**
 * The addresses of an accepted socket, and the peer's name for the log prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import type { AcceptedAddresses } from "./_port.ts";
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
 * Serve one socket accepted by `port` (Twisted's per-connection part of
 * `Port.doRead`): a protocol from the factory (`buildProtocol(peer)`; null
 * or an exception refuses the connection) with a {@linkcode HostConnection}
 * as its transport. `addresses` returns null when the socket is already
 * gone. An exception from `makeConnection` is logged; the connection stays.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostTCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { serveAccepted } from "./_port.ts";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostTCPPort);
 * // HostTCPPort serves each accepted socket with serveAccepted:
 * assert.equal(typeof serveAccepted, "function");
 * assert.equal(port.sessionno, 0);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export function serveAccepted(
  port: ListeningStreamPort,
  socket: Socket,
  addresses: (socket: Socket) => AcceptedAddresses | null,
): void {
  if (!port.connected || port.disconnecting) {
    socket.destroy();
    return;
  }
  socket.unref();
  const a = addresses(socket);
  if (a === null) {
    socket.destroy(); // reset before we got to it
    return;
  }
  let protocol: IProtocol | null;
  try {
    protocol = port.factory.buildProtocol(a.peer);
  } catch (e) {
    log.err(e, "Error in buildProtocol", { system: port.logPrefix() });
    socket.destroy();
    return;
  }
  if (protocol === null || protocol === undefined) {
    socket.destroy();
    return;
  }
  const s = port.sessionno++;
  const transport = new HostConnection(port.reactor, socket, protocol, a.host, a.peer, {
    logstr: `${logPrefixOf(protocol)},${s},${a.peerName}`,
  });
  try {
    protocol.makeConnection(transport);
  } catch (e) {
    // Twisted's Port.doRead logs and carries on; the connection stays.
    log.err(e, undefined, { system: transport.logPrefix() });
  }
}

/**
 * `stopListening()` of a stream port: connections arriving from now on are
 * refused, and `port.connectionLost` runs on the next iteration. `stopping`
 * collects the Deferreds that {@linkcode closeListeningPort} fires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostTCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { stopListeningSoon } from "./_port.ts";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostTCPPort);
 * // HostTCPPort.stopListening() is stopListeningSoon: disconnecting until closed.
 * assert.equal(typeof stopListeningSoon, "function");
 * port.stopListening();
 * assert.equal(port.disconnecting, true);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export function stopListeningSoon(
  port: ListeningStreamPort,
  stopping: Deferred<void>[],
): Deferred<void> {
  port.disconnecting = true;
  if (!port.connected) return succeed(undefined);
  const d = new Deferred<void>();
  stopping.push(d);
  if (stopping.length === 1) {
    port.reactor.callLater(0, () => port.connectionLost(new Failure(new ConnectionDone())));
  }
  return d;
}

/**
 * `connectionLost` of a stream port (after `stopListening()`, or at
 * shutdown): close `server` (later connections are reset), run `cleanUp`
 * (remove files, log the close), stop the factory, then fire `waiting` (an
 * exception from `doStop` errbacks them, or is logged if none waits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostTCPPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { closeListeningPort } from "./_port.ts";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof HostTCPPort);
 * // HostTCPPort.connectionLost() closes with closeListeningPort.
 * assert.equal(typeof closeListeningPort, "function");
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export function closeListeningPort(
  port: ListeningStreamPort,
  waiting: Deferred<void>[],
  server: Server | null,
  onConnection: (socket: Socket) => void,
  cleanUp: () => void,
): void {
  if (!port.connected) {
    for (const d of waiting) d.callback(undefined);
    return;
  }
  port.connected = false;
  port.reactor.removeSelectable(port);
  if (server !== null) {
    server.off("connection", onConnection);
    server.on("connection", (s: Socket) => s.destroy());
    server.close();
  }
  cleanUp();
  let error: unknown = null;
  try {
    port.factory.doStop();
  } catch (e) {
    error = e;
  } finally {
    port.disconnecting = false;
  }
  for (const d of waiting) {
    if (error === null) d.callback(undefined);
    else d.errback(new Failure(error));
  }
  if (error !== null && waiting.length === 0) log.err(error, "Error in factory.doStop");
}
