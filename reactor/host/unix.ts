/**
 * Unix-domain stream sockets for the host backend over `node:net`: Twisted's
 * `unix.Port` and `unix.Connector`, with its lock-file handling (`wantPID`,
 * `checkPID`).
 *
 * @module
 */

import * as fs from "node:fs";
import * as net from "node:net";
import { Failure } from "../../deferred/failure.ts";
import type {
  ConnectUNIXOptions,
  IAddress,
  IClientFactory,
  IProtocolFactory,
  ListenUNIXOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { FilesystemLock, heldByLiveProcess, releaseLock } from "../_lockfile.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { connectUNIXArgs, listenUNIXArgs } from "../_validate.ts";
import { UNIXAddress } from "../address.ts";
import { BadFileError, CannotListenError } from "../errors.ts";
import { systemError } from "./_common.ts";
import { listenNow, watchUnixAccepts } from "./_listen.ts";
import type { ConnectAttempt } from "./connector.ts";
import { HostConnector } from "./connector.ts";
import { type AcceptedAddresses, HostStreamPort } from "./stream_port.ts";
import type { HostReactorLike } from "./types.ts";

/** Linux abstract-namespace names start with a NUL byte and have no file. */
function inFilesystemNamespace(path: string): boolean {
  return !path.startsWith("\0");
}

/**
 * A listening Unix socket on the host backend (Twisted's `unix.Port`),
 * returned by `HostReactor.listenUNIX`. The socket file gets `mode`
 * (default `0o666`) and is removed when the port stops. With `wantPID`, a
 * `PATH.lock` symlink naming our PID guards against a second listener; a
 * stale lock (dead PID) is taken over and a leftover socket file removed.
 * The runtimes' `node:net` does not pass the backlog as given: Deno rounds it
 * up to a power of two (the default 511 becomes 512), Bun always uses 512.
 *
 * Past the fd limit: Deno's `node:net` stops accepting on a Unix socket for
 * good once accept has failed with EMFILE. On Linux the port notices
 * (connections waiting, none accepted, for two checks 200 ms apart) and,
 * once an fd is free, listens on a new socket at the same path; the
 * connections queued on the old one are reset. Bun keeps accepting by
 * itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { existsSync, readlinkSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import process from "node:process";
 * import { createReactor, HostUNIXPort } from "@skein/skein/reactor";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * const path = join(tmpdir(), `skein-example-${crypto.randomUUID()}.sock`);
 * const port = reactor.listenUNIX(path, Factory.forProtocol(Protocol), { mode: 0o600, wantPID: true });
 * assert.ok(port instanceof HostUNIXPort);
 * assert.equal(readlinkSync(`${path}.lock`), String(process.pid)); // wantPID: the lock names us
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * assert.equal(existsSync(path), false, "stopListening removed the socket file");
 * ```
 */
export class HostUNIXPort extends HostStreamPort<UNIXAddress> {
  /** The socket path. */
  readonly path: string;
  /** File mode of the socket file. */
  readonly mode: number;
  /** Whether a PID lock file is kept. */
  readonly wantPID: boolean;

  #lock: FilesystemLock | null = null;
  /** How many times the socket was re-created (names its spare file). */
  #generation = 0;

  /** A port on `path`; call `startListening()` (the reactor does). */
  constructor(
    reactor: HostReactorLike,
    path: string,
    factory: IProtocolFactory,
    options: ListenUNIXOptions = {},
  ) {
    const args = listenUNIXArgs(path, options);
    super(reactor, factory, args.backlog);
    this.path = args.path;
    this.mode = args.mode;
    this.wantPID = args.wantPID;
  }

  /** Take the lock (if wanted), bind, chmod and listen. Throws `CannotListenError`. */
  startListening(): void {
    if (this.connected) return;
    const path = this.path;
    log.msg(`${logPrefixOf(this.factory)} starting on ${JSON.stringify(path)}`);
    let lock: FilesystemLock | null = null;
    if (this.wantPID) {
      lock = new FilesystemLock(`${path}.lock`);
      let got: boolean;
      try {
        got = lock.lock();
      } catch (e) {
        throw new CannotListenError("", path, systemError(e, "symlink"));
      }
      if (!got) throw new CannotListenError("", path, new Error("Cannot acquire lock"));
      if (!lock.clean) {
        // Best effort: remove the socket file a dead listener left behind.
        try {
          if (fs.statSync(path).isSocket()) fs.unlinkSync(path);
        } catch {
          // bind reports whatever is wrong
        }
      }
    }
    let server: net.Server;
    try {
      server = this.#listen(path);
    } catch (e) {
      releaseLock(lock);
      throw e;
    }
    this.adopt(server);
    this.#lock = lock;
    this.started();
  }

  /**
   * Bind `name` (the path, or a spare name to rename onto it), chmod and
   * listen. Throws `CannotListenError`.
   */
  #listen(name: string = this.path): net.Server {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    const error = listenNow(server, { path: name }, this.backlog);
    if (error !== null) throw new CannotListenError("", this.path, error);
    if (inFilesystemNamespace(name)) {
      try {
        fs.chmodSync(name, this.mode);
      } catch (e) {
        server.close();
        throw new CannotListenError("", this.path, systemError(e, "chmod"));
      }
    }
    watchUnixAccepts(server, name, this.#relisten);
    return server;
  }

  /**
   * The runtime's accept loop has ended (Deno, out of fds): listen on a new
   * socket in its place and close the old one (the connections queued on it
   * are reset). The new socket is bound to a spare name next to the path and
   * renamed onto it right after the old one is closed (closing a Unix server
   * removes the file it was bound to), so the path is missing only for that
   * instant: a client connecting just then gets ENOENT.
   */
  readonly #relisten = (): void => {
    if (!this.connected || this.disconnecting) return;
    const path = this.path;
    const spare = inFilesystemNamespace(path) ? `${path}.${++this.#generation}` : null;
    let spareServer: net.Server | null = null;
    if (spare !== null) {
      try {
        spareServer = this.#listen(spare);
      } catch {
        // e.g. the name is too long: close first, then bind the path itself
      }
    }
    this.retire();
    let server: net.Server;
    try {
      if (spare !== null && spareServer !== null) {
        fs.renameSync(spare, path);
        server = spareServer;
      } else {
        server = this.#listen();
      }
    } catch (e) {
      spareServer?.close();
      log.err(e, `Could not listen again on ${path}; the port is lost`);
      this.connectionLost(new Failure(e));
      return;
    }
    this.adopt(server);
    log.msg(`(UNIX Port ${path}: accepting had stopped after running out of fds; listening again)`);
  };

  // protected: implements HostStreamPort's hook.
  /** Our path; the peer of a Unix connection has no name. */
  protected acceptedAddresses(): AcceptedAddresses {
    return { host: new UNIXAddress(this.path), peer: new UNIXAddress(null), peerName: "" };
  }

  // protected: implements HostStreamPort's hook.
  /** Remove the socket file and the lock, log the close. */
  protected closed(): void {
    if (inFilesystemNamespace(this.path)) {
      try {
        fs.unlinkSync(this.path);
      } catch {
        // the runtime may have removed it already
      }
    }
    releaseLock(this.#lock);
    this.#lock = null;
    log.msg(`(UNIX Port ${this.path} Closed)`);
  }

  /** The socket path as a `UNIXAddress`. */
  getHost(): UNIXAddress {
    return new UNIXAddress(this.path);
  }

  /** `<HostUNIXPort of Factory on /path>`. */
  override toString(): string {
    return `<HostUNIXPort of ${logPrefixOf(this.factory)} on ${this.path}>`;
  }
}

/**
 * A Unix-socket connector on the host backend (Twisted's `unix.Connector`),
 * returned by `HostReactor.connectUNIX`. With `checkPID`, the attempt fails
 * with `BadFileError` unless `PATH.lock` names a live process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { createReactor, type IConnector, HostUNIXConnector } from "@skein/skein/reactor";
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
 * const c = reactor.connectUNIX(join(tmpdir(), "skein-nobody-listens.sock"), new Once());
 * assert.ok(c instanceof HostUNIXConnector);
 * assert.equal(c.state, "connecting");
 * await reactor.run();
 * ```
 */
export class HostUNIXConnector extends HostConnector {
  /** The socket path. */
  readonly path: string;
  /** Whether the lock file must name a live process. */
  readonly checkPID: boolean;

  /** A connector for `path`; call `connect()` (the reactor does). */
  constructor(
    reactor: HostReactorLike,
    path: string,
    factory: IClientFactory,
    options: ConnectUNIXOptions = {},
  ) {
    const args = connectUNIXArgs(path, options);
    super(reactor, factory, args.timeout);
    this.path = args.path;
    this.checkPID = args.checkPID;
  }

  /** The socket path as a `UNIXAddress`. */
  getDestination(): IAddress {
    return new UNIXAddress(this.path);
  }

  // protected: implements HostConnector's hook.
  /** Check the lock if asked, then connect. */
  protected startAttempt(attempt: ConnectAttempt): void {
    const path = this.path;
    if (this.checkPID) {
      if (!heldByLiveProcess(`${path}.lock`)) {
        this.reactor.callLater(0, () =>
          attempt.failIfNotConnected(
            new BadFileError(`File used for UNIX socket is no good: ${path}.`),
          ));
        return;
      }
    }
    const fresh = (): net.Socket => new net.Socket({ allowHalfOpen: true });
    attempt.open(
      fresh(),
      (s) => s.connect({ path }),
      () => [new UNIXAddress(null), new UNIXAddress(path)],
      fresh,
    );
  }

  /** `<HostUNIXConnector to /path>`. */
  override toString(): string {
    return `<HostUNIXConnector to ${this.path} (${this.state})>`;
  }
}
