/**
 * Parkers: wait off the JS thread until one of a set of fds is ready, so the
 * host event loop keeps running while the reactor is idle (runtime.md §3.6).
 *
 * - `NonblockingParker` (Deno's default): a `nonblocking: true` FFI `poll(2)`
 *   on tokio's blocking pool. No Worker, no SharedArrayBuffer.
 * - `WorkerParker` (Bun's default; also works on Deno): a Worker blocks in
 *   `poll(2)` and signals with `Atomics.notify`; the JS thread awaits
 *   `Atomics.waitAsync`.
 *
 * Both add a wake fd (an eventfd on Linux, a pipe elsewhere) to the set, so
 * `wake()` and `close()` can end a wait at once.
 *
 * @module
 */

import {
  DONE,
  NFDS,
  PARKER_WORKER_SOURCE,
  type ParkerWorkerStart,
  QUIT,
  REQ,
} from "./_parker_worker.ts";
import { RUNTIME } from "./_platform.ts";
import { constants } from "./constants.ts";
import { errorFromErrno } from "./errno.ts";
import { libraryPaths, loadLibc } from "./libc.ts";
import { POLLFD_SIZE } from "./structs.ts";
import type { Libc, Parker } from "./types.ts";

/** Which parker to build: see {@linkcode createParker}. */
export type ParkerKind = "nonblocking" | "worker";

/** The wake fd pair: `readFd` goes into the poll set, `writeFd` is poked. */
interface WakeFds {
  readFd: number;
  writeFd: number;
}

const ONE = new Uint8Array(new BigUint64Array([1n]).buffer);

function openWakeFds(lib: Libc): WakeFds {
  if (lib.eventfd !== undefined) {
    const fd = lib.eventfd(0, constants.EFD_NONBLOCK | constants.EFD_CLOEXEC);
    if (fd < 0) throw errorFromErrno(lib.errno(), "eventfd");
    return { readFd: fd, writeFd: fd };
  }
  const p = new Int32Array(2);
  if (lib.pipe2(p, constants.O_NONBLOCK | constants.O_CLOEXEC) < 0) {
    throw errorFromErrno(lib.errno(), "pipe2");
  }
  return { readFd: p[0], writeFd: p[1] };
}

/** Shared bookkeeping: the wake fd, the poll set, one outstanding park. */
abstract class BaseParker implements Parker {
  protected readonly lib: Libc;
  protected readonly wakeFds: WakeFds;
  readonly #drainBuf = new Uint8Array(64);
  #viewsOf: ArrayBufferLike | null = null;
  #i32: Int32Array = new Int32Array(0);
  #i16: Int16Array = new Int16Array(0);
  protected parked = false;
  protected woken = false;
  protected closed = false;
  #fdsClosed = false;

  constructor(lib: Libc) {
    this.lib = lib;
    this.wakeFds = openWakeFds(lib);
  }

  /** Fill `buf` with `fds`/`events` plus the wake fd; returns the entry count. */
  protected fill(buf: Uint8Array, fds: Int32Array, events: Int16Array | undefined): number {
    const n = fds.length;
    if (this.#viewsOf !== buf.buffer || this.#i32.byteLength < (n + 1) * POLLFD_SIZE) {
      // Length-tracking views (over a growable SharedArrayBuffer they follow it).
      this.#viewsOf = buf.buffer;
      this.#i32 = new Int32Array(buf.buffer);
      this.#i16 = new Int16Array(buf.buffer);
    }
    const i32 = this.#i32;
    const i16 = this.#i16;
    for (let i = 0; i < n; i++) {
      i32[2 * i] = fds[i];
      i16[4 * i + 2] = events === undefined ? constants.POLLIN : events[i];
      i16[4 * i + 3] = 0;
    }
    i32[2 * n] = this.wakeFds.readFd;
    i16[4 * n + 2] = constants.POLLIN;
    i16[4 * n + 3] = 0;
    return n + 1;
  }

  protected checkPark(fds: Int32Array, events: Int16Array | undefined): void {
    if (events !== undefined && events.length !== fds.length) {
      throw new RangeError("Parker.park: events must have one entry per fd");
    }
    if (this.parked) throw new Error("Parker.park: a park is already outstanding");
  }

