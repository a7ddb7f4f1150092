/**
 * The `HostLoopParker`, Bun's default parker on Linux: no thread at all. The
 * fds go into a private epoll instance, and a duplicate of that epoll fd is
 * lent to Bun's own event loop as a socket (`Bun.connect({ fd })`). Bun's loop
 * wakes when it turns readable, its `recv` fails (an epoll fd is no socket,
 * so nothing is consumed) and it closes its duplicate: that close ends the
 * park. One wake-up instead of a thread hand-off.
 *
 * @module
 */

import { EpollParkSet } from "./_epoll_park_set.ts";
import { checkParkArgs, unrefTimer } from "./_parker_base.ts";
import { constants } from "./constants.ts";
import { errno, errorFromErrno } from "./errno.ts";
import { loadLibc } from "./libc.ts";
import type { Parker } from "./parker.ts";
import type { Libc } from "./types.ts";
import { WorkerParker } from "./worker_parker.ts";

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

/**
 * Whether a {@linkcode HostLoopParker} can be built here: Bun (with
 * `Bun.connect`) on Linux (epoll), with FFI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostLoopSupported } from "./host_loop_parker.ts";
 *
 * // The parker needs Bun's own loop (Bun.connect) and epoll (Linux).
 * const onBunLinux = "Bun" in globalThis && process.platform === "linux";
 * assert.equal(hostLoopSupported(), onBunLinux);
 * ```
 */
export function hostLoopSupported(): boolean {
  return bunConnect() !== null && loadLibc().libc.epoll_create1 !== undefined;
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
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 * import { HostLoopParker, hostLoopSupported } from "./host_loop_parker.ts";
 *
 * if (ffiAvailable() && hostLoopSupported()) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker = new HostLoopParker();
 *   const parked = parker.park(new Int32Array([pipe[0]]));
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked; // Bun's own loop saw the lent epoll fd turn readable
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * } else {
 *   assert.throws(() => new HostLoopParker(), /needs Bun on Linux/);
 * }
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
