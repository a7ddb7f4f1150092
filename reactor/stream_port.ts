/**
 * The listening stream socket shared by TCP and Unix-domain ports: Twisted's
 * `tcp.Port` (the accept loop, surviving `EMFILE`/`ENFILE` by pausing accepts
 * briefly, and the close logic).
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IAddress, IListeningPort, IProtocol, IProtocolFactory } from "../interfaces.ts";
import { err as logErr, msg as logMsg } from "../log/log.ts";
import { fdReserve } from "./_fd_reserve.ts";
import { PendingStop } from "./_pending_stop.ts";
import { ReadInterest } from "./_read_interest.ts";
import {
  ADDR_BUF_SIZE,
  closeFd,
  decode as decodeAccepted,
  type DecodedSockaddr,
  ERRNO as E,
  lib,
  logPrefixOf,
  noSigPipe,
  SOCKET_CONSTANTS as K,
  sysError,
} from "./_socket.ts";
import type { FDReactor } from "./abstract.ts";
import { ConnectionDone } from "./errors.ts";
import type { StreamConnection } from "./stream_connection.ts";

/** How many connections one readiness event may accept. */
const ACCEPT_BATCH = 128;
const ACCEPT_ADDR = new Uint8Array(ADDR_BUF_SIZE);
const ACCEPT_LEN = new Uint32Array(1);

