/**
 * TCP over raw sockets through FFI: Twisted's `twisted/internet/tcp.py`.
 *
 * - {@linkcode TCPPort}: a listening socket (`listenTCP`); accepts in batches
 *   and survives `EMFILE`/`ENFILE` by pausing accepts briefly.
 * - {@linkcode TCPConnector}: `connectTCP`'s connector (Twisted's
 *   `BaseConnector` state machine, timeout, `bindAddress`, name resolution
 *   through `reactor.resolve`).
 * - {@linkcode TCPConnection}: the transport of one connection (accepted or
 *   connected), implementing `ITCPTransport`.
 *
 * TCP_NODELAY is on by default for accepted and connected sockets (Twisted
 * leaves Nagle on). Skein sends a write at once when nothing is buffered
 * (Twisted waits for the next poll), so with Nagle on, a second small write
 * before the peer's ACK waits for the peer's delayed ACK. Measured here: a
 * request answered with two writes from a timer took 44 ms per round trip
 * with Nagle on and 0.16 ms with it off. Writes made inside one
 * `dataReceived` are gathered into one send anyway, so turning Nagle off
 * costs no extra packets there (the C reference echo server of the benchmark
 * turns Nagle off too). `setTcpNoDelay(false)` turns it back on.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Deferred, succeed } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type {
  ConnectTCPOptions,
  IAddress,
  IClientFactory,
  IHalfCloseableProtocol,
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  ITCPTransport,
  ITransport,
  ListenTCPOptions,
} from "../interfaces.ts";
import { err as logErr, msg as logMsg } from "../log/log.ts";
import { BaseConnector } from "./_connector.ts";

export { BaseConnector, type ConnectingTransport, type ConnectorState } from "./_connector.ts";
import {
  ADDR_BUF_SIZE,
  closeFd,
  connectError,
  decode as decodeAccepted,
  type DecodedSockaddr,
  describe,
  E,
  encodeIP,
  getIntOpt,
  getPeerName,
  getSockName,
  isIPv4Address,
  isIPv6Address,
  K,
  lastError,
  lib,
  noSigPipe,
  openSocket,
  setIntOpt,
  setIntOptOrThrow,
  setLingerZero,
  sysError,
} from "./_socket.ts";
import { type FDReactor, FileDescriptor } from "./abstract.ts";
import { IPv4Address, IPv6Address } from "./address.ts";
import {
  CannotListenError,
  ConnectBindError,
  ConnectError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  DNSLookupError,
} from "./errors.ts";
import type { Libc } from "./ffi/types.ts";

/** Size of the one receive buffer all stream connections read into.  *
 * @example
 * ```ts
 * import { READ_BUFFER_SIZE } from "./tcp.ts";
 * console.assert(READ_BUFFER_SIZE === 65536);
 * ```
 */
export const READ_BUFFER_SIZE = 65536;
/**
 * A read at least this long hands the receive buffer itself to the protocol
 * (and a fresh one is allocated) instead of copying it out: the protocol owns
 * the bytes either way, and a view never pins more than twice its length.
 */
const HANDOVER_MIN = READ_BUFFER_SIZE / 2;
let READ_BUF: Uint8Array | null = null;

/**
 * A new receive buffer. Its bytes are not zeroed where the runtime can skip
 * that (`Buffer.allocUnsafeSlow` is uninitialised on Bun): only the `[0, n)`
 * that `recv` filled is ever exposed as a view. A plain `Uint8Array` (not a
 * `Buffer`), so `slice` copies as protocols expect.
 */
function newReadBuffer(): Uint8Array {
  const b = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  return new Uint8Array(b.buffer, b.byteOffset, READ_BUFFER_SIZE);
}
let L: Libc | null = null;
let MSG_NOSIGNAL = 0;

function init(): Libc {
  if (L === null) {
    L = lib();
    READ_BUF = newReadBuffer();
    MSG_NOSIGNAL = K.MSG_NOSIGNAL;
  }
  return L;
}

