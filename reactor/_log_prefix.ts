/**
 * The name log lines give a protocol, factory or port, for the FFI
 * transports and the host backend alike. Internal.
 *
 * @module
 */

/**
 * A name for log lines: the object's `logPrefix()`, else its class name
 * (`-` for null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logPrefixOf } from "./_log_prefix.ts";
 * class Echo {}
 * assert.equal(logPrefixOf(new Echo()), "Echo");
 * assert.equal(logPrefixOf({ logPrefix: () => "custom" }), "custom");
 * assert.equal(logPrefixOf(null), "-");
 * ```
 */
export function logPrefixOf(p: unknown): string {
  const lp = (p as { logPrefix?: unknown; } | null)?.logPrefix;
  if (typeof lp === "function") {
    try {
      return String(lp.call(p));
    } catch {
      // fall through
    }
  }
  return (p as { constructor?: { name?: string; }; } | null)?.constructor?.name ?? "-";
}
