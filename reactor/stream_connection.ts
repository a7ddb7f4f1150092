/**
 * The connected stream socket shared by TCP and Unix-domain connections:
 * Twisted's `tcp.Connection` + `tcp.BaseClient` (the read path, half-close,
 * abort, the close logic and the client's non-blocking connect).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IBorrowingProtocol,
  IHalfCloseableProtocol,
  IProtocol,
  ITransport,
} from "../interfaces.ts";
import { err as logErr } from "../log/log.ts";
import { type ISSLTransport, startTLS, type TLSWrapperOptions } from "../protocols/tls.ts";
import type { TLSContextFactory } from "../ssl/options.ts";
import type { BaseConnector } from "./_connector.ts";
import { NullProtocol } from "./_null_protocol.ts";
import {
  asError,
  closeFd,
  connectError,
  describe,
  ERRNO as E,
  getIntOpt,
  lib,
  logPrefixOf,
  setLingerZero,
  SOCKET_CONSTANTS as K,
  sysError,
} from "./_socket.ts";
import { type FDReactor, FileDescriptor } from "./abstract.ts";
import { ConnectError, ConnectionAborted, ConnectionDone, ConnectionLost } from "./errors.ts";
import { VectoredSend } from "./ffi/_iovec.ts";
import type { Libc } from "./ffi/types.ts";

/**
 * Size of the one receive buffer all stream connections read into.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READ_BUFFER_SIZE } from "./stream_connection.ts";
 * assert.equal(READ_BUFFER_SIZE, 65536);
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
/** The one msghdr/iovec block vectored sends use, made on the first. */
let VECTOR: VectoredSend | null = null;

function init(): Libc {
  if (L === null) {
    L = lib();
    READ_BUF = newReadBuffer();
    MSG_NOSIGNAL = K.MSG_NOSIGNAL;
  }
  return L;
}

function isHalfCloseable(p: unknown): p is IHalfCloseableProtocol {
  return typeof (p as Partial<IHalfCloseableProtocol> | null)?.readConnectionLost === "function";
}

/**
 * A connected stream socket (TCP or Unix), server or client side: the read
 * path, half-close, abort and the close logic shared by `TCPConnection` and
 * `UNIXConnection`. Twisted's `tcp.Connection` + `BaseClient`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createReactor, StreamConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 *   override connectionMade(): void {
 *     assert.ok(this.transport instanceof StreamConnection);
 *   }
 * }
 * const path = join(tmpdir(), `skein-example-${crypto.randomUUID()}.sock`);
 * const port = reactor.listenUNIX(path, Factory.forProtocol(Echo));
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     assert.ok(this.transport instanceof StreamConnection);
 *     this.transport!.write("hello");
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     got += new TextDecoder().decode(data);
 *     this.transport!.loseConnection();
 *   }
 *   override connectionLost(): void {
 *     port.stopListening().addCallback(() => reactor.stop());
 *   }
 * }
 * reactor.connectUNIX(path, ClientFactory.forProtocol(Hello));
 * await reactor.run();
 * assert.equal(got, "hello");
 * ```
 */
export abstract class StreamConnection extends FileDescriptor implements ITransport {
  /** The protocol receiving this connection's data. */
  protocol: IProtocol;
  // protected: the client subclasses (TCPClientConnection, UNIXClientConnection) set it.
  /** The connector of a client connection (null once connected or for servers). */
  protected connector: BaseConnector | null = null;
  // protected: the client subclasses set it.
  /** True while a client's connect is in progress. */
  protected connecting: boolean = false;
  #connectAddr: Uint8Array | null = null;
  #connectTried = false;
  /** `abortConnection()` was called. */
  #aborting: boolean = false;
  #writeErrno = 0;
  // protected: TCPConnection and UNIXConnection build it.
  /** Log prefix. */
  protected logstr: string = "Uninitialized";

