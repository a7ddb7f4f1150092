/**
 * `ThreadPool`: Twisted's `twisted.python.threadpool.ThreadPool` over Workers.
 * `ThreadLease` (a thread pinned to one user) and the pool's option types
 * live beside it and are re-exported here.
 *
 * @module
 */

import { setTimeout as setHostTimeout } from "node:timers";
import { Deferred, fail, succeed } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import { maybeDeferred } from "../deferred/maybe_deferred.ts";
import type { IReactorFromThreads } from "../interfaces.ts";
import * as log from "../log/log.ts";
import { PoolThread } from "./_pool_thread.ts";
import { toTask } from "./_to_task.ts";
import { type FromThread, fromWireError, toWireError } from "./_wire.ts";
import { ThreadPoolStopped, WorkerCrashed } from "./errors.ts";
import type { Task, ThreadFunction, ThreadWork } from "./task.ts";
import { ThreadLease } from "./thread_lease.ts";
import type {
  MultiCall,
  OnResult,
  ThreadPoolOptions,
  ThreadPoolStopOptions,
} from "./thread_pool_options.ts";

export { ThreadLease } from "./thread_lease.ts";
export type {
  MultiCall,
  OnResult,
  ThreadPoolOptions,
  ThreadPoolStopOptions,
} from "./thread_pool_options.ts";

interface WorkEntry {
  readonly kind: "work";
  readonly task: Task;
  readonly args: unknown[];
  readonly onResult: OnResult<unknown>;
  readonly multi?: readonly { task: Task; args: unknown[]; }[];
}
interface LeaseEntry {
  readonly kind: "lease";
  readonly d: Deferred<ThreadLease>;
}
type Entry = WorkEntry | LeaseEntry;

interface Pending {
  readonly thread: PoolThread;
  readonly onResult: OnResult<unknown>;
  /** The job's key, whose running time (`#cost`) the answer updates; 0 for none. */
  readonly key: number;
  /** Whether the job was not known to be quick when the call was posted. */
  readonly slow: boolean;
}

let pools = 0;

/** An idle thread stops holding the process open after this many ms. */
const UNREF_AFTER_MS = 20;

/**
 * A job whose calls have run for less than this in their thread (ms, a
 * running average) is quick: queued calls of quick jobs go to a thread
 * several to a message. Longer work goes one call at a time, so that no
 * call waits behind another in one thread while a second thread idles.
 */
const CHEAP_MS = 0.25;
/** The most calls one message carries. */
const MAX_BATCH = 32;
/** The CPU cores (threads beyond them do not run quick work any sooner). */
const CORES: number = Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);

/**
 * A pool of Worker threads for blocking or CPU-bound work (Twisted's
 * `ThreadPool`). Work waits in one FIFO queue; Workers start lazily when work
 * arrives, up to `maxThreads`; idle Workers above `minThreads` end after
 * `idleTimeout` seconds. Idle Workers never hold the process open.
 *
 * Work is a task ({@linkcode task}), a self-contained function, or a module
 * URL and export name. Errors thrown in a thread come back as a `Failure`
 * whose value keeps the error's class name, message, stack and `cause`. A
 * Worker that dies fails the work it held with `WorkerCrashed` and is
 * replaced; other queued work goes on (a Worker out of memory is the
 * exception: see `WorkerCrashed`). Work queued when the pool stops fails
 * with `ThreadPoolStopped`.
 *
 * Calls of a quick job (one that has run for under 0.25 ms a call in its
 * thread) wait for the threads already running quick work, no more of them
 * than the CPU cores, and go to them several to a message; each is still
 * run and answered in order, as if it came alone. Longer work goes one call
 * at a time to any idle thread.
 *
 * Threads reach functions of the reactor thread by name: `pool.expose({ getUser })`,
 * then `callFromThread("getUser", 1)` / `blockingCallFromThread("getUser", 1)`
 * from `@skein/skein/threads/worker` inside the thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ThreadPool } from "@skein/skein/threads";
 *
 * const pool = new ThreadPool({ minThreads: 0, maxThreads: 2, name: "demo" });
 * pool.start();
 * const results: number[] = [];
 * await new Promise<void>((done) => {
 *   for (const n of [1, 2, 3]) {
 *     pool.callInThreadWithCallback((ok, value) => {
 *       if (ok) results.push(value as number);
 *       if (results.length === 3) done();
 *     }, (x: number) => x * 10, n);
 *   }
 * });
 * assert.deepEqual(results.sort(), [10, 20, 30]);
 * await pool.stop();
 * assert.equal(pool.workers, 0);
 * ```
 */
