/**
 * Parkers: wait off the JS thread until one of a set of fds is ready, so the
 * host event loop keeps running while the reactor is idle (runtime.md §3.6).
 *
 * - `NonblockingParker` (Deno's default): a `nonblocking: true` FFI `poll(2)`
 *   on tokio's blocking pool. No Worker, no SharedArrayBuffer.
 * - `HostLoopParker` (Bun's default on Linux): no thread at all. The fds go
 *   into a private epoll instance, and a duplicate of that epoll fd is lent
 *   to Bun's own event loop as a socket (`Bun.connect({ fd })`). Bun's loop
 *   wakes when it turns readable, its `recv` fails (an epoll fd is no
 *   socket, so nothing is consumed) and it closes its duplicate: that close
 *   ends the park. One wake-up instead of a thread hand-off.
 * - `WorkerParker` (Bun's default elsewhere; also works on Deno): a Worker
 *   blocks in `poll(2)` and signals with `Atomics.notify`; the JS thread
 *   awaits `Atomics.waitAsync`.
 * - `IoUringParker` (Deno on Linux, opt-in: `SKEIN_PARKER=iouring`): no
 *   thread either. An io_uring poll of the same kind of private epoll
 *   instance, linked to a one-byte send into a socket Deno itself reads.
 *
 * The nonblocking and Worker parkers add a wake fd (an eventfd on Linux, a
 * pipe elsewhere) to the set, so `wake()` and `close()` can end a wait at
 * once; the other two end the park themselves.
 *
 * Measured on Deno (Linux, 2 vCPUs) and not kept, none of them waking faster
 * than the nonblocking call: a Worker with Atomics; a Worker calling a
 * thread-safe `UnsafeCallback`; SIGIO aimed at the JS thread; a Worker
 * writing to a socket that `node:net` watches; the pool thread calling
 * `epoll_wait` itself. After idle gaps of milliseconds, Deno's own loop sets
 * the floor rather than the hand-off: `Deno.listen` wakes no faster than the
 * nonblocking parker then.
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
import { envVar, RUNTIME } from "./_platform.ts";
import { constants } from "./constants.ts";
import { errno, errorFromErrno } from "./errno.ts";
import { libraryPaths, loadIoUring, loadLibc, type MappedRegion } from "./libc.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  IO_URING_CQE_SIZE,
  IO_URING_PARAMS_SIZE,
  IO_URING_SQE_SIZE,
  IORING,
  type IoUringParams,
  type IoUringSqe,
  POLLFD_SIZE,
  readIoUringCqe,
  readIoUringParams,
  SOCKADDR_STORAGE_SIZE,
  writeEpollEvent,
  writeIoUringSqe,
} from "./structs.ts";
import type { Libc, Parker } from "./types.ts";

/** Which parker to build: see {@linkcode createParker}. */
export type ParkerKind = "nonblocking" | "worker" | "hostloop" | "iouring";

const PARKER_KINDS: readonly ParkerKind[] = ["nonblocking", "worker", "hostloop", "iouring"];

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

