/**
 * The check trial's `_Janitor` makes after each test: what a reactor still
 * holds (pending delayed calls, watched descriptors) is reported, then
 * cleaned up.
 */

import type { IDelayedCall, IProcessTransport } from "../interfaces.ts";

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
  /** The host reactor's live ports and connections (it has no readers or writers). */
  getSelectables?(): unknown[];
}

function render(value: unknown): string {
  try {
    const s = String(value);
    if (s !== "[object Object]") return s;
  } catch {
    // fall through to the descriptor's own description
  }
  const v = value as {
    constructor?: { name?: string; };
    logPrefix?: () => string;
    fileno?: () => number;
  } | null;
  const name = v?.constructor?.name ?? "object";
  let detail = "";
  try {
    if (typeof v?.logPrefix === "function") detail = ` ${v.logPrefix()}`;
    else if (typeof v?.fileno === "function") detail = ` fd=${v.fileno()}`;
  } catch {
    // a descriptor that cannot describe itself is named by its class alone
  }
  return `<${name}${detail}>`;
}

/**
 * Record every process `reactor.spawnProcess` starts from now on, so the
 * janitor can find (and kill) the ones still running when the test ends.
 */
export function watchProcesses(reactor: object): Set<IProcessTransport> {
  const seen = new Set<IProcessTransport>();
  const r = reactor as { spawnProcess?: (...args: never[]) => IProcessTransport; };
  const spawn = r.spawnProcess;
  if (typeof spawn !== "function") return seen;
  r.spawnProcess = (...args: never[]): IProcessTransport => {
    const p = spawn.apply(reactor, args);
    seen.add(p);
    return p;
  };
  return seen;
}

/** Seconds the janitor waits for a killed process to be reaped. */
const REAP_WAIT = 5;

/**
 * Cancel every pending delayed call of `reactor`, KILL every process of
 * `processes` still running (and wait, boundedly, for the reactor to reap
 * it), list the descriptors it still watches (its shutdown closes them), and
 * return the error that reports them, or `null` when it was clean.
 */
export async function cleanReactor(
  reactor: JanitorReactor,
  processes: Iterable<IProcessTransport> = [],
): Promise<DirtyReactorAggregateError | null> {
  const calls: string[] = [];
  for (const dc of reactor.getDelayedCalls()) {
    if (!dc.active()) continue;
    calls.push(String(dc));
    dc.cancel();
  }
  const alive = [...processes].filter((p) => p.pid !== null);
  const selectables = alive.map((p) => `<Process pid=${p.pid}>`);
  for (const p of alive) {
    try {
      p.signalProcess("KILL");
    } catch {
      // it exited in between
    }
  }
  const deadline = Date.now() + REAP_WAIT * 1000;
  while (alive.some((p) => p.pid !== null) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const seen = new Set<unknown>([
    ...(reactor.getReaders?.() ?? []),
    ...(reactor.getWriters?.() ?? []),
    ...(reactor.getSelectables?.() ?? []),
  ]);
  selectables.push(...[...seen].map(render));
  if (calls.length === 0 && selectables.length === 0) return null;
  return new DirtyReactorAggregateError(calls, selectables);
}
