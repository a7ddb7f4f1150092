/**
 * `SelectPoller`: `select(2)` (Twisted's `selectreactor`), limited to fds
 * below `FD_SETSIZE`.
 *
 * @module
 */

import { FileDescriptorOverrun } from "../errors.ts";
import {
  constants,
  errno,
  errorFromErrno,
  FD_SET_BYTES,
  fdSetAdd,
  fdSetDelete,
  TIMESPEC_SIZE,
  writeTimeval,
} from "../ffi/mod.ts";
import type { Libc } from "../ffi/mod.ts";
import { checkArgs, closedError, pickLibc, type PollerOptions, timeoutArg } from "./_common.ts";
import { ERROR, type Poller, type PollerKind, READ, WRITE } from "./poller.ts";

/**
 * A `select(2)` poller. It cannot watch an fd at or above `FD_SETSIZE`
 * (1024): `modify` throws `FileDescriptorOverrun` rather than corrupt memory.
 * Errors surface as readability/writability (an fd closed under it is found
 * by `fcntl` on `EBADF` and reported as ERROR).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SelectPoller } from "./select.ts";
 * import { READ } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 *
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * const poller = new SelectPoller();
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
export class SelectPoller implements Poller {
  /** Always `"select"`. */
  readonly kind: PollerKind = "select";
  readonly #lib: Libc;
  readonly #readSet = new Uint8Array(FD_SET_BYTES);
  readonly #writeSet = new Uint8Array(FD_SET_BYTES);
  readonly #r = new Uint8Array(FD_SET_BYTES);
  readonly #w = new Uint8Array(FD_SET_BYTES);
  readonly #tv = new Uint8Array(TIMESPEC_SIZE);
  readonly #zeroTv = new Uint8Array(TIMESPEC_SIZE);
  readonly #ready = new Int32Array(2 * FD_SET_BYTES * 8);
  readonly #interest = new Map<number, number>();
  #maxFd = -1;
  #parkSet: { fds: Int32Array; events: Int16Array; } | null = null;
  #closed = false;

  /** Create an empty poller; it owns no fd. */
  constructor(options?: PollerOptions) {
    this.#lib = pickLibc(options);
  }

  /**
   * Set `fd`'s interest to `events` (READ | WRITE; 0 removes it). Throws
   * `FileDescriptorOverrun` for an fd at or above `FD_SETSIZE`.
   */
  modify(fd: number, events: number): void {
    checkArgs(fd, events);
    if (this.#closed) throw closedError(this.kind);
    if (fd >= constants.FD_SETSIZE) {
      if (events === 0) return;
      throw new FileDescriptorOverrun(
        `fd ${fd} is at or above FD_SETSIZE (${constants.FD_SETSIZE}): select(2) cannot watch it; use the epoll, kqueue or poll reactor`,
      );
    }
    const old = this.#interest.get(fd) ?? 0;
    if (old === events) return;
    if ((events & READ) !== 0) fdSetAdd(this.#readSet, fd);
    else fdSetDelete(this.#readSet, fd);
    if ((events & WRITE) !== 0) fdSetAdd(this.#writeSet, fd);
    else fdSetDelete(this.#writeSet, fd);
    if (events === 0) {
      this.#interest.delete(fd);
      if (fd === this.#maxFd) {
        let max = -1;
        for (const k of this.#interest.keys()) if (k > max) max = k;
        this.#maxFd = max;
      }
    } else {
      this.#interest.set(fd, events);
      if (fd > this.#maxFd) this.#maxFd = fd;
    }
    this.#parkSet = null;
  }

  /** Wait up to `timeoutMs` (-1: forever) and report ready fds. */
  poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number {
    if (this.#closed) throw closedError(this.kind);
    timeoutMs = timeoutArg(timeoutMs);
    const lib = this.#lib;
    const nfds = this.#maxFd + 1;
    const bytes = (nfds + 7) >> 3;
    const r = this.#r;
    const w = this.#w;
    const rs = this.#readSet;
    const ws = this.#writeSet;
    for (let b = 0; b < bytes; b++) {
      r[b] = rs[b];
      w[b] = ws[b];
    }
    let tv: Uint8Array | null = null;
    if (timeoutMs === 0) {
      tv = this.#zeroTv; // Linux writes the time left back: zero stays zero.
    } else if (timeoutMs > 0) {
      writeTimeval(this.#tv, timeoutMs, lib.os);
      tv = this.#tv;
    }
    const n = lib.select(nfds, r, w, null, tv);
    if (n < 0) {
      const e = lib.errno();
      if (e === errno.EINTR) return 0;
      if (e === errno.EBADF) return this.#reportBadFds(onReady);
      throw errorFromErrno(e, "select");
    }
    if (n === 0) return 0;
    const ready = this.#ready;
    let k = 0;
    for (let b = 0; b < bytes; b++) {
      const rb = r[b];
      const wb = w[b];
      if ((rb | wb) === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        const m = 1 << bit;
        if (((rb | wb) & m) === 0) continue;
        ready[k++] = (b << 3) | bit;
        ready[k++] = ((rb & m) !== 0 ? READ : 0) | ((wb & m) !== 0 ? WRITE : 0);
      }
    }
    let reported = 0;
    for (let j = 0; j < k; j += 2) {
      const fd = ready[j];
      const mask = ready[j + 1] & (this.#interest.get(fd) ?? 0);
      if (mask === 0) continue;
      reported++;
      onReady(fd, mask);
    }
    return reported;
  }

  /** After EBADF: report each watched fd that is no longer open as ERROR. */
  #reportBadFds(onReady: (fd: number, mask: number) => void): number {
    const lib = this.#lib;
    const bad: number[] = [];
    for (const fd of this.#interest.keys()) {
      if (lib.fcntl(fd, constants.F_GETFD, 0) < 0 && lib.errno() === errno.EBADF) bad.push(fd);
    }
    let reported = 0;
    for (const fd of bad) {
      if (!this.#interest.has(fd)) continue;
      reported++;
      onReady(fd, ERROR);
    }
    return reported;
  }

  /** Every watched fd with its `poll` events. */
  parkSet(): { fds: Int32Array; events: Int16Array; } {
    if (this.#parkSet === null) {
      const n = this.#interest.size;
      const fds = new Int32Array(n);
      const events = new Int16Array(n);
      let i = 0;
      for (const [fd, ev] of this.#interest) {
        fds[i] = fd;
        events[i++] = ((ev & READ) !== 0 ? constants.POLLIN : 0)
          | ((ev & WRITE) !== 0 ? constants.POLLOUT : 0);
      }
      this.#parkSet = { fds, events };
    }
    return this.#parkSet;
  }

  /** Forget every fd. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#interest.clear();
    this.#readSet.fill(0);
    this.#writeSet.fill(0);
    this.#maxFd = -1;
    this.#parkSet = null;
  }
}
