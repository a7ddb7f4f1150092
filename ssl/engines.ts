/**
 * Which TLS engine a connection uses: OpenSSL through FFI where libssl
 * loads (the default), or `node:tls` over an in-memory duplex (where
 * libssl is missing, and on the host reactor). Both implement one engine
 * interface and pass one conformance suite.
 *
 * @module
 */

import type { TLSEngineKind } from "./_engine.ts";
import { nodeEngineKind } from "./_node_engine.ts";
import { opensslEngineKind } from "./_openssl_engine.ts";
import { TLSConfigurationError } from "./errors.ts";

/**
 * The name of a TLS engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TLSEngineName } from "@skein/skein/ssl";
 * const name: TLSEngineName = "node";
 * assert.equal(name, "node");
 * ```
 */
export type TLSEngineName = "openssl" | "node";

let openssl: TLSEngineKind | null | undefined;

/**
 * True when the OpenSSL engine can run here (FFI allowed and OpenSSL 3's
 * libssl loads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { opensslAvailable } from "@skein/skein/ssl";
 * assert.equal(typeof opensslAvailable(), "boolean");
 * ```
 */
export function opensslAvailable(): boolean {
  if (openssl === undefined) openssl = opensslEngineKind();
  return openssl !== null;
}

/**
 * The engine a new TLS connection uses when none is named: `"openssl"`
 * where it is available, else `"node"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultTLSEngine } from "@skein/skein/ssl";
 * assert.ok(["openssl", "node"].includes(defaultTLSEngine()));
 * ```
 */
export function defaultTLSEngine(): TLSEngineName {
  return opensslAvailable() ? "openssl" : "node";
}

/**
 * The engine kind called `name` (the default one for `undefined`); throws a
 * `TLSConfigurationError` for an engine that cannot run here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { engineKind } from "./engines.ts";
 * assert.equal(engineKind("node").name, "node");
 * ```
 */
export function engineKind(name: TLSEngineName | undefined): TLSEngineKind {
  const chosen = name ?? defaultTLSEngine();
  if (chosen === "openssl") {
    if (!opensslAvailable()) {
      throw new TLSConfigurationError(
        "the OpenSSL TLS engine needs FFI (Deno: --allow-ffi) and OpenSSL 3's libssl; use engine: \"node\"",
      );
    }
    return openssl as TLSEngineKind;
  }
  if (chosen === "node") return nodeEngineKind();
  throw new TLSConfigurationError(
    `unknown TLS engine ${JSON.stringify(chosen)}; use "openssl" or "node"`,
  );
}
