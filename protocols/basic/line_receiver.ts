/**
 * `LineReceiver`: Twisted's line-oriented protocol base
 * (`twisted.protocols.basic.LineReceiver`), with a raw mode, and
 * {@linkcode TextLineReceiver} for protocols that think in strings.
 *
 * @example A line echo server
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends LineReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     this.sendLine(line);
 *   }
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new TextEncoder().encode("a\r\nb\r\n"));
 * assert.equal(t.valueString(), "a\r\nb\r\n");
 * ```
 *
 * @module
 */

import { ByteBuffer, toBytes } from "./_buffer.ts";
import { CRLF, DelimiterCache } from "./_delimiter.ts";
import { PausableReceiver } from "./pausable_receiver.ts";

/**
 * A protocol that splits what it receives into lines (Twisted's
 * `LineReceiver`), and can switch to a raw mode that passes bytes through.
 *
 * In line mode each line (without its {@linkcode LineReceiver.delimiter},
 * `\r\n` by default; a bare `\n` is *not* a line end) goes to
 * {@linkcode LineReceiver.lineReceived}; in raw mode every chunk goes to
 * {@linkcode LineReceiver.rawDataReceived}. Switching modes inside a
 * callback takes effect at once for the rest of the same chunk:
 * `setRawMode()` in `lineReceived` sends the bytes after that line to
 * `rawDataReceived`, and `setLineMode(extra)` in `rawDataReceived` parses
 * `extra` and what follows as lines.
 *
 * A line longer than {@linkcode LineReceiver.MAX_LENGTH} (16384 bytes)
 * calls {@linkcode LineReceiver.lineLengthExceeded}, which closes the
 * connection by default. Processing of a chunk stops once `lineReceived`
 * returns a truthy value or the transport is disconnecting.
 *
 * It is also a push producer: `pauseProducing()` stops line delivery (and
 * reading, when the transport can pause) until `resumeProducing()`.
 *
 * Receiving is linear in the bytes received, however they are chunked:
 * the buffer keeps a read offset and only newly arrived bytes are searched
 * for the delimiter. Each chunk is copied once on arrival and lines are
 * handed over as views of that copy: they never change afterwards, but a
 * line kept for long keeps its chunk's memory alive (`slice()` it to keep
 * just the line).
 *
 * @example A tiny line-based command server
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Commands extends LineReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     const text = new TextDecoder().decode(line);
 *     if (text === "QUIT") this.transport!.loseConnection();
 *     else this.sendLine(`you said: ${text}`);
 *   }
 * }
 * const t = new StringTransport();
 * const server = new Commands();
 * server.makeConnection(t);
 * server.dataReceived(new TextEncoder().encode("hi\r\nQUIT\r\nignored\r\n"));
 * assert.equal(t.valueString(), "you said: hi\r\n");
 * assert.equal(t.disconnecting, true); // and the line after QUIT was not processed
 * ```
 */
export class LineReceiver extends PausableReceiver {
  /** The line ending (bytes, or a string sent as UTF-8). Default `\r\n`. */
  delimiter: Uint8Array | string = CRLF;
  /** The longest line accepted, in bytes (without the delimiter). */
  MAX_LENGTH: number = 16384;
  /** True in line mode, false in raw mode. */
  lineMode: boolean = true;

  #buffer: ByteBuffer = new ByteBuffer();
  #busy = false;
  /** Where the next delimiter search starts, for the delimiter bytes `#searchDelim`. */
  #searchFrom = 0;
  #searchDelim: Uint8Array | null = null;
  #delimiter: DelimiterCache = new DelimiterCache("LineReceiver");

  /**
   * Remove and return every buffered, not yet delivered byte.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineReceiver } from "@skein/skein/protocols/basic";
   *
   * const r = new LineReceiver();
   * r.dataReceived(new TextEncoder().encode("partial"));
   * assert.equal(new TextDecoder().decode(r.clearLineBuffer()), "partial");
   * ```
   */
  clearLineBuffer(): Uint8Array {
    this.#searchFrom = 0;
    return this.#buffer.takeAll();
  }

