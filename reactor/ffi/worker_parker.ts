/**
 * The `WorkerParker`, Bun's default parker off Linux (it also works on Deno):
 * a Worker blocks in `poll(2)` and signals with `Atomics.notify`; the JS
 * thread awaits `Atomics.waitAsync`.
 *
 * @module
 */

import { BaseParker, unrefTimer } from "./_parker_base.ts";
import {
  DONE,
  NFDS,
  PARKER_WORKER_SOURCE,
  type ParkerWorkerStart,
  QUIT,
  REQ,
} from "./_parker_worker.ts";
import { libraryPaths, loadLibc } from "./libc.ts";
import { POLLFD_SIZE } from "./poller_structs.ts";

let blobURL: string | null = null;

/** One `blob:` URL for every WorkerParker (revoking it early breaks Bun's loader). */
function workerURL(): string {
  blobURL ??= URL.createObjectURL(
    new Blob([PARKER_WORKER_SOURCE], { type: "application/javascript" }),
  );
  return blobURL;
}

/** The most pollfd entries a WorkerParker's shared buffer can grow to. */
const MAX_PARK_FDS = 1 << 17;

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  ref?(): void;
  unref?(): void;
}

/**
 * A Worker that blocks in `poll(2)` and hands readiness back through
 * `Atomics.notify`; the JS thread awaits `Atomics.waitAsync`. On Bun the
 * Worker is unref'd while no park is outstanding, so an idle parker never
 * keeps the process alive. Deno's Workers cannot be unref'd: there a live
 * WorkerParker keeps the process alive until `close()` (Deno's default parker
 * is the nonblocking one). `close()` ends the wait and the Worker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 * import { WorkerParker } from "./worker_parker.ts";
 *
 * if (ffiAvailable()) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker = new WorkerParker();
 *   const parked = parker.park(new Int32Array([pipe[0]]));
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked; // the pipe turned readable
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
 * ```
 */
export class WorkerParker extends BaseParker {
  readonly #ctrl: Int32Array;
  readonly #sab: SharedArrayBuffer;
  /** Length-tracking view of the growable `#sab`, shared with the Worker. */
  readonly #buf: Uint8Array;
  readonly #worker: WorkerLike;
  #resolve: (() => void) | null = null;

  /** Starts the Worker (its source is in `_parker_worker.ts`). */
  constructor() {
    super(loadLibc().libc);
    this.#ctrl = new Int32Array(new SharedArrayBuffer(16));
    // Growable (both runtimes support it): the Worker's view tracks the length.
    this.#sab = new SharedArrayBuffer(64 * POLLFD_SIZE, {
      maxByteLength: MAX_PARK_FDS * POLLFD_SIZE,
    });
    this.#buf = new Uint8Array(this.#sab);
    const w = new Worker(workerURL(), { type: "module" }) as unknown as WorkerLike;
    const start: ParkerWorkerStart = {
      ctrl: this.#ctrl,
      buf: this.#buf,
      paths: libraryPaths(this.lib.os),
    };
    w.postMessage(start);
    w.unref?.();
    this.#worker = w;
  }

  #stopWorker(): void {
    Atomics.store(this.#ctrl, QUIT, 1);
    Atomics.add(this.#ctrl, REQ, 1);
    Atomics.notify(this.#ctrl, REQ);
    this.#worker.terminate();
  }

  /** Resolve when one of `fds` is ready, on `wake()`, or on `close()`. */
  park(fds: Int32Array, events?: Int16Array): Promise<void> {
    this.checkPark(fds, events);
    if (this.closed) return Promise.resolve();
    const need = (fds.length + 1) * POLLFD_SIZE;
    if (need > this.#sab.byteLength) {
      if (fds.length + 1 > MAX_PARK_FDS) {
        throw new RangeError(`Parker.park: at most ${MAX_PARK_FDS - 1} fds`);
      }
      this.#sab.grow(Math.min(MAX_PARK_FDS * POLLFD_SIZE, 2 * need));
    }
    const ctrl = this.#ctrl;
    ctrl[NFDS] = this.fill(this.#buf, fds, events);
    const prev = Atomics.load(ctrl, DONE);
    const seq = (prev + 1) | 0;
    this.parked = true;
    this.#worker.ref?.();
    Atomics.store(ctrl, REQ, seq);
    Atomics.notify(ctrl, REQ);
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#resolve = resolve;
    const w = Atomics.waitAsync(ctrl, DONE, prev);
    if (w.async) w.value.then(() => this.#settle(), () => this.#settle());
    else this.#settle();
    return promise;
  }

  #settle(): void {
    const resolve = this.#resolve;
    if (resolve === null) return;
    this.#resolve = null;
    this.parked = false;
    if (!this.closed) {
      this.#worker.unref?.();
      this.drain();
    }
    resolve();
  }

  /** End the Worker and release the wake fd; a pending park resolves. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Wake a worker blocked in poll so it exits its loop (Deno cannot
    // terminate a thread inside FFI), then tear it down.
    if (this.parked) this.poke();
    this.#stopWorker();
    this.#settle();
    // The worker may still be in poll() on the wake fd for a moment: close
    // the fds after it has had time to return, without delaying exit.
    unrefTimer(setTimeout(() => this.closeFds(), 100));
  }
}
