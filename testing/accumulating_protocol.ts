/**
 * Recording protocols for tests: Twisted's `AccumulatingProtocol` (from
 * `twisted/internet/testing.py`) and a factory that tells you when one
 * connected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AccumulatingProtocol, StringTransport } from "@skein/skein/testing";
 *
 * const p = new AccumulatingProtocol();
 * p.makeConnection(new StringTransport());
 * p.dataReceived(new TextEncoder().encode("ab"));
 * p.dataReceived(new TextEncoder().encode("c"));
 * assert.ok(p.made && p.dataString() === "abc");
 * ```
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import { concatBytes } from "../protocols/basic/_buffer.ts";
import { ClientFactory } from "../protocols/factory.ts";
import { Protocol, type ProtocolClass } from "../protocols/protocol.ts";

/**
 * A protocol that records what happens to it (Twisted's
 * `AccumulatingProtocol`): `made` once connected, every byte received in
 * `data`, and `closed`/`closedReason` once the connection is lost. Set
 * `closedDeferred` to be called back (with nothing) on `connectionLost`; if
 * its factory has a `protocolConnectionMade` Deferred, it is called back with
 * the protocol on `connectionMade` (and cleared).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { connectionDone } from "@skein/skein/protocols";
 * import { AccumulatingProtocol, StringTransport } from "@skein/skein/testing";
 *
 * const p = new AccumulatingProtocol();
 * p.closedDeferred = new Deferred<void>();
 * let fired = false;
 * p.closedDeferred.addCallback(() => { fired = true; });
 * p.makeConnection(new StringTransport());
 * p.connectionLost(connectionDone);
 * assert.ok(p.closed && fired);
 * ```
 */
export class AccumulatingProtocol extends Protocol {
  /** True once `connectionMade` ran. */
  made: boolean = false;
  /** True once `connectionLost` ran. */
  closed: boolean = false;
  /** The reason given to `connectionLost`. */
  closedReason: Failure | null = null;
  /** Called back (once) when the connection is lost. */
  closedDeferred: Deferred<void> | null = null;
  #chunks: Uint8Array[] = [];

  /** Every byte received so far. */
  get data(): Uint8Array {
    if (this.#chunks.length !== 1) this.#chunks = [concatBytes(this.#chunks)];
    return this.#chunks[0];
  }

  /** {@linkcode AccumulatingProtocol.data} decoded as UTF-8. */
  dataString(): string {
    return new TextDecoder().decode(this.data);
  }

  /** Records `made`; fires the factory's `protocolConnectionMade`, if any. */
  override connectionMade(): void {
    this.made = true;
    const f = this.factory as
      | { protocolConnectionMade?: Deferred<AccumulatingProtocol> | null; }
      | null;
    const d = f?.protocolConnectionMade ?? null;
    if (d !== null && f !== null) {
      f.protocolConnectionMade = null;
      d.callback(this);
    }
  }

  /** Appends to `data` (a copy: the transport may reuse its buffer). */
  override dataReceived(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push(data.slice());
  }

  /** Records `closed` and `closedReason`; fires `closedDeferred`, if any. */
  override connectionLost(reason: Failure): void {
    this.closed = true;
    this.closedReason = reason;
    const d = this.closedDeferred;
    if (d !== null) {
      this.closedDeferred = null;
      d.callback(undefined);
    }
  }
}

/**
 * A client (or server) factory of {@linkcode AccumulatingProtocol}s with a
 * `protocolConnectionMade` Deferred: set it, and the next protocol to
 * connect calls it back with itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { AccumulatingFactory, AccumulatingProtocol, StringTransport } from "@skein/skein/testing";
 *
 * const f = new AccumulatingFactory();
 * f.protocolConnectionMade = new Deferred<AccumulatingProtocol>();
 * let seen: AccumulatingProtocol | null = null;
 * f.protocolConnectionMade.addCallback((p) => { seen = p; });
 * const p = f.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!;
 * p.makeConnection(new StringTransport());
 * assert.equal(seen, p);
 * ```
 */
export class AccumulatingFactory extends ClientFactory {
  /** Builds {@linkcode AccumulatingProtocol}s. */
  override protocol: ProtocolClass = AccumulatingProtocol;
  /** Called back with the next protocol that connects. */
  protocolConnectionMade: Deferred<AccumulatingProtocol> | null = null;
  /** Quiet by default. */
  override noisy: boolean = false;
}
