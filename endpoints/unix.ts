/**
 * Unix-domain socket endpoints: Twisted's `UNIXServerEndpoint` and
 * `UNIXClientEndpoint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNIXServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new UNIXServerEndpoint(reactor, "/tmp/app.sock").listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.unixServers[0][0], "/tmp/app.sock");
 * ```
 *
 * @module
 */

import { type Deferred, fail, succeed } from "../deferred/deferred.ts";
import type {
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
} from "../interfaces.ts";
import type { UNIXAddress } from "../reactor/address.ts";
import { checkTimeout } from "./_util.ts";
import { WrappingFactory } from "./_wrapping.ts";

/**
 * Options of {@linkcode UNIXServerEndpoint}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UNIXServerEndpointOptions } from "@skein/skein/endpoints";
 * import { UNIXServerEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: UNIXServerEndpointOptions = { mode: 0o600, wantPID: true };
 * assert.equal(new UNIXServerEndpoint(new MemoryReactor(), "/tmp/app.sock", o).mode, 0o600);
 * ```
 */
export interface UNIXServerEndpointOptions {
  /** Listen queue length. @default {50} */
  backlog?: number;
  /** File mode of the socket. @default {0o666} */
  mode?: number;
  /** Keep a `PATH.lock` file with our PID. @default {false} */
  wantPID?: boolean;
}

/**
 * Options of {@linkcode UNIXClientEndpoint}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UNIXClientEndpointOptions } from "@skein/skein/endpoints";
 * import { UNIXClientEndpoint } from "@skein/skein/endpoints";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: UNIXClientEndpointOptions = { timeout: 5, checkPID: true };
 * assert.equal(new UNIXClientEndpoint(new MemoryReactor(), "/tmp/app.sock", o).timeout, 5);
 * ```
 */
export interface UNIXClientEndpointOptions {
  /** Seconds before the attempt fails. @default {30} */
  timeout?: number;
  /** Fail unless `PATH.lock` names a live process. @default {false} */
  checkPID?: boolean;
}

function checkPath(path: string, what: string): void {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`${what}: the socket path must be a non-empty string, got ${String(path)}`);
  }
}

/**
 * Listen on a Unix-domain socket (Twisted's `UNIXServerEndpoint`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNIXServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new UNIXServerEndpoint(reactor, "/tmp/s", { mode: 0o600 }).listen(Factory.forProtocol(Protocol));
 * assert.equal(reactor.unixServers[0][3], 0o600);
 * ```
 */
export class UNIXServerEndpoint implements IStreamServerEndpoint<UNIXAddress> {
  /** The reactor to listen with. */
  readonly reactor: IReactorUNIX;
  /** The socket path. */
  readonly address: string;
  /** Listen queue length. */
  readonly backlog: number;
  /** File mode of the socket. */
  readonly mode: number;
  /** Whether to keep a lock file. */
  readonly wantPID: boolean;

  /** Build the endpoint; nothing happens until `listen`. */
  constructor(reactor: IReactorUNIX, address: string, options: UNIXServerEndpointOptions = {}) {
    checkPath(address, "UNIXServerEndpoint");
    this.reactor = reactor;
    this.address = address;
    this.backlog = options.backlog ?? 50;
    this.mode = options.mode ?? 0o666;
    this.wantPID = options.wantPID ?? false;
  }

  /** Listen with `factory`; fires with the port. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<UNIXAddress>> {
    try {
      return succeed(this.reactor.listenUNIX(this.address, factory, {
        backlog: this.backlog,
        mode: this.mode,
        wantPID: this.wantPID,
      }));
    } catch (e) {
      return fail<IListeningPort<UNIXAddress>>(e);
    }
  }
}

/**
 * Connect to a Unix-domain socket (Twisted's `UNIXClientEndpoint`). `connect`
 * fires with your protocol once connected; cancelling stops the attempt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNIXClientEndpoint } from "@skein/skein/endpoints";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * new UNIXClientEndpoint(reactor, "/tmp/s", { checkPID: true }).connect(ClientFactory.forProtocol(Protocol));
 * assert.equal(reactor.unixClients[0][3], true);
 * ```
 */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  /** The reactor to connect with. */
  readonly reactor: IReactorUNIX;
  /** The socket path. */
  readonly path: string;
  /** Seconds before the attempt fails. */
  readonly timeout: number;
  /** Whether to check the lock file first. */
  readonly checkPID: boolean;

  /** Build the endpoint; nothing happens until `connect`. */
  constructor(reactor: IReactorUNIX, path: string, options: UNIXClientEndpointOptions = {}) {
    checkPath(path, "UNIXClientEndpoint");
    this.timeout = options.timeout ?? 30;
    checkTimeout(this.timeout, "UNIXClientEndpoint");
    this.reactor = reactor;
    this.path = path;
    this.checkPID = options.checkPID ?? false;
  }

  /** Connect with `factory`; fires with the connected protocol. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    try {
      const wf = new WrappingFactory(factory);
      this.reactor.connectUNIX(this.path, wf, { timeout: this.timeout, checkPID: this.checkPID });
      return wf.onConnection as Deferred<P>;
    } catch (e) {
      return fail<P>(e);
    }
  }
}
