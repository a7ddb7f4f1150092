/**
 * `ThreadLease`: a thread of a {@linkcode ThreadPool} pinned to one user (a
 * database connection's thread) for as long as it is leased.
 *
 * @module
 */

import { type Deferred, fail } from "../deferred/deferred.ts";
import { toTask } from "./_to_task.ts";
import type { WorkerCrashed } from "./errors.ts";
import type { Task, ThreadWork } from "./task.ts";

/**
 * A thread pinned to one user, from {@linkcode ThreadPool.acquireThread}: every
 * `call` runs on the same Worker, one at a time in call order, so module-level
 * state of a task module (a database connection) stays with the lease, as a
 * thread-local connection does in Twisted's `adbapi`. `release()` gives the
 * thread back to the pool.
 *
 * If the Worker dies while leased, the calls it held and every later call fail
 * with the `WorkerCrashed` error (see `crashed`), and the pool starts a new
 * Worker for other work; acquire a new lease to go on. Once the pool stops,
 * calls fail with `ThreadPoolStopped`.
 *
 * @example A connection kept in the thread's module state
 * ```ts
 * import assert from "node:assert/strict";
 * import { task, ThreadPool } from "@skein/skein/threads";
 *
 * const pool = new ThreadPool({ minThreads: 0, maxThreads: 2 });
 * pool.start();
 * const lease = await pool.acquireThread();
 * const bump = task((): number => {
 *   const g = globalThis as { counter?: number };
 *   return g.counter = (g.counter ?? 0) + 1;
 * });
 * assert.equal(await lease.call(bump), 1);
 * assert.equal(await lease.call(bump), 2); // the same thread, so the same state
 * lease.release();
 * await pool.stop();
 * ```
 */
export class ThreadLease {
  /** The leased thread's number in its pool. */
  readonly threadNumber: number;
  #call: (task: Task, args: unknown[]) => Deferred<unknown>;
  #release: () => void;
  #released = false;
  #crashed: WorkerCrashed | null = null;

  /** Made by {@linkcode ThreadPool.acquireThread}. */
  constructor(
    threadNumber: number,
    call: (task: Task, args: unknown[]) => Deferred<unknown>,
    release: () => void,
  ) {
    this.threadNumber = threadNumber;
    this.#call = call;
    this.#release = release;
  }

  /** True once `release()` was called. */
  get released(): boolean {
    return this.#released;
  }

  /** The error the thread died of, or null while it lives. */
  get crashed(): WorkerCrashed | null {
    return this.#crashed;
  }

  /** Marks the lease's thread dead (called by the pool). */
  markCrashed(error: WorkerCrashed): void {
    this.#crashed ??= error;
  }

  /**
   * Run `work(...args)` on the leased thread; the Deferred fires with its
   * result or fails with its error. Throws a `TypeError` after `release()`.
   */
  call<A extends unknown[], R>(work: ThreadWork<A, R>, ...args: A): Deferred<R>;
  /** Run the export `name` of the task module at `module` on the leased thread. */
  call(module: URL, name: string, ...args: unknown[]): Deferred<unknown>;
  call(work: unknown, ...args: unknown[]): Deferred<unknown> {
    if (this.#released) {
      throw new TypeError(
        `This lease of thread ${this.threadNumber} was released; acquire another with pool.acquireThread()`,
      );
    }
    const t = toTask(work, args);
    if (this.#crashed !== null) return fail(this.#crashed);
    return this.#call(t.task, t.args);
  }

  /**
   * Give the thread back to the pool (after the calls it still runs). Calling
   * it twice throws a `TypeError`.
   */
  release(): void {
    if (this.#released) {
      throw new TypeError(`This lease of thread ${this.threadNumber} was already released`);
    }
    this.#released = true;
    this.#release();
  }
}
