/**
 * `EpollParkSet`: a park set held in a private epoll instance, shared by the
 * parkers that wait on one epoll fd (`HostLoopParker`, `IoUringParker`).
 * Internal to the FFI layer.
 *
 * @module
 */

import { constants } from "./constants.ts";
import { errorFromErrno } from "./errno.ts";
import { POLLFD_SIZE, writeEpollEvent } from "./poller_structs.ts";
import type { Libc } from "./types.ts";

/**
 * A park set held in a private epoll instance, registered level-triggered,
 * so that one fd (`fd`, the epoll fd) turns readable whenever any of the set
 * is ready. An unchanged set costs no syscalls: the same arrays with the same
 * contents as last time (the pollers hand back new arrays whenever their
 * interest changes, so a closed and reused fd number is registered afresh);
 * a changed set of n fds costs n `epoll_ctl`s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EpollParkSet } from "./_epoll_park_set.ts";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().epoll_create1 !== undefined) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const set = new EpollParkSet(libc());
 *   const fds = new Int32Array([pipe[0]]);
 *   assert.ok(set.update(fds, undefined));
 *   assert.equal(set.ready(), false);
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   assert.equal(set.ready(), true); // set.fd, the epoll fd, turned readable
 *   set.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
 * ```
 */
export class EpollParkSet {
  readonly fd: number;
  readonly #lib: Libc;
  readonly #ev = new Uint8Array(16);
  readonly #pfd = new Uint8Array(POLLFD_SIZE);
  readonly #pfd32 = new Int32Array(this.#pfd.buffer);
  readonly #pfd16 = new Int16Array(this.#pfd.buffer);
  /** The fds registered by the last update. */
  #registered = new Set<number>();
  /** The set registered last (unchanged arrays need no syscalls). */
  #lastFds: Int32Array | null = null;
  #lastEvents: Int16Array | undefined = undefined;
  #lastCopy: Int32Array = new Int32Array(0);
  #lastEventsCopy: Int16Array | undefined = undefined;

  constructor(lib: Libc) {
    const fd = lib.epoll_create1!(constants.EPOLL_CLOEXEC);
    if (fd < 0) throw errorFromErrno(lib.errno(), "epoll_create1");
    this.#lib = lib;
    this.fd = fd;
  }

  /**
   * Make the epoll instance hold exactly `fds`/`events`. False when one of
   * them cannot be watched (closed, or a regular file): poll(2) would report
   * it at once, and so should the caller.
   */
  update(fds: Int32Array, events: Int16Array | undefined): boolean {
    // The pollers hand back the same arrays until their interest changes, and
    // an fd leaves the interest before it is closed: an unchanged set is
    // still registered as it was.
    if (this.#sameSet(fds, events)) return true;
    this.#lastFds = null;
    if (!this.#register(fds, events)) return false;
    this.#lastFds = fds;
    this.#lastEvents = events;
    this.#lastCopy = fds.slice();
    this.#lastEventsCopy = events?.slice();
    return true;
  }

  /** True when some fd of the set is ready now (`poll` of the epoll fd, no wait). */
  ready(): boolean {
    this.#pfd32[0] = this.fd;
    this.#pfd16[2] = constants.POLLIN;
    this.#pfd16[3] = 0;
    return this.#lib.poll(this.#pfd, 1, 0) > 0;
  }

  close(): void {
    this.#lib.close(this.fd);
  }

  /**
   * True when `fds`/`events` are the very arrays registered last, unchanged
   * (a caller may refill its arrays in place: then the contents differ).
   */
  #sameSet(fds: Int32Array, events: Int16Array | undefined): boolean {
    if (fds !== this.#lastFds || events !== this.#lastEvents) return false;
    const copy = this.#lastCopy;
    for (let i = 0; i < fds.length; i++) if (fds[i] !== copy[i]) return false;
    if (events !== undefined) {
      const ec = this.#lastEventsCopy!;
      for (let i = 0; i < events.length; i++) if (events[i] !== ec[i]) return false;
    }
    return true;
  }

  /** MOD each fd, or ADD it when absent; DEL the fds no longer in the set. */
  #register(fds: Int32Array, events: Int16Array | undefined): boolean {
    const ctl = this.#lib.epoll_ctl!;
    const ev = this.#ev;
    const C = constants;
    const next = new Set<number>();
    let ok = true;
    for (let i = 0; i < fds.length; i++) {
      const fd = fds[i];
      const want = events === undefined ? C.POLLIN : events[i];
      const mask = ((want & C.POLLIN) !== 0 ? C.EPOLLIN : 0)
        | ((want & C.POLLOUT) !== 0 ? C.EPOLLOUT : 0);
      writeEpollEvent(ev, 0, mask, fd);
      // MOD first: a registration outlives nothing but its file, so a number
      // reused by a new file gets ENOENT here and is added afresh.
      if (
        ctl(this.fd, C.EPOLL_CTL_MOD, fd, ev) < 0
        && ctl(this.fd, C.EPOLL_CTL_ADD, fd, ev) < 0
      ) {
        ok = false;
      }
      next.add(fd);
    }
    for (const fd of this.#registered) {
      if (!next.has(fd)) ctl(this.fd, C.EPOLL_CTL_DEL, fd, null);
    }
    this.#registered = next;
    return ok;
  }
}
