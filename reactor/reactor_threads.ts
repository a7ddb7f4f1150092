/**
 * The reactor's thread pool methods (Twisted's `IReactorThreads` part of
 * `ReactorBase`), shared by every reactor: the real ones through
 * `ReactorBase` and the fake `MemoryReactor`.
 *
 * @module
 */

import type { IReactorCore, SystemEvent, TriggerHandle, TriggerPhase } from "../interfaces.ts";
import { reactorThreadPool } from "../threads/_reactor_pool.ts";
import type { ThreadWork } from "../threads/task.ts";
import type { ThreadPool } from "../threads/thread_pool.ts";

/**
 * `getThreadPool`, `callInThread` and `suggestThreadPoolSize` over a pool
 * made on first use with 0 to 10 threads, started when the reactor runs
 * (`callWhenRunning`) and stopped in the `during` phase of its shutdown (a
 * system event trigger), so no thread outlives the reactor. A subclass
 * supplies the reactor's `callWhenRunning` and `addSystemEventTrigger`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, ReactorThreads } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * assert.ok(createReactor("host") instanceof ReactorThreads);
 * assert.ok(new MemoryReactor() instanceof ReactorThreads);
 * ```
 */
export abstract class ReactorThreads
  implements Pick<IReactorCore, "callWhenRunning" | "addSystemEventTrigger">
{
  #threadPool: ThreadPool | null = null;

  /** See `IReactorCore.callWhenRunning`: the pool starts from it. */
  // deno-lint-ignore no-explicit-any
  abstract callWhenRunning<A extends any[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerHandle | null;

  /** See `IReactorCore.addSystemEventTrigger`: the pool stops from a `during shutdown` trigger. */
  abstract addSystemEventTrigger(
    phase: TriggerPhase,
    event: SystemEvent,
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => unknown,
    ...args: unknown[]
  ): TriggerHandle;

  /**
   * The reactor's thread pool (Twisted's `getThreadPool`): made on first use
   * with 0 to 10 threads, started when the reactor runs, stopped in the
   * `during` phase of shutdown, so no thread outlives the reactor.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   * import { MemoryReactor } from "@skein/skein/testing";
   *
   * const reactor = createReactor("host");
   * assert.equal(reactor.getThreadPool().maxThreads, 10);
   * // A MemoryReactor's pool waits for run(), which runs the callWhenRunning hooks.
   * const memory = new MemoryReactor();
   * assert.equal(memory.getThreadPool().started, false);
   * assert.equal(memory.whenRunningHooks.length, 1);
   * ```
   */
  getThreadPool(): ThreadPool {
    // Every subclass is a whole reactor core (ReactorBase, MemoryReactor); the
    // pool uses only the two methods above (and callFromThread where there is one).
    return this.#threadPool ??= reactorThreadPool(this as this & IReactorCore);
  }

  /**
   * Run `work(...args)` in the reactor's thread pool (Twisted's
   * `callInThread`); an error it throws is logged. `work` is a task, a
   * self-contained function, or a task module URL followed by an export name.
   * Work queued before the pool starts waits for it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   * import { deferToThreadPool } from "@skein/skein/threads";
   * const reactor = createReactor("host");
   * let seen = 0;
   * reactor.callWhenRunning(() => {
   *   reactor.callInThread((n: number) => n * 2, 21); // the result is dropped; an error is logged
   *   // To get a result back, ask for a Deferred of it instead:
   *   deferToThreadPool(reactor, reactor.getThreadPool(), (n: number) => n * 2, 21)
   *     .addCallback((v) => {
   *       seen = v;
   *     })
   *     .addBoth(() => reactor.stop()); // stops on a failure too, which the assert then shows
   * });
   * await reactor.run();
   * assert.equal(seen, 42);
   * ```
   */
  callInThread<A extends unknown[], R>(work: ThreadWork<A, R>, ...args: A): void;
  /** Run the export `name` of the task module at `module` in the reactor's pool. */
  callInThread(module: URL, name: string, ...args: unknown[]): void;
  callInThread(work: unknown, ...args: unknown[]): void {
    (this.getThreadPool().callInThread as (w: unknown, ...a: unknown[]) => void)(work, ...args);
  }

  /**
   * Set the most threads the reactor's pool runs (Twisted's
   * `suggestThreadPoolSize`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   * const reactor = createReactor("host");
   * reactor.suggestThreadPoolSize(4);
   * assert.equal(reactor.getThreadPool().maxThreads, 4);
   * ```
   */
  suggestThreadPoolSize(size: number): void {
    this.getThreadPool().adjustPoolsize(undefined, size);
  }
}
