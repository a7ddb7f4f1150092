/**
 * One pool thread as the reactor thread sees it: a `node:worker_threads`
 * Worker running `_thread_main.ts`, the calls it holds, and how it died.
 *
 * `node:worker_threads` is used (on Deno and Bun alike) because it is the
 * Worker API both runtimes share that can `unref()` an idle Worker (so it
 * never holds the process open) and that reports a Worker's end with its exit
 * code, `process.exit()` in the thread included. It is loaded on the first
 * thread start, so code that never starts a thread never loads it.
 *
 * @module
 */

import process from "node:process";
import type * as WorkerThreads from "node:worker_threads";
import {
  type BlockingReply,
  type JobSpec,
  type Packed,
  packToThread,
  type ToThread,
  unpackFromThread,
} from "./_wire.ts";
import type { FromThread } from "./_wire.ts";
import { WorkerCrashed } from "./errors.ts";

let workerThreads: typeof WorkerThreads | undefined;

function loadWorkerThreads(): typeof WorkerThreads {
  return workerThreads ??= (process as unknown as {
    getBuiltinModule(id: string): typeof WorkerThreads;
  }).getBuiltinModule("node:worker_threads");
}

// The Worker starts on a one-line data: module that imports the entry by a
// computed specifier: Deno type-checks the module graph of each new Worker
// under `deno test` (about a second per thread on a busy machine), and a
// graph it cannot see is not checked again (the entry is checked with the
// rest of the package).
const ENTRY: URL = new URL(
  "data:text/javascript," + encodeURIComponent(
    `const entry = ${
      JSON.stringify(new URL("./_thread_main.ts", import.meta.url).href)
    }; await import(entry);`,
  ),
);

/** One call of {@linkcode PoolThread.runMany}. */
export interface BatchCall {
  readonly id: number;
  readonly key: number;
  readonly spec: JobSpec;
  readonly args: readonly unknown[];
}

/** What a pool thread tells its pool. */
export interface PoolThreadEvents {
  /** The thread is ready for work. */
  ready(thread: PoolThread): void;
  /** A call's result, and how long (ms) it ran in the thread. */
  done(thread: PoolThread, id: number, value: unknown, ms: number): void;
  /** Any other message from the thread (a failure, a call of an exposed function). */
  message(thread: PoolThread, message: FromThread): void;
  /** The thread ended without being asked to. */
  crashed(thread: PoolThread, error: WorkerCrashed): void;
}

/** A pool thread: a Worker plus its book-keeping. */
export class PoolThread {
  /** The thread's number in its pool (1, 2, ...). */
  readonly number: number;
  /** True once the thread said it is ready. */
  ready: boolean = false;
  /** True once it ended (crashed or terminated). */
  ended: boolean = false;
  /** Calls posted to it and not answered yet. */
  inFlight: number = 0;
  /** When it last became idle (`performance.now()` ms). */
  idleSince: number = 0;
  #known = new Set<number>();
  #worker: WorkerThreads.Worker;
  #replies: WorkerThreads.MessagePort;
  #control: Int32Array;
  #events: PoolThreadEvents;
  #uncaught: unknown = undefined;
  #refd = true;

