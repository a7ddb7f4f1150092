/**
 * `EpollPoller`: Linux `epoll`, level-triggered (Twisted's `epollreactor`).
 *
 * @module
 */

import { constants, epollEventLayout, errno, errorFromErrno } from "../ffi/mod.ts";
import { checkArgs, pickLibc, pickMaxEvents, type PollerOptions, timeoutArg } from "./_common.ts";
import { QueuePoller } from "./_queue_poller.ts";
import { ERROR, type PollerKind, READ, WRITE } from "./poller.ts";

const EV_READ = constants.EPOLLIN | constants.EPOLLPRI;
const EV_WRITE = constants.EPOLLOUT;
const EV_ERROR = constants.EPOLLERR | constants.EPOLLHUP;

/**
 * A level-triggered `epoll(7)` poller: one `epoll_ctl` per interest change,
 * one `epoll_wait` per poll into a preallocated event buffer. The default on
 * Linux.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EpollPoller } from "./epoll.ts";
 * import { READ } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 *
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * const poller = new EpollPoller();
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
export class EpollPoller extends QueuePoller {
  /** Always `"epoll"`. */
  override readonly kind: PollerKind = "epoll";
  readonly #max: number;
  readonly #events: Uint8Array;
  readonly #words: Uint32Array;
  readonly #stride: number;
  readonly #dataWord: number;
  readonly #ctl: Uint8Array;
  readonly #ctlWords: Uint32Array;

  /** Create the epoll instance (close-on-exec). Throws on a non-Linux system. */
  constructor(options?: PollerOptions) {
    const lib = pickLibc(options);
    if (lib.epoll_create1 === undefined) throw new Error("epoll is only available on Linux");
    const fd = lib.epoll_create1(constants.EPOLL_CLOEXEC);
    if (fd < 0) throw errorFromErrno(lib.errno(), "epoll_create1");
    super(lib, fd, constants.POLLIN);
    this.#max = pickMaxEvents(options);
    const layout = epollEventLayout(lib.arch);
    this.#stride = layout.size / 4;
    this.#dataWord = layout.dataOffset / 4;
    this.#events = new Uint8Array(layout.size * this.#max);
    this.#words = new Uint32Array(this.#events.buffer);
    this.#ctl = new Uint8Array(16);
    this.#ctlWords = new Uint32Array(this.#ctl.buffer);
  }

  /**
   * Set `fd`'s interest to `events` (READ | WRITE; 0 removes it). A stale
   * registration (the fd was closed and its number reused) is repaired.
   */
  override modify(fd: number, events: number): void {
    checkArgs(fd, events);
    this.checkOpen();
    const old = this.interest.get(fd) ?? 0;
    if (old === events) return;
    const lib = this.lib;
    if (events === 0) {
      this.interest.delete(fd);
      // The kernel already dropped a closed fd: ENOENT/EBADF are fine.
      lib.epoll_ctl!(this.queueFd, constants.EPOLL_CTL_DEL, fd, this.#ctl);
      return;
    }
    const w = this.#ctlWords;
    w[0] = ((events & READ) !== 0 ? constants.EPOLLIN : 0)
      | ((events & WRITE) !== 0 ? constants.EPOLLOUT : 0);
    w[this.#dataWord] = fd;
    w[this.#dataWord + 1] = 0;
    let op = old === 0 ? constants.EPOLL_CTL_ADD : constants.EPOLL_CTL_MOD;
    let rc = lib.epoll_ctl!(this.queueFd, op, fd, this.#ctl);
    if (rc < 0) {
      const e = lib.errno();
      if (op === constants.EPOLL_CTL_MOD && e === errno.ENOENT) op = constants.EPOLL_CTL_ADD;
      else if (op === constants.EPOLL_CTL_ADD && e === errno.EEXIST) op = constants.EPOLL_CTL_MOD;
      else throw errorFromErrno(e, "epoll_ctl");
      rc = lib.epoll_ctl!(this.queueFd, op, fd, this.#ctl);
      if (rc < 0) throw errorFromErrno(lib.errno(), "epoll_ctl");
    }
    this.interest.set(fd, events);
  }

  /** Wait up to `timeoutMs` (-1: forever) and report ready fds. */
  override poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number {
    this.checkOpen();
    const lib = this.lib;
    const n = lib.epoll_wait!(this.queueFd, this.#events, this.#max, timeoutArg(timeoutMs));
    if (n < 0) {
      const e = lib.errno();
      if (e === errno.EINTR) return 0;
      throw errorFromErrno(e, "epoll_wait");
    }
    const w = this.#words;
    const stride = this.#stride;
    const dataWord = this.#dataWord;
    const interest = this.interest;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const ev = w[i * stride];
      const fd = w[i * stride + dataWord] | 0;
      const want = interest.get(fd);
      if (want === undefined) continue;
      let mask = 0;
      if ((ev & EV_READ) !== 0) mask |= READ;
      if ((ev & EV_WRITE) !== 0) mask |= WRITE;
      mask &= want;
      if ((ev & EV_ERROR) !== 0) mask |= ERROR;
      if (mask === 0) continue;
      count++;
      onReady(fd, mask);
    }
    return count;
  }
}
