/**
 * Where a pool's connections live: a `ThreadSource` hands out pinned threads
 * (`ConnectionThread`), each running the pool's task module (`_worker.ts`)
 * for one connection. The pool's default source is a `ThreadPool` of Workers
 * (`_thread_source.ts`); `inProcessThreads()` runs the same task module on
 * the calling thread, a turn later, for the pool's own tests (as Twisted's
 * tests swap in a `NonThreadPool`). Internal.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import * as tasks from "./_worker.ts";

/** The task module's exports, by name. */
export type WorkerTasks = typeof tasks;
/** The name of one task of the task module. */
export type TaskName = "open" | "statements" | "execute" | "commit" | "rollback" | "close";
/** What task `K` answers. */
export type TaskResult<K extends TaskName> = Awaited<ReturnType<WorkerTasks[K]>>;

/** One thread pinned to one connection: every call runs on it, in order. */
export interface ConnectionThread {
  /** Run task `name` on this thread. */
  call<K extends TaskName>(name: K, ...args: Parameters<WorkerTasks[K]>): Deferred<TaskResult<K>>;
  /** True once the thread died (its calls fail): the pool drops it and leases another. */
  readonly dead: boolean;
  /** Give the thread back to its source. */
  release(): void;
}

/** Hands out pinned threads. */
export interface ThreadSource {
  /** Start (threads may be started ahead of use). */
  start(): void;
  /** A thread of its own for one connection, once one is free. */
  acquire(): Deferred<ConnectionThread>;
  /** Stop every thread; fires when they have stopped. */
  stop(): Deferred<void>;
}

/** The pool option key (not part of the public options) that swaps the thread source. */
export const THREAD_SOURCE: unique symbol = Symbol("adbapi thread source");

/** A source whose "threads" run the task module on this thread, each call a turn later. */
export function inProcessThreads(): ThreadSource {
  const call = <K extends TaskName>(
    name: K,
    args: Parameters<WorkerTasks[K]>,
  ): Deferred<TaskResult<K>> => {
    const fn = tasks[name] as (...a: unknown[]) => TaskResult<K> | Promise<TaskResult<K>>;
    return Deferred.fromPromise(Promise.resolve().then(() => fn(...args)));
  };
  return {
    start(): void {},
    acquire(): Deferred<ConnectionThread> {
      const d = new Deferred<ConnectionThread>();
      d.callback({
        call: (name, ...args) => call(name, args),
        dead: false,
        release(): void {},
      });
      return d;
    },
    stop(): Deferred<void> {
      const d = new Deferred<void>();
      d.callback(undefined);
      return d;
    },
  };
}
