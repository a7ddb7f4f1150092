/**
 * The errors a TLS connection fails with, and the error for bad TLS
 * configuration at the call.
 *
 * @module
 */

import { familyName } from "../reactor/_error_name.ts";
import { ConnectionLost } from "../reactor/errors.ts";

/** The TLSError classes of this module, whose names their errors take (filled in below them). */
const NAMED: WeakSet<object> = new WeakSet();

/**
 * A TLS connection failed: the handshake was refused, a record could not be
 * decrypted, the peer sent an alert or garbage instead of TLS. The message
 * names what failed (OpenSSL's error strings, or the peer's alert), as
 * Twisted's `OpenSSL.SSL.Error` does; the protocol's `connectionLost`
 * receives it as the reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TLSError } from "@skein/skein/ssl";
 * const e = new TLSError("wrong version number", ["error:0A00010B:SSL routines::wrong version number"]);
 * assert.equal(e.name, "TLSError");
 * assert.match(e.message, /wrong version number/);
 * ```
 */
export class TLSError extends Error {
  /** The TLS library's own error lines, oldest first (may be empty). */
  readonly details: readonly string[];

  /** Build one from a message and the library's error lines; it is named after its class. */
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = familyName(new.target, NAMED, "TLSError");
    this.details = details;
  }
}

/**
 * The peer's certificate did not verify: a wrong host name, expired,
 * self-signed, an untrusted chain, or no certificate where one is required.
 * `reason` is the verifier's message (`"hostname mismatch"`, `"certificate
 * has expired"`, `"self-signed certificate"`, …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TLSError, TLSVerificationError } from "@skein/skein/ssl";
 * const e = new TLSVerificationError("hostname mismatch");
 * assert.ok(e instanceof TLSError);
 * assert.equal(e.message, "certificate verify failed: hostname mismatch");
 * ```
 */
export class TLSVerificationError extends TLSError {
  /** What the verifier said. */
  readonly reason: string;

  /** Build one from the verifier's message. */
  constructor(reason: string, details: readonly string[] = []) {
    super(`certificate verify failed: ${reason}`, details);
    this.reason = reason;
  }
}

/**
 * The handshake did not finish within the factory's `handshakeTimeout`; the
 * connection was aborted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TLSError, TLSHandshakeTimeoutError } from "@skein/skein/ssl";
 * const e = new TLSHandshakeTimeoutError(5);
 * assert.ok(e instanceof TLSError);
 * assert.equal(e.message, "TLS handshake did not complete within 5 seconds");
 * ```
 */
export class TLSHandshakeTimeoutError extends TLSError {
  /** Build one for a timeout of `seconds`. */
  constructor(seconds: number) {
    super(`TLS handshake did not complete within ${seconds} seconds`);
  }
}

NAMED.add(TLSError).add(TLSVerificationError).add(TLSHandshakeTimeoutError);

/**
 * The peer closed the connection without a TLS close_notify alert: the data
 * may have been cut short (a truncation attack looks the same), so this is a
 * `ConnectionLost`, never a clean `ConnectionDone`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost } from "@skein/skein/reactor";
 * import { TLSTruncationError } from "@skein/skein/ssl";
 * assert.ok(new TLSTruncationError() instanceof ConnectionLost);
 * ```
 */
export class TLSTruncationError extends ConnectionLost {
  /** Always `"TLSTruncationError"` (a ConnectionLost, so not of the TLSError family above). */
  override name: string = "TLSTruncationError";
  /** The default message. */
  static override readonly defaultMessage: string =
    "The peer closed the TLS connection without a close_notify alert (the data may be truncated).";
}

/**
 * TLS options that cannot work: an unreadable PEM, a key that does not
 * match its certificate, an unknown protocol version. Thrown at the call
 * that was given them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Certificate, TLSConfigurationError } from "@skein/skein/ssl";
 * assert.throws(() => Certificate.loadPEM("not a certificate"), TLSConfigurationError);
 * ```
 */
export class TLSConfigurationError extends TypeError {
  /** Always `"TLSConfigurationError"` (a TypeError, so not of the TLSError family above). */
  override name: string = "TLSConfigurationError";
}
