/**
 * `LineOnlyReceiver`: Twisted's leaner line protocol without a raw mode
 * (`twisted.protocols.basic.LineOnlyReceiver`), and
 * {@linkcode TextLineOnlyReceiver} for string lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineOnlyReceiver } from "@skein/skein/protocols/basic";
 *
 * class Logger extends LineOnlyReceiver {
 *   lines: Uint8Array[] = [];
 *   override lineReceived(line: Uint8Array): void {
 *     this.lines.push(line);
 *   }
 * }
 * const logger = new Logger();
 * logger.dataReceived(new TextEncoder().encode("one\r\ntwo\r\nthr"));
 * assert.deepEqual(logger.lines.map((l) => new TextDecoder().decode(l)), ["one", "two"]);
 * ```
 *
 * @module
 */

import { Protocol } from "../protocol.ts";
import { ByteBuffer, toBytes } from "./_buffer.ts";
import { CRLF, DelimiterCache } from "./_delimiter.ts";

/**
 * A protocol that receives only lines (Twisted's `LineOnlyReceiver`): a
 * faster, simpler {@linkcode LineReceiver} without raw mode or pausing.
 *
 * Twisted's details kept here: the lines of a chunk after the one during
 * which the transport started disconnecting are dropped; a line longer than
 * {@linkcode LineOnlyReceiver.MAX_LENGTH} calls
 * {@linkcode LineOnlyReceiver.lineLengthExceeded} with just that line (no
 * delimiter), as does an unterminated remainder longer than `MAX_LENGTH`;
 * `sendLine` uses `writeSequence([line, delimiter])`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineOnlyReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends LineOnlyReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     this.sendLine(line);
 *   }
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new TextEncoder().encode("ping\r\n"));
 * assert.equal(t.valueString(), "ping\r\n");
 * ```
 */
export class LineOnlyReceiver extends Protocol {
  /** The line ending (bytes, or a string sent as UTF-8). Default `\r\n`. */
  delimiter: Uint8Array | string = CRLF;
  /** The longest line accepted, in bytes. */
  MAX_LENGTH: number = 16384;

  #buffer: ByteBuffer = new ByteBuffer();
  #searchFrom = 0;
  #searchDelim: Uint8Array | null = null;
  #delimiter: DelimiterCache = new DelimiterCache("LineOnlyReceiver");

  /** Split `data` into lines and deliver them. */
  override dataReceived(data: Uint8Array): unknown {
    const buf = this.#buffer;
    buf.append(data);
    const delim = this.#delimiter.bytes(this.delimiter);
    if (this.#searchDelim !== delim) {
      this.#searchDelim = delim;
      this.#searchFrom = 0;
    }
    let at: number;
    while ((at = buf.indexOf(delim, this.#searchFrom)) >= 0) {
      this.#searchFrom = 0;
      if (this.transport?.disconnecting) {
        this.#keepTail(delim);
        return undefined;
      }
      const line = buf.take(at);
      buf.skip(delim.length);
      if (line.length > this.MAX_LENGTH) {
        this.#keepTail(delim);
        return this.lineLengthExceeded(line);
      }
      this.lineReceived(line);
    }
    this.#searchFrom = Math.max(0, buf.length - delim.length + 1);
    if (buf.length > this.MAX_LENGTH) {
      // As in Twisted, the remainder stays buffered.
      return this.lineLengthExceeded(buf.copyAll());
    }
    return undefined;
  }

  /** Drop every complete line left in the buffer, keeping the unterminated tail. */
  #keepTail(delim: Uint8Array): void {
    const buf = this.#buffer;
    let end = 0;
    let at: number;
    while ((at = buf.indexOf(delim, end)) >= 0) end = at + delim.length;
    buf.skip(end);
    this.#searchFrom = 0;
  }

  /** A line arrived (without its delimiter). Override it; the default throws. */
  lineReceived(_line: Uint8Array): unknown {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /** Send `line` and the delimiter (strings as UTF-8), with `writeSequence`. */
  sendLine(line: Uint8Array | string): void {
    this.transport!.writeSequence([toBytes(line), this.#delimiter.bytes(this.delimiter)]);
  }

  /** A line longer than `MAX_LENGTH` arrived. The default closes the connection. */
  lineLengthExceeded(_line: Uint8Array): unknown {
    this.transport?.loseConnection();
    return undefined;
  }
}

/**
 * A {@linkcode LineOnlyReceiver} that hands lines over as strings decoded
 * from UTF-8 (invalid sequences become U+FFFD).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TextLineOnlyReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Greeter extends TextLineOnlyReceiver {
 *   override textLineReceived(name: string): void {
 *     this.sendLine(`hello, ${name}`);
 *   }
 * }
 * const t = new StringTransport();
 * const greeter = new Greeter();
 * greeter.makeConnection(t);
 * greeter.dataReceived(new TextEncoder().encode("Zoë\r\n"));
 * assert.equal(t.valueString(), "hello, Zoë\r\n");
 * ```
 */
export class TextLineOnlyReceiver extends LineOnlyReceiver {
  #decoder: TextDecoder = new TextDecoder("utf-8");

  /** Decodes the line and calls `textLineReceived`. */
  override lineReceived(line: Uint8Array): unknown {
    return this.textLineReceived(this.#decoder.decode(line));
  }

  /** A line arrived, as a string. Override it; the default throws. */
  textLineReceived(_line: string): unknown {
    throw new Error(`${this.constructor.name} must override textLineReceived`);
  }
}
