/**
 * `KqueuePoller`: macOS/FreeBSD `kqueue(2)` (Twisted's `kqreactor`).
 *
 * @module
 */

import { constantsFor, errnoTable, errorFromErrno, keventSize, TIMESPEC_SIZE } from "../ffi/mod.ts";
import type { OSName } from "../ffi/mod.ts";
import { checkArgs, pickLibc, pickMaxEvents, type PollerOptions, timeoutArg } from "./_common.ts";
import { QueuePoller } from "./_queue_poller.ts";
import { ERROR, type PollerKind, READ, WRITE } from "./poller.ts";

/**
 * Options for {@linkcode KqueuePoller}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availablePollers } from "@skein/skein/reactor";
 * import { KqueuePoller, type KqueuePollerOptions } from "./kqueue.ts";
 *
 * const options: KqueuePollerOptions = { maxEvents: 64 };
 * if (availablePollers().includes("kqueue")) new KqueuePoller(options).close();
 * else assert.throws(() => new KqueuePoller(options), /only available on macOS and the BSDs/);
 * ```
 */
export interface KqueuePollerOptions extends PollerOptions {
  /** Struct layout and constants to use. @default {the libc's OS} */
  os?: "darwin" | "freebsd";
}

/**
 * A `kqueue(2)` poller with one `EVFILT_READ` and one `EVFILT_WRITE` filter per
 * fd. Every interest change re-adds the wanted filters (`EV_ADD` is
 * idempotent, which also repairs the registration of a closed and reused fd)
 * and deletes the unwanted ones. The default on macOS and FreeBSD.
 *
 * Only its struct packing and change-list logic are tested here (against a
 * fake libc): the project has no macOS or BSD machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availablePollers, READ } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 * import { KqueuePoller } from "./kqueue.ts";
 *
 * if (availablePollers().includes("kqueue")) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const poller = new KqueuePoller();
 *   poller.modify(pipe[0], READ);
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   const ready: [number, number][] = [];
 *   poller.poll(0, (fd, mask) => ready.push([fd, mask]));
 *   assert.deepEqual(ready, [[pipe[0], READ]]);
 *   poller.modify(pipe[0], 0);
 *   poller.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * } else {
 *   assert.throws(() => new KqueuePoller()); // Linux has epoll instead
 * }
 * ```
 */
export class KqueuePoller extends QueuePoller {
  /** Always `"kqueue"`. */
  override readonly kind: PollerKind = "kqueue";
  readonly #max: number;
  readonly #size: number;
  readonly #c: ReturnType<typeof constantsFor>;
  readonly #ENOENT: number;
  readonly #EBADF: number;
  readonly #EINTR: number;
  readonly #changes: Uint8Array;
  readonly #changesView: DataView;
  readonly #events: Uint8Array;
  readonly #ev32: Int32Array;
  readonly #evU32: Uint32Array;
  readonly #ev16: Int16Array;
  readonly #evU16: Uint16Array;
  readonly #zeroTs = new Uint8Array(TIMESPEC_SIZE);
  readonly #ts = new Uint8Array(TIMESPEC_SIZE);

  /** Create the kqueue. Throws where `kqueue` does not exist (Linux). */
  constructor(options?: KqueuePollerOptions) {
    const lib = pickLibc(options);
    if (lib.kqueue === undefined || lib.kevent === undefined) {
      throw new Error("kqueue is only available on macOS and the BSDs");
    }
    const os: OSName = options?.os ?? lib.os;
    const kq = lib.kqueue();
    if (kq < 0) throw errorFromErrno(lib.errno(), "kqueue", os);
    super(lib, kq, constantsFor(os).POLLIN);
    this.#c = constantsFor(os);
    const t = errnoTable(os);
    this.#ENOENT = t.ENOENT;
    this.#EBADF = t.EBADF;
    this.#EINTR = t.EINTR;
    this.#max = pickMaxEvents(options);
    this.#size = keventSize(os);
    this.#changes = new Uint8Array(2 * this.#size);
    this.#changesView = new DataView(this.#changes.buffer);
    this.#events = new Uint8Array(this.#max * this.#size);
    this.#ev32 = new Int32Array(this.#events.buffer);
    this.#evU32 = new Uint32Array(this.#events.buffer);
    this.#ev16 = new Int16Array(this.#events.buffer);
    this.#evU16 = new Uint16Array(this.#events.buffer);
  }

