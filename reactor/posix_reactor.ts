/**
 * The FFI reactor: Twisted's `PosixReactorBase` + `EPollReactor`/`PollReactor`/
 * `SelectReactor`/`KQueueReactor` in one class over a pluggable
 * {@linkcode Poller}.
 *
 * The loop never blocks the JavaScript thread: it **parks off-thread** (a
 * {@linkcode Parker} waits until the poller's fds are ready), then **drains on
 * the thread** with `poll(0)` and dispatches `doRead`/`doWrite`, and **keeps
 * polling while busy**: after a non-empty dispatch it yields one host turn
 * (`setImmediate`, so timers, promises, `fetch` and the runtime's own servers
 * run) and polls again, parking only when a poll comes back empty. Timed calls
 * ride on host timers (see `ReactorBase`). `runBlocking()` is the alternative
 * for processes that belong to the reactor alone: it polls on the thread with
 * the timeout to the next timed call.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type {
  IProcessProtocol,
  IReactor,
  IReactorFDSet,
  IReactorProcess,
  IReadWriteDescriptor,
  SpawnProcessOptions,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { ConnectionDone, ConnectionFdescWentAway, ConnectionLost } from "./errors.ts";
import { cpuYielder, createParker, type Parker } from "./ffi/mod.ts";
import { createPoller } from "./pollers/mod.ts";
import { ERROR, type Poller, type PollerKind, READ, WRITE } from "./pollers/poller.ts";

export type { PollerKind } from "./pollers/poller.ts";
import { Process } from "./process.ts";
import type { RunOptions } from "./reactor_base.ts";
import { type SocketClasses, SocketReactorBase } from "./socket_reactor_base.ts";
import { TCPConnector, TCPPort } from "./tcp.ts";
import { UDPPort } from "./udp.ts";
import { UNIXConnector, UNIXPort } from "./unix.ts";

/**
 * A descriptor that wants to hear about a clean read-side close separately
 * (Twisted's `IHalfCloseableDescriptor`): when `doRead` returns
 * `ConnectionDone`, the reactor calls `readConnectionLost` instead of
 * `connectionLost` and keeps the descriptor as a writer.
 */
interface HalfCloseable {
  readConnectionLost(reason: Failure): void;
}

function isHalfCloseable(d: IReadWriteDescriptor): d is IReadWriteDescriptor & HalfCloseable {
  return typeof (d as Partial<HalfCloseable>).readConnectionLost === "function";
}

const NO_FILEDESC = "File descriptor lost";

/** Default of {@linkcode PosixReactorOptions.spinMicroseconds}. */
const DEFAULT_SPIN_US = 30;

/**
 * Options for a {@linkcode PosixReactor}.
 *
 * @example
 * ```ts
 * import type { PosixReactorOptions } from "./posix_reactor.ts";
 * const o: PosixReactorOptions = { spinMicroseconds: 0 };
 * ```
 */
export interface PosixReactorOptions {
  /** Make the parker (default: the FFI layer's `createParker()`); for tests and benchmarks. */
  makeParker?: () => Parker;
  /**
   * After the last dispatch, keep polling on-thread (one host turn per poll)
   * this many microseconds before parking off-thread. Costs CPU only while
   * I/O flows; an idle reactor parks at once. @default {30}
   */
  spinMicroseconds?: number;
}

const nextTurn = (): Promise<void> =>
  new Promise<void>((resolve) => {
    setImmediate(resolve);
  });

/**
 * Twisted's POSIX reactor over one {@linkcode Poller}: file-descriptor
 * readiness (`addReader`/`addWriter`/…) plus TCP, UDP and Unix sockets (the
 * transports of `tcp.ts`, `udp.ts`, `unix.ts`).
 *
 * Dispatch follows Twisted's `_doReadOrWrite`: a descriptor whose `fileno()`
 * is -1 is dropped with `ConnectionFdescWentAway`; READ calls `doRead()`,
 * then WRITE calls `doWrite()` unless `doRead` asked to disconnect; ERROR
 * (error or hang-up) counts as both, for whichever the descriptor is
 * registered. A returned Error disconnects the descriptor
 * (`connectionLost(new Failure(err))`) and removes it; an exception thrown by
 * `doRead`/`doWrite` is logged and disconnects it too. A descriptor removed
 * by an earlier callback of the same batch is not called.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IReadWriteDescriptor, PosixReactor } from "@skein/skein/reactor";
 * import { constants, libc } from "./ffi/mod.ts";
 *
 * // A pipe: the reactor calls doRead once its read end has data.
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * const reactor = new PosixReactor("poll");
 * const got: string[] = [];
 * const reader: IReadWriteDescriptor = {
 *   fileno: () => pipe[0],
 *   doRead: () => {
 *     const buf = new Uint8Array(16);
 *     const n = libc().read(pipe[0], buf, buf.length);
 *     got.push(new TextDecoder().decode(buf.subarray(0, n)));
 *     reactor.removeReader(reader);
 *     reactor.stop();
 *   },
 *   doWrite: () => null,
 *   connectionLost: () => {},
 *   logPrefix: () => "pipe",
 * };
 * reactor.addReader(reader);
 * assert.deepEqual(reactor.getReaders(), [reader]);
 * libc().write(pipe[1], new TextEncoder().encode("ping"), 4);
 * await reactor.run();
 * assert.deepEqual(got, ["ping"]);
 * assert.deepEqual(reactor.getReaders(), []); // doRead removed it
 * libc().close(pipe[0]);
 * libc().close(pipe[1]);
 * ```
 */
