/**
 * The protocol a connection runs when its factory's `buildProtocol`
 * returned none, for the FFI transports and the host backend alike. Internal.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type { IProtocol, ITransport } from "../interfaces.ts";

/**
 * A protocol that does nothing: it keeps its transport and drops data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { NullProtocol } from "./_null_protocol.ts";
 * const p = new NullProtocol();
 * const t = new StringTransport();
 * p.makeConnection(t);
 * p.dataReceived(new Uint8Array([1])); // dropped
 * assert.equal(p.transport, t);
 * ```
 */
export class NullProtocol implements IProtocol {
  /** The transport, once connected. */
  transport: ITransport | null = null;
  /** Keep the transport. */
  makeConnection(t: ITransport): void {
    this.transport = t;
  }
  /** Nothing to do. */
  connectionMade(): void {}
  /** Drops data. */
  dataReceived(_data: Uint8Array): void {}
  /** Nothing to clean up. */
  connectionLost(_reason: Failure): void {}
}
