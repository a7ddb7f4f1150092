/**
 * Endpoints: where to listen and what to connect to. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { IAddress } from "./address.ts";
import type { IListeningPort, IProtocol, IProtocolFactory } from "./protocols.ts";

/**
 * A place to listen; Twisted's `IStreamServerEndpoint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IStreamServerEndpoint } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const up = (e: IStreamServerEndpoint, f: IProtocolFactory): void => { e.listen(f); };
 * const r = new MemoryReactor();
 * up(new TCP4ServerEndpoint(r, 8080), new Factory());
 * assert.equal(r.tcpServers[0][0], 8080);
 * ```
 */
export interface IStreamServerEndpoint<A extends IAddress = IAddress> {
  /** Listen with `factory`; fires with the port. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<A>>;
}

/**
 * A place to connect to; Twisted's `IStreamClientEndpoint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IStreamClientEndpoint } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const go = (e: IStreamClientEndpoint, f: IProtocolFactory): void => { e.connect(f); };
 * const r = new MemoryReactor();
 * go(new TCP4ClientEndpoint(r, "127.0.0.1", 80), new Factory());
 * assert.equal(r.tcpClients[0][1], 80);
 * ```
 */
export interface IStreamClientEndpoint {
  /** Connect with `factory`; fires with the connected protocol once `connectionMade` ran. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P>;
}