function logPrefixOf(p: unknown): string {
  const lp = (p as { logPrefix?: () => string; } | null)?.logPrefix;
  if (typeof lp === "function") {
    try {
      return lp.call(p);
    } catch {
      // fall through
    }
  }
  return (p as object | null)?.constructor?.name ?? "-";
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function isHalfCloseable(p: unknown): p is IHalfCloseableProtocol {
  return typeof (p as Partial<IHalfCloseableProtocol> | null)?.readConnectionLost === "function";
}

/** A protocol that does nothing, for a connector whose factory built none. */
class NullProtocol implements IProtocol {
  transport: ITransport | null = null;
  makeConnection(t: ITransport): void {
    this.transport = t;
  }
  connectionMade(): void {}
  dataReceived(_data: Uint8Array): void {}
  connectionLost(_reason: Failure): void {}
}

/**
 * A connected stream socket (TCP or Unix), server or client side: the read
 * path, half-close, abort and the close logic shared by `TCPConnection` and
 * `UNIXConnection`. Twisted's `tcp.Connection` + `BaseClient`.
 *
 * @example
 * ```ts ignore
 * // Transports are made by ports and connectors, not by hand:
 * reactor.listenTCP(0, factory);  // each accepted socket becomes a TCPConnection
 * ```
 */
export abstract class StreamConnection extends FileDescriptor implements ITransport {
  /** The protocol receiving this connection's data. */
  protocol: IProtocol;
  /** The connector of a client connection (null once connected or for servers). */
  protected connector: BaseConnector | null = null;
  /** True while a client's connect is in progress. */
  protected connecting: boolean = false;
  private connectAddr: Uint8Array | null = null;
  private connectTried = false;
  /** `abortConnection()` was called. */
  protected aborting: boolean = false;
  private writeErrno = 0;
  /** Log prefix. */
  protected logstr: string = "Uninitialized";

  /** Wraps an fd (server side) or prepares a client; see the subclasses. */
  constructor(reactor: FDReactor, fd: number, protocol: IProtocol | null) {
    super(reactor);
    init();
    this.fd = fd;
    this.protocol = protocol ?? new NullProtocol();
  }

  /** The local address. */
  abstract getHost(): IAddress;
  /** The remote address. */
  abstract getPeer(): IAddress;

  /** The prefix for log lines about this connection. */
  override logPrefix(): string {
    return this.logstr;
  }

  /**
   * Read once into the shared buffer; hand the protocol a copy of a short
   * read, or the buffer itself (then replaced) for a long one.
   */
  doRead(): Error | null {
    if (this.connecting) return this.doConnect();
    const buf = READ_BUF!;
    const n = L!.recv(this.fd, buf, READ_BUFFER_SIZE, 0);
    if (n > 0) {
      let data: Uint8Array;
      if (n >= HANDOVER_MIN) {
        data = new Uint8Array(buf.buffer, buf.byteOffset, n);
        READ_BUF = newReadBuffer();
      } else {
        data = buf.slice(0, n);
      }
      this.corked = true;
      try {
        this.protocol.dataReceived(data);
      } catch (e) {
        this.corked = false;
        logErr(e, "Unhandled error in dataReceived", { system: this.logstr });
        return asError(e);
      }
      if (this.aborting) {
        this.corked = false;
        return null;
      }
      return this.uncork();
    }
    if (n === 0) {
      // A send that already failed (ECONNRESET, EPIPE) consumed the socket's
      // error, so the kernel now reports a plain EOF: the peer reset us, it
      // did not close cleanly.
      if (this.writeErrno !== 0) return this.lostError(this.writeErrno, "send");
      return this.readEOF();
    }
    const err = L!.errno();
    if (err === E.EAGAIN || err === E.EINTR) return null;
    return this.lostError(err, "recv");
  }

  /** Called when the fd is writable: finish a connect, or send the buffer. */
  override doWrite(): Error | null {
    if (this.connecting) return this.doConnect();
    if (this.aborting) return null;
    return super.doWrite();
  }

  /** The peer sent FIN. */
  private readEOF(): Error | null {
    const p = this.protocol;
    if (isHalfCloseable(p)) {
      this.stopReading();
      try {
        p.readConnectionLost();
      } catch (e) {
        logErr(e, "Unhandled error in readConnectionLost", { system: this.logstr });
        return asError(e);
      }
      // Both directions are now shut: nothing more can happen on this
      // connection, so close it (Twisted leaves that to the protocol and
      // leaks the fd when it does not).
      if (this.writeDisconnected && !this.disconnected) return new ConnectionDone();
      return null;
    }
    return new ConnectionDone();
  }

  /** A ConnectionLost for a failed recv/send. */
  private lostError(err: number, syscall: string): Error {
    const e = sysError(err, syscall);
    if (e instanceof ConnectionLost) return e;
    return new ConnectionLost(`Connection to the other side was lost: ${e.message}`, { cause: e });
  }

  /** Send with MSG_NOSIGNAL; EAGAIN/ENOBUFS → 0, EINTR retried, errors → -1. */
  writeSomeData(data: Uint8Array, len: number): number {
    for (;;) {
      const n = L!.send(this.fd, data, len, MSG_NOSIGNAL);
      if (n >= 0) return n;
      const err = L!.errno();
      if (err === E.EAGAIN || err === E.ENOBUFS) return 0;
      if (err === E.EINTR) continue;
      this.writeErrno = err;
      return -1;
    }
  }

  /**
   * Sending failed (EPIPE, ECONNRESET, …). Before giving up, read what the
   * kernel already acknowledged so the protocol loses none of it.
   */
  protected override writeError(): Error {
    const buf = READ_BUF!;
    for (let i = 0; i < 256 && this.fd >= 0 && !this.disconnected; i++) {
      const n = L!.recv(this.fd, buf, READ_BUFFER_SIZE, 0);
      if (n <= 0) break;
      try {
        this.protocol.dataReceived(buf.slice(0, n));
      } catch (e) {
        logErr(e, "Unhandled error in dataReceived", { system: this.logstr });
        break;
      }
    }
    return this.lostError(this.writeErrno || E.EPIPE, "send");
  }

  /** Shut down the write side (FIN) and tell a half-closeable protocol. */
  protected override closeWriteConnection(): Error | null {
    L!.shutdown(this.fd, K.SHUT_WR);
    const p = this.protocol;
    if (isHalfCloseable(p)) {
      try {
        p.writeConnectionLost();
      } catch (e) {
        logErr(e, "Unhandled error in writeConnectionLost", { system: this.logstr });
        return asError(e);
      }
    }
    return null;
  }

  /** Close at once with `ConnectionDone` (the write side is already shut). */
  protected override loseConnectionNow(): void {
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  override write(data: Uint8Array | string): void {
    if (this.aborting) return;
    super.write(data);
  }

  /** Close now: drop buffered data, send RST; the protocol sees `ConnectionAborted`. */
  abortConnection(): void {
    if (this.disconnected || this.aborting) return;
    this.aborting = true;
    this.stopReading();
    this.stopWriting();
    this.reactor.callLater(0, () => this.connectionLost(new Failure(new ConnectionAborted())));
  }

  /**
   * The connection is gone: close the socket (RST after an abort), tell the
   * protocol, and for a client the connector.
   */
  override connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    if (!this.connected) {
      // Still connecting: this is a failed attempt.
      const v = reason.value;
      this.failIfNotConnected(
        v instanceof ConnectError
          ? v
          : new ConnectError(String(v instanceof Error ? v.message : v)),
      );
      return;
    }
    super.connectionLost(reason);
    const fd = this.fd;
    if (fd >= 0) {
      if (reason.value instanceof ConnectionAborted) setLingerZero(fd);
      L!.close(fd);
      this.fd = -1;
    }
    const p = this.protocol;
    try {
      p.connectionLost(reason);
    } catch (e) {
      logErr(e, "Unhandled error in connectionLost", { system: this.logstr });
    }
    const c = this.connector;
    if (c !== null) {
      this.connector = null;
      c.connectionLost(reason);
    }
  }

  // -- client side ------------------------------------------------------------

  /** Start (or continue) a non-blocking connect to `addr`. */
  protected startConnect(addr: Uint8Array): void {
    this.connectAddr = addr;
    this.connecting = true;
    this.doConnect();
  }

  /** Start or finish a non-blocking connect (Twisted's `doConnect`). */
  private doConnect(): Error | null {
    if (this.connector === null || this.fd < 0) return null;
    if (this.connectTried) {
      const soErr = getIntOptSafe(this.fd, K.SOL_SOCKET, K.SO_ERROR);
      if (soErr !== 0) {
        this.failIfNotConnected(connectError(soErr));
        return null;
      }
    }
    this.connectTried = true;
    const addr = this.connectAddr!;
    let r = L!.connect(this.fd, addr, addr.byteLength);
    while (r < 0) {
      const err = L!.errno();
      if (err === E.EINTR) {
        r = L!.connect(this.fd, addr, addr.byteLength);
        continue;
      }
      if (err === E.EISCONN) break;
      if (err === E.EINPROGRESS || err === E.EALREADY) {
        this.startReading();
        this.startWriting();
        return null;
      }
      if (err === E.EAGAIN) {
        // Unix: the listener's backlog is full; TCP (Linux): the routing cache
        // is short of entries. Either way the socket stays unconnected (and
        // writable), so retry on a timer instead of spinning on writability.
        // The connector's timeout bounds the attempt.
        this.stopReading();
        this.stopWriting();
        this.connectTried = false;
        this.reactor.callLater(0.01, () => {
          if (this.connecting) this.doConnect();
        });
        return null;
      }
      this.failIfNotConnected(connectError(err));
      return null;
    }
    this.stopReading();
    this.stopWriting();
    this.connecting = false;
    this.connectDone();
    return null;
  }

  /** Called once connected: build the protocol and start it. */
  protected connectDone(): void {
    const connector = this.connector!;
    let protocol: IProtocol | null = null;
    try {
      protocol = connector.buildProtocol(this.getPeer());
    } catch (e) {
      // As Twisted: the connection never counted as made, so the factory
      // hears clientConnectionFailed with a ConnectError (the host backend
      // does the same).
      logErr(e, "Unhandled error in buildProtocol");
      this.failIfNotConnected(new ConnectError(String(e), { cause: e }));
      return;
    }
    this.connected = true;
    this.logstr = `${logPrefixOf(protocol)},client`;
    if (protocol === null) {
      this.protocol = new NullProtocol();
      this.loseConnection();
      return;
    }
    this.protocol = protocol;
    this.startReading();
    try {
      protocol.makeConnection(this);
    } catch (e) {
      logErr(e, "Unhandled error in makeConnection", { system: this.logstr });
    }
  }

  /** Give up a connection attempt still in progress and report `reason`. */
  failIfNotConnected(reason: Error): void {
    if (this.connected || this.disconnected || this.connector === null) return;
    this.connecting = false;
    this.stopReading();
    this.stopWriting();
    if (this.fd >= 0) {
      closeFd(this.fd);
      this.fd = -1;
    }
    const c = this.connector;
    this.connector = null;
    c.connectionFailed(new Failure(reason));
  }
}

function getIntOptSafe(fd: number, level: number, name: number): number {
  try {
    return getIntOpt(fd, level, name);
  } catch (e) {
    return (e as { errno?: number; }).errno ?? E.EINVAL;
  }
}

function ipAddress(
  family: "INET" | "INET6",
  host: string,
  port: number,
): IPv4Address | IPv6Address {
  return family === "INET6"
    ? new IPv6Address("TCP", host, port)
    : new IPv4Address("TCP", host, port);
}

function tcpAddress(sa: DecodedSockaddr): IPv4Address | IPv6Address {
  if (sa.family === "UNIX") return new IPv4Address("TCP", "", 0);
  return sa.family === "INET6"
    ? new IPv6Address("TCP", sa.host, sa.port, sa.flowInfo, sa.scopeID)
    : new IPv4Address("TCP", sa.host, sa.port);
}

/**
 * The transport of one TCP connection: Twisted's `tcp.Server` / `tcp.Client`
 * (`ITCPTransport`).
 *
 * @example
 * ```ts ignore
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     const t = this.transport as TCPConnection;
 *     t.setTcpKeepAlive(true);
 *     t.write(`hello ${t.getPeer()}\r\n`);
 *   }
 * }
 * ```
 */
export class TCPConnection extends StreamConnection implements ITCPTransport {
  /** The session number of an accepted connection (-1 for a client). */
  readonly sessionno: number;
  private peer: IPv4Address | IPv6Address | null;
  private host: IPv4Address | IPv6Address | null = null;

  /**
   * Wrap an accepted socket (used by {@linkcode TCPPort}); `peer` is the
   * address accept returned.
   */
  constructor(
    reactor: FDReactor,
    fd: number,
    protocol: IProtocol | null,
    peer: IPv4Address | IPv6Address | null,
    sessionno: number,
  ) {
    super(reactor, fd, protocol);
    this.peer = peer;
    this.sessionno = sessionno;
    if (protocol !== null && fd >= 0) {
      this.logstr = `${logPrefixOf(protocol)},${sessionno},${peer?.host ?? ""}`;
      this.connected = true;
      this.startReading();
    }
  }

  /** The local address (`getsockname`). */
  getHost(): IPv4Address | IPv6Address {
    if (this.host === null) {
      if (this.fd < 0) return new IPv4Address("TCP", "0.0.0.0", 0);
      this.host = tcpAddress(getSockName(this.fd));
    }
    return this.host;
  }

  /** The remote address. */
  getPeer(): IPv4Address | IPv6Address {
    if (this.peer === null) {
      if (this.fd < 0) return new IPv4Address("TCP", "0.0.0.0", 0);
      this.peer = tcpAddress(getPeerName(this.fd));
    }
    return this.peer;
  }

  /** Set the peer address (a client knows it before connecting). */
  protected setPeer(peer: IPv4Address | IPv6Address): void {
    this.peer = peer;
  }

  /** Disable (true) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void {
    setIntOptOrThrow(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY, enabled ? 1 : 0);
  }

  /** Whether Nagle's algorithm is off. */
  getTcpNoDelay(): boolean {
    return getIntOpt(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY) !== 0;
  }

  /** Enable or disable SO_KEEPALIVE. */
  setTcpKeepAlive(enabled: boolean): void {
    setIntOptOrThrow(this.fd, K.SOL_SOCKET, K.SO_KEEPALIVE, enabled ? 1 : 0);
  }

  /** Whether SO_KEEPALIVE is on. */
  getTcpKeepAlive(): boolean {
    return getIntOpt(this.fd, K.SOL_SOCKET, K.SO_KEEPALIVE) !== 0;
  }

  /** `<Protocol #n on port>`-style text. */
  override toString(): string {
    return `<${this.protocol.constructor?.name ?? "Protocol"} #${this.sessionno} ${
      this.peer ?? ""
    }>`;
  }
}

/**
 * The client side of `connectTCP`: created by {@linkcode TCPConnector} for
 * each attempt. Resolves the host (without blocking the loop), connects, then
 * behaves as a {@linkcode TCPConnection}.
 *
 * @example
 * ```ts ignore
 * // Made by TCPConnector.connect(); the factory's protocol sees it as its transport:
 * reactor.connectTCP("127.0.0.1", 8080, clientFactory);
 * ```
 */
export class TCPClientConnection extends TCPConnection {
  private readonly family: number;
  private readonly destHost: string;
  private readonly destPort: number;
  private readonly needsResolution: boolean;

  /** Start an attempt for `connector` (the connector calls this). */
  constructor(
    reactor: FDReactor,
    connector: TCPConnector,
    host: string,
    port: number,
    bindAddress: [string, number] | null,
  ) {
    super(reactor, -1, null, null, -1);
    this.connector = connector;
    this.destHost = host;
    this.destPort = port;
    this.connecting = true;
    let family: number = K.AF_INET;
    if (isIPv4Address(host)) {
      this.needsResolution = false;
    } else if (isIPv6Address(host)) {
      this.needsResolution = false;
      family = K.AF_INET6;
    } else {
      this.needsResolution = true;
      if (bindAddress !== null && isIPv6Address(bindAddress[0])) family = K.AF_INET6;
    }
    this.family = family;
    let failure: Error | null = null;
    try {
      this.fd = openSocket(family, K.SOCK_STREAM);
      setIntOpt(this.fd, K.IPPROTO_TCP, K.TCP_NODELAY, 1);
      if (bindAddress !== null) {
        const sa = encodeIP(family, bindAddress[0], bindAddress[1]);
        if (lib().bind(this.fd, sa, sa.byteLength) < 0) throw lastError("bind");
      }
    } catch (e) {
      const cause = asError(e);
      failure = new ConnectBindError(`Couldn't bind: ${describe(cause)}`, {
        errno: (cause as { errno?: number; }).errno,
        cause,
      });
    }
    if (failure !== null) {
      const f = failure;
      reactor.callLater(0, () => this.failIfNotConnected(f));
    } else {
      reactor.callLater(0, () => this.resolveAddress());
    }
  }

  /** Resolve the host name (if needed) without blocking, then connect. */
  private resolveAddress(): void {
    if (this.connector === null) return;
    if (!this.needsResolution) {
      this.setRealAddress(this.destHost);
      return;
    }
    const d = this.reactor.resolve(this.destHost, { family: this.family === K.AF_INET6 ? 6 : 4 });
    d.addCallback((ip: string) => {
      this.setRealAddress(ip);
      return null;
    });
    d.addErrback((f: Failure) => {
      const v = f.value;
      this.failIfNotConnected(
        v instanceof ConnectError
          ? v
          : new DNSLookupError(`${this.destHost}: ${v instanceof Error ? v.message : String(v)}`),
      );
      return null;
    });
  }

  /** Connect to the resolved IP address. */
  private setRealAddress(ip: string): void {
    if (this.connector === null || this.fd < 0) return;
    let sa: Uint8Array;
    try {
      sa = encodeIP(this.family, ip, this.destPort);
    } catch (e) {
      this.failIfNotConnected(new ConnectError(describe(e), { cause: e }));
      return;
    }
    this.setPeer(ipAddress(this.family === K.AF_INET6 ? "INET6" : "INET", ip, this.destPort));
    this.startConnect(sa);
  }
}

/**
 * The accept loop and close logic shared by `TCPPort` and `UNIXPort`:
 * Twisted's `tcp.Port`.
 *
 * @example
 * ```ts ignore
 * // TCPPort and UNIXPort extend it; use them through the reactor:
 * const port = reactor.listenTCP(0, factory);
 * await port.stopListening();
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
  private reading = false;
  private starved = false;
  private closeWaiters: Deferred<void>[] = [];
  private closeScheduled = false;

  /** Binds the port to a reactor and factory. */
  constructor(reactor: FDReactor, factory: IProtocolFactory, backlog: number) {
    this.reactor = reactor;
    this.factory = factory;
    this.backlog = backlog;
  }

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
    init();
    fillFdReserve();
    this.fd = this.openSocket();
    listeningPorts++;
    logMsg(`${logPrefixOf(this.factory)} starting on ${this.describeAddress()}`);
    this.factory.doStart();
    this.connected = true;
    this.startReading();
  }

  /** Watch the socket for readability. */
  private startReading(): void {
    if (!this.reading && this.fd >= 0) {
      this.reading = true;
      this.reactor.addReader(this);
    }
  }

  /** Stop watching the socket for readability. */
  private stopReading(): void {
    if (this.reading) {
      this.reading = false;
      this.reactor.removeReader(this);
    }
  }

  /** Accept up to a batch of connections. */
  doRead(): Error | null {
    const l = L!;
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
          this.acceptStarved(err);
          return null;
        }
        logErr(sysError(err, "accept"), "Could not accept new connection", {
          system: this.logPrefix(),
        });
        return null;
      }
      if (this.starved) {
        this.starved = false;
        logMsg(`${this.logPrefix()}: accepting connections again`);
      }
      let sa: DecodedSockaddr;
      try {
        sa = ACCEPT_LEN[0] > 0 ? decodeAccepted(addr, ACCEPT_LEN[0]) : { family: "UNIX", path: "" };
      } catch {
        sa = { family: "UNIX", path: "" };
      }
      noSigPipe(s);
      this.accepted(s, sa);
    }
    return null;
  }

  /** Build a protocol and a transport for an accepted socket. */
  private accepted(s: number, sa: DecodedSockaddr): void {
    let protocol: IProtocol | null;
    const peer = this.buildAddr(sa);
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (e) {
      logErr(e, "Unhandled error in buildProtocol", { system: this.logPrefix() });
      L!.close(s);
      return;
    }
    if (protocol === null) {
      L!.close(s);
      return;
    }
    const sessionno = this.sessionno++;
    const transport = this.makeTransport(s, protocol, peer, sessionno);
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
  private acceptStarved(err: number): void {
    if (!this.starved) {
      this.starved = true;
      logMsg(
        `${this.logPrefix()}: could not accept new connection (${
          sysError(err, "accept").message
        }); `
          + `pausing accepts, retrying every ${this.acceptRetryDelay}s`,
      );
    }
    releaseFdReserve();
    this.stopReading();
    const retry = (): void => {
      if (!this.connected || this.disconnecting) return;
      if (fillFdReserve()) this.startReading();
      else this.reactor.callLater(this.acceptRetryDelay, retry);
    };
    this.reactor.callLater(this.acceptRetryDelay, retry);
  }

  /** Stop accepting; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void> {
    this.disconnecting = true;
    this.stopReading();
    if (!this.connected) return succeed<void>(undefined);
    const d = new Deferred<void>();
    this.closeWaiters.push(d);
    if (!this.closeScheduled) {
      this.closeScheduled = true;
      this.reactor.callLater(0, () => this.connectionLost(new Failure(new ConnectionDone())));
    }
    return d;
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
    this.stopReading();
    this.connected = false;
    if (this.fd >= 0) {
      L!.close(this.fd);
      this.fd = -1;
      if (--listeningPorts === 0) releaseFdReserve();
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
      this.closeScheduled = false;
    }
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const d of waiters) d.callback(undefined);
  }
}

/**
 * A few placeholder fds held while listening ports run. When accepting hits
 * the fd limit they are closed, so the runtime itself (timers, signal pipes,
 * module loads) still has descriptors; accepts resume only once they can be
 * re-taken. Deno panics in its own internals when it finds no free fd.
 */
const FD_RESERVE_SIZE = 8;
const fdReserve: number[] = [];
let listeningPorts = 0;

function fillFdReserve(): boolean {
  const l = L!;
  while (fdReserve.length < FD_RESERVE_SIZE) {
    const fd = l.socket(K.AF_UNIX, K.SOCK_DGRAM | K.SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    fdReserve.push(fd);
  }
  return true;
}

function releaseFdReserve(): void {
  const l = L!;
  while (fdReserve.length > 0) l.close(fdReserve.pop()!);
}

/** How many connections one readiness event may accept. */
const ACCEPT_BATCH = 128;
const ACCEPT_ADDR = new Uint8Array(ADDR_BUF_SIZE);
const ACCEPT_LEN = new Uint32Array(1);

/**
 * A listening TCP port: Twisted's `tcp.Port`, made by `listenTCP`. Binds with
 * SO_REUSEADDR, listens on IPv6 when the interface contains `":"`.
 *
 * @example
 * ```ts ignore
 * const port = new TCPPort(reactor, 0, factory, { interface: "127.0.0.1" });
 * port.startListening();
 * console.log(port.getHost().port);   // the port the kernel picked
 * await port.stopListening();
 * ```
 */
export class TCPPort extends StreamPort {
  /** The port asked for (0 = any). */
  readonly port: number;
  /** The interface asked for (`""` = all IPv4 interfaces). */
  readonly interface: string;
  /** The port's type in log lines. */
  protected readonly kindName: string = "TCP";
  private readonly family: number;
  private host: IPv4Address | IPv6Address | null = null;

  /** Prepare a port; `startListening()` binds it. */
  constructor(
    reactor: FDReactor,
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ) {
    const backlog = options?.backlog ?? 50;
    super(reactor, factory, backlog);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`listenTCP: port must be an integer in 0..65535, not ${port}`);
    }
    if (!Number.isInteger(backlog) || backlog < 0) {
      throw new RangeError(`listenTCP: backlog must be a non-negative integer, not ${backlog}`);
    }
    this.port = port;
    this.interface = options?.interface ?? "";
    this.family = this.interface.includes(":") ? K.AF_INET6 : K.AF_INET;
  }

  /** Create, bind and listen; returns the fd. Throws `CannotListenError`. */
  protected openSocket(): number {
    init();
    let fd = -1;
    try {
      fd = openSocket(this.family, K.SOCK_STREAM);
      setIntOpt(fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
      const sa = encodeIP(this.family, this.interface, this.port);
      if (L!.bind(fd, sa, sa.byteLength) < 0) throw lastError("bind");
      if (L!.listen(fd, this.backlog) < 0) throw lastError("listen");
      this.host = tcpAddress(getSockName(fd));
    } catch (e) {
      closeFd(fd);
      throw new CannotListenError(this.interface, this.port, asError(e));
    }
    return fd;
  }

  /**
   * The address of an accepted peer (internal: takes the decoded sockaddr).
   * @ignore
   */
  protected buildAddr(sa: DecodedSockaddr): IPv4Address | IPv6Address {
    return tcpAddress(sa);
  }

  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(
    fd: number,
    protocol: IProtocol,
    peer: IAddress,
    sessionno: number,
  ): StreamConnection {
    setIntOpt(fd, K.IPPROTO_TCP, K.TCP_NODELAY, 1);
    return new TCPConnection(
      this.reactor,
      fd,
      protocol,
      peer as IPv4Address | IPv6Address,
      sessionno,
    );
  }

  /** The address for log lines. */
  protected describeAddress(): string {
    return String(this.host?.port ?? this.port);
  }

  /** The bound address; the real port when 0 was asked for. */
  getHost(): IPv4Address | IPv6Address {
    if (this.host !== null) return this.host;
    return this.family === K.AF_INET6
      ? new IPv6Address("TCP", this.interface, this.port)
      : new IPv4Address("TCP", this.interface || "0.0.0.0", this.port);
  }

  /** `<TCPPort of Factory on 8080>`. */
  override toString(): string {
    const name = logPrefixOf(this.factory);
    return this.connected
      ? `<TCPPort of ${name} on ${this.getHost().port}>`
      : `<TCPPort of ${name} (not listening)>`;
  }
}

/**
 * `connectTCP`'s connector: Twisted's `tcp.Connector`. Each `connect()` makes
 * a {@linkcode TCPClientConnection}; outcomes go to the client factory.
 *
 * @example
 * ```ts ignore
 * const c = new TCPConnector(reactor, "127.0.0.1", 8080, new MyClientFactory(), { timeout: 5 });
 * c.connect();
 * ```
 */
export class TCPConnector extends BaseConnector {
  /** The host to connect to (a name or an IP literal). */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** The local `[host, port]` to bind first, or null. */
  readonly bindAddress: [string, number] | null;

  /** Prepare a connector; `connect()` starts the attempt. */
  constructor(
    reactor: FDReactor,
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ) {
    super(reactor, factory, options?.timeout ?? 30);
    if (typeof host !== "string" || host === "") {
      throw new TypeError(
        `connectTCP: host must be a non-empty string, not ${JSON.stringify(host)}`,
      );
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`connectTCP: port must be an integer in 0..65535, not ${port}`);
    }
    this.host = host;
    this.port = port;
    this.bindAddress = options?.bindAddress ?? null;
  }

  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(): TCPClientConnection {
    return new TCPClientConnection(this.reactor, this, this.host, this.port, this.bindAddress);
  }

  /** The address being connected to. */
  getDestination(): IPv4Address | IPv6Address {
    return isIPv6Address(this.host)
      ? new IPv6Address("TCP", this.host, this.port)
      : new IPv4Address("TCP", this.host, this.port);
  }
}