  /** Wraps an fd (server side) or prepares a client; see the subclasses. */
  constructor(reactor: FDReactor, fd: number, protocol: IProtocol | null) {
    super(reactor);
    init();
    this.fd = fd;
    this.protocol = protocol ?? new NullProtocol();
    this.vectored = true; // writeSomeChunks below: queued chunks go out by sendmsg, uncopied
    // Bound once per connection (not per call), so that passing them on
    // works: `callLater(2, transport.loseConnection)`, `chunks.forEach(t.write)`.
    this.write = this.write.bind(this);
    this.writeSequence = this.writeSequence.bind(this);
    this.loseConnection = this.loseConnection.bind(this);
    this.abortConnection = this.abortConnection.bind(this);
  }

  /**
   * Switch this live connection to TLS (STARTTLS; Twisted's
   * `ITLSTransport.startTLS`): what was written so far goes out in the clear
   * first, everything after is encrypted, and the protocol's transport
   * becomes the returned TLS transport.
   */
  startTLS(contextFactory: TLSContextFactory, options?: TLSWrapperOptions): ISSLTransport {
    return startTLS(this, contextFactory, options);
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
   * Read once into the shared buffer. A protocol that only borrows its data
   * (`IBorrowingProtocol`) gets a view of the buffer itself; any other gets a
   * copy of a short read, or the buffer itself (then replaced) for a long one.
   */
  doRead(): Error | null {
    if (this.connecting) return this.#doConnect();
    const buf = READ_BUF!;
    const n = L!.recv(this.fd, buf, READ_BUFFER_SIZE, 0);
    if (n > 0) {
      const p = this.protocol;
      const lend = (p as Partial<IBorrowingProtocol>).borrowsReceivedData === true;
      let data: Uint8Array;
      if (lend || n >= HANDOVER_MIN) {
        data = new Uint8Array(buf.buffer, buf.byteOffset, n);
        if (!lend) READ_BUF = newReadBuffer();
      } else {
        data = buf.slice(0, n);
      }
      this.corked = true;
      let failed: Error | null = null;
      try {
        p.dataReceived(data);
      } catch (e) {
        this.corked = false;
        logErr(e, "Unhandled error in dataReceived", { system: this.logstr });
        failed = asError(e);
      }
      let result: Error | null = failed;
      if (failed === null) {
        if (this.#aborting) this.corked = false;
        else result = this.uncork();
      }
      // What the kernel did not take is queued by reference: if that may be
      // the lent buffer, it is the queue's now, and reads get a new one.
      if (lend && this.bufferedAmount > 0) READ_BUF = newReadBuffer();
      return result;
    }
    if (n === 0) {
      // A send that already failed (ECONNRESET, EPIPE) consumed the socket's
      // error, so the kernel now reports a plain EOF: the peer reset us, it
      // did not close cleanly.
      if (this.#writeErrno !== 0) return this.#lostError(this.#writeErrno, "send");
      return this.#readEOF();
    }
    const err = L!.errno();
    if (err === E.EAGAIN || err === E.EINTR) return null;
    return this.#lostError(err, "recv");
  }

  /** Called when the fd is writable: finish a connect, or send the buffer. */
  override doWrite(): Error | null {
    if (this.connecting) return this.#doConnect();
    if (this.#aborting) return null;
    return super.doWrite();
  }

  /** The peer sent FIN. */
  #readEOF(): Error | null {
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
  #lostError(err: number, syscall: string): Error {
    const e = sysError(err, syscall);
    if (e instanceof ConnectionLost) return e;
    return new ConnectionLost(`Connection to the other side was lost: ${e.message}`, { cause: e });
  }

  /**
   * What a failed send means, from errno: 0 to wait until writable
   * (EAGAIN/ENOBUFS), null to retry at once (EINTR), else -1 with the errno
   * kept for the connection's loss. Only the error path calls it.
   */
  #sendFailed(): number | null {
    const err = L!.errno();
    if (err === E.EAGAIN || err === E.ENOBUFS) return 0;
    if (err === E.EINTR) return null;
    this.#writeErrno = err;
    return -1;
  }

  /** Send with MSG_NOSIGNAL; EAGAIN/ENOBUFS → 0, EINTR retried, errors → -1. */
  writeSomeData(data: Uint8Array, len: number): number {
    for (;;) {
      const n = L!.send(this.fd, data, len, MSG_NOSIGNAL);
      if (n >= 0) return n;
      const outcome = this.#sendFailed();
      if (outcome !== null) return outcome;
    }
  }

  // protected: overrides FileDescriptor's hook.
  /** `sendmsg` of several queued chunks with MSG_NOSIGNAL; errors as `writeSomeData`. */
  protected override writeSomeChunks(
    chunks: readonly Uint8Array[],
    from: number,
    offset: number,
    to: number,
  ): number {
    const v = VECTOR ??= new VectoredSend(L!);
    for (;;) {
      const n = v.send(this.fd, chunks, from, offset, to, MSG_NOSIGNAL);
      if (n >= 0) return n;
      const outcome = this.#sendFailed();
      if (outcome !== null) return outcome;
    }
  }

  // protected: overrides FileDescriptor's hook.
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
    return this.#lostError(this.#writeErrno || E.EPIPE, "send");
  }

  // protected: overrides FileDescriptor's hook.
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

  // protected: implements FileDescriptor's hook.
  /** Close at once with `ConnectionDone` (the write side is already shut). */
  protected override loseConnectionNow(): void {
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  override write(data: Uint8Array | string): void {
    if (this.#aborting) return;
    super.write(data);
  }

  /** Close now: drop buffered data, send RST; the protocol sees `ConnectionAborted`. */
  abortConnection(): void {
    if (this.disconnected || this.#aborting) return;
    this.#aborting = true;
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

  // protected: the client subclasses call it.
  /** Start (or continue) a non-blocking connect to `addr`. */
  protected startConnect(addr: Uint8Array): void {
    this.#connectAddr = addr;
    this.connecting = true;
    this.#doConnect();
  }

  /** Start or finish a non-blocking connect (Twisted's `doConnect`). */
  #doConnect(): Error | null {
    if (this.connector === null || this.fd < 0) return null;
    if (this.#connectTried) {
      const soErr = getIntOptSafe(this.fd, K.SOL_SOCKET, K.SO_ERROR);
      if (soErr !== 0) {
        this.failIfNotConnected(connectError(soErr));
        return null;
      }
    }
    this.#connectTried = true;
    const addr = this.#connectAddr!;
    let r = L!.connect(this.fd, addr, addr.byteLength);
    while (r < 0) {
      const err = L!.errno();
      if (err === E.EINTR) {
        r = L!.connect(this.fd, addr, addr.byteLength);
        continue;
      }
      if (err === E.EISCONN) break;
      if (err === E.EINPROGRESS || err === E.EALREADY) {
        if (this.#watch()) {
          this.startReading();
          this.startWriting();
        }
        return null;
      }
      if (err === E.EAGAIN) {
        // Unix: the listener's backlog is full; TCP (Linux): the routing cache
        // is short of entries. Either way the socket stays unconnected (and
        // writable), so retry on a timer instead of spinning on writability.
        // The connector's timeout bounds the attempt.
        this.stopReading();
        this.stopWriting();
        this.#connectTried = false;
        this.reactor.callLater(0.01, () => {
          if (this.connecting) this.#doConnect();
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

  // protected: the client subclasses may extend it.
  /** Called once connected: build the protocol and start it. */
  protected connectDone(): void {
    if (!this.#watch()) return;
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

  /**
   * Register the socket for reading, or fail the attempt when the reactor
   * cannot watch it (the select reactor and an fd >= FD_SETSIZE): the
   * factory hears a `ConnectError` at once instead of the timeout, or
   * nothing at all once connected.
   */
  #watch(): boolean {
    try {
      this.startReading();
      return true;
    } catch (e) {
      this.failIfNotConnected(new ConnectError(describe(e), { cause: e }));
      return false;
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
