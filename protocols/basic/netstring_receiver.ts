/**
 * `NetstringReceiver`: D. J. Bernstein's netstrings (`12:hello world!,`),
 * as Twisted's `twisted.protocols.basic.NetstringReceiver` reads and writes
 * them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetstringReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends NetstringReceiver {
 *   override stringReceived(data: Uint8Array): void {
 *     this.sendString(data);
 *   }
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new TextEncoder().encode("5:hello,"));
 * assert.equal(t.valueString(), "5:hello,");
 * ```
 *
 * @module
 */

import type { ITransport } from "../../interfaces.ts";
import { ByteBuffer, toBytes } from "./_buffer.ts";
import { PausableReceiver } from "./pausable_receiver.ts";

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
const encoder = new TextEncoder();

/**
 * The peer sent something that is not a netstring (Twisted's
 * `NetstringParseError`, a `ValueError`): a length that is not a decimal
 * number or has a leading zero, a length above `MAX_LENGTH`, or a payload
 * not followed by a comma.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetstringParseError } from "@skein/skein/protocols/basic";
 * const e = new NetstringParseError("missing comma");
 * assert.ok(e instanceof Error && e.name === "NetstringParseError");
 * ```
 */
export class NetstringParseError extends Error {
  /** Always `"NetstringParseError"`. */
  override name: string = "NetstringParseError";
}

/**
 * A protocol that sends and receives netstrings: `<length>:<bytes>,`, the
 * length in decimal ASCII without leading zeros (Twisted's
 * `NetstringReceiver`).
 *
 * Override {@linkcode NetstringReceiver.stringReceived}. Strings longer than
 * {@linkcode NetstringReceiver.MAX_LENGTH} (99999 bytes) are refused as soon
 * as their length is known, even before its colon arrives. Any malformed
 * input makes the receiver record a {@linkcode NetstringParseError} in
 * {@linkcode NetstringReceiver.parseError}, set
 * {@linkcode NetstringReceiver.brokenPeer} and close the connection; the
 * strings received before the error are still delivered, and later bytes
 * are ignored. Like the other receivers it is a push producer (beyond
 * Twisted's): `pauseProducing()` holds back delivery until `resumeProducing()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetstringReceiver } from "@skein/skein/protocols/basic";
 *
 * class Collect extends NetstringReceiver {
 *   got: string[] = [];
 *   override stringReceived(data: Uint8Array): void {
 *     this.got.push(new TextDecoder().decode(data));
 *   }
 * }
 * const c = new Collect();
 * c.dataReceived(new TextEncoder().encode("5:hello,0:,"));
 * assert.ok(c.got.join("|") === "hello|");
 * ```
 */
export class NetstringReceiver extends PausableReceiver {
  /** The longest string accepted, in bytes. */
  MAX_LENGTH: number = 99999;
  /** True once the peer sent malformed data (the connection is then closed). */
  brokenPeer: boolean = false;
  /** What was wrong with the peer's data, once `brokenPeer` is set. */
  parseError: NetstringParseError | null = null;

  #buffer: ByteBuffer = new ByteBuffer();
  /** -1 while reading a length, else the payload size plus its comma. */
  #expected = -1;

  /** Attach the transport and reset the parser (Twisted resets it here too). */
  override makeConnection(transport: ITransport): void {
    super.makeConnection(transport);
    this.#buffer = new ByteBuffer();
    this.#expected = -1;
    this.brokenPeer = false;
    this.parseError = null;
  }

  /** Send `data` (a string as UTF-8) as one netstring. */
  sendString(data: Uint8Array | string): void {
    const payload = toBytes(data);
    const head = encoder.encode(`${payload.length}:`);
    const out = new Uint8Array(head.length + payload.length + 1);
    out.set(head, 0);
    out.set(payload, head.length);
    out[out.length - 1] = COMMA;
    this.transport!.write(out);
  }

  /** A complete netstring arrived (its payload). Override it; the default throws. */
  stringReceived(_data: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /** Parse netstrings out of `data`; malformed input closes the connection. */
  override dataReceived(data: Uint8Array): void {
    if (this.brokenPeer) return;
    const buf = this.#buffer;
    buf.append(data);
    while (buf.length > 0 && !this.paused) {
      if (this.#expected < 0) {
        const n = this.#parseLength(buf);
        if (n === null) return;
        if (typeof n === "string") return this.#fail(n);
        this.#expected = n + 1;
      }
      if (buf.length < this.#expected) return;
      if (buf.at(this.#expected - 1) !== COMMA) {
        return this.#fail("The received netstring is not terminated by a comma.");
      }
      const payload = buf.take(this.#expected - 1);
      buf.skip(1);
      this.#expected = -1;
      this.stringReceived(payload);
      if (this.brokenPeer) return;
    }
  }

  /**
   * Read `<digits>:` from the front of the buffer: the length (consumed), null
   * when more bytes are needed, or an error message.
   */
  #parseLength(buf: ByteBuffer): number | null | string {
    const max = this.MAX_LENGTH;
    const maxDigits = Math.max(1, Math.ceil(Math.log10(Math.max(max, 1)))) + 1;
    const n = buf.length;
    let i = 0;
    while (i < n && i <= maxDigits) {
      const c = buf.at(i);
      if (c < ZERO || c > NINE) break;
      i++;
    }
    if (i === 0 || (buf.at(0) === ZERO && i > 1)) {
      return "The received netstring does not start with a length specification.";
    }
    if (i > maxDigits) return tooLong(max);
    let length = 0;
    for (let k = 0; k < i; k++) length = length * 10 + (buf.at(k) - ZERO);
    if (length > max) return tooLong(max);
    if (i === n) return null;
    if (buf.at(i) !== COLON) {
      return "The received netstring does not start with a length specification.";
    }
    buf.skip(i + 1);
    return length;
  }

  #fail(message: string): void {
    const error = new NetstringParseError(message);
    this.parseError = error;
    this.#buffer.clear();
    this.handleParseError(error);
  }

  /**
   * The peer's data is malformed: `error` says how. The default sets
   * `brokenPeer` and closes the connection (Twisted's `_handleParseError`).
   */
  handleParseError(_error: NetstringParseError): void {
    this.brokenPeer = true;
    this.transport?.loseConnection();
  }
}

function tooLong(max: number): string {
  return `The received netstring is longer than the maximum ${max} specified by MAX_LENGTH`;
}
