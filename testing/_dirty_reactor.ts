/**
 * The check trial's `_Janitor` makes after each test: what a reactor still
 * holds (pending delayed calls, watched descriptors, running processes,
 * busy pool threads) is reported, then cleaned up.
 */

import type { IDelayedCall, IProcessTransport } from "../interfaces.ts";
import type { ThreadPool } from "../threads/thread_pool.ts";

/**
 * A test left its reactor unclean: delayed calls still pending, ports
 * listening, connections open or processes running (Twisted's
 * `DirtyReactorAggregateError`, with its text), or its thread pool still
 * running or holding work (a `Threads:` section Twisted does not have: its
 * janitor stops the pool and waits). The kit has already cancelled the
 * calls, killed the processes, ended the threads (their work fails with
 * `WorkerCrashed` or `ThreadPoolStopped`) and closed the descriptors when it
 * reports this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DirtyReactorAggregateError } from "@skein/skein/testing";
 * const e = new DirtyReactorAggregateError(["<DelayedCall 0x1 [9s] called=0 cancelled=0 f()>"], []);
 * assert.match(e.message, /^Reactor was unclean\.\nDelayedCalls: /);
 * const t = new DirtyReactorAggregateError([], [], ['<ThreadPool "skein.reactor": 1 working, 0 queued>']);
 * assert.equal(t.message, 'Reactor was unclean.\nThreads:\n<ThreadPool "skein.reactor": 1 working, 0 queued>');
 * ```
 */
export class DirtyReactorAggregateError extends Error {
  /** Always `"DirtyReactorAggregateError"`. */
  override name = "DirtyReactorAggregateError";
  /** The renderings of the delayed calls that were still pending. */
  readonly delayedCalls: readonly string[];
  /** The renderings of the descriptors (ports, connections) and processes still live. */
  readonly selectables: readonly string[];
  /** The renderings of the thread pools that still had work running or queued. */
  readonly threads: readonly string[];

  /** Report `delayedCalls`, `selectables` and `threads` (their string renderings). */
  constructor(
    delayedCalls: readonly string[],
    selectables: readonly string[] = [],
    threads: readonly string[] = [],
  ) {
    let text = "Reactor was unclean.";
    if (delayedCalls.length > 0) {
      text += "\nDelayedCalls: (set DelayedCall.debug = true to debug)\n" + delayedCalls.join("\n");
    }
    if (selectables.length > 0) text += "\nSelectables:\n" + selectables.join("\n");
    if (threads.length > 0) text += "\nThreads:\n" + threads.join("\n");
    super(text);
    this.delayedCalls = delayedCalls;
    this.selectables = selectables;
    this.threads = threads;
  }
}

/** What the janitor needs from a reactor; the descriptor methods are optional (the host reactor has none). */
export interface JanitorReactor {
  getDelayedCalls(): IDelayedCall[];
  getReaders?(): unknown[];
  getWriters?(): unknown[];
  /** The host reactor's live ports and connections (it has no readers or writers). */
  getSelectables?(): unknown[];
  /** The reactor's thread pool (`IReactorThreads.getThreadPool`). */
  getThreadPool?(): ThreadPool;
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

/** Seconds the janitor waits for a killed process to be reaped, or ended threads to exit. */
const REAP_WAIT = 5;

/** End the threads of `pool` if it has work running or queued; its rendering then, else null. */
async function cleanThreads(pool: ThreadPool | undefined): Promise<string | null> {
  if (pool === undefined || (pool.working === 0 && pool.queued === 0)) return null;
  const text = `<ThreadPool ${
    JSON.stringify(pool.name)
  }: ${pool.working} working, ${pool.queued} queued>`;
  // Queued work fails with ThreadPoolStopped, running work with WorkerCrashed: never dropped.
  const stopped = pool.stop({ timeout: 0 }).toPromise();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    stopped,
    new Promise((resolve) => timer = setTimeout(resolve, REAP_WAIT * 1000)),
  ]).finally(() => clearTimeout(timer));
  return text;
}

/**
 * Cancel every pending delayed call of `reactor`, KILL every process of
 * `processes` still running (and wait, boundedly, for the reactor to reap
 * it), end the threads of its pool if it has work running or queued, list
 * the descriptors it still watches (its shutdown closes them), and return the
 * error that reports them, or `null` when it was clean.
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
  const threads = await cleanThreads(reactor.getThreadPool?.());
  if (calls.length === 0 && selectables.length === 0 && threads === null) return null;
  return new DirtyReactorAggregateError(calls, selectables, threads === null ? [] : [threads]);
}
