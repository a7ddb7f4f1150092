/**
 * Warnings as the kit collects them. A warning in Skein is what
 * `process.emitWarning` emits (Node's API, the same on Deno and Bun); the
 * kit takes them synchronously by standing in for `process.emitWarning`
 * while a test (or an `assertWarns` call) runs, as trial stands in for
 * Python's `warnings.showwarning`.
 */

import process from "node:process";

/**
 * One collected warning (Twisted's `flushWarnings` gives a dict of
 * `message`, `category`, `filename`, `lineno`).
 *
 * @example
 * ```ts
 * import type { CollectedWarning } from "@skein/skein/testing";
 * const w: CollectedWarning = {
 *   message: "connect(host) is deprecated; use connect({ host })",
 *   category: "DeprecationWarning",
 *   code: "SKEIN_DEP_CONNECT",
 *   warning: new Error("connect(host) is deprecated; use connect({ host })"),
 * };
 * ```
 */
export interface CollectedWarning {
  /** The warning's text. */
  readonly message: string;
  /** Its type: `"Warning"` unless given (`DeprecationWarning`, …), or the name of the Error emitted. */
  readonly category: string;
  /** Its code, when given (`{ code: "SKEIN_…" }`). */
  readonly code?: string;
  /** The warning as `process.emitWarning` would have emitted it (its `stack` says where). */
  readonly warning: Error;
}

type EmitWarning = typeof process.emitWarning;

interface WarningOptions {
  type?: string;
  code?: string;
  detail?: string;
}

/** The Error `process.emitWarning(warning, …)` would emit, as Node builds it. */
function toWarning(warning: unknown, typeOrOptions: unknown, code: unknown): CollectedWarning {
  let type = "Warning";
  let theCode: string | undefined;
  let detail: string | undefined;
  if (typeof typeOrOptions === "string") {
    type = typeOrOptions;
    if (typeof code === "string") theCode = code;
  } else if (typeof typeOrOptions === "object" && typeOrOptions !== null) {
    const o = typeOrOptions as WarningOptions;
    if (typeof o.type === "string") type = o.type;
    if (typeof o.code === "string") theCode = o.code;
    if (typeof o.detail === "string") detail = o.detail;
  }
  let error: Error;
  if (warning instanceof Error) {
    error = warning;
  } else {
    error = new Error(String(warning));
    error.name = type;
    if (theCode !== undefined) (error as Error & { code?: string; }).code = theCode;
    if (detail !== undefined) (error as Error & { detail?: string; }).detail = detail;
  }
  const own = (error as Error & { code?: unknown; }).code;
  return {
    message: error.message,
    category: error.name,
    ...(typeof own === "string" ? { code: own } : {}),
    warning: error,
  };
}

/**
 * Collect every warning emitted from now on into `onWarning` instead of
 * printing it; returns the function that puts the previous
 * `process.emitWarning` back (collections nest: the innermost takes them).
 */
export function collectWarnings(onWarning: (w: CollectedWarning) => void): () => void {
  const previous = process.emitWarning;
  const collector = function emitWarning(
    warning: unknown,
    typeOrOptions?: unknown,
    code?: unknown,
  ): void {
    onWarning(toWarning(warning, typeOrOptions, code));
  };
  process.emitWarning = collector as EmitWarning;
  let restored = false;
  return (): void => {
    if (restored) return;
    restored = true;
    // Another collector installed later and still active keeps its place.
    if (process.emitWarning === (collector as EmitWarning)) process.emitWarning = previous;
  };
}

/** Emit `w` again through `process.emitWarning` (a collected warning nobody flushed, as trial re-emits). */
export function reemitWarning(w: CollectedWarning): void {
  process.emitWarning(w.warning);
}
