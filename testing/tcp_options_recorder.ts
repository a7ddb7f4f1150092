/**
 * The TCP socket options of the in-memory transports, recorded rather than
 * applied.
 *
 * @module
 */

/**
 * `setTcpNoDelay` / `setTcpKeepAlive` that only remember the value given,
 * for `get…` and tests to read back: the base of {@linkcode StringTransport}
 * and {@linkcode FakeTransport}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport, TCPOptionsRecorder } from "@skein/skein/testing";
 *
 * const t = new StringTransport();
 * assert.ok(t instanceof TCPOptionsRecorder);
 * t.setTcpNoDelay(true);
 * assert.equal(t.getTcpNoDelay(), true);
 * assert.equal(t.tcpKeepAlive, false);
 * ```
 */
export class TCPOptionsRecorder {
  /** The last value given to `setTcpNoDelay`. */
  tcpNoDelay: boolean = false;
  /** The last value given to `setTcpKeepAlive`. */
  tcpKeepAlive: boolean = false;

  /** Records the option. */
  setTcpNoDelay(enabled: boolean): void {
    this.tcpNoDelay = enabled;
  }

  /** Reads back the option. */
  getTcpNoDelay(): boolean {
    return this.tcpNoDelay;
  }

  /** Records the option. */
  setTcpKeepAlive(enabled: boolean): void {
    this.tcpKeepAlive = enabled;
  }

  /** Reads back the option. */
  getTcpKeepAlive(): boolean {
    return this.tcpKeepAlive;
  }
}