export class ThreadPool {
  /** The pool's name. */
  readonly name: string;
  #min: number;
  #max: number;
  #idleTimeout: number;
  #reactor: (IReactorFromThreads & { readonly running?: boolean; }) | undefined;
  #started = false;
  #stopped = false;
  #threads = new Set<PoolThread>();
  #idle: PoolThread[] = [];
  #leases = new Map<PoolThread, ThreadLease>();
  #released = new Set<PoolThread>();
  #draining = new Set<PoolThread>();
  #drainWaiters: Array<() => void> = [];
  #queue: Entry[] = [];
  #pending = new Map<number, Pending>();
  #sweepTimer: ReturnType<typeof setHostTimeout> | null = null;
  #sweepAt = Infinity;
  #exposed = new Map<string, ThreadFunction>();
  #nextId = 1;
  #nextThread = 1;
  /** How long a call of each job runs in its thread (ms, a running average), by key. */
  #cost = new Map<number, number>();
  /** Calls in flight on each thread of jobs not known to be quick. */
  #slow = new Map<PoolThread, number>();

  /** A pool of `minThreads` (5) to `maxThreads` (20) threads; call `start()` to run work. */
  constructor(options: ThreadPoolOptions = {}) {
    this.#min = options.minThreads ?? 5;
    this.#max = options.maxThreads ?? 20;
    checkSizes(this.#min, this.#max);
    this.name = options.name ?? `skein.threads.${++pools}`;
    const idle = options.idleTimeout ?? 10;
    if (!(idle >= 0)) {
      throw new RangeError(`ThreadPool: idleTimeout must be a number of seconds >= 0, got ${idle}`);
    }
    this.#idleTimeout = idle;
    this.#reactor = options.reactor;
  }

  /** The least number of threads kept once started. */
  get minThreads(): number {
    return this.#min;
  }

  /** The most threads the pool runs at once. */
  get maxThreads(): number {
    return this.#max;
  }

  /** True between `start()` and `stop()`. */
  get started(): boolean {
    return this.#started;
  }

  /** Threads alive or starting (including those a `stop()` is still waiting for). */
  get workers(): number {
    return this.#threads.size + this.#draining.size;
  }

  /** Threads running work or leased. */
  get working(): number {
    let n = 0;
    for (const t of this.#threads) if (t.inFlight > 0 || this.#leases.has(t)) n++;
    for (const t of this.#draining) if (t.inFlight > 0 || this.#leases.has(t)) n++;
    return n;
  }

  /** Threads idle, waiting for work. */
  get waiters(): number {
    return this.#idle.length;
  }

  /** Work and lease requests waiting for a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Start running work: start `minThreads` threads and as many as the queued
   * work needs (up to `maxThreads`). Work submitted before `start()` waits.
   * A stopped pool may be started again.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#fill();
  }

  /**
   * Stop: queued work and lease requests fail with `ThreadPoolStopped`,
   * running work finishes, then every Worker ends. The Deferred fires once
   * all have ended. With `timeout`, threads still busy after that many seconds
   * are ended and their work fails with `WorkerCrashed`. Leases end with the
   * pool: their later calls fail with `ThreadPoolStopped`.
   */
  stop(options: ThreadPoolStopOptions = {}): Deferred<void> {
    if (this.#started) {
      this.#started = false;
      this.#stopped = true;
      const queue = this.#queue;
      this.#queue = [];
      for (const e of queue) {
        this.#failEntry(
          e,
          new ThreadPoolStopped(
            `ThreadPool ${JSON.stringify(this.name)} stopped before this work started; `
              + "start the pool again (pool.start()) to run more work",
          ),
        );
      }
      for (const t of this.#threads) {
        this.#draining.add(t);
      }
      this.#threads.clear();
      this.#idle = [];
      if (this.#sweepTimer !== null) clearTimeout(this.#sweepTimer);
      this.#sweepTimer = null;
      this.#sweepAt = Infinity;
      for (const t of [...this.#draining]) {
        if (t.inFlight === 0) this.#end(t);
      }
    }
    const d = new Deferred<void>();
    if (this.#draining.size === 0) return succeed<void>(undefined);
    this.#drainWaiters.push(() => d.callback(undefined));
    const timeout = options.timeout;
    if (timeout !== undefined) {
      if (!(timeout >= 0)) {
        throw new RangeError(`ThreadPool.stop: timeout must be seconds >= 0, got ${timeout}`);
      }
      const timer = setHostTimeout(() => {
        for (const t of [...this.#draining]) {
          this.#failThread(
            t,
            new WorkerCrashed(
              `ended by ThreadPool.stop({ timeout: ${timeout} }) while its work was still running`,
            ),
          );
          this.#end(t);
        }
      }, timeout * 1000);
      timer.unref();
      d.addBoth((r) => {
        clearTimeout(timer);
        return r;
      });
    }
    return d;
  }

  /**
   * Set the pool's bounds (Twisted's `adjustPoolsize`); omitted ones stay.
   * A running pool starts threads up to the new minimum and ends idle ones
   * above the new maximum (busy ones end when their work is done).
   */
  adjustPoolsize(minThreads: number = this.#min, maxThreads: number = this.#max): void {
    checkSizes(minThreads, maxThreads);
    this.#min = minThreads;
    this.#max = maxThreads;
    if (!this.#started) return;
    while (this.#threads.size > this.#max && this.#idle.length > 0) this.#end(this.#idle.pop()!);
    this.#fill();
  }

  /**
   * Run `work(...args)` in a thread, ignoring its result; an error is logged
   * (`log.err`), as Twisted does.
   */
  callInThread<A extends unknown[], R>(work: ThreadWork<A, R>, ...args: A): void;
  /** Run the export `name` of the task module at `module` in a thread. */
  callInThread(module: URL, name: string, ...args: unknown[]): void;
  callInThread(work: unknown, ...args: unknown[]): void {
    const t = toTask(work, args);
    this.#submit(t.task, t.args, (ok, result) => {
      if (!ok) log.err(result, `Unhandled error in thread work ${t.task.label}`);
    });
  }

  /**
   * Run `work(...args)` in a thread and call `onResult(true, result)` or
   * `onResult(false, failure)` on the reactor thread when it is done
   * (Twisted calls it in the worker thread; here it runs where JavaScript
   * objects live). An error thrown by `onResult` is logged.
   */
  callInThreadWithCallback<A extends unknown[], R>(
    onResult: OnResult<R>,
    work: ThreadWork<A, R>,
    ...args: A
  ): void;
  /** The same with a module URL and export name. */
  callInThreadWithCallback(
    onResult: OnResult<unknown>,
    module: URL,
    name: string,
    ...args: unknown[]
  ): void;
  callInThreadWithCallback(onResult: OnResult<unknown>, work: unknown, ...args: unknown[]): void {
    if (typeof onResult !== "function") {
      throw new TypeError("callInThreadWithCallback: onResult must be a function");
    }
    const t = toTask(work, args);
    this.#submit(t.task, t.args, onResult);
  }

  /**
   * Run several calls one after another in a single thread, in order
   * (Twisted's `callMultipleInThread`). `onResult(true, undefined)` once all
   * ran; `onResult(false, failure)` when any threw (every call still runs; the
   * failure's value is the first error, or an `AggregateError` of all).
   */
  callMultipleWithCallback(
    onResult: OnResult<undefined>,
    calls: readonly MultiCall[],
  ): void {
    this.#checkOpen();
    const tasks = calls.map(([w, a]) => toTask(w, [...a]));
    const first = tasks[0];
    if (first === undefined) {
      onResult(true, undefined);
      return;
    }
    this.#queue.push({
      kind: "work",
      task: first.task,
      args: first.args,
      onResult: onResult as OnResult<unknown>,
      multi: tasks,
    });
    this.#dispatch();
  }

  /**
   * Lease a thread for your use alone (see {@linkcode ThreadLease}). The
   * request waits in the same FIFO queue as work when every thread is busy.
   * Fails with `ThreadPoolStopped` if the pool stops first.
   */
  acquireThread(): Deferred<ThreadLease> {
    this.#checkOpen();
    const d = new Deferred<ThreadLease>();
    this.#queue.push({ kind: "lease", d });
    this.#dispatch();
    return d;
  }

  /**
   * Make functions of the reactor thread callable from threads by name, with
   * `callFromThread(name, ...args)` and `blockingCallFromThread(name, ...args)`
   * from `@skein/skein/threads/worker`. A function may return a Deferred or a
   * promise; the blocking form waits for it.
   */
  expose(functions: Record<string, ThreadFunction>): void {
    for (const [name, fn] of Object.entries(functions)) {
      if (typeof fn !== "function") {
        throw new TypeError(`expose: ${JSON.stringify(name)} is not a function`);
      }
      this.#exposed.set(name, fn);
    }
  }

  // -------------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#stopped) {
      throw new ThreadPoolStopped(
        `ThreadPool ${JSON.stringify(this.name)} has stopped; start it again (pool.start()) first`,
      );
    }
  }

  #submit(task: Task, args: unknown[], onResult: OnResult<unknown>): void {
    this.#checkOpen();
    this.#queue.push({ kind: "work", task, args, onResult });
    this.#dispatch();
  }