  /** Start the Worker. */
  constructor(number: number, where: string, events: PoolThreadEvents) {
    this.number = number;
    this.#events = events;
    const wt = loadWorkerThreads();
    const worker = new wt.Worker(ENTRY, { name: where });
    this.#worker = worker;
    const channel = new wt.MessageChannel();
    this.#replies = channel.port1;
    const control = new SharedArrayBuffer(8);
    this.#control = new Int32Array(control);
    worker.on("message", (packed: Packed) => {
      if (packed[0] === 1) {
        this.#events.done(this, packed[1] as number, packed[2], packed[3] as number);
        return;
      }
      if (packed[0] === 4) {
        for (let i = 1; i < packed.length; i += 3) {
          this.#events.done(this, packed[i] as number, packed[i + 1], packed[i + 2] as number);
        }
        return;
      }
      const m = unpackFromThread(packed);
      if (m.op === "listening") {
        if (this.ended) return;
        worker.postMessage({ op: "init", where, replies: channel.port2, control }, [channel.port2]);
      } else if (m.op === "ready") {
        this.ready = true;
        this.#events.ready(this);
      } else this.#events.message(this, m);
    });
    worker.on("error", (e: unknown) => {
      this.#uncaught = e;
    });
    worker.on("exit", (code: number) => {
      if (this.ended) return;
      this.ended = true;
      channel.port1.close();
      const uncaught = this.#uncaught;
      const reason = uncaught !== undefined
        ? `an uncaught ${
          uncaught instanceof Error ? `${uncaught.name}: ${uncaught.message}` : String(uncaught)
        } in the thread`
        : `the thread exited (process.exit(${code}))`;
      this.#events.crashed(
        this,
        new WorkerCrashed(reason, {
          exitCode: code,
          ...(uncaught !== undefined ? { cause: uncaught } : {}),
        }),
      );
    });
    // `init` goes once the thread says it listens (see `_thread_main.ts`).
  }

  /** Whether the thread was sent the job of `key` already (so it keeps it). */
  knows(key: number): boolean {
    return this.#known.has(key);
  }

  /**
   * Post one call as its packed array (see `packToThread`), built here in
   * one allocation: the hot path of every call. The job's `spec` goes only
   * the first time this thread sees `key`.
   */
  run(
    id: number,
    key: number,
    spec: JobSpec,
    args: readonly unknown[],
    transfer: ArrayBuffer[],
  ): void {
    const first = !this.#known.has(key);
    const n = args.length;
    const packed: unknown[] = new Array(n + 4);
    packed[0] = 0;
    packed[1] = id;
    packed[2] = key;
    packed[3] = first ? spec : 0;
    for (let i = 0; i < n; i++) packed[i + 4] = args[i];
    if (transfer.length === 0) this.#worker.postMessage(packed);
    else this.#worker.postMessage(packed, transfer);
    if (first) this.#known.add(key);
    this.inFlight++;
    if (!this.#refd) this.hold(true);
  }

  /**
   * Post several calls in one message, `[3, count, ...(id, key, spec or 0,
   * argc, ...args)]`: the thread runs them in order and answers those that
   * return plain values in one message too. Throws, posting nothing, when an
   * argument cannot be cloned.
   */
  runMany(calls: readonly BatchCall[]): void {
    const packed: unknown[] = [3, calls.length];
    const first: number[] = [];
    for (const c of calls) {
      const isNew = !this.#known.has(c.key) && !first.includes(c.key);
      if (isNew) first.push(c.key);
      packed.push(c.id, c.key, isNew ? c.spec : 0, c.args.length, ...c.args);
    }
    this.#worker.postMessage(packed);
    for (const key of first) this.#known.add(key);
    this.inFlight += calls.length;
    if (!this.#refd) this.hold(true);
  }

  /** Post a call; the thread keeps the process open until it answers. */
  post(message: ToThread, transfer: ArrayBuffer[]): void {
    if (transfer.length === 0) this.#worker.postMessage(packToThread(message));
    else this.#worker.postMessage(packToThread(message), transfer);
    if (message.op === "run") this.#known.add(message.call.key);
    else for (const c of message.calls) this.#known.add(c.key);
    this.inFlight++;
    this.hold(true);
  }

  /** One posted call was answered. */
  answered(): void {
    this.inFlight--;
  }

  /** Whether the thread holds the process open. */
  get held(): boolean {
    return this.#refd;
  }

  /** Hold the process open (`true`) or let it exit while this thread idles (`false`). */
  hold(on: boolean): void {
    if (on === this.#refd || this.ended) return;
    this.#refd = on;
    if (on) this.#worker.ref();
    else this.#worker.unref();
  }

  /** Answer a `blockingCallFromThread` the thread is waiting in. */
  reply(r: BlockingReply): void {
    if (this.ended) return;
    this.#replies.postMessage(r);
    Atomics.store(this.#control, 0, 1);
    Atomics.notify(this.#control, 0);
  }

  /** End the Worker (it no longer reports a crash). */
  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.#replies.close();
    void this.#worker.terminate();
  }
}
