/**
 * The option and callback types of {@linkcode ThreadPool}.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type { IReactorFromThreads } from "../interfaces.ts";
import type { Task, ThreadFunction } from "./task.ts";

/** Options of a {@linkcode ThreadPool}. */
export interface ThreadPoolOptions {
  /** Threads kept even when idle, once started (default 5, as Twisted). */
  readonly minThreads?: number;
  /** Threads at most; work beyond waits in FIFO order (default 20, as Twisted). */
  readonly maxThreads?: number;
  /** The pool's name, in thread names and error messages. */
  readonly name?: string;
  /** Seconds an idle thread above `minThreads` lives before it ends (default 10). */
  readonly idleTimeout?: number;
  /**
   * Run the functions threads call by name (`expose`) through this reactor's
   * `callFromThread`, so they run inside a reactor iteration (as Twisted's
   * `blockingCallFromThread` does) while it runs. Without it, or while it is
   * not running, they run as soon as the thread's message arrives.
   */
  readonly reactor?: IReactorFromThreads & { readonly running?: boolean; };
}

/** Options of {@linkcode ThreadPool.stop}. */
export interface ThreadPoolStopOptions {
  /**
   * Seconds to wait for running work before ending its threads anyway; that
   * work fails with `WorkerCrashed`. Without it, `stop()` waits as long as it
   * takes.
   */
  readonly timeout?: number;
}

/**
 * One call of {@linkcode ThreadPool.callMultipleWithCallback}: `[work, args]`,
 * or `[moduleUrl, [name, ...args]]`.
 */
export type MultiCall = readonly [
  // deno-lint-ignore no-explicit-any
  work: Task<any, unknown> | ThreadFunction | URL,
  args: readonly unknown[],
];

/** The callback of {@linkcode ThreadPool.callInThreadWithCallback}: `(true, result)` or `(false, failure)`. */
export type OnResult<R> = (success: boolean, result: R | Failure) => void;