  #where(n: number): string {
    return `${this.name}-${n}`;
  }

  #spawn(): void {
    const n = this.#nextThread++;
    const t = new PoolThread(n, this.#where(n), {
      ready: (thread) => this.#becomeIdle(thread),
      done: (thread, id, value, ms) => this.#settle(thread, id, true, value, ms),
      message: (thread, m) => this.#onMessage(thread, m),
      crashed: (thread, error) => this.#onCrash(thread, error),
    });
    this.#threads.add(t);
  }

  /** Start threads up to the minimum and as the queue needs. */
  #fill(): void {
    while (this.#threads.size < this.#min) this.#spawn();
    this.#dispatch();
  }

  #dispatch(): void {
    if (!this.#started) return;
    while (this.#queue.length > 0 && this.#idle.length > 0) {
      // Quick work waits for the threads already running quick work, as
      // many as there are cores, rather than wake another: it goes to them
      // several to a message once they answer.
      if (this.#cheap(this.#queue[0]!) && this.#quickBusy() >= CORES) return;
      const thread = this.#idle.pop()!;
      const batch = this.#cheapRun();
      if (batch === null) this.#assign(this.#queue.shift()!, thread);
      else this.#postMany(thread, batch);
    }
    if (this.#queue.length === 0) return;
    let starting = 0;
    for (const t of this.#threads) if (!t.ready) starting++;
    let need = this.#queue.length - starting;
    while (need-- > 0 && this.#threads.size < this.#max) this.#spawn();
  }

  #assign(entry: Entry, thread: PoolThread): void {
    thread.hold(true);
    if (entry.kind === "lease") {
      const lease: ThreadLease = new ThreadLease(
        thread.number,
        (task, args) => this.#leaseCall(thread, lease, task, args),
        () => this.#leaseReleased(thread, lease),
      );
      this.#leases.set(thread, lease);
      entry.d.callback(lease);
      return;
    }
    if (!this.#post(thread, entry)) this.#becomeIdle(thread);
  }

  /**
   * The quick calls at the head of the queue, taken out, when there are
   * several: a fair share of them for one thread (the queue over the
   * threads that can run at once: no more than the CPU cores). `null` when
   * the head is not such a call.
   */
  #cheapRun(): WorkEntry[] | null {
    const q = this.#queue;
    const spread = Math.max(1, Math.min(this.#threads.size, CORES));
    const share = Math.min(MAX_BATCH, Math.ceil(q.length / spread));
    if (share < 2 || !this.#cheap(q[0]!) || !this.#cheap(q[1]!)) return null;
    let n = 2;
    while (n < share && this.#cheap(q[n]!)) n++;
    return q.splice(0, n) as WorkEntry[];
  }

  /** Threads of the pool (not leased) running only calls of quick jobs. */
  #quickBusy(): number {
    let n = 0;
    for (const t of this.#threads) {
      if (t.inFlight > 0 && !this.#leases.has(t) && !this.#slow.has(t)) n++;
    }
    return n;
  }

  /** Whether `e` is one call of a job known to be cheap, with nothing to transfer. */
  #cheap(e: Entry): boolean {
    if (e.kind !== "work" || e.multi !== undefined || e.task.transferArgs) return false;
    const cost = this.#cost.get(e.task.wire(e.args).key);
    return cost !== undefined && cost < CHEAP_MS;
  }

  /** Post `entries` to `thread` in one message (each alone if their arguments cannot all be sent). */
  #postMany(thread: PoolThread, entries: WorkEntry[]): void {
    thread.hold(true);
    const first = this.#nextId;
    const calls = entries.map((e, i) => {
      const w = e.task.wire(e.args);
      return { id: first + i, key: w.key, spec: w.spec, args: e.args };
    });
    try {
      thread.runMany(calls);
    } catch {
      // Some argument cannot be cloned: post each alone, to fail just that one.
      let posted = 0;
      for (const e of entries) if (this.#post(thread, e)) posted++;
      if (posted === 0) this.#becomeIdle(thread);
      return;
    }
    this.#nextId += entries.length;
    for (let i = 0; i < entries.length; i++) {
      this.#pending.set(first + i, {
        thread,
        onResult: entries[i]!.onResult,
        key: calls[i]!.key,
        slow: false,
      });
    }
  }

  /** Post a work entry to a thread; false (and the entry failed) when its arguments cannot be sent. */
  #post(thread: PoolThread, entry: WorkEntry): boolean {
    const id = this.#nextId++;
    let key = 0;
    try {
      if (entry.multi !== undefined) {
        let transfer: ArrayBuffer[] = [];
        const calls = entry.multi.map((c) => {
          const w = c.task.wire(c.args);
          if (w.transfer.length > 0) transfer = transfer.concat(w.transfer);
          return thread.knows(w.key)
            ? { key: w.key, args: c.args }
            : { key: w.key, spec: w.spec, args: c.args };
        });
        thread.post({ op: "multi", id, calls }, transfer);
      } else {
        const w = entry.task.wire(entry.args);
        key = w.key;
        thread.run(id, w.key, w.spec, entry.args, w.transfer);
      }
    } catch (e) {
      safeCall(
        entry.onResult,
        false,
        new Failure(
          new TypeError(
            `The arguments of ${entry.task.label} could not be sent to the thread (${
              e instanceof Error ? e.message : String(e)
            }): pass plain data (numbers, strings, arrays, objects, Uint8Array, Map, ...)`,
            { cause: e },
          ),
        ),
      );
      return false;
    }
    const cost = this.#cost.get(key);
    const slow = key === 0 || cost === undefined || cost >= CHEAP_MS;
    if (slow) this.#slow.set(thread, (this.#slow.get(thread) ?? 0) + 1);
    this.#pending.set(id, { thread, onResult: entry.onResult, key, slow });
    return true;
  }

  #leaseCall(
    thread: PoolThread,
    lease: ThreadLease,
    task: Task,
    args: unknown[],
  ): Deferred<unknown> {
    if (thread.ended || this.#leases.get(thread) !== lease) {
      return fail(
        new ThreadPoolStopped(
          `ThreadPool ${JSON.stringify(this.name)} stopped, and its leased threads with it`,
        ),
      );
    }
    const d = new Deferred<unknown>();
    const deliver: OnResult<unknown> = (ok, result) => {
      if (ok) d.callback(result);
      else d.errback(result);
    };
    this.#post(thread, { kind: "work", task, args, onResult: deliver });
    return d;
  }

  #leaseReleased(thread: PoolThread, lease: ThreadLease): void {
    if (this.#leases.get(thread) !== lease) return;
    if (thread.inFlight > 0) {
      this.#released.add(thread);
      return;
    }
    this.#leases.delete(thread);
    this.#becomeIdle(thread);
  }

  #onMessage(thread: PoolThread, m: FromThread): void {
    switch (m.op) {
      case "done":
        this.#settle(thread, m.id, true, m.value);
        return;
      case "failed":
        this.#settle(thread, m.id, false, new Failure(fromWireError(m.error)));
        return;
      case "multiFailed": {
        const errors = m.errors.map(fromWireError);
        this.#settle(
          thread,
          m.id,
          false,
          new Failure(
            errors.length === 1
              ? errors[0]
              : new AggregateError(errors, `${errors.length} of the calls failed in the thread`),
          ),
        );
        return;
      }
      case "call":
      case "blockingCall":
        this.#callExposed(thread, m.name, m.args, m.op === "blockingCall");
        return;
    }
  }

  /**
   * A call's outcome arrived (with how long it ran in the thread, `ms`,
   * when it succeeded): hand it over, and free the thread when it has
   * nothing left.
   */
  #settle(thread: PoolThread, id: number, ok: boolean, result: unknown, ms?: number): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    thread.answered();
    if (p.slow) {
      const left = this.#slow.get(thread)! - 1;
      if (left === 0) this.#slow.delete(thread);
      else this.#slow.set(thread, left);
    }
    if (p.key !== 0 && ms !== undefined && ms >= 0) {
      const was = this.#cost.get(p.key);
      this.#cost.set(p.key, was === undefined ? ms : was + (ms - was) / 4);
    }
    safeCall(p.onResult, ok, result);
    if (thread.inFlight === 0) {
      if (this.#draining.has(thread)) this.#end(thread);
      else {
        if (this.#released.delete(thread)) this.#leases.delete(thread);
        if (!this.#leases.has(thread)) this.#becomeIdle(thread);
      }
    }
  }

  #callExposed(thread: PoolThread, name: string, args: unknown[], blocking: boolean): void {
    const run = (): void => {
      const fn = this.#exposed.get(name);
      const d = fn === undefined
        ? fail(
          new TypeError(
            `No function named ${JSON.stringify(name)} is exposed to the threads of ThreadPool ${
              JSON.stringify(this.name)
            }; expose it on the reactor thread with pool.expose({ ${name} })`,
          ),
        )
        : maybeDeferred(fn, ...args);
      d.addCallbacks(
        (value) => {
          if (!blocking) return;
          try {
            thread.reply({ ok: true, value });
          } catch (e) {
            thread.reply({
              ok: false,
              error: toWireError(
                new TypeError(
                  `The result of ${name} could not be sent to the thread (${
                    e instanceof Error ? e.message : String(e)
                  }): return plain data`,
                ),
              ),
            });
          }
        },
        (f: Failure) => {
          if (blocking) thread.reply({ ok: false, error: toWireError(f.value) });
          else log.err(f, `Error in ${name}, called from thread ${this.#where(thread.number)}`);
        },
      );
    };
    this.#onReactor(run);
  }

  /** Run `fn` in a reactor iteration while the pool's reactor runs, else now. */
  #onReactor(fn: () => void): void {
    const r = this.#reactor;
    if (r !== undefined && r.running !== false) r.callFromThread(fn);
    else fn();
  }

  #onCrash(thread: PoolThread, error: WorkerCrashed): void {
    const wasReady = thread.ready;
    this.#threads.delete(thread);
    const i = this.#idle.indexOf(thread);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#failThread(thread, error);
    if (this.#draining.delete(thread)) this.#checkDrained();
    // A thread that died before it could start would die again: fail the
    // oldest waiting entry instead of starting threads forever.
    if (!wasReady && this.#queue.length > 0) {
      this.#failEntry(
        this.#queue.shift()!,
        new WorkerCrashed(`the thread could not start (${error.message})`, { cause: error }),
      );
    }
    if (this.#started) this.#fill();
  }

  /** Fail every call a thread holds, and its lease. */
  #failThread(thread: PoolThread, error: WorkerCrashed): void {
    this.#slow.delete(thread);
    const lease = this.#leases.get(thread);
    if (lease !== undefined) lease.markCrashed(error);
    for (const [id, p] of this.#pending) {
      if (p.thread !== thread) continue;
      this.#pending.delete(id);
      thread.answered();
      safeCall(p.onResult, false, new Failure(error));
    }
  }

  #failEntry(e: Entry, error: Error): void {
    if (e.kind === "lease") e.d.errback(new Failure(error));
    else safeCall(e.onResult, false, new Failure(error));
  }

  #becomeIdle(thread: PoolThread): void {
    if (thread.ended) return;
    if (this.#draining.has(thread)) {
      this.#end(thread);
      return;
    }
    if (this.#threads.size > this.#max) {
      this.#end(thread);
      return;
    }
    thread.idleSince = performance.now();
    this.#idle.push(thread);
    this.#dispatch();
    if (this.#idle.length > 0) this.#armSweep(thread.idleSince + UNREF_AFTER_MS);
  }

  /** Have `#sweep` run at `at` (ms) unless it runs sooner already. */
  #armSweep(at: number): void {
    if (at >= this.#sweepAt) return;
    if (this.#sweepTimer !== null) clearTimeout(this.#sweepTimer);
    this.#sweepAt = at;
    this.#sweepTimer = setHostTimeout(this.#sweep, Math.max(0, at - performance.now()));
    this.#sweepTimer.unref();
  }

  /**
   * Let idle threads stop holding the process open, and end those idle past
   * `idleTimeout` above `minThreads`. One timer for the pool (not one per
   * call): a thread busy again in the meantime is simply not idle any more.
   */
  readonly #sweep = (): void => {
    this.#sweepTimer = null;
    this.#sweepAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const t of [...this.#idle]) {
      if (t.held) {
        if (now - t.idleSince >= UNREF_AFTER_MS) t.hold(false);
        else next = Math.min(next, t.idleSince + UNREF_AFTER_MS);
      }
      if (this.#threads.size > this.#min) {
        const deadline = t.idleSince + this.#idleTimeout * 1000;
        if (now >= deadline) {
          this.#idle.splice(this.#idle.indexOf(t), 1);
          this.#end(t);
        } else next = Math.min(next, deadline);
      }
    }
    if (next < Infinity) this.#armSweep(next);
  };

  /** End a thread the pool no longer needs. */
  #end(thread: PoolThread): void {
    this.#threads.delete(thread);
    this.#leases.delete(thread);
    this.#released.delete(thread);
    thread.terminate();
    if (this.#draining.delete(thread)) this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#draining.size > 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}

function checkSizes(min: number, max: number): void {
  if (!Number.isInteger(min) || min < 0) {
    throw new RangeError(`ThreadPool: minThreads must be an integer >= 0, got ${min}`);
  }
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`ThreadPool: maxThreads must be an integer >= 1, got ${max}`);
  }
  if (min > max) {
    throw new RangeError(
      `ThreadPool: minThreads (${min}) must not exceed maxThreads (${max})`,
    );
  }
}

function safeCall(onResult: OnResult<unknown>, ok: boolean, result: unknown): void {
  try {
    onResult(ok, result);
  } catch (e) {
    log.err(e, "Error in a thread pool result callback");
  }
}
