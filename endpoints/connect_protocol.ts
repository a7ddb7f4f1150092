/**
 * `connectProtocol`: connect an existing protocol instance through a client
 * endpoint, without writing a factory (Twisted's `connectProtocol`).
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { IAddress, IProtocol, IStreamClientEndpoint } from "../interfaces.ts";
import { Factory } from "../protocols/factory.ts";

/**
 * Connect `protocol` through `endpoint`, using a one-shot factory that hands
 * out that instance. Fires with `protocol` once it is connected (after its
 * `connectionMade`), or fails as `endpoint.connect` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectProtocol, TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const proto = new Protocol();
 * connectProtocol(new TCP4ClientEndpoint(reactor, "127.0.0.1", 80), proto);
 * const factory = reactor.tcpClients[0][2];
 * assert.ok(factory.buildProtocol(reactor.connectors[0].getDestination()) !== null);
 * ```
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: IStreamClientEndpoint,
  protocol: P,
): Deferred<P> {
  class OneShotFactory extends Factory {
    override noisy = false;
    override buildProtocol(_addr: IAddress): IProtocol {
      return protocol;
    }
  }
  return endpoint.connect<P>(new OneShotFactory());
}