export class PosixReactor extends SocketReactorBase
  implements IReactor, IReactorFDSet, IReactorProcess
{
  // protected: SocketReactorBase (the base class) builds the sockets from it.
  /** Sockets over the FFI layer: TCP, Unix and UDP transports driven by the poller. */
  protected override readonly sockets: SocketClasses<this, UDPPort> = {
    tcpPort: TCPPort,
    tcpConnector: TCPConnector,
    unixPort: UNIXPort,
    unixConnector: UNIXConnector,
    udpPort: UDPPort,
  };
  readonly #poller: Poller;
  /** True when the poller's `parkSet()` never changes (epoll and kqueue: one fd). */
  readonly #stableParkSet: boolean;
  readonly #makeParker: () => Parker;
  readonly #spinMs: number;
  readonly #yieldCpu: () => number = cpuYielder();

  /** fd → descriptor, for every fd watched for reading or writing. */
  readonly #selectables = new Map<number, IReadWriteDescriptor>();
  readonly #reads = new Set<number>();
  readonly #writes = new Set<number>();

  #parker: Parker | null = null;
  #pollerClosed = false;
  #parked = false;
  #gen = 0;
  #blocking = false;

  #readyFds = new Int32Array(256);
  #readyMasks = new Int32Array(256);
  #nReady = 0;
  readonly #collect = (fd: number, mask: number): void => {
    let n = this.#nReady;
    if (n === this.#readyFds.length) {
      const fds = new Int32Array(n * 2);
      fds.set(this.#readyFds);
      const masks = new Int32Array(n * 2);
      masks.set(this.#readyMasks);
      this.#readyFds = fds;
      this.#readyMasks = masks;
    }
    this.#readyFds[n] = fd;
    this.#readyMasks[n] = mask;
    this.#nReady = ++n;
  };

  /**
   * A reactor over the poller `kind` (or a poller you made). `makeParker`
   * replaces the FFI layer's parker (for tests).
   */
  constructor(poller: PollerKind | Poller, options: PosixReactorOptions = {}) {
    super();
    this.#poller = typeof poller === "string" ? createPoller(poller) : poller;
    this.#stableParkSet = this.#poller.kind === "epoll" || this.#poller.kind === "kqueue";
    this.#makeParker = options.makeParker ?? (() => createParker());
    this.#spinMs = (options.spinMicroseconds ?? DEFAULT_SPIN_US) / 1000;
    // A stopped reactor never runs again: release the poller's fd (epoll,
    // kqueue) once shutdown is complete. Later registrations are only recorded.
    this.addSystemEventTrigger("after", "shutdown", () => {
      this.#pollerClosed = true;
      this.#poller.close();
    });
  }

  /** The poller's name: `"epoll"`, `"poll"`, `"select"` or `"kqueue"`. */
  get kind(): string {
    return this.#poller.kind;
  }

  // -------------------------------------------------------------------------
  // Running
  // -------------------------------------------------------------------------

  /**
   * Run the loop on the JavaScript thread itself: poll with the timeout to the
   * next timed call, never parking off-thread. Faster on the busy path, but
   * it **starves the host event loop** while it waits: host timers, `fetch`,
   * Worker messages and signal handlers only get in when the reactor goes
   * idle (one host turn before each blocking wait), and not at all while it
   * is blocked. Promise continuations run between iterations. For processes
   * that belong to the reactor alone. Returns like `run()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { PosixReactor } from "@skein/skein/reactor";
   *
   * const reactor = new PosixReactor("poll");
   * let fired = false;
   * reactor.callLater(0.01, () => {
   *   fired = true;
   *   reactor.stop();
   * });
   * await reactor.runBlocking();
   * assert.ok(fired);
   * ```
   */
  runBlocking(options: RunOptions = {}): Promise<void> {
    this.#blocking = true;
    this.useHostTimers = false;
    try {
      return this.startRunning({ installSignalHandlers: false, ...options });
    } catch (e) {
      this.#blocking = false;
      this.useHostTimers = true;
      throw e;
    }
  }

  // startLoop, stopLoop and disconnectAll are `protected`: they override
  // ReactorBase's hooks, which only the base class calls.

  /** Start the I/O loop: a parker and the parking loop, or the blocking loop. */
  protected override startLoop(): void {
    const gen = ++this.#gen;
    if (this.#blocking) {
      void this.#blockingLoop(gen);
      return;
    }
    this.#parker = this.#makeParker();
    void this.#parkingLoop(gen, this.#parker);
  }

  /** End the I/O loop and close the parker (a pending park would keep Deno alive). */
  protected override stopLoop(): void {
    this.#gen++;
    this.#blocking = false;
    this.useHostTimers = true;
    const parker = this.#parker;
    this.#parker = null;
    this.#parked = false;
    parker?.close();
  }

  async #parkingLoop(gen: number, parker: Parker): Promise<void> {
    await null; // let run() fire the startup triggers before any dispatch
    while (gen === this.#gen) {
      try {
        // Drain while busy, yielding one host turn after each dispatch; keep
        // polling for `spinMs` after the last I/O (a peer's answer usually
        // comes within tens of µs, cheaper to catch on-thread than to park).
        // An empty poll while spinning gives the CPU away (`sched_yield`; the
        // FFI layer makes it a no-op on Deno, where it measured slower), so a
        // peer sharing this CPU, often the one about to answer, runs first;
        // with no one else runnable it returns at once.
        let lastBusy = -Infinity;
        for (;;) {
          if (this.#pollOnce(0) > 0) lastBusy = performance.now();
          else if (performance.now() - lastBusy >= this.#spinMs) break;
          else this.#yieldCpu();
          await nextTurn();
          if (gen !== this.#gen) return;
        }
        const { fds, events } = this.#poller.parkSet();
        this.#parked = true;
        try {
          await parker.park(fds, events);
        } finally {
          this.#parked = false;
        }
      } catch (e) {
        if (gen !== this.#gen) return;
        log.err(e, "Unexpected error in main loop.");
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  async #blockingLoop(gen: number): Promise<void> {
    await null; // let run() fire the startup triggers before any dispatch
    while (gen === this.#gen) {
      try {
        this.runUntilCurrent();
        if (gen !== this.#gen) return;
        if (this.#pollOnce(0) === 0) {
          // Idle: before blocking, give the host one turn, so promise chains
          // of any depth settle and host callbacks (Worker messages, signals)
          // get in; then block in the poller until I/O or the next timed call.
          await nextTurn();
          if (gen !== this.#gen) return;
          this.runUntilCurrent();
          if (gen !== this.#gen) return;
          const t = this.timeout();
          this.#pollOnce(t === null ? -1 : Math.ceil(t * 1000));
        }
      } catch (e) {
        log.err(e, "Unexpected error in main loop.");
      }
      // Busy: a microtask checkpoint only, no host turn.
      await null;
    }
  }

  /** One `poll(timeoutMs)` of the poller, then the dispatch of what it found. */
  #pollOnce(timeoutMs: number): number {
    this.#nReady = 0;
    this.#poller.poll(timeoutMs, this.#collect);
    const n = this.#nReady;
    const fds = this.#readyFds;
    const masks = this.#readyMasks;
    for (let i = 0; i < n; i++) {
      const fd = fds[i];
      const selectable = this.#selectables.get(fd);
      if (selectable !== undefined) this.#doReadOrWrite(selectable, fd, masks[i]);
    }
    return n;
  }

  #doReadOrWrite(selectable: IReadWriteDescriptor, fd: number, mask: number): void {
    let why: Error | null | void = null;
    let inRead = false;
    try {
      if (selectable.fileno() === -1) {
        why = new ConnectionFdescWentAway(NO_FILEDESC);
      } else {
        if ((mask & (READ | ERROR)) !== 0 && this.#reads.has(fd)) {
          why = selectable.doRead();
          inRead = true;
        }
        if (
          !why && (mask & (WRITE | ERROR)) !== 0 && this.#writes.has(fd)
          && this.#selectables.get(fd) === selectable
        ) {
          why = selectable.doWrite();
          inRead = false;
        }
      }
    } catch (e) {
      why = e instanceof Error ? e : new Error(String(e));
      log.err(e, undefined, { system: safePrefix(selectable) });
    }
    if (why) this.#disconnectSelectable(selectable, why, inRead);
  }

  /** Twisted's `_disconnectSelectable`, with its half-close rule. */
  #disconnectSelectable(selectable: IReadWriteDescriptor, why: Error, isRead: boolean): void {
    try {
      this.removeReader(selectable);
      const f = new Failure(why);
      if (isRead && why.constructor === ConnectionDone && isHalfCloseable(selectable)) {
        selectable.readConnectionLost(f);
      } else {
        this.removeWriter(selectable);
        selectable.connectionLost(f);
      }
    } catch (e) {
      log.err(e, undefined, { system: safePrefix(selectable) });
    }
  }

  /** Remove every descriptor and tell each `connectionLost(ConnectionLost)` (during shutdown). */
  protected override disconnectAll(): void {
    for (const selectable of this.removeAll()) {
      try {
        selectable.connectionLost(new Failure(new ConnectionLost()));
      } catch (e) {
        log.err(e, undefined, { system: safePrefix(selectable) });
      }
    }
  }

  // -------------------------------------------------------------------------
  // IReactorFDSet
  // -------------------------------------------------------------------------

  /**
   * Call `reader.doRead()` whenever its fd is readable.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type IReadWriteDescriptor, PosixReactor } from "@skein/skein/reactor";
   *
   * // Not run, the poll poller only records interest: any fd number does here.
   * const reactor = new PosixReactor("poll");
   * const reader: IReadWriteDescriptor = {
   *   fileno: () => 7,
   *   doRead: () => null,
   *   doWrite: () => null,
   *   connectionLost: () => {},
   *   logPrefix: () => "reader",
   * };
   * reactor.addReader(reader);
   * reactor.addReader(reader); // a second add changes nothing
   * assert.deepEqual(reactor.getReaders(), [reader]);
   * ```
   */
  addReader(reader: IReadWriteDescriptor): void {
    this.#add(reader, this.#reads, this.#writes, READ, WRITE);
  }

  /**
   * Call `writer.doWrite()` whenever its fd is writable.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type IReadWriteDescriptor, PosixReactor } from "@skein/skein/reactor";
   * import { constants, libc } from "./ffi/mod.ts";
   *
   * // An empty pipe's write end is writable at once: doWrite runs on the first poll.
   * const pipe = new Int32Array(2);
   * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
   * const reactor = new PosixReactor("poll");
   * const writer: IReadWriteDescriptor = {
   *   fileno: () => pipe[1],
   *   doRead: () => null,
   *   doWrite: () => {
   *     libc().write(pipe[1], new Uint8Array([1]), 1);
   *     reactor.removeWriter(writer);
   *     reactor.stop();
   *   },
   *   connectionLost: () => {},
   *   logPrefix: () => "writer",
   * };
   * reactor.addWriter(writer);
   * assert.deepEqual(reactor.getWriters(), [writer]);
   * await reactor.run();
   * assert.deepEqual(reactor.getWriters(), []); // doWrite removed it
   * assert.equal(libc().read(pipe[0], new Uint8Array(4), 4), 1);
   * libc().close(pipe[0]);
   * libc().close(pipe[1]);
   * ```
   */
  addWriter(writer: IReadWriteDescriptor): void {
    this.#add(writer, this.#writes, this.#reads, WRITE, READ);
  }

  /**
   * Stop watching `reader` for readability (no error if it was not watched).
   * See the {@linkcode PosixReactor} example.
   */
  removeReader(reader: IReadWriteDescriptor): void {
    this.#remove(reader, this.#reads, this.#writes, WRITE);
  }

  /**
   * Stop watching `writer` for writability (no error if it was not watched).
   * See the {@linkcode PosixReactor.addWriter} example.
   */
  removeWriter(writer: IReadWriteDescriptor): void {
    this.#remove(writer, this.#writes, this.#reads, READ);
  }

  /**
   * Stop watching every descriptor; returns them.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type IReadWriteDescriptor, PosixReactor } from "@skein/skein/reactor";
   *
   * // Not run, the poll poller only records interest: any fd number does here.
   * const reactor = new PosixReactor("poll");
   * const reader: IReadWriteDescriptor = {
   *   fileno: () => 7,
   *   doRead: () => null,
   *   doWrite: () => null,
   *   connectionLost: () => {},
   *   logPrefix: () => "reader",
   * };
   * const writer: IReadWriteDescriptor = {
   *   fileno: () => 8,
   *   doRead: () => null,
   *   doWrite: () => null,
   *   connectionLost: () => {},
   *   logPrefix: () => "writer",
   * };
   * reactor.addReader(reader);
   * reactor.addWriter(writer);
   * assert.deepEqual(new Set(reactor.removeAll()), new Set([reader, writer]));
   * assert.deepEqual(reactor.getReaders(), []);
   * ```
   */
  removeAll(): IReadWriteDescriptor[] {
    const all = [...new Set(this.#selectables.values())];
    for (const d of all) {
      this.removeReader(d);
      this.removeWriter(d);
    }
    return all;
  }

  /**
   * The descriptors watched for reading.
   * See the {@linkcode PosixReactor.addReader} example.
   */
  getReaders(): IReadWriteDescriptor[] {
    const out: IReadWriteDescriptor[] = [];
    for (const fd of this.#reads) out.push(this.#selectables.get(fd)!);
    return out;
  }

  /**
   * The descriptors watched for writing.
   * See the {@linkcode PosixReactor.addWriter} example.
   */
  getWriters(): IReadWriteDescriptor[] {
    const out: IReadWriteDescriptor[] = [];
    for (const fd of this.#writes) out.push(this.#selectables.get(fd)!);
    return out;
  }

  #add(
    d: IReadWriteDescriptor,
    primary: Set<number>,
    other: Set<number>,
    primaryBit: number,
    otherBit: number,
  ): void {
    const fd = d.fileno();
    if (fd < 0) {
      throw new RangeError(
        `${safePrefix(d)}: cannot watch a closed descriptor (fileno() is ${fd})`,
      );
    }
    if (primary.has(fd) && this.#selectables.get(fd) === d) return;
    const mask = primaryBit | (other.has(fd) ? otherBit : 0);
    if (!this.#pollerClosed) this.#poller.modify(fd, mask);
    primary.add(fd);
    this.#selectables.set(fd, d);
    this.#interestChanged();
  }

  #remove(
    d: IReadWriteDescriptor,
    primary: Set<number>,
    other: Set<number>,
    otherBit: number,
  ): void {
    let fd = d.fileno();
    if (fd === -1 || this.#selectables.get(fd) !== d) {
      // The descriptor closed its fd first (or the number was reused): find it
      // by identity, as Twisted's epoll reactor does.
      fd = -1;
      for (const [n, s] of this.#selectables) {
        if (s === d) {
          fd = n;
          break;
        }
      }
      if (fd === -1) return;
    }
    if (!primary.has(fd)) return;
    primary.delete(fd);
    const keep = other.has(fd);
    if (!keep) this.#selectables.delete(fd);
    if (this.#pollerClosed) return;
    try {
      this.#poller.modify(fd, keep ? otherBit : 0);
    } catch (e) {
      // The fd may already be closed (EBADF/ENOENT): the kernel dropped it.
      if (keep) throw e;
    }
    this.#interestChanged();
  }

  /** Poll and select park on the whole interest set: re-park with the new one. */
  #interestChanged(): void {
    if (this.#parked && !this.#stableParkSet) this.#parker?.wake();
  }

  // -------------------------------------------------------------------------
  // Processes (process.ts)
  // -------------------------------------------------------------------------

  /**
   * Start `executable` with `args` (`args[0]` is the program's name) and
   * connect `protocol` to it: the child's pipes are fds in this reactor's
   * poller, its exit an event (see {@linkcode Process}). Unlike Twisted, the
   * child inherits this program's environment unless `env` is given.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import type { Failure } from "@skein/skein/deferred";
   * import { ProcessProtocol } from "@skein/skein/protocols";
   * import { PosixReactor, ProcessDone } from "@skein/skein/reactor";
   *
   * class Env extends ProcessProtocol {
   *   out = "";
   *   ended: Failure | null = null;
   *   override outReceived(data: Uint8Array): void {
   *     this.out += new TextDecoder().decode(data);
   *   }
   *   override processEnded(reason: Failure): void {
   *     this.ended = reason;
   *     reactor.stop();
   *   }
   * }
   * const reactor = new PosixReactor("poll");
   * const env = new Env();
   * reactor.spawnProcess(env, "env", ["env"], { env: { GREETING: "hi" }, path: "/" });
   * await reactor.run();
   * assert.equal(env.out, "GREETING=hi\n");
   * assert.ok(env.ended?.check(ProcessDone));
   * ```
   */
  spawnProcess(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): Process {
    return new Process(this, protocol, executable, args, options);
  }
}

function safePrefix(d: IReadWriteDescriptor): string {
  try {
    return d.logPrefix();
  } catch {
    return "-";
  }
}
