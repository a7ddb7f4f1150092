/**
 * The check trial's `_Janitor` makes after each test: what a reactor still
 * holds (pending delayed calls, watched descriptors) is reported, then
 * cleaned up.
 */

import type { IDelayedCall } from "../interfaces.ts";

/**
 * A test left its reactor unclean: delayed calls still pending, ports
 * listening or connections open when it ended (Twisted's
 * `DirtyReactorAggregateError`, with its text). The kit has already
 * cancelled the calls and closed the descriptors when it reports this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DirtyReactorAggregateError } from "@skein/skein/testing";
 * const e = new DirtyReactorAggregateError(["<DelayedCall 0x1 [9s] called=0 cancelled=0 f()>"], []);
 * assert.match(e.message, /^Reactor was unclean\.\nDelayedCalls: /);
 * ```
 */
export class DirtyReactorAggregateError extends Error {
  /** Always `"DirtyReactorAggregateError"`. */
  override name = "DirtyReactorAggregateError";
  /** The renderings of the delayed calls that were still pending. */
  readonly delayedCalls: readonly string[];
  /** The renderings of the descriptors (ports, connections) still watched. */
  readonly selectables: readonly string[];

  /** Report `delayedCalls` and `selectables` (their string renderings). */
  constructor(delayedCalls: readonly string[], selectables: readonly string[] = []) {
    let text = "Reactor was unclean.";
    if (delayedCalls.length > 0) {
      text += "\nDelayedCalls: (set DelayedCall.debug = true to debug)\n" + delayedCalls.join("\n");
    }
    if (selectables.length > 0) text += "\nSelectables:\n" + selectables.join("\n");
    super(text);
    this.delayedCalls = delayedCalls;
    this.selectables = selectables;
  }
}

/** What the janitor needs from a reactor; the descriptor methods are optional (the host reactor has none). */
export interface JanitorReactor {
  getDelayedCalls(): IDelayedCall[];
  getReaders?(): unknown[];
  getWriters?(): unknown[];
}

function render(value: unknown): string {
  try {
    const s = String(value);
    if (s !== "[object Object]") return s;
  } catch {
    // fall through to the constructor name
  }
  const name = (value as { constructor?: { name?: string; }; } | null)?.constructor?.name
    ?? "object";
  const fd = (value as { fileno?: () => number; } | null)?.fileno;
  let num = "";
  try {
    if (typeof fd === "function") num = ` fd=${fd.call(value)}`;
  } catch {
    // an fd we cannot read is left out
  }
  return `<${name}${num}>`;
}

/**
 * Cancel every pending delayed call of `reactor`, list (but leave to the
 * reactor's shutdown to close) every descriptor it watches, and return the
 * error that reports them, or `null` when it was clean.
 */
export function cleanReactor(reactor: JanitorReactor): DirtyReactorAggregateError | null {
  const calls: string[] = [];
  for (const dc of reactor.getDelayedCalls()) {
    if (!dc.active()) continue;
    calls.push(String(dc));
    dc.cancel();
  }
  const seen = new Set<unknown>([
    ...(reactor.getReaders?.() ?? []),
    ...(reactor.getWriters?.() ?? []),
  ]);
  const selectables = [...seen].map(render);
  if (calls.length === 0 && selectables.length === 0) return null;
  return new DirtyReactorAggregateError(calls, selectables);
}