  /** Write change `i`: ident, filter, flags; everything else zero. */
  #put(i: number, fd: number, filter: number, flags: number): void {
    const o = i * this.#size;
    const b = this.#changes;
    b.fill(0, o, o + this.#size);
    const v = this.#changesView;
    v.setUint32(o, fd, true);
    v.setInt16(o + 8, filter, true);
    v.setUint16(o + 10, flags, true);
  }

  #submit(n: number): number {
    return this.lib.kevent!(this.queueFd, this.#changes, n, null, 0, null);
  }

  #delete(fd: number, filter: number): void {
    this.#put(0, fd, filter, this.#c.EV_DELETE);
    if (this.#submit(1) < 0) {
      const e = this.lib.errno();
      if (e !== this.#ENOENT && e !== this.#EBADF) throw errorFromErrno(e, "kevent", this.#c.os);
    }
  }

  /** Set `fd`'s interest to `events` (READ | WRITE; 0 removes it). */
  override modify(fd: number, events: number): void {
    checkArgs(fd, events);
    this.checkOpen();
    const old = this.interest.get(fd) ?? 0;
    if (old === events) return;
    const c = this.#c;
    // Deletes first, one per call: a filter the kernel already dropped (the
    // fd was closed) fails with ENOENT/EBADF, which is fine.
    if ((old & READ) !== 0 && (events & READ) === 0) this.#delete(fd, c.EVFILT_READ);
    if ((old & WRITE) !== 0 && (events & WRITE) === 0) this.#delete(fd, c.EVFILT_WRITE);
    let n = 0;
    if ((events & READ) !== 0) this.#put(n++, fd, c.EVFILT_READ, c.EV_ADD);
    if ((events & WRITE) !== 0) this.#put(n++, fd, c.EVFILT_WRITE, c.EV_ADD);
    if (n > 0 && this.#submit(n) < 0) {
      const e = this.lib.errno();
      // Keep what the kernel may hold: forget the fd; a later modify re-adds.
      this.interest.delete(fd);
      throw errorFromErrno(e, "kevent", c.os);
    }
    if (events === 0) this.interest.delete(fd);
    else this.interest.set(fd, events);
  }

  /** Wait up to `timeoutMs` (-1: forever) and report ready fds (one call per filter). */
  override poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number {
    this.checkOpen();
    timeoutMs = timeoutArg(timeoutMs);
    const lib = this.lib;
    const c = this.#c;
    let ts: Uint8Array | null = null;
    if (timeoutMs === 0) {
      ts = this.#zeroTs;
    } else if (timeoutMs > 0) {
      const v = new DataView(this.#ts.buffer);
      const sec = Math.floor(timeoutMs / 1000);
      v.setBigInt64(0, BigInt(sec), true);
      v.setBigInt64(8, BigInt(Math.round((timeoutMs - sec * 1000) * 1e6)), true);
      ts = this.#ts;
    }
    const n = lib.kevent!(this.queueFd, null, 0, this.#events, this.#max, ts);
    if (n < 0) {
      const e = lib.errno();
      if (e === this.#EINTR) return 0;
      throw errorFromErrno(e, "kevent", c.os);
    }
    const w = this.#size >> 2;
    const h = this.#size >> 1;
    let reported = 0;
    for (let i = 0; i < n; i++) {
      const fd = this.#ev32[i * w];
      const filter = this.#ev16[i * h + 4];
      const flags = this.#evU16[i * h + 5];
      const fflags = this.#evU32[i * w + 3];
      const want = this.interest.get(fd);
      if (want === undefined) continue;
      let mask = 0;
      if ((flags & c.EV_ERROR) !== 0 || ((flags & c.EV_EOF) !== 0 && fflags !== 0)) {
        mask = ERROR; // Twisted's kqreactor: EOF with an errno is a lost connection.
      } else if (filter === c.EVFILT_READ) {
        mask = READ & want;
      } else if (filter === c.EVFILT_WRITE) {
        mask = WRITE & want;
      }
      if (mask === 0) continue;
      reported++;
      onReady(fd, mask);
    }
    return reported;
  }
}
