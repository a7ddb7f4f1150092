/**
 * Unix-domain stream sockets over FFI: Twisted's `twisted/internet/unix.py`.
 *
 * - {@linkcode UNIXPort} (`listenUNIX`): `mode` is applied to the socket file;
 *   with `wantPID` a `PATH.lock` lock is taken first (Twisted's
 *   `FilesystemLock`: a symlink whose target is our PID, created atomically).
 *   When the lock was stale (its process is gone), a leftover socket file at
 *   PATH is removed before binding. `stopListening()` unlinks the socket and
 *   releases the lock.
 * - {@linkcode UNIXConnector} (`connectUNIX`): with `checkPID` the attempt
 *   fails with `BadFileError` unless `PATH.lock` names a live process.
 *
 * A path starting with `"\0"` is a Linux abstract-namespace name (no file).
 *
 * @module
 */

import { lstatSync, unlinkSync } from "node:fs";
import type {
  ConnectUNIXOptions,
  IClientFactory,
  IProtocol,
  IProtocolFactory,
  ListenUNIXOptions,
} from "../interfaces.ts";
import { BaseConnector } from "./_connector.ts";
import { FilesystemLock, heldByLiveProcess, releaseLock } from "./_lockfile.ts";
import {
  closeFd,
  type DecodedSockaddr,
  describe,
  encodeUnix,
  lastError,
  lib,
  openSocket,
  SOCKET_CONSTANTS as K,
} from "./_socket.ts";
import { connectUNIXArgs, listenUNIXArgs } from "./_validate.ts";
import type { FDReactor } from "./abstract.ts";
import { UNIXAddress } from "./address.ts";
import { BadFileError, CannotListenError, ConnectBindError } from "./errors.ts";
import { StreamConnection } from "./stream_connection.ts";
import { StreamPort } from "./stream_port.ts";

function unixAddress(sa: DecodedSockaddr): UNIXAddress {
  return new UNIXAddress(sa.family === "UNIX" && sa.path !== "" ? sa.path : null);
}

function inFilesystem(path: string): boolean {
  return path.length > 0 && path.charCodeAt(0) !== 0;
}

/**
 * The transport of one Unix-socket connection (accepted or connected).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createReactor, UNIXConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const path = join(tmpdir(), `skein-example-${crypto.randomUUID()}.sock`);
 * const port = reactor.listenUNIX(path, Factory.forProtocol(Echo));
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     assert.ok(this.transport instanceof UNIXConnection);
 *     assert.equal(this.transport!.getPeer().name, path);
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
export class UNIXConnection extends StreamConnection {
  /** The session number of an accepted connection (-1 for a client). */
  readonly sessionno: number;
  #host: UNIXAddress;
  #peer: UNIXAddress;

  /** Wrap an accepted socket (used by {@linkcode UNIXPort}). */
  constructor(
    reactor: FDReactor,
    fd: number,
    protocol: IProtocol | null,
    host: UNIXAddress,
    peer: UNIXAddress,
    sessionno: number,
  ) {
    super(reactor, fd, protocol);
    this.#host = host;
    this.#peer = peer;
    this.sessionno = sessionno;
    if (protocol !== null && fd >= 0) {
      const name = (protocol as { constructor?: { name?: string; }; }).constructor?.name ?? "-";
      this.logstr = `${name},${sessionno},${peer.name ?? ""}`;
      this.connected = true;
      this.startReading();
    }
  }

  /** Our address: the listening path for an accepted connection. */
  getHost(): UNIXAddress {
    return this.#host;
  }

  /** The peer's address (usually unnamed: `UNIXAddress(null)`). */
  getPeer(): UNIXAddress {
    return this.#peer;
  }
}

/**
 * The client side of `connectUNIX`, made by {@linkcode UNIXConnector}.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createReactor, UNIXClientConnection } from "@skein/skein/reactor";
 * import { ClientFactory, Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const path = join(tmpdir(), `skein-example-${crypto.randomUUID()}.sock`);
 * const port = reactor.listenUNIX(path, Factory.forProtocol(Echo));
 * let got = "";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     assert.ok(this.transport instanceof UNIXClientConnection);
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
export class UNIXClientConnection extends UNIXConnection {
  /** Start an attempt for `connector`. */
  constructor(reactor: FDReactor, connector: UNIXConnector, path: string, checkPID: boolean) {
    super(reactor, -1, null, new UNIXAddress(null), new UNIXAddress(path), -1);
    this.connector = connector;
    this.connecting = true;
    if (checkPID && !heldByLiveProcess(`${path}.lock`)) {
      const e = new BadFileError(`${path}: no live process holds ${path}.lock`);
      reactor.callLater(0, () => this.failIfNotConnected(e));
      return;
    }
    let sa: Uint8Array;
    try {
      sa = encodeUnix(path);
      this.fd = openSocket(K.AF_UNIX, K.SOCK_STREAM);
    } catch (e) {
      const err = new ConnectBindError(describe(e), { cause: e });
      reactor.callLater(0, () => this.failIfNotConnected(err));
      return;
    }
    reactor.callLater(0, () => {
      if (this.connector !== null) this.startConnect(sa);
    });
  }
}

