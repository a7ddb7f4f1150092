/**
 * `PollPoller`: portable `poll(2)` (Twisted's `pollreactor`).
 *
 * @module
 */

import { constants, errno, errorFromErrno, POLLFD_SIZE } from "../ffi/mod.ts";
import type { Libc } from "../ffi/mod.ts";
import { checkArgs, closedError, pickLibc, type PollerOptions, timeoutArg } from "./_common.ts";
import { ERROR, type Poller, type PollerKind, READ, WRITE } from "./poller.ts";

const P_READ = constants.POLLIN | constants.POLLPRI;
const P_WRITE = constants.POLLOUT;
const P_ERROR = constants.POLLERR | constants.POLLHUP | constants.POLLNVAL;

/**
 * A `poll(2)` poller over a dense `struct pollfd` array with an fd → index
 * map: O(1) interest changes (removal swaps the last entry in), no allocation
 * per poll. Works everywhere `poll` does; costs O(n) per call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PollPoller } from "./poll.ts";
 * import { READ } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 *
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * const poller = new PollPoller();
 * poller.modify(pipe[0], READ);
 * assert.equal(poller.poll(0, () => assert.fail("nothing to read yet")), 0);
 * libc().write(pipe[1], new Uint8Array([1]), 1);
 * const ready: [number, number][] = [];
 * poller.poll(0, (fd, mask) => ready.push([fd, mask]));
 * assert.deepEqual(ready, [[pipe[0], READ]]);
 * poller.modify(pipe[0], 0); // before closing the fd
 * poller.close();
 * libc().close(pipe[0]);
 * libc().close(pipe[1]);
 * ```
 */
export class PollPoller implements Poller {
  /** Always `"poll"`. */
  readonly kind: PollerKind = "poll";
  readonly #lib: Libc;
  #buf: Uint8Array;
  #fds: Int32Array;
  #ev: Int16Array;
  #count = 0;
  readonly #index = new Map<number, number>();
  #ready: Int32Array;
  #parkSet: { fds: Int32Array; events: Int16Array; } | null = null;
  #closed = false;

  /** Create an empty poller; it owns no fd. */
  constructor(options?: PollerOptions) {
    this.#lib = pickLibc(options);
    this.#buf = new Uint8Array(64 * POLLFD_SIZE);
    this.#fds = new Int32Array(this.#buf.buffer);
    this.#ev = new Int16Array(this.#buf.buffer);
    this.#ready = new Int32Array(128);
  }

  /** The number of fds with interest. */
  get size(): number {
    return this.#count;
  }

  #grow(): void {
    const buf = new Uint8Array(this.#buf.length * 2);
    buf.set(this.#buf);
    this.#buf = buf;
    this.#fds = new Int32Array(buf.buffer);
    this.#ev = new Int16Array(buf.buffer);
    this.#ready = new Int32Array(this.#ready.length * 2);
  }

  /** Set `fd`'s interest to `events` (READ | WRITE; 0 removes it). */
  modify(fd: number, events: number): void {
    checkArgs(fd, events);
    if (this.#closed) throw closedError(this.kind);
    const i = this.#index.get(fd);
    if (events === 0) {
      if (i === undefined) return;
      const last = --this.#count;
      if (i !== last) {
        const moved = this.#fds[2 * last];
        this.#fds[2 * i] = moved;
        this.#ev[4 * i + 2] = this.#ev[4 * last + 2];
        this.#index.set(moved, i);
      }
      this.#index.delete(fd);
      this.#parkSet = null;
      return;
    }
    const mask = ((events & READ) !== 0 ? constants.POLLIN : 0)
      | ((events & WRITE) !== 0 ? constants.POLLOUT : 0);
    if (i !== undefined) {
      if (this.#ev[4 * i + 2] === mask) return;
      this.#ev[4 * i + 2] = mask;
    } else {
      if ((this.#count + 1) * POLLFD_SIZE > this.#buf.length) this.#grow();
      const j = this.#count++;
      this.#fds[2 * j] = fd;
      this.#ev[4 * j + 2] = mask;
      this.#ev[4 * j + 3] = 0;
      this.#index.set(fd, j);
    }
    this.#parkSet = null;
  }

  /** Wait up to `timeoutMs` (-1: forever) and report ready fds. */
  poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number {
    if (this.#closed) throw closedError(this.kind);
    const lib = this.#lib;
    const count = this.#count;
    const n = lib.poll(this.#buf, count, timeoutArg(timeoutMs));
    if (n < 0) {
      const e = lib.errno();
      if (e === errno.EINTR) return 0;
      throw errorFromErrno(e, "poll");
    }
    if (n === 0) return 0;
    // Copy out first: callbacks may reorder the array.
    const fds = this.#fds;
    const ev = this.#ev;
    const ready = this.#ready;
    let k = 0;
    for (let i = 0; i < count && k < 2 * n; i++) {
      const re = ev[4 * i + 3];
      if (re === 0) continue;
      ready[k++] = fds[2 * i];
      ready[k++] = re;
    }
    let reported = 0;
    for (let j = 0; j < k; j += 2) {
      const fd = ready[j];
      const re = ready[j + 1];
      const i = this.#index.get(fd);
      if (i === undefined) continue;
      const want = ev[4 * i + 2];
      let mask = 0;
      if ((re & P_READ) !== 0 && (want & constants.POLLIN) !== 0) mask |= READ;
      if ((re & P_WRITE) !== 0 && (want & constants.POLLOUT) !== 0) mask |= WRITE;
      if ((re & P_ERROR) !== 0) mask |= ERROR;
      if (mask === 0) continue;
      reported++;
      onReady(fd, mask);
    }
    return reported;
  }

  /** Every watched fd with its `poll` events. */
  parkSet(): { fds: Int32Array; events: Int16Array; } {
    if (this.#parkSet === null) {
      const n = this.#count;
      const fds = new Int32Array(n);
      const events = new Int16Array(n);
      for (let i = 0; i < n; i++) {
        fds[i] = this.#fds[2 * i];
        events[i] = this.#ev[4 * i + 2];
      }
      this.#parkSet = { fds, events };
    }
    return this.#parkSet;
  }

  /** Forget every fd. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#index.clear();
    this.#count = 0;
    this.#parkSet = null;
  }
}
