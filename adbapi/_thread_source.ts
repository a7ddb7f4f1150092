/**
 * The pool's default thread source: threads leased from a `ThreadPool` of
 * Workers (`acquireThread`), each running the task module `_worker.ts` for
 * one connection. Internal.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import { type Task, task } from "../threads/task.ts";
import { type ThreadLease, ThreadPool } from "../threads/thread_pool.ts";
import type {
  ConnectionThread,
  TaskName,
  TaskResult,
  ThreadSource,
  WorkerTasks,
} from "./_runner.ts";
import type * as Work from "./_worker.ts";

const MODULE = new URL("./_worker.ts", import.meta.url);

/** One typed task per export of the task module. */
const TASKS: { readonly [K in TaskName]: Task<Parameters<WorkerTasks[K]>, TaskResult<K>>; } = {
  open: task<typeof Work.open>(MODULE, "open"),
  statements: task<typeof Work.statements>(MODULE, "statements"),
  execute: task<typeof Work.execute>(MODULE, "execute"),
  commit: task<typeof Work.commit>(MODULE, "commit"),
  rollback: task<typeof Work.rollback>(MODULE, "rollback"),
  close: task<typeof Work.close>(MODULE, "close"),
};

/** Leases from a `ThreadPool` of `min`…`max` Workers named after the connection pool. */
export function workerThreads(min: number, max: number, name: string): ThreadSource {
  const pool = new ThreadPool({ minThreads: min, maxThreads: max, name: `adbapi ${name}` });
  const wrap = (lease: ThreadLease): ConnectionThread => ({
    call: <K extends TaskName>(
      name: K,
      ...args: Parameters<WorkerTasks[K]>
    ): Deferred<TaskResult<K>> =>
      lease.call(TASKS[name] as Task<Parameters<WorkerTasks[K]>, TaskResult<K>>, ...args),
    get dead(): boolean {
      return lease.crashed !== null;
    },
    release: (): void => {
      if (!lease.released) lease.release();
    },
  });
  return {
    start: (): void => pool.start(),
    acquire: (): Deferred<ConnectionThread> => pool.acquireThread().addCallback(wrap),
    stop: (): Deferred<void> => pool.stop(),
  };
}