/** The checks every `park()` makes first: one event mask per fd, one park at a time. */
function checkParkArgs(
  fds: Int32Array,
  events: Int16Array | undefined,
  outstanding: boolean,
): void {
  if (events !== undefined && events.length !== fds.length) {
    throw new RangeError("Parker.park: events must have one entry per fd");
  }
  if (outstanding) throw new Error("Parker.park: a park is already outstanding");
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
    checkParkArgs(fds, events, this.parked);
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

/** The part of a Bun socket the HostLoopParker uses. */
interface LentSocket {
  terminate(): void;
}

/** The part of `Bun.connect` the HostLoopParker uses (an existing fd as a socket). */
interface BunConnect {
  connect(options: {
    fd: number;
    socket: {
      open(s: LentSocket): void;
      data(s: LentSocket, d: Uint8Array): void;
      error(s: LentSocket, e: Error): void;
      close(s: LentSocket): void;
    };
  }): Promise<LentSocket>;
}

function bunConnect(): BunConnect | null {
  const bun = (globalThis as { Bun?: Partial<BunConnect>; }).Bun;
  return typeof bun?.connect === "function" ? (bun as BunConnect) : null;
}

/** While no fd can be duplicated (EMFILE/ENFILE), parks poll at this period (ms). */
const FD_STARVED_POLL_MS = 2;

/**
 * How often (ms) a HostLoopParker checks that Bun still reports the lent fd:
 * `outer` ready at two checks in a row with the same park outstanding means
 * Bun took the fd and stays silent, and the parker moves to a Worker.
 */
const SILENT_LEND_CHECK_MS = 1000;

/** One outstanding HostLoopParker park. */
interface Lend {
  resolve: () => void;
  socket: LentSocket | null;
  done: boolean;
}

/**
 * A park set held in a private epoll instance, registered level-triggered,
 * so that one fd (`fd`, the epoll fd) turns readable whenever any of the set
 * is ready. An unchanged set costs no syscalls: the same arrays with the same
 * contents as last time (the pollers hand back new arrays whenever their
 * interest changes, so a closed and reused fd number is registered afresh);
 * a changed set of n fds costs n `epoll_ctl`s.
 */
class EpollParkSet {
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

/**
 * Bun on Linux: park on Bun's own event loop, with no helper thread. The park
 * set is registered (level-triggered) in a private epoll instance `outer`; a
 * close-on-exec duplicate of `outer` is handed to `Bun.connect({ fd })`, which
 * adds it to Bun's loop. When `outer` turns readable Bun's `recv` fails with
 * `ENOTSOCK` (nothing is read: the watched fds keep their data) and Bun
 * closes the duplicate; that `close` resolves the park. `wake()` and
 * `close()` terminate the lent socket. Only ever our own epoll fd is lent, so
 * no data can be taken from a watched socket.
 *
 * An unchanged park set costs no registration syscalls: the same arrays
 * with the same contents as last time (the pollers hand back new arrays
 * whenever their interest changes, so a closed and reused fd number is
 * registered afresh); a changed set of n fds costs n `epoll_ctl`s. While the
 * process is out of fds (EMFILE/ENFILE), so that nothing can be lent, parks
 * end after 2 ms instead and the caller polls again.
 *
 * This leans on how Bun treats a foreign fd (pinned by the parker tests); if
 * a lend ever fails, a park ends while `outer` is not ready three times in a
 * row, or `outer` stays ready for a second without Bun ending the park, the
 * parker falls back to a {@linkcode WorkerParker} for good.
 *
 * @example
 * ```ts ignore
 * import { HostLoopParker } from "./parker.ts";
 * const parker = new HostLoopParker();
 * await parker.park(new Int32Array([epfd]));
 * parker.close();
 * ```
 */
export class HostLoopParker implements Parker {
  readonly #lib: Libc;
  readonly #bun: BunConnect;
  /** The park set, in the private epoll instance `outer`. */
  readonly #set: EpollParkSet;
  #lend: Lend | null = null;
  #fallback: WorkerParker | null = null;
  /** The timer of a park made while out of fds (see `FD_STARVED_POLL_MS`). */
  #starved: ReturnType<typeof setTimeout> | null = null;
  #emptyWakes = 0;
  /** The once-a-second check that Bun still reports lends (unref'd). */
  #watchdog: ReturnType<typeof setInterval> | null = null;
  /** The park that was outstanding, with `outer` ready, at the last check. */
  #suspect: Lend | null = null;
  #closed = false;

  /** Needs Bun on Linux. */
  constructor() {
    const bun = bunConnect();
    const lib = loadLibc().libc;
    if (bun === null || lib.epoll_create1 === undefined) {
      throw new Error("HostLoopParker needs Bun on Linux; use WorkerParker");
    }
    this.#set = new EpollParkSet(lib);
    this.#lib = lib;
    this.#bun = bun;
  }

  /** Resolve when one of `fds` is ready, on `wake()`, or on `close()`. */
  park(fds: Int32Array, events?: Int16Array): Promise<void> {
    checkParkArgs(fds, events, this.#lend !== null);
    if (this.#closed) return Promise.resolve();
    if (this.#fallback !== null) return this.#fallback.park(fds, events);
    const { promise, resolve } = Promise.withResolvers<void>();
    if (!this.#set.update(fds, events)) {
      // An fd epoll cannot watch: poll(2) would report it at once, and so
      // do we; the caller polls again.
      resolve();
      return promise;
    }
    const lib = this.#lib;
    const lend: Lend = { resolve, socket: null, done: false };
    const lent = lib.fcntl(this.#set.fd, constants.F_DUPFD_CLOEXEC, 0);
    if (lent < 0) {
      const e = lib.errno();
      if (e !== errno.EMFILE && e !== errno.ENFILE) {
        throw errorFromErrno(e, "fcntl(F_DUPFD_CLOEXEC)");
      }
      // Out of fds (an accept loop at its limit, say): nothing can be lent,
      // so poll briefly instead of waiting on Bun's loop; the caller keeps
      // serving what it has, and lends resume once fds are free.
      this.#lend = lend;
      this.#starved = setTimeout(() => {
        this.#starved = null;
        this.#finish(lend);
      }, FD_STARVED_POLL_MS);
      return promise;
    }
    this.#lend = lend;
    if (this.#watchdog === null) {
      this.#watchdog = setInterval(() => this.#checkSilence(), SILENT_LEND_CHECK_MS);
      unrefTimer(this.#watchdog);
    }
    const adopt = (s: LentSocket): void => {
      if (lend.done) s.terminate();
      else lend.socket = s;
    };
    const ended = (): void => this.#ended(lend);
    try {
      this.#bun.connect({
        fd: lent,
        socket: { open: adopt, data: () => {}, error: ended, close: ended },
      }).then(adopt, () => this.#lendFailed(lend));
    } catch {
      lib.close(lent);
      this.#lendFailed(lend);
    }
    return promise;
  }

  /** Bun closed (or errored) the lent fd: `outer` became ready, or we ended it. */
  #ended(lend: Lend): void {
    if (lend.done) return;
    if (this.#set.ready()) this.#emptyWakes = 0;
    else if (++this.#emptyWakes >= 3) this.#useFallback();
    this.#finish(lend);
  }

  /**
   * Bun adopted the lent fd but has not ended the park although `outer` has
   * been ready for a whole check period: it no longer reports the fd, so park
   * on a Worker from now on (one slow wake-up instead of a hang).
   */
  #checkSilence(): void {
    const lend = this.#lend;
    if (lend === null || this.#starved !== null || !this.#set.ready()) {
      this.#suspect = null;
      return;
    }
    if (this.#suspect !== lend) {
      this.#suspect = lend;
      return;
    }
    this.#suspect = null;
    this.#useFallback();
    this.#finish(lend);
    lend.socket?.terminate();
  }

  #lendFailed(lend: Lend): void {
    this.#useFallback();
    this.#finish(lend);
  }

  #stopWatchdog(): void {
    if (this.#watchdog !== null) clearInterval(this.#watchdog);
    this.#watchdog = null;
  }

  #useFallback(): void {
    this.#stopWatchdog();
    if (this.#fallback === null && !this.#closed) this.#fallback = new WorkerParker();
  }

  #finish(lend: Lend): void {
    if (lend.done) return;
    lend.done = true;
    if (this.#lend === lend) this.#lend = null;
    lend.resolve();
  }

  wake(): void {
    if (this.#starved !== null) {
      clearTimeout(this.#starved);
      this.#starved = null;
    }
    const lend = this.#lend;
    if (lend !== null) {
      this.#finish(lend);
      lend.socket?.terminate();
    }
    this.#fallback?.wake();
  }

  /** End any park and release `outer` (the lent duplicate is Bun's to close). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.wake();
    this.#stopWatchdog();
    this.#fallback?.close();
    this.#set.close();
  }
}

/** `user_data` of the armed poll and of the send linked to it. */
const POLL_TAG = 1n;
const SEND_TAG = 2n;
/** The byte the linked send writes. */
const POLL_BYTE = 0x50;

/**
 * Deno on Linux, opt-in (`createParker("iouring")`): park with no helper
 * thread. The park set goes into a private epoll instance, as for the
 * {@linkcode HostLoopParker}; one io_uring POLL_ADD waits on that epoll fd,
 * hard-linked to a one-byte `send` into a Unix (or loopback TCP) socket whose
 * other end Deno itself reads. The park is that read. When the set turns
 * ready the kernel completes the poll on the JS thread (interrupting Deno's
 * own `epoll_wait`), runs the send, and Deno's loop finds its socket
 * readable: one wake-up, no thread hand-off. Nothing is read from the
 * watched fds. `wake()` ends the park at once; the poll and the read stay
 * armed for the next park (the read unref'd meanwhile), and a park that
 * finds them armed costs no syscall beyond those of a changed set.
 *
 * Measured against the {@linkcode NonblockingParker} in one process
 * (`bench/reactor_bench.ts --kinds=epoll --parker=nonblocking,iouring
 * --gap=…`): 11–22 % lower wake-up latency with 200–500 µs between events,
 * the same within noise (±12 %) at 1–3 ms, and up to 5 % higher after 10 ms
 * idle.
 *
 * Needs io_uring (Linux 5.7+, not disabled by seccomp or
 * `kernel.io_uring_disabled`) and permission to connect the socket: read,
 * write and net on a Unix socket under `/tmp`, or else net on 127.0.0.1
 * (`--allow-net=127.0.0.1` is enough). It never prompts.
 * Until the socket is connected, and for good if anything is missing or ever
 * fails, it parks through a {@linkcode NonblockingParker} instead. While a
 * poll is armed, an `epoll_wait`, `poll` or `select` that the JS thread
 * blocks in itself may return EINTR when the set turns ready.
 *
 * @example
 * ```ts ignore
 * import { IoUringParker } from "./parker.ts";
 * const parker = new IoUringParker();
 * await parker.park(new Int32Array([epfd]));
 * parker.close();
 * ```
 */
export class IoUringParker implements Parker {
  readonly #lib: Libc;
  readonly #fallback: NonblockingParker;
  #set: EpollParkSet | null = null;
  #ring = -1;
  #rings: MappedRegion | null = null;
  #sqeMap: MappedRegion | null = null;
  #u32 = new Uint32Array(0);
  #ringView = new DataView(new ArrayBuffer(0));
  #sqes = new DataView(new ArrayBuffer(0));
  #params: IoUringParams | null = null;
  readonly #pollByte = new Uint8Array([POLL_BYTE]);
  /** Our end of the signal socket (blocking: io_uring waits for room itself). */
  #w = -1;
  /** Deno's end, read while parked. */
  #conn: Deno.Conn | null = null;
  readonly #rbuf = new Uint8Array(64);
  /** The read of Deno's end in flight (at most one; it may outlive its park). */
  #reading = false;
  /** The outstanding park's resolve. */
  #current: (() => void) | null = null;
  /** io_uring parks are in use (the socket is connected and nothing failed). */
  #ready = false;
  #armed = false;
  /** The two SQEs of an arming (fixed once the socket is connected). */
  #sqePoll: IoUringSqe | null = null;
  #sqeSend: IoUringSqe | null = null;
  #viaFallback = false;
  #closed = false;
  readonly #whenReady: Promise<boolean>;

  /** Needs Deno with `--allow-ffi` on Linux (falls back by itself short of io_uring). */
  constructor() {
    const loaded = loadLibc();
    if (RUNTIME !== "deno" || loaded.libc.epoll_create1 === undefined) {
      throw new Error(
        "IoUringParker needs Deno on Linux; use createParker() for this runtime's default",
      );
    }
    this.#lib = loaded.libc;
    this.#fallback = new NonblockingParker();
    if (this.#setUp()) {
      this.#whenReady = this.#connect().then(
        (ok) => {
          if (ok && !this.#closed) this.#ready = true;
          else this.#release();
          return this.#ready;
        },
        () => {
          this.#release();
          return false;
        },
      );
    } else {
      this.#release();
      this.#whenReady = Promise.resolve(false);
    }
  }

  /**
   * Settles once the parker knows how it parks: true when parks go through
   * io_uring, false when it uses the nonblocking fallback (io_uring or the
   * permission to connect its socket is missing, or it was closed first).
   */
  whenReady(): Promise<boolean> {
    return this.#whenReady;
  }

  /** True while parks go through io_uring (false before `whenReady()` settles, and after any failure). */
  get usingIoUring(): boolean {
    return this.#ready;
  }

  /** The ring, its mappings and the epoll set; false (nothing kept) when unavailable. */
  #setUp(): boolean {
    const sys = loadIoUring();
    if (sys === null) return false;
    const raw = new Uint8Array(IO_URING_PARAMS_SIZE);
    this.#ring = sys.setup(4, raw);
    if (this.#ring < 0) return false;
    const p = readIoUringParams(raw);
    if (
      (p.features & IORING.FEAT_SINGLE_MMAP) === 0 || (p.features & IORING.FEAT_FAST_POLL) === 0
    ) {
      return false;
    }
    const ringBytes = Math.max(
      p.sqArray + 4 * p.sqEntries,
      p.cqes + IO_URING_CQE_SIZE * p.cqEntries,
    );
    this.#rings = sys.mapShared(this.#ring, ringBytes, IORING.OFF_SQ_RING);
    this.#sqeMap = sys.mapShared(this.#ring, IO_URING_SQE_SIZE * p.sqEntries, IORING.OFF_SQES);
    if (this.#rings === null || this.#sqeMap === null) return false;
    this.#params = p;
    this.#u32 = new Uint32Array(this.#rings.buffer);
    this.#ringView = new DataView(this.#rings.buffer);
    this.#sqes = new DataView(this.#sqeMap.buffer);
    this.#set = new EpollParkSet(this.#lib);
    return true;
  }

  /** Connect the signal socket (never prompting for permission); false when not allowed. */
  async #connect(): Promise<boolean> {
    const lib = this.#lib;
    const C = constants;
    const granted = (d: Deno.PermissionDescriptor): boolean => {
      try {
        return Deno.permissions.querySync(d).state === "granted";
      } catch {
        return false;
      }
    };
    const path = `/tmp/skein-parker-${Deno.pid}-${Math.random().toString(36).slice(2, 10)}.sock`;
    // A Unix socket needs read and write on its path, and on newer Deno also
    // net for "unix:<path>" (a query older Deno does not know throws).
    let netUnix: boolean;
    try {
      netUnix =
        Deno.permissions.querySync({ name: "net", host: `unix:${path}` }).state === "granted";
    } catch {
      netUnix = true;
    }
    const unix = netUnix && granted({ name: "read", path }) && granted({ name: "write", path });
    const lfd = lib.socket(
      unix ? C.AF_UNIX : C.AF_INET,
      C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC,
      0,
    );
    if (lfd < 0) return false;
    try {
      let connecting: Promise<Deno.Conn>;
      if (unix) {
        const sa = encodeSockaddrUn(path);
        if (lib.bind(lfd, sa, sa.length) < 0 || lib.listen(lfd, 1) < 0) return false;
        connecting = Deno.connect({ transport: "unix", path });
      } else {
        const sa = encodeSockaddr("127.0.0.1", 0);
        if (lib.bind(lfd, sa, sa.length) < 0 || lib.listen(lfd, 1) < 0) return false;
        const name = new Uint8Array(SOCKADDR_STORAGE_SIZE);
        const len = new Uint32Array([name.length]);
        if (lib.getsockname(lfd, name, len) < 0) return false;
        const addr = decodeSockaddr(name, len[0]);
        if (!("port" in addr)) return false;
        if (!granted({ name: "net", host: `127.0.0.1:${addr.port}` })) return false;
        connecting = Deno.connect({ hostname: "127.0.0.1", port: addr.port });
      }
      const conn = await connecting;
      if (unix) lib.unlink(path);
      const w = lib.accept4(lfd, null, null, C.SOCK_CLOEXEC);
      if (w < 0 || this.#closed) {
        if (w >= 0) lib.close(w);
        conn.close();
        return false;
      }
      if (!unix) {
        const one = new Int32Array([1]);
        lib.setsockopt(w, C.IPPROTO_TCP, C.TCP_NODELAY, new Uint8Array(one.buffer), 4);
      }
      this.#w = w;
      this.#conn = conn;
      this.#sqePoll = {
        opcode: IORING.OP_POLL_ADD,
        flags: IORING.SQE_IO_HARDLINK,
        fd: this.#set!.fd,
        opFlags: C.POLLIN,
        userData: POLL_TAG,
      };
      this.#sqeSend = {
        opcode: IORING.OP_SEND,
        fd: w,
        addr: this.#lib.address(this.#pollByte),
        len: 1,
        opFlags: C.MSG_NOSIGNAL,
        userData: SEND_TAG,
      };
      return true;
    } finally {
      lib.close(lfd);
      if (unix) lib.unlink(path);
    }
  }

  /** Resolve when one of `fds` is ready, on `wake()`, or on `close()`. */
  park(fds: Int32Array, events?: Int16Array): Promise<void> {
    checkParkArgs(fds, events, this.#current !== null || this.#viaFallback);
    if (this.#closed) return Promise.resolve();
    if (!this.#ready) return this.#parkFallback(fds, events);
    if (!this.#set!.update(fds, events)) return Promise.resolve();
    this.#reap();
    if (!this.#ready) return this.#parkFallback(fds, events);
    if (!this.#armed && !this.#arm()) {
      this.#release();
      return this.#parkFallback(fds, events);
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#current = resolve;
    const conn = this.#conn!;
    conn.ref();
    if (!this.#reading) this.#read(conn);
    return promise;
  }

  /**
   * Read Deno's end. A byte means a poll completed; the park ends when the
   * poll armed for it has (its completion is in the ring by then). Bytes
   * left by a poll that completed while nobody was parked are skipped, so no
   * park ends early because of them. The read may outlive its park (ended
   * by `wake()`): then it is unref'd, and the next park takes it over.
   */
  #read(conn: Deno.Conn): void {
    this.#reading = true;
    const settled = (n: number | null): void => {
      this.#reading = false;
      if (this.#closed || conn !== this.#conn) return;
      if (n === null) {
        // EOF or an error: the socket is gone; park another way from now on.
        this.#finish();
        this.#release();
        return;
      }
      this.#reap();
      if (this.#current === null) return;
      if (!this.#armed || !this.#ready) this.#finish();
      else this.#read(conn);
    };
    conn.read(this.#rbuf).then(settled, () => settled(null));
  }

  /** End the outstanding park, if any; an idle parker keeps nothing alive. */
  #finish(): void {
    const resolve = this.#current;
    this.#current = null;
    if (this.#reading) this.#conn?.unref();
    resolve?.();
  }

  #parkFallback(fds: Int32Array, events: Int16Array | undefined): Promise<void> {
    this.#viaFallback = true;
    const done = (): void => {
      this.#viaFallback = false;
    };
    return this.#fallback.park(fds, events).then(done, done);
  }

  /** Queue POLL_ADD(epoll fd) hard-linked to send(POLL_BYTE) and submit both. */
  #arm(): boolean {
    const p = this.#params!;
    const u32 = this.#u32;
    const mask = u32[p.sqRingMask >> 2];
    let tail = u32[p.sqTail >> 2];
    for (const sqe of [this.#sqePoll!, this.#sqeSend!]) {
      const i = tail & mask;
      writeIoUringSqe(this.#sqes, i * IO_URING_SQE_SIZE, sqe);
      u32[(p.sqArray >> 2) + i] = i;
      tail++;
    }
    u32[p.sqTail >> 2] = tail;
    const sys = loadIoUring()!;
    let n = sys.enter(this.#ring, 2, 0, 0);
    if (n < 0 && this.#lib.errno() === errno.EINTR) n = sys.enter(this.#ring, 2, 0, 0);
    if (n !== 2) return false;
    this.#armed = true;
    return true;
  }

  /** Consume completions: the poll's ends the arming; any error means io_uring is no use here. */
  #reap(): void {
    const p = this.#params;
    if (p === null) return;
    const u32 = this.#u32;
    const mask = u32[p.cqRingMask >> 2];
    let head = u32[p.cqHead >> 2];
    const tail = u32[p.cqTail >> 2];
    let failed = false;
    while (head !== tail) {
      const cqe = readIoUringCqe(this.#ringView, p.cqes + (head & mask) * IO_URING_CQE_SIZE);
      if (cqe.userData === POLL_TAG) this.#armed = false;
      if (cqe.res < 0) failed = true;
      head = (head + 1) >>> 0;
    }
    u32[p.cqHead >> 2] = head;
    if (failed && !this.#closed) this.#release();
  }

  wake(): void {
    if (this.#viaFallback) this.#fallback.wake();
    else this.#finish();
  }

  /** Give up io_uring for good: release its resources; later parks use the fallback. */
  #release(): void {
    this.#ready = false;
    this.#armed = false;
    const lib = this.#lib;
    // Closing Deno's end fails a read in flight; its callback sees the
    // connection gone and leaves the park to the caller.
    this.#conn?.close();
    this.#conn = null;
    if (this.#w >= 0) lib.close(this.#w);
    this.#w = -1;
    // Closing the ring cancels an armed poll.
    this.#rings?.unmap();
    this.#sqeMap?.unmap();
    this.#rings = this.#sqeMap = null;
    this.#params = null;
    if (this.#ring >= 0) lib.close(this.#ring);
    this.#ring = -1;
    this.#set?.close();
    this.#set = null;
  }

  /** End any park and release everything. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finish();
    this.#viaFallback = false; // a fallback park still pending ends on the close below
    this.#fallback.close();
    this.#release();
  }
}

/**
 * A `Parker` for this runtime: `"nonblocking"` (Deno's default),
 * `"hostloop"` (Bun's default on Linux), `"worker"` (Bun's default
 * elsewhere; also available on Deno) or `"iouring"` (Deno on Linux, opt-in).
 * With no `kind`, the `SKEIN_PARKER` environment variable picks one when set.
 * Needs FFI.
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
  const k = kind ?? defaultKind();
  if (k === "nonblocking") return new NonblockingParker();
  if (k === "worker") return new WorkerParker();
  if (k === "hostloop") return new HostLoopParker();
  if (k === "iouring") return new IoUringParker();
  throw new Error(
    `unknown parker ${JSON.stringify(k)}; expected one of ${PARKER_KINDS.join(", ")}`,
  );
}

function defaultKind(): ParkerKind {
  const fromEnv = envVar("SKEIN_PARKER");
  if (fromEnv !== undefined) {
    if (!(PARKER_KINDS as readonly string[]).includes(fromEnv)) {
      throw new TypeError(
        `SKEIN_PARKER=${JSON.stringify(fromEnv)} is not a parker; use one of ${
          PARKER_KINDS.join(", ")
        }`,
      );
    }
    return fromEnv as ParkerKind;
  }
  if (RUNTIME === "deno") return "nonblocking";
  return bunConnect() !== null && loadLibc().libc.epoll_create1 !== undefined
    ? "hostloop"
    : "worker";
}
