/**
 * What the runtime's own `node:tls` can do, for the TLS engine that runs on
 * it (the fallback beside the OpenSSL engine of `libssl.ts`).
 *
 * @module
 */

import { RUNTIME } from "./_platform.ts";

/**
 * True when a `node:tls` server socket over an in-memory stream asks for and
 * verifies client certificates. Bun's does; Deno 2.9's never receives the
 * client's certificate that way, so servers that verify clients need the
 * OpenSSL engine there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeTlsVerifiesClients } from "./libssl_runtime.ts";
 * assert.equal(typeof nodeTlsVerifiesClients(), "boolean");
 * ```
 */
export function nodeTlsVerifiesClients(): boolean {
  return RUNTIME !== "deno";
}

/**
 * True when a `node:tls` socket over an in-memory stream answers the peer's
 * close_notify with its own. Bun's does; Deno 2.9's sends one only when it
 * closes first, so a peer that closes first and waits for the answer (as
 * Twisted does) sees the connection lost rather than done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeTlsAnswersCloseNotify } from "./libssl_runtime.ts";
 * assert.equal(typeof nodeTlsAnswersCloseNotify(), "boolean");
 * ```
 */
export function nodeTlsAnswersCloseNotify(): boolean {
  return RUNTIME !== "deno";
}

/**
 * True when a `node:tls` server socket over an in-memory stream presents
 * the certificate its `SNICallback` chose. Deno's does; Bun 1.4's keeps
 * presenting the default one, so servers with certificates by SNI name need
 * the OpenSSL engine there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeTlsSelectsSNICertificates } from "./libssl_runtime.ts";
 * assert.equal(typeof nodeTlsSelectsSNICertificates(), "boolean");
 * ```
 */
export function nodeTlsSelectsSNICertificates(): boolean {
  return RUNTIME !== "bun";
}