/**
 * The accept loop and close logic shared by `TCPPort` and `UNIXPort`:
 * Twisted's `tcp.Port`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, StreamPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * assert.ok(port instanceof StreamPort);
 * assert.ok(port.getHost().port > 0);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export abstract class StreamPort implements IListeningPort {
  /** The reactor the port registers with. */
  readonly reactor: FDReactor;
  /** The factory that builds a protocol per connection. */
  readonly factory: IProtocolFactory;
  /** The listen queue length. */
  readonly backlog: number;
  /** The listening fd, or -1. */
  fd: number = -1;
  /** True while listening. */
  connected: boolean = false;
  /** True while `stopListening` is in progress. */
  disconnecting: boolean = false;
  /** Connections accepted so far (the next session number). */
  sessionno: number = 0;
  /** How long accepting pauses after EMFILE/ENFILE/ENOBUFS/ENOMEM, in seconds. */
  acceptRetryDelay: number = 0.1;
  readonly #reading: ReadInterest;
  #starved = false;
  readonly #stop: PendingStop = new PendingStop();

  /** Binds the port to a reactor and factory. */
  constructor(reactor: FDReactor, factory: IProtocolFactory, backlog: number) {
    this.reactor = reactor;
    this.#reading = new ReadInterest(reactor, this);
    this.factory = factory;
    this.backlog = backlog;
  }

  // protected: TCPPort and UNIXPort implement these hooks.
  /** Create, bind and listen; returns the fd. Throws `CannotListenError`. */
  protected abstract openSocket(): number;
  /**
   * The address of an accepted peer (internal: takes the decoded sockaddr).
   * @ignore
   */
  protected abstract buildAddr(sa: DecodedSockaddr): IAddress;
  /** Wrap an accepted socket. */
  protected abstract makeTransport(
    fd: number,
    protocol: IProtocol,
    peer: IAddress,
    sessionno: number,
  ): StreamConnection;
  /** The port's type for log lines ("TCP", "UNIX"). */
  protected abstract readonly kindName: string;
  /** The address to log ("8080", the socket path). */
  protected abstract describeAddress(): string;
  /** The bound address. */
  abstract getHost(): IAddress;
  // protected: UNIXPort overrides it.
  /** Clean up after the socket is closed (unlink a Unix socket). */
  protected afterClose(): void {}

  /** The fd being listened on (-1 when closed). */
  fileno(): number {
    return this.fd;
  }

  /** The factory's name, for log lines. */
  logPrefix(): string {
    return logPrefixOf(this.factory);
  }

  /** Create the socket and start accepting. Throws `CannotListenError`. */
  startListening(): void {
    if (this.connected) return;
    this.fd = this.openSocket();
    fdReserve.acquire();
    logMsg(`${logPrefixOf(this.factory)} starting on ${this.describeAddress()}`);
    this.factory.doStart();
    this.connected = true;
    this.#reading.start();
  }

  /** Accept up to a batch of connections. */
  doRead(): Error | null {
    const l = lib();
    const addr = ACCEPT_ADDR;
    for (let i = 0; i < ACCEPT_BATCH; i++) {
      if (this.disconnecting || this.fd < 0) return null;
      ACCEPT_LEN[0] = ADDR_BUF_SIZE;
      const s = l.accept4(this.fd, addr, ACCEPT_LEN, K.SOCK_NONBLOCK | K.SOCK_CLOEXEC);
      if (s < 0) {
        const err = l.errno();
        if (err === E.EAGAIN) return null;
        if (err === E.EINTR || err === E.EPERM || err === E.ECONNABORTED) continue;
        if (err === E.EMFILE || err === E.ENFILE || err === E.ENOBUFS || err === E.ENOMEM) {
          this.#acceptStarved(err);
          return null;
        }
        logErr(sysError(err, "accept"), "Could not accept new connection", {
          system: this.logPrefix(),
        });
        return null;
      }
      if (this.#starved) {
        this.#starved = false;
        logMsg(`${this.logPrefix()}: accepting connections again`);
      }
      let sa: DecodedSockaddr;
      try {
        sa = ACCEPT_LEN[0] > 0 ? decodeAccepted(addr, ACCEPT_LEN[0]) : { family: "UNIX", path: "" };
      } catch {
        sa = { family: "UNIX", path: "" };
      }
      noSigPipe(s);
      this.#accepted(s, sa);
    }
    return null;
  }

  /** Build a protocol and a transport for an accepted socket. */
  #accepted(s: number, sa: DecodedSockaddr): void {
    let protocol: IProtocol | null;
    const peer = this.buildAddr(sa);
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (e) {
      logErr(e, "Unhandled error in buildProtocol", { system: this.logPrefix() });
      lib().close(s);
      return;
    }
    if (protocol === null) {
      lib().close(s);
      return;
    }
    const sessionno = this.sessionno++;
    let transport: StreamConnection;
    try {
      transport = this.makeTransport(s, protocol, peer, sessionno);
    } catch (e) {
      // E.g. FileDescriptorOverrun: the select reactor cannot watch an fd at
      // or above FD_SETSIZE. Refuse this connection only and keep listening,
      // as Twisted's Port.doRead logs what serving one socket raises.
      logErr(e, `Could not serve the connection accepted on fd ${s}; closed it`, {
        system: this.logPrefix(),
      });
      closeFd(s);
      return;
    }
    try {
      protocol.makeConnection(transport);
    } catch (e) {
      logErr(e, "Unhandled error in makeConnection", { system: transport.logPrefix() });
    }
  }

  /**
   * Out of fds or memory: log once, give the process's fd reserve back to the
   * runtime (so it is not starved by our accepts), pause accepting, and retry
   * once the reserve can be taken again.
   */
  #acceptStarved(err: number): void {
    if (!this.#starved) {
      this.#starved = true;
      logMsg(
        `${this.logPrefix()}: could not accept new connection (${
          sysError(err, "accept").message
        }); `
          + `pausing accepts, retrying every ${this.acceptRetryDelay}s`,
      );
    }
    fdReserve.release();
    this.#reading.stop();
    const retry = (): void => {
      if (!this.connected || this.disconnecting) return;
      if (fdReserve.fill()) this.#reading.start();
      else this.reactor.callLater(this.acceptRetryDelay, retry);
    };
    this.reactor.callLater(this.acceptRetryDelay, retry);
  }

  /** Stop accepting; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void> {
    this.disconnecting = true;
    this.#reading.stop();
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

  /** Listening ports never become writable-interesting. */
  doWrite(): Error | null {
    return null;
  }

  /** Close the socket, stop the factory, fire `stopListening`'s Deferreds. */
  connectionLost(_reason: Failure): void {
    if (!this.connected) return;
    logMsg(`(${this.kindName} Port ${this.describeAddress()} Closed)`);
    this.#reading.stop();
    this.connected = false;
    if (this.fd >= 0) {
      lib().close(this.fd);
      this.fd = -1;
      fdReserve.relinquish();
    }
    try {
      this.afterClose();
    } catch (e) {
      logErr(e, "Error cleaning up after the port closed", { system: this.logPrefix() });
    }
    try {
      this.factory.doStop();
    } catch (e) {
      logErr(e, "Error in factory.doStop", { system: this.logPrefix() });
    } finally {
      this.disconnecting = false;
    }
    this.#stop.done();
  }
}
