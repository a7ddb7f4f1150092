/**
 * Internal: the line receivers' delimiter, kept as bytes and converted again
 * only when the `delimiter` property is given a new value.
 *
 * @module
 */

import { toBytes } from "./_buffer.ts";

/** `\r\n`, the default line ending. */
export const CRLF: Uint8Array = new Uint8Array([13, 10]);

/** The bytes of a receiver's current delimiter. */
export class DelimiterCache {
  #source: Uint8Array | string = CRLF;
  #bytes: Uint8Array = CRLF;
  readonly #owner: string;

  /** A cache for the class named `owner` (used in the error message). */
  constructor(owner: string) {
    this.#owner = owner;
  }

  /**
   * The bytes of `delimiter` (a string as UTF-8). The same array comes back
   * until the delimiter changes, so identity tells a caller it changed.
   * Throws a `TypeError` for an empty delimiter.
   */
  bytes(delimiter: Uint8Array | string): Uint8Array {
    if (delimiter !== this.#source) {
      const bytes = toBytes(delimiter);
      if (bytes.length === 0) throw new TypeError(`${this.#owner}.delimiter must not be empty`);
      this.#source = delimiter;
      this.#bytes = bytes;
    }
    return this.#bytes;
  }
}
