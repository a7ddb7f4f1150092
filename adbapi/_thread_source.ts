/**
 * The pool's default thread source: pinned threads leased from a
 * `ThreadPool` of Workers, each running the task module `_worker.ts`.
 * Internal.
 *
 * @module
 */

import type { ThreadSource } from "./_runner.ts";

/** Leases from a `ThreadPool` of `min`…`max` Workers named after the pool. */
export function workerThreads(min: number, max: number, name: string): ThreadSource {
  void min;
  void max;
  throw new Error(`ConnectionPool ${name}: the Worker thread source is not available yet`);
}
