/**
 * `StatefulProtocol`: Twisted's `twisted.protocols.stateful.StatefulProtocol`,
 * a protocol driven by "wait for N bytes, then call this" states.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatefulProtocol, type StatefulState } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Fixed extends StatefulProtocol {
 *   records: Uint8Array[] = [];
 *   override getInitialState(): StatefulState {
 *     return [this.record, 8];
 *   }
 *   record(data: Uint8Array): null {
 *     this.records.push(data);
 *     return null; // stay in this state
 *   }
 * }
 * const p = new Fixed();
 * p.makeConnection(new StringTransport());
 * p.dataReceived(new TextEncoder().encode("0123456789abcdefXY"));
 * assert.deepEqual(p.records.map((r) => new TextDecoder().decode(r)), ["01234567", "89abcdef"]);
 * ```
 *
 * @module
 */

import type { ITransport } from "../../interfaces.ts";
import { Protocol } from "../protocol.ts";
import { ByteBuffer } from "./_buffer.ts";

/**
 * A state of a {@linkcode StatefulProtocol}: `[handler, byteCount]`. Once
 * `byteCount` bytes are buffered, `handler` is called (with `this` the
 * protocol) with exactly those bytes; it returns the next state, or
 * null/undefined to stay in this one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StatefulState } from "@skein/skein/protocols/basic";
 * const skipTwo: StatefulState = [(_d: Uint8Array) => null, 2];
 * assert.equal(skipTwo[1], 2);
 * ```
 */
export type StatefulState = readonly [
  handler: (data: Uint8Array) => StatefulState | null | undefined | void,
  byteCount: number,
];

/**
 * A protocol that reads fixed-size pieces, each handled by the current
 * state (Twisted's `StatefulProtocol`). `getInitialState()` gives the first
 * state once connected; each handler returns the next one. Processing of a
 * chunk stops once the transport is disconnecting.
 *
 * A handler that asks for 0 bytes must move to another state (Twisted would
 * loop forever; Skein throws a `TypeError` instead).
 *
 * @example Length-prefixed records: a 1-byte header, then the body
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatefulProtocol, type StatefulState } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Records extends StatefulProtocol {
 *   bodies: string[] = [];
 *   override getInitialState(): StatefulState {
 *     return [this.header, 1];
 *   }
 *   header(data: Uint8Array): StatefulState {
 *     return [this.body, data[0]];
 *   }
 *   body(data: Uint8Array): StatefulState {
 *     this.bodies.push(new TextDecoder().decode(data));
 *     return [this.header, 1];
 *   }
 * }
 * const p = new Records();
 * p.makeConnection(new StringTransport());
 * p.dataReceived(new Uint8Array([2, 104, 105, 3, 121, 111]));
 * p.dataReceived(new Uint8Array([117]));
 * assert.deepEqual(p.bodies, ["hi", "you"]);
 * ```
 */
export class StatefulProtocol extends Protocol {
  #state: StatefulState | null = null;
  #buffer: ByteBuffer = new ByteBuffer();

  /** Attach the transport (calling `connectionMade`), then enter `getInitialState()`. */
  override makeConnection(transport: ITransport): void {
    super.makeConnection(transport);
    this.#buffer = new ByteBuffer();
    this.#state = this.getInitialState();
  }

  /** The first state. Override it; the default throws. */
  getInitialState(): StatefulState {
    throw new Error(`${this.constructor.name} must override getInitialState`);
  }

  /** Feed bytes through the states. */
  override dataReceived(data: Uint8Array): void {
    if (this.#state === null) {
      throw new Error(`${this.constructor.name}.dataReceived called before makeConnection`);
    }
    const buf = this.#buffer;
    buf.append(data);
    let state: StatefulState = this.#state;
    while (buf.length >= state[1]) {
      const count = state[1];
      const next: StatefulState | null | undefined | void = state[0].call(
        this,
        buf.take(count),
      );
      if (next) {
        state = next;
        this.#state = state;
      } else if (count === 0) {
        throw new TypeError(
          `${this.constructor.name}: a state that reads 0 bytes must return the next state`,
        );
      }
      if (this.transport?.disconnecting) return;
    }
  }
}
