/**
 * `LineSendingProtocol`, Twisted's test double of the same name (in
 * `twisted.internet.testing`): a line receiver that sends a fixed list of
 * lines and records the lines it gets back.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import { LineReceiver } from "../protocols/basic/line_receiver.ts";

/**
 * Sends `lines` (each with the delimiter) when the connection is made, or,
 * with `start = false`, when the first line arrives; records every line it
 * receives in `response` and sets `lostConn` when the connection ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineSendingProtocol, StringTransport } from "@skein/skein/testing";
 * const p = new LineSendingProtocol(["HELO", "QUIT"]);
 * const t = new StringTransport();
 * p.makeConnection(t);
 * assert.equal(t.valueString(), "HELO\r\nQUIT\r\n");
 * p.dataReceived(new TextEncoder().encode("250 ok\r\n"));
 * assert.deepEqual(p.response, ["250 ok"]);
 * ```
 */
export class LineSendingProtocol extends LineReceiver {
  /** The lines still to send (emptied once sent, when `start` is false). */
  lines: string[];
  /** The lines received, decoded as UTF-8, without delimiters. */
  response: string[] = [];
  /** Send on connect (true) or on the first line received (false). */
  readonly start: boolean;
  /** True once `connectionLost` was called. */
  lostConn = false;

  /** A protocol that sends a copy of `lines`, at once (`start`) or when spoken to. */
  constructor(lines: readonly string[], start = true) {
    super();
    this.lines = [...lines];
    this.start = start;
  }

  /** Sends the lines now when `start` is true. */
  override connectionMade(): void {
    if (this.start) { for (const line of this.lines) this.sendLine(line); }
  }

  /** Records the line; the first one triggers the send when `start` is false. */
  override lineReceived(line: Uint8Array): void {
    if (!this.start) {
      for (const l of this.lines) this.sendLine(l);
      this.lines = [];
    }
    this.response.push(new TextDecoder().decode(line));
  }

  /** Records that the connection ended. */
  override connectionLost(_reason?: Failure): void {
    this.lostConn = true;
  }
}
