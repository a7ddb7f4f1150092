/**
 * `deferToThread` and friends: Twisted's `twisted.internet.threads`.
 *
 * @module
 */

import { Deferred, fail } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorCore } from "../interfaces.ts";
import * as log from "../log/log.ts";
import { getReactor } from "../reactor/install.ts";
import type { ThreadWork } from "./task.ts";
import type { MultiCall, ThreadPool } from "./thread_pool.ts";

/**
 * Run `work(...args)` in `pool` and return a Deferred that fires with its
 * result (or fails with its error) on the reactor thread (Twisted's
 * `deferToThreadPool`). Twisted needs `reactor.callFromThread` to get back to
 * the reactor thread; here the thread's answer already arrives on it, as an
 * I/O event does, so the Deferred fires as soon as the answer arrives, with no
 * extra hop through the reactor's queue (and nothing is lost in that queue
 * when the reactor has stopped). `reactor` is the reactor the caller runs on,
 * kept for Twisted's signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor } from "@skein/skein/reactor";
 * import { deferToThreadPool, ThreadPool } from "@skein/skein/threads";
 *
 * const reactor = createReactor("host");
 * const pool = new ThreadPool({ minThreads: 0, maxThreads: 2 });
 * pool.start();
 * reactor.callWhenRunning(async () => {
 *   assert.equal(await deferToThreadPool(reactor, pool, (a: number, b: number) => a * b, 6, 7), 42);
 *   await pool.stop();
 *   reactor.stop();
 * });
 * await reactor.run();
 * ```
 */
export function deferToThreadPool<A extends unknown[], R>(
  reactor: IReactorCore,
  pool: ThreadPool,
  work: ThreadWork<A, R>,
  ...args: A
): Deferred<R>;
/** The same with a task module URL and export name. */
export function deferToThreadPool(
  reactor: IReactorCore,
  pool: ThreadPool,
  module: URL,
  name: string,
  ...args: unknown[]
): Deferred<unknown>;
export function deferToThreadPool(
  _reactor: IReactorCore,
  pool: ThreadPool,
  work: unknown,
  ...args: unknown[]
): Deferred<unknown> {
  const d = new Deferred<unknown>();
  const onResult = (ok: boolean, result: unknown): void => {
    if (ok) d.callback(result);
    else d.errback(result as Failure);
  };
  try {
    (pool.callInThreadWithCallback as (
      onResult: (ok: boolean, result: unknown) => void,
      work: unknown,
      ...args: unknown[]
    ) => void)(onResult, work, ...args);
  } catch (e) {
    return fail(e);
  }
  return d;
}

/**
 * Run `work(...args)` in the process reactor's thread pool (Twisted's
 * `deferToThread`); the Deferred fires on the reactor thread. `work` is a
 * task, a self-contained function (shipped by its source, so it must not use
 * variables from around it), or a task module URL and export name:
 * `deferToThread(new URL("./work.ts", import.meta.url), "hashFile", path)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installReactor } from "@skein/skein/reactor";
 * import { deferToThread } from "@skein/skein/threads";
 *
 * const reactor = installReactor("host");
 * reactor.callWhenRunning(async () => {
 *   const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 *   assert.equal(await deferToThread((n: number) => {
 *     const f = (k: number): number => (k < 2 ? k : f(k - 1) + f(k - 2));
 *     return f(n);
 *   }, 20), fib(20));
 *   reactor.stop();
 * });
 * await reactor.run();
 * ```
 */
export function deferToThread<A extends unknown[], R>(
  work: ThreadWork<A, R>,
  ...args: A
): Deferred<R>;
/** The same with a task module URL and export name. */
export function deferToThread(module: URL, name: string, ...args: unknown[]): Deferred<unknown>;
export function deferToThread(work: unknown, ...args: unknown[]): Deferred<unknown> {
  const reactor = getReactor();
  return (deferToThreadPool as (
    r: IReactorCore,
    p: ThreadPool,
    w: unknown,
    ...a: unknown[]
  ) => Deferred<unknown>)(reactor, reactor.getThreadPool(), work, ...args);
}

/**
 * Run several calls one after another in a single thread of the process
 * reactor's pool, in order (Twisted's `callMultipleInThread`). Each call runs
 * even when an earlier one threw; errors are logged (`log.err`), as in
 * Twisted.
 *
 * @example
 * ```ts
 * import { installReactor } from "@skein/skein/reactor";
 * import { callMultipleInThread } from "@skein/skein/threads";
 *
 * const reactor = installReactor("host");
 * reactor.callWhenRunning(() => {
 *   callMultipleInThread([[(s: string) => s.length, ["abc"]], [() => 1, []]]);
 *   reactor.stop();
 * });
 * await reactor.run();
 * ```
 */
export function callMultipleInThread(calls: readonly MultiCall[]): void {
  getReactor().getThreadPool().callMultipleWithCallback((ok, result) => {
    if (!ok) log.err(result, "Error in callMultipleInThread");
  }, calls);
}
