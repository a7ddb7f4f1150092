/**
 * The contract between the host reactor and its transports: what a port,
 * connection or connection attempt needs of the reactor, and what the reactor
 * needs of them at shutdown.
 *
 * @module
 */

import type { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import type { IReactorTime } from "../../interfaces.ts";

/**
 * Something the host reactor disconnects at shutdown (a listening port, a
 * connection, a connection attempt): Twisted's selectables, as far as
 * `disconnectAll` is concerned.
 *
 * @example
 * ```ts
 * import type { HostSelectable } from "./types.ts";
 * import type { Failure } from "../../deferred/failure.ts";
 * const s: HostSelectable = { connectionLost(_reason: Failure): void {} };
 * ```
 */
export interface HostSelectable {
  /** Tear down at once with `reason` (shutdown passes `ConnectionLost`). */
  connectionLost(reason: Failure): void;
}

/**
 * What the host transports need of their reactor: time, name resolution, and
 * a registry of live selectables for `disconnectAll`. `HostReactor`
 * implements it.
 *
 * @example
 * ```ts
 * import type { HostReactorLike, HostSelectable } from "./types.ts";
 * function track(r: HostReactorLike, s: HostSelectable): void {
 *   r.addSelectable(s);
 * }
 * ```
 */
export interface HostReactorLike extends IReactorTime {
  /** Resolve a host name to one address. */
  resolve(name: string, options?: { family?: 0 | 4 | 6; }): Deferred<string>;
  /** Register a live port, connection or attempt. */
  addSelectable(s: HostSelectable): void;
  /** Forget it again (it closed). */
  removeSelectable(s: HostSelectable): void;
}
