/**
 * The one interface both TLS engines implement: ciphertext in and out,
 * plaintext in and out, driven by the TLS protocol wrapper. The OpenSSL
 * engine answers synchronously; the node:tls engine may answer on a later
 * turn. The wrapper works with either.
 *
 * @module
 */

import type { TLSError } from "./errors.ts";
import type { TLSSettings } from "./options.ts";

/** What an engine tells the wrapper. */
export interface TLSEngineEvents {
  /**
   * Ciphertext to send to the peer through the wrapped transport. Returns
   * true when the transport kept no reference to `data` (it sent or copied
   * it all), so the engine may reuse the buffer; false when it may keep it.
   */
  sendCiphertext(data: Uint8Array): boolean;
  /**
   * Plaintext from the peer, for the wrapped protocol. When `lent`, `data` is
   * a view of the engine's buffer, valid only during the call (the wrapper
   * copies it for a protocol that does not borrow); otherwise it is owned.
   */
  receivedPlaintext(data: Uint8Array, lent: boolean): void;
  /** The handshake finished (peer verified when asked). */
  handshakeDone(): void;
  /** The peer sent close_notify: it will send no more. */
  closeNotifyReceived(): void;
  /** Plaintext is piling up inside the engine (`true`) or has drained (`false`). */
  backlog(full: boolean): void;
  /** The connection failed; nothing more will be delivered. */
  failed(error: TLSError): void;
}

/** One side of one TLS connection. */
export interface TLSEngine {
  /** Begin: a client sends its ClientHello. */
  start(): void;
  /** Ciphertext arrived from the peer (a view valid only during the call: copy what is kept). */
  receiveCiphertext(data: Uint8Array): void;
  /** Encrypt and send (only once the handshake is done). */
  writePlaintext(data: Uint8Array): void;
  /** The wire closed: process everything received so far, then call `done`. */
  finish(done: () => void): void;
  /** Send close_notify; true when the peer's close_notify came already. */
  shutdown(): boolean;
  /** Call `fn` once everything the engine queued (our close_notify) went to `sendCiphertext`. */
  afterFlush(fn: () => void): void;
  /** The peer's certificate (DER), once the handshake is done. */
  peerCertificate(): Uint8Array | null;
  /** The ALPN protocol agreed, or `null`. */
  negotiatedProtocol(): string | null;
  /** `"TLSv1.3"`, `"TLSv1.2"`, or `null` before the handshake. */
  protocolVersion(): string | null;
  /** The SNI name (the client's, as the server saw it), or `null`. */
  serverName(): string | null;
  /** Free everything; no more events. */
  destroy(): void;
}

/** Makes engines for settings; one per kind. */
export interface TLSEngineKind {
  /** `"openssl"` or `"node"`. */
  readonly name: string;
  /** Compile `settings` now, throwing a `TLSConfigurationError` for what cannot work. */
  prepare(settings: TLSSettings): void;
  /** A new engine for one connection. */
  create(settings: TLSSettings, events: TLSEngineEvents): TLSEngine;
}