  /**
   * Split `data` into lines (or pass it on in raw mode). Returns what a
   * callback returned to stop processing, if anything.
   */
  override dataReceived(data: Uint8Array): unknown {
    if (this.#busy) {
      // Re-entrant call (from a callback): just queue the bytes; the running
      // loop will get to them.
      this.#buffer.append(data);
      return undefined;
    }
    const buf = this.#buffer;
    this.#busy = true;
    try {
      buf.append(data);
      while (buf.length > 0 && !this.paused) {
        if (this.lineMode) {
          const delim = this.#delimiter.bytes(this.delimiter);
          if (this.#searchDelim !== delim) {
            this.#searchDelim = delim;
            this.#searchFrom = 0;
          }
          const at = buf.indexOf(delim, this.#searchFrom);
          if (at < 0) {
            if (buf.length >= this.MAX_LENGTH + delim.length) {
              this.#searchFrom = 0;
              return this.lineLengthExceeded(buf.takeAll());
            }
            // A delimiter may straddle the end: rescan its possible start.
            this.#searchFrom = Math.max(0, buf.length - delim.length + 1);
            return undefined;
          }
          this.#searchFrom = 0;
          if (at > this.MAX_LENGTH) {
            // Twisted passes the line, its delimiter and the rest of the buffer.
            return this.lineLengthExceeded(buf.takeAll());
          }
          const line = buf.take(at);
          buf.skip(delim.length);
          const why = this.lineReceived(line);
          if (why || this.transport?.disconnecting) return why;
        } else {
          this.#searchFrom = 0;
          const why = this.rawDataReceived(buf.takeAll());
          if (why) return why;
        }
      }
      return undefined;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Switch to line mode. From `rawDataReceived`, pass the bytes that belong
   * to the line part as `extra`: they are parsed for lines (do not pass
   * `extra` from `lineReceived`).
   */
  setLineMode(extra?: Uint8Array | string): unknown {
    this.lineMode = true;
    this.#searchFrom = 0;
    if (extra !== undefined && extra.length > 0) return this.dataReceived(toBytes(extra));
    return undefined;
  }

  /** Switch to raw mode: further bytes go to `rawDataReceived`. */
  setRawMode(): void {
    this.lineMode = false;
    this.#searchFrom = 0;
  }

  /** Raw-mode bytes arrived. Override it when you use raw mode; the default throws. */
  rawDataReceived(_data: Uint8Array): unknown {
    throw new Error(`${this.constructor.name} must override rawDataReceived to use raw mode`);
  }

  /**
   * A line arrived (without its delimiter). Override it; the default throws.
   * Return a truthy value to stop processing the rest of the chunk.
   */
  lineReceived(_line: Uint8Array): unknown {
    throw new Error(`${this.constructor.name} must override lineReceived`);
  }

  /** Send `line` followed by the delimiter, in one write (strings as UTF-8). */
  sendLine(line: Uint8Array | string): void {
    const bytes = toBytes(line);
    const delim = this.#delimiter.bytes(this.delimiter);
    const out = new Uint8Array(bytes.length + delim.length);
    out.set(bytes, 0);
    out.set(delim, bytes.length);
    this.transport!.write(out);
  }

  /**
   * A line was longer than `MAX_LENGTH`. `line` holds the rest of the buffer,
   * starting with (part of) the long line; it may hold more than one line.
   * The default closes the connection.
   */
  lineLengthExceeded(_line: Uint8Array): unknown {
    this.transport?.loseConnection();
    return undefined;
  }
}

/**
 * A {@linkcode LineReceiver} that hands lines over as strings, decoded from
 * UTF-8 (invalid sequences become U+FFFD unless
 * {@linkcode TextLineReceiver.fatal} is set, in which case the line goes to
 * {@linkcode TextLineReceiver.lineDecodingFailed}, which closes the
 * connection by default). `sendLine` takes strings too.
 *
 * @example A chat-style echo
 * ```ts
 * import assert from "node:assert/strict";
 * import { TextLineReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Shout extends TextLineReceiver {
 *   override textLineReceived(line: string): void {
 *     this.sendLine(line.toUpperCase());
 *   }
 * }
 * const t = new StringTransport();
 * const shout = new Shout();
 * shout.makeConnection(t);
 * shout.dataReceived(new TextEncoder().encode("hey\r\n"));
 * assert.equal(t.valueString(), "HEY\r\n");
 * ```
 */
export class TextLineReceiver extends LineReceiver {
  /** Reject invalid UTF-8 (see `lineDecodingFailed`) instead of replacing it. */
  fatal: boolean = false;
  #lenient: TextDecoder = new TextDecoder("utf-8");
  #strict: TextDecoder | null = null;

  /** Decodes the line and calls `textLineReceived`. */
  override lineReceived(line: Uint8Array): unknown {
    let text: string;
    if (this.fatal) {
      this.#strict ??= new TextDecoder("utf-8", { fatal: true });
      try {
        text = this.#strict.decode(line);
      } catch {
        return this.lineDecodingFailed(line);
      }
    } else {
      text = this.#lenient.decode(line);
    }
    return this.textLineReceived(text);
  }

  /** A line arrived, as a string. Override it; the default throws. */
  textLineReceived(_line: string): unknown {
    throw new Error(`${this.constructor.name} must override textLineReceived`);
  }

  /** With `fatal`, a line was not valid UTF-8. The default closes the connection. */
  lineDecodingFailed(_line: Uint8Array): unknown {
    this.transport?.loseConnection();
    return undefined;
  }
}
