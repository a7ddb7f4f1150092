/**
 * Shared helpers for the thread tests.
 *
 * @module
 */

import type { Failure } from "../../deferred/failure.ts";
import type { ThreadWork } from "../../threads/task.ts";
import type { OnResult, ThreadPool } from "../../threads/thread_pool.ts";

/** The task module the tests run. */
export const WORK: URL = new URL("./_work.ts", import.meta.url);

/** `callInThreadWithCallback` as a promise of `[success, result]`. */
export function run<A extends unknown[], R>(
  pool: ThreadPool,
  work: ThreadWork<A, R>,
  ...args: A
): Promise<[boolean, R | Failure]> {
  return new Promise((resolve) => {
    const onResult: OnResult<R> = (ok, result) => resolve([ok, result]);
    pool.callInThreadWithCallback(onResult, work, ...args);
  });
}

/** A gate that threads block on (`waitGate`) until the test opens it. */
export class Gate {
  /** The shared words: [0] open flag, [1] arrivals. */
  readonly sab: SharedArrayBuffer = new SharedArrayBuffer(8);
  readonly #i32: Int32Array = new Int32Array(this.sab);
  /** Let every waiting (and later) thread through. */
  open(): void {
    Atomics.store(this.#i32, 0, 1);
    Atomics.notify(this.#i32, 0);
  }
  /** Threads that reached the gate. */
  get arrived(): number {
    return Atomics.load(this.#i32, 1);
  }
  /** Resolve once `n` threads reached the gate. */
  async arrivals(n: number): Promise<void> {
    for (;;) {
      const seen = Atomics.load(this.#i32, 1);
      if (seen >= n) return;
      const w = Atomics.waitAsync(this.#i32, 1, seen, 10_000);
      if (w.async) await w.value;
    }
  }
}

/** Resolve once `cond()` holds, checking every 5 ms (fails after `ms`: a deadline for a slow, loaded machine, not a timing bound). */
export async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
