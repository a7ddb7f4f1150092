/**
 * The `IoUringParker` (Deno on Linux, opt-in: `SKEIN_PARKER=iouring`): no
 * thread. An io_uring poll of a private epoll instance holding the park set,
 * linked to a one-byte send into a socket Deno itself reads.
 *
 * @module
 */

import { EpollParkSet } from "./_epoll_park_set.ts";
import { checkParkArgs } from "./_parker_base.ts";
import { RUNTIME } from "./_platform.ts";
import { constants } from "./constants.ts";
import { errno } from "./errno.ts";
import { loadIoUring, type MappedRegion } from "./io_uring.ts";
import {
  IO_URING_CQE_SIZE,
  IO_URING_PARAMS_SIZE,
  IO_URING_SQE_SIZE,
  IORING,
  type IoUringParams,
  type IoUringSqe,
  readIoUringCqe,
  readIoUringParams,
  writeIoUringSqe,
} from "./io_uring_structs.ts";
import { loadLibc } from "./libc.ts";
import { NonblockingParker } from "./nonblocking_parker.ts";
import type { Parker } from "./parker.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  SOCKADDR_STORAGE_SIZE,
} from "./sockaddr.ts";
import type { Libc } from "./types.ts";

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
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 * import { IoUringParker } from "./io_uring_parker.ts";
 *
 * if (ffiAvailable() && typeof Deno !== "undefined" && libc().os === "linux") {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker = new IoUringParker();
 *   // true: parks go through io_uring; false: through its nonblocking fallback
 *   assert.equal(await parker.whenReady(), parker.usingIoUring);
 *   const parked = parker.park(new Int32Array([pipe[0]]));
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked; // the pipe turned readable
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
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
