/**
 * What the nonblocking and Worker parkers share (the wake fd, filling the
 * pollfd set, one outstanding park), the park-argument check every parker
 * makes first, and `unrefTimer`. Internal to the FFI layer.
 *
 * @module
 */

import { constants } from "./constants.ts";
import { errorFromErrno } from "./errno.ts";
import type { Parker } from "./parker.ts";
import { POLLFD_SIZE } from "./poller_structs.ts";
import type { Libc } from "./types.ts";

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

/**
 * The checks every `park()` makes first: one event mask per fd, one park at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkParkArgs } from "./_parker_base.ts";
 *
 * checkParkArgs(new Int32Array([3, 4]), new Int16Array([1, 4]), false);
 * assert.throws(() => checkParkArgs(new Int32Array([3]), new Int16Array([1, 1]), false), RangeError);
 * assert.throws(() => checkParkArgs(new Int32Array([3]), undefined, true), /already outstanding/);
 * ```
 */
export function checkParkArgs(
  fds: Int32Array,
  events: Int16Array | undefined,
  outstanding: boolean,
): void {
  if (events !== undefined && events.length !== fds.length) {
    throw new RangeError("Parker.park: events must have one entry per fd");
  }
  if (outstanding) throw new Error("Parker.park: a park is already outstanding");
}

/**
 * Shared bookkeeping: the wake fd, the poll set, one outstanding park.
 * Its state and helpers are `protected` because the subclasses, each in its
 * own file (`nonblocking_parker.ts`, `worker_parker.ts`), drive them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BaseParker } from "./_parker_base.ts";
 * import { NonblockingParker } from "./nonblocking_parker.ts";
 * import { WorkerParker } from "./worker_parker.ts";
 *
 * assert.ok(Object.getPrototypeOf(NonblockingParker) === BaseParker);
 * assert.ok(Object.getPrototypeOf(WorkerParker) === BaseParker);
 * ```
 */
export abstract class BaseParker implements Parker {
  protected readonly lib: Libc;
  readonly #wakeFds: WakeFds;
  readonly #drainBuf = new Uint8Array(64);
  #viewsOf: ArrayBufferLike | null = null;
  #i32: Int32Array = new Int32Array(0);
  #i16: Int16Array = new Int16Array(0);
  protected parked = false;
  #woken = false;
  protected closed = false;
  #fdsClosed = false;

  constructor(lib: Libc) {
    this.lib = lib;
    this.#wakeFds = openWakeFds(lib);
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
    i32[2 * n] = this.#wakeFds.readFd;
    i16[4 * n + 2] = constants.POLLIN;
    i16[4 * n + 3] = 0;
    return n + 1;
  }

  protected checkPark(fds: Int32Array, events: Int16Array | undefined): void {
    checkParkArgs(fds, events, this.parked);
  }

  /** Empty the wake fd (non-blocking) if `poke()` wrote to it. */
  protected drain(): void {
    if (!this.#woken || this.#fdsClosed) return;
    const lib = this.lib;
    const fd = this.#wakeFds.readFd;
    for (let i = 0; i < 16 && lib.read(fd, this.#drainBuf, this.#drainBuf.length) > 0; i++) {
      // An eventfd empties in one read; a pipe may need a few.
    }
    this.#woken = false;
  }

  /** Poke the wake fd (once per park). */
  protected poke(): void {
    if (this.#woken || this.#fdsClosed) return;
    this.#woken = true;
    this.lib.write(this.#wakeFds.writeFd, ONE, 8);
  }

  wake(): void {
    if (this.parked && !this.closed) this.poke();
  }

  protected closeFds(): void {
    if (this.#fdsClosed) return;
    this.#fdsClosed = true;
    this.lib.close(this.#wakeFds.readFd);
    if (this.#wakeFds.writeFd !== this.#wakeFds.readFd) this.lib.close(this.#wakeFds.writeFd);
  }

  abstract park(fds: Int32Array, events?: Int16Array): Promise<void>;
  abstract close(): void;
}

/**
 * Let a timer not keep the process alive (Bun/Node: `unref()`; Deno: `Deno.unrefTimer`).
 *
 * @example
 * ```ts
 * import { unrefTimer } from "./_parker_base.ts";
 *
 * // A periodic check that must not keep the process alive by itself.
 * const timer = setInterval(() => {}, 1000);
 * unrefTimer(timer);
 * clearInterval(timer);
 * ```
 */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  if (typeof timer === "number") {
    if (typeof Deno !== "undefined") Deno.unrefTimer(timer);
  } else {
    (timer as { unref?: () => void; }).unref?.();
  }
}
