/**
 * The reactor core: run/stop, system events, threads. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { ThreadWork } from "../threads/task.ts";
import type { ThreadPool } from "../threads/thread_pool.ts";

/**
 * The phases of a system event, in the order they run. A `before` trigger
 * that returns a Deferred (or a promise) holds back `during` until it fires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type TriggerPhase } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const seen: TriggerPhase[] = [];
 * for (const phase of ["after", "during", "before"] as const) {
 *   reactor.addSystemEventTrigger(phase, "shutdown", () => seen.push(phase));
 * }
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run();
 * assert.deepEqual(seen, ["before", "during", "after"]);
 * ```
 */
export type TriggerPhase = "before" | "during" | "after";

/**
 * The system events a reactor fires: `startup` on `run()`, `shutdown` on
 * `stop()`. Any other name is an event of your own, fired with
 * `fireSystemEvent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type SystemEvent } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const seen: SystemEvent[] = [];
 * for (const event of ["startup", "shutdown", "reload"] as const) {
 *   reactor.addSystemEventTrigger("after", event, () => seen.push(event));
 * }
 * reactor.callWhenRunning(() => {
 *   reactor.fireSystemEvent("reload");
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.deepEqual(seen, ["startup", "reload", "shutdown"]);
 * ```
 */
// deno-lint-ignore ban-types -- keeps autocompletion of the known names while allowing any string
export type SystemEvent = "startup" | "shutdown" | (string & {});

/**
 * An opaque handle returned by {@linkcode IReactorCore.addSystemEventTrigger}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorCore, TriggerHandle } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function once(r: IReactorCore): TriggerHandle {
 *   return r.addSystemEventTrigger("before", "shutdown", () => console.log("bye"));
 * }
 * const r = new MemoryReactor();
 * const handle = once(r);
 * assert.deepEqual([handle.phase, handle.event], ["before", "shutdown"]);
 * r.removeSystemEventTrigger(handle);
 * ```
 */
export interface TriggerHandle {
  /** The phase this trigger was registered for. */
  readonly phase: TriggerPhase;
  /** The event this trigger was registered for. */
  readonly event: SystemEvent;
}

/**
 * The reactor's life cycle; Twisted's `IReactorCore`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorCore } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function main(r: IReactorCore): void {
 *   r.callWhenRunning(() => r.stop());
 * }
 * const r = new MemoryReactor();
 * main(r);
 * await r.run();
 * assert.equal(r.hasStopped, true);
 * ```
 */
export interface IReactorCore {
  /** True between `run()` starting the loop and `stop()` ending it. */
  readonly running: boolean;
  /**
   * Run the event loop until `stop()`. The returned promise resolves after the
   * shutdown triggers have run; a script may ignore it and the process keeps
   * running, as with Twisted's blocking `reactor.run()`.
   */
  run(): Promise<void>;
  /** Fire the shutdown triggers, then stop. Throws `ReactorNotRunning`. */
  stop(): void;
  /** Stop at once, without the shutdown triggers. */
  crash(): void;
  /** Call `fn(...args)` once the reactor is running (at once if it already is). */
  // deno-lint-ignore no-explicit-any
  callWhenRunning<A extends any[]>(fn: (...args: A) => unknown, ...args: A): TriggerHandle | null;
  /**
   * Add a system event trigger. A `before` trigger that returns a Deferred
   * delays the `during` phase until that Deferred fires.
   */
  addSystemEventTrigger(
    phase: TriggerPhase,
    event: SystemEvent,
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => unknown,
    ...args: unknown[]
  ): TriggerHandle;
  /** Remove a trigger added by `addSystemEventTrigger`. */
  removeSystemEventTrigger(handle: TriggerHandle): void;
  /** Fire all triggers of `event`, phase by phase. */
  fireSystemEvent(event: SystemEvent): void;
}

/**
 * Thread support; Twisted's `IReactorFromThreads` / `IReactorThreads`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorFromThreads } from "@skein/skein/reactor";
 * import { createReactor } from "@skein/skein/reactor";
 * const wake = (r: IReactorFromThreads): void => r.callFromThread(() => console.log("woken"));
 * const reactor = createReactor();
 * let woken = false;
 * reactor.callFromThread(() => {
 *   woken = true;
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.equal(woken, true);
 * ```
 */
export interface IReactorFromThreads {
  /**
   * Schedule `fn(...args)` on the reactor thread at the next iteration, waking
   * the reactor if it is parked. Safe to call from any context (including a
   * Worker's message handler or another runtime callback).
   */
  // deno-lint-ignore no-explicit-any
  callFromThread<A extends any[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/**
 * The reactor's thread pool; Twisted's `IReactorThreads`. `callInThread` runs
 * work on the pool from `getThreadPool()` (0 to 10 threads, made on first use,
 * started when the reactor runs, stopped in the `during` phase of shutdown);
 * `suggestThreadPoolSize(n)` sets its maximum.
 *
 * @example
 * ```ts
 * import type { IReactorThreads } from "@skein/skein/reactor";
 * const hash = (r: IReactorThreads): void => r.callInThread((s: string) => s.length, "abc");
 * ```
 */
export interface IReactorThreads extends IReactorFromThreads {
  /** The reactor's pool (made on first use). */
  getThreadPool(): ThreadPool;
  /** Run `work(...args)` in the reactor's pool; errors are logged. */
  callInThread<A extends unknown[], R>(work: ThreadWork<A, R>, ...args: A): void;
  /** Run the export `name` of the task module at `module` in the reactor's pool. */
  callInThread(module: URL, name: string, ...args: unknown[]): void;
  /** Set the pool's maximum size (Twisted's `adjustPoolsize(maxthreads=size)`). */
  suggestThreadPoolSize(size: number): void;
}
