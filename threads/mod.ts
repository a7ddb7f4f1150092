/**
 * Threads: Twisted's `ThreadPool`, `deferToThread` and friends over Workers.
 *
 * A JavaScript closure cannot cross into a Worker, so what runs in a thread is
 * named in a form that can: an export of a task module
 * (`task(new URL("./work.ts", import.meta.url), "hashFile")`, or the
 * `(url, name, ...args)` form), or a self-contained function shipped by its
 * source (`(n: number) => n * 2`). Arguments and results cross by structured
 * clone; `ArrayBuffer`s move instead on request (`transferArgs`,
 * `transferResult`). Inside a thread, `@skein/skein/threads/worker` reaches
 * functions the reactor thread exposed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ThreadLease, ThreadPool } from "@skein/skein/threads";
 * const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
 * pool.start();
 * const lease: ThreadLease = await pool.acquireThread();
 * assert.equal(await lease.call((a: number, b: number) => a + b, 2, 3), 5);
 * lease.release();
 * await pool.stop();
 * ```
 *
 * @module
 */
export type { JobSpec } from "./_wire.ts";
export * from "./defer_to_thread.ts";
export * from "./errors.ts";
export {
  Task,
  task,
  type TaskModule,
  taskModule,
  type TaskOptions,
  type ThreadFunction,
  type ThreadWork,
} from "./task.ts";
export {
  type MultiCall,
  type OnResult,
  ThreadLease,
  ThreadPool,
  type ThreadPoolOptions,
  type ThreadPoolStopOptions,
} from "./thread_pool.ts";
