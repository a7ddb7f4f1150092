/**
 * Length-prefixed strings: Twisted's `IntNStringReceiver` family
 * (`Int32StringReceiver`, `Int16StringReceiver`, `Int8StringReceiver`), each
 * string preceded by its length as a big-endian unsigned integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int32StringReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends Int32StringReceiver {
 *   override stringReceived(data: Uint8Array): void {
 *     this.sendString(data);
 *   }
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new Uint8Array([0, 0, 0, 2, 104, 105]));
 * assert.deepEqual(t.value(), new Uint8Array([0, 0, 0, 2, 104, 105]));
 * ```
 *
 * @module
 */

import { ByteBuffer, toBytes } from "./_buffer.ts";
import { PausableReceiver } from "./pausable_receiver.ts";

/**
 * `sendString` was given more bytes than the length prefix can describe
 * (Twisted's `StringTooLongError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTooLongError } from "@skein/skein/protocols/basic";
 * assert.ok(new StringTooLongError("too long").name === "StringTooLongError");
 * ```
 */
export class StringTooLongError extends Error {
  /** Always `"StringTooLongError"`. */
  override name: string = "StringTooLongError";
}

/**
 * The base of length-prefixed string protocols (Twisted's
 * `IntNStringReceiver`); use {@linkcode Int32StringReceiver},
 * {@linkcode Int16StringReceiver} or {@linkcode Int8StringReceiver}, or set
 * {@linkcode IntNStringReceiver.prefixLength} yourself (1 to 6 bytes).
 *
 * A prefix announcing more than {@linkcode IntNStringReceiver.MAX_LENGTH}
 * (99999) bytes calls {@linkcode IntNStringReceiver.lengthLimitExceeded}
 * with the announced length, which closes the connection by default.
 * Empty strings are valid. Like `LineReceiver` it is a push producer:
 * `pauseProducing()` holds back delivery until `resumeProducing()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntNStringReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Int24 extends IntNStringReceiver {
 *   override prefixLength = 3;
 *   override stringReceived(_data: Uint8Array): void {}
 * }
 * const t = new StringTransport();
 * const p = new Int24();
 * p.makeConnection(t);
 * p.sendString("abc");
 * assert.deepEqual(t.value(), new Uint8Array([0, 0, 3, 97, 98, 99]));
 * ```
 */
export class IntNStringReceiver extends PausableReceiver {
  /** The longest string accepted, in bytes. */
  MAX_LENGTH: number = 99999;
  /** Bytes in the length prefix. */
  prefixLength: number = 4;

  #buffer: ByteBuffer = new ByteBuffer();

  /** A complete string arrived (its payload). Override it; the default throws. */
  stringReceived(_data: Uint8Array): void {
    throw new Error(`${this.constructor.name} must override stringReceived`);
  }

  /**
   * A prefix announced `length` bytes, more than `MAX_LENGTH`. The default
   * closes the connection.
   */
  lengthLimitExceeded(_length: number): void {
    this.transport?.loseConnection();
  }

  /** Parse length-prefixed strings out of `data`. */
  override dataReceived(data: Uint8Array): void {
    const buf = this.#buffer;
    const n = this.prefixLength;
    buf.append(data);
    while (buf.length >= n && !this.paused) {
      let length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + buf.at(i);
      if (length > this.MAX_LENGTH) {
        // As in Twisted, the offending bytes stay buffered.
        this.lengthLimitExceeded(length);
        return;
      }
      if (buf.length < n + length) return;
      buf.skip(n);
      this.stringReceived(buf.take(length));
    }
  }

  /**
   * Send `data` (a string as UTF-8) with its length prefix, in one write.
   * Throws {@linkcode StringTooLongError} when the prefix cannot hold its
   * length (Int8: 255 bytes at most, Int16: 65535).
   */
  sendString(data: Uint8Array | string): void {
    const payload = toBytes(data);
    const n = this.prefixLength;
    const limit = 2 ** (8 * n);
    if (payload.length >= limit) {
      throw new StringTooLongError(
        `Try to send ${payload.length} bytes whereas the maximum for a ${n}-byte prefix is ${
          limit - 1
        }`,
      );
    }
    const out = new Uint8Array(n + payload.length);
    let len = payload.length;
    for (let i = n - 1; i >= 0; i--) {
      out[i] = len % 256;
      len = Math.floor(len / 256);
    }
    out.set(payload, n);
    this.transport!.write(out);
  }
}

/**
 * Strings prefixed with a 4-byte big-endian length (Twisted's
 * `Int32StringReceiver`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int32StringReceiver } from "@skein/skein/protocols/basic";
 * class Sink extends Int32StringReceiver {
 *   override stringReceived(_data: Uint8Array): void {}
 * }
 * assert.ok(new Sink().prefixLength === 4);
 * ```
 */
export class Int32StringReceiver extends IntNStringReceiver {
  /** 4 bytes. */
  override prefixLength: number = 4;
}

/**
 * Strings prefixed with a 2-byte big-endian length (Twisted's
 * `Int16StringReceiver`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int16StringReceiver } from "@skein/skein/protocols/basic";
 * class Sink extends Int16StringReceiver {
 *   override stringReceived(_data: Uint8Array): void {}
 * }
 * assert.ok(new Sink().prefixLength === 2);
 * ```
 */
export class Int16StringReceiver extends IntNStringReceiver {
  /** 2 bytes. */
  override prefixLength: number = 2;
}

/**
 * Strings prefixed with a 1-byte length (Twisted's `Int8StringReceiver`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int8StringReceiver } from "@skein/skein/protocols/basic";
 * class Sink extends Int8StringReceiver {
 *   override stringReceived(_data: Uint8Array): void {}
 * }
 * assert.ok(new Sink().prefixLength === 1);
 * ```
 */
export class Int8StringReceiver extends IntNStringReceiver {
  /** 1 byte. */
  override prefixLength: number = 1;
}