  /** Empty the wake fd (non-blocking) if `poke()` wrote to it. */
  protected drain(): void {
    if (!this.woken || this.#fdsClosed) return;
    const lib = this.lib;
    const fd = this.wakeFds.readFd;
    for (let i = 0; i < 16 && lib.read(fd, this.#drainBuf, this.#drainBuf.length) > 0; i++) {
      // An eventfd empties in one read; a pipe may need a few.
    }
    this.woken = false;
  }

  /** Poke the wake fd (once per park). */
  protected poke(): void {
    if (this.woken || this.#fdsClosed) return;
    this.woken = true;
    this.lib.write(this.wakeFds.writeFd, ONE, 8);
  }

  wake(): void {
    if (this.parked && !this.closed) this.poke();
  }

  protected closeFds(): void {
    if (this.#fdsClosed) return;
    this.#fdsClosed = true;
    this.lib.close(this.wakeFds.readFd);
    if (this.wakeFds.writeFd !== this.wakeFds.readFd) this.lib.close(this.wakeFds.writeFd);
  }

  abstract park(fds: Int32Array, events?: Int16Array): Promise<void>;
  abstract close(): void;
}

/**
 * Deno: `poll(2)` with `nonblocking: true`, which runs on tokio's blocking
 * pool and returns a promise. The pollfd buffer is private and untouched
 * until the call settles. A pending call keeps Deno alive, so `close()` pokes
 * the wake fd and the fds are closed once the call returns.
 *
 * @example
 * ```ts ignore
 * import { NonblockingParker } from "./parker.ts";
 * const parker = new NonblockingParker();
 * await parker.park(new Int32Array([fd]));
 * parker.close();
 * ```
 */
export class NonblockingParker extends BaseParker {
  readonly #pollAsync: (fds: Uint8Array, nfds: number, timeoutMs: number) => Promise<number>;
  #buf = new Uint8Array(16 * POLLFD_SIZE);

  /** Needs Deno with `--allow-ffi`. */
  constructor() {
    const loaded = loadLibc();
    if (loaded.pollAsync === null) {
      throw new Error("NonblockingParker needs Deno's nonblocking FFI calls; use WorkerParker");
    }
    super(loaded.libc);
    this.#pollAsync = loaded.pollAsync;
  }

  /** Resolve when one of `fds` is ready, on `wake()`, or on `close()`. */
  park(fds: Int32Array, events?: Int16Array): Promise<void> {
    this.checkPark(fds, events);
    if (this.closed) return Promise.resolve();
    if ((fds.length + 1) * POLLFD_SIZE > this.#buf.length) {
      this.#buf = new Uint8Array(2 * (fds.length + 1) * POLLFD_SIZE);
    }
    const n = this.fill(this.#buf, fds, events);
    this.parked = true;
    return this.#pollAsync(this.#buf, n, -1).then(
      () => this.#settle(),
      () => this.#settle(),
    );
  }

  #settle(): void {
    this.parked = false;
    if (this.closed) this.closeFds();
    else this.drain();
  }

  /** Release the wake fd; a pending park resolves soon after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.parked) this.poke();
    else this.closeFds();
  }
}

/** Let a timer not keep the process alive (Bun/Node: `unref()`; Deno: `Deno.unrefTimer`). */
function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "number") {
    if (typeof Deno !== "undefined") Deno.unrefTimer(timer);
  } else {
    (timer as { unref?: () => void; }).unref?.();
  }
}

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
 * ```ts ignore
 * import { WorkerParker } from "./parker.ts";
 * const parker = new WorkerParker();
 * await parker.park(new Int32Array([fd]));
 * parker.close();
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

/**
 * A `Parker` for this runtime: `"nonblocking"` (Deno's default) or
 * `"worker"` (Bun's default; also available on Deno). Needs FFI.
 *
 * @example
 * ```ts ignore
 * import { createParker } from "./parker.ts";
 * const parker = createParker();
 * await parker.park(new Int32Array([epfd]));
 * parker.close();
 * ```
 */
export function createParker(kind?: ParkerKind): Parker {
  const k = kind ?? (RUNTIME === "deno" ? "nonblocking" : "worker");
  if (k === "nonblocking") return new NonblockingParker();
  if (k === "worker") return new WorkerParker();
  throw new Error(`unknown parker ${JSON.stringify(k)}; expected "nonblocking" or "worker"`);
}