/**
 * A listening Unix socket: Twisted's `unix.Port`, made by `listenUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { existsSync, readlinkSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import process from "node:process";
 * import { createReactor, UNIXPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * const path = join(tmpdir(), `skein-example-${crypto.randomUUID()}.sock`);
 * const port = reactor.listenUNIX(path, Factory.forProtocol(Protocol), { mode: 0o600, wantPID: true });
 * assert.ok(port instanceof UNIXPort);
 * assert.equal(port.getHost().name, path);
 * assert.equal(readlinkSync(`${path}.lock`), String(process.pid)); // wantPID: the lock names us
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * assert.equal(existsSync(path), false, "stopListening removed the socket file");
 * ```
 */
export class UNIXPort extends StreamPort {
  /** The socket path. */
  readonly path: string;
  /** File mode of the socket file. */
  readonly mode: number;
  /** Whether a `PATH.lock` file guards the socket. */
  readonly wantPID: boolean;
  // protected: these implement StreamPort's hooks.
  /** The port's type in log lines. */
  protected readonly kindName: string = "UNIX";
  #lockFile: FilesystemLock | null = null;
  readonly #address: UNIXAddress;

  /** Prepare a port; `startListening()` binds it. */
  constructor(
    reactor: FDReactor,
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ) {
    const args = listenUNIXArgs(path, options);
    super(reactor, factory, args.backlog);
    this.path = args.path;
    this.mode = args.mode;
    this.wantPID = args.wantPID;
    this.#address = new UNIXAddress(args.path);
  }

  /** Create, bind and listen; returns the fd. Throws `CannotListenError`. */
  protected openSocket(): number {
    const path = this.path;
    if (this.wantPID) {
      const lock = new FilesystemLock(`${path}.lock`);
      let ok: boolean;
      try {
        ok = lock.lock();
      } catch (e) {
        throw new CannotListenError("", path, e instanceof Error ? e : new Error(String(e)));
      }
      if (!ok) throw new CannotListenError("", path, new Error(`Cannot acquire lock ${path}.lock`));
      this.#lockFile = lock;
      if (!lock.clean) {
        // The previous owner died: remove the socket file it left behind.
        try {
          if (lstatSync(path).isSocket()) unlinkSync(path);
        } catch {
          // bind below reports anything that matters
        }
      }
    }
    let fd = -1;
    try {
      const sa = encodeUnix(path);
      fd = openSocket(K.AF_UNIX, K.SOCK_STREAM);
      if (lib().bind(fd, sa, sa.byteLength) < 0) throw lastError("bind");
      if (inFilesystem(path) && lib().chmod(path, this.mode) < 0) throw lastError("chmod");
      if (lib().listen(fd, this.backlog) < 0) throw lastError("listen");
    } catch (e) {
      closeFd(fd);
      releaseLock(this.#lockFile);
      this.#lockFile = null;
      throw new CannotListenError("", path, e instanceof Error ? e : new Error(String(e)));
    }
    return fd;
  }

  /**
   * The address of an accepted peer (internal: takes the decoded sockaddr).
   * @ignore
   */
  protected buildAddr(sa: DecodedSockaddr): UNIXAddress {
    return unixAddress(sa);
  }

  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(
    fd: number,
    protocol: IProtocol,
    peer: UNIXAddress,
    sessionno: number,
  ): UNIXConnection {
    return new UNIXConnection(this.reactor, fd, protocol, this.#address, peer, sessionno);
  }

  /** The address for log lines. */
  protected describeAddress(): string {
    return this.path;
  }

  /** Unlink the socket file and release the lock after the socket closed. */
  protected override afterClose(): void {
    if (inFilesystem(this.path)) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
    releaseLock(this.#lockFile);
    this.#lockFile = null;
  }

  /** The socket path as a `UNIXAddress`. */
  getHost(): UNIXAddress {
    return this.#address;
  }
}

/**
 * `connectUNIX`'s connector: Twisted's `unix.Connector`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createReactor, type IConnector, UNIXConnector } from "@skein/skein/reactor";
 * import { ClientFactory } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
 * const outcomes: string[] = [];
 * class Once extends ClientFactory {
 *   override clientConnectionFailed(_c: IConnector, reason: { value: unknown; }): void {
 *     outcomes.push((reason.value as Error).name);
 *     reactor.stop();
 *   }
 * }
 * const c = reactor.connectUNIX(join(tmpdir(), "skein-nobody-listens.sock"), new Once());
 * assert.ok(c instanceof UNIXConnector);
 * assert.equal(c.state, "connecting");
 * await reactor.run();
 * ```
 */
export class UNIXConnector extends BaseConnector {
  /** The socket path. */
  readonly path: string;
  /** Whether `PATH.lock` must name a live process. */
  readonly checkPID: boolean;

  /** Prepare a connector; `connect()` starts the attempt. */
  constructor(
    reactor: FDReactor,
    path: string,
    factory: IClientFactory,
    options?: ConnectUNIXOptions,
  ) {
    const args = connectUNIXArgs(path, options);
    super(reactor, factory, args.timeout);
    this.path = args.path;
    this.checkPID = args.checkPID;
  }

  // protected: implements BaseConnector's hook.
  /** Make the transport for an accepted socket (or, in a connector, for one attempt). */
  protected makeTransport(): UNIXClientConnection {
    return new UNIXClientConnection(this.reactor, this, this.path, this.checkPID);
  }

  /** The socket path as a `UNIXAddress`. */
  getDestination(): UNIXAddress {
    return new UNIXAddress(this.path);
  }
}
