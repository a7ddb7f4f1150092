/**
 * Child processes on the FFI reactor: Twisted's `twisted/internet/process.py`.
 * The child starts with `posix_spawn` (see `ffi/spawn.ts`); its pipes are
 * non-blocking, close-on-exec descriptors in the reactor's poller, like its
 * sockets; its exit is an event too (a pidfd in the same poller on Linux).
 * Only the pids Skein started are reaped (`waitpid(pid, WNOHANG)`), so the
 * runtime's own children (`Deno.Command`, `Bun.spawn`) are left to it.
 *
 * When the reactor shuts down, a child still running is left running and
 * unsignalled, as in Twisted: its pipes and pidfd are closed, and it is
 * reaped quietly by a host-loop timer (that never holds the process open)
 * once it exits, so it never stays a zombie; its protocol hears nothing more.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type {
  IDelayedCall,
  IProcessProtocol,
  IProcessTransport,
  IPullProducer,
  IPushProducer,
  IReadWriteDescriptor,
  ProcessSignal,
  SpawnProcessOptions,
} from "../interfaces.ts";
import { writeSome } from "./_pipe_write.ts";
import { checkSpawnArgs } from "./_process_args.ts";
import { callProtocol, noPipeToWrite, processReason } from "./_process_common.ts";
import { adoptOrphan } from "./_process_orphans.ts";
import { signalNumber } from "./_signals.ts";
import { type FDReactor, FileDescriptor } from "./abstract.ts";
import {
  ConnectionDone,
  ConnectionLost,
  type ProcessDone,
  ProcessExitedAlready,
  type ProcessTerminated,
  SystemCallError,
} from "./errors.ts";
import { constants } from "./ffi/constants.ts";
import { errnoName, errorFromErrno } from "./ffi/errno.ts";
import { libc } from "./ffi/mod.ts";
import { checkWindowSize, openPty, setWindowSize } from "./ffi/pty.ts";
import { openPidfd, posixSpawn, waitNoHang } from "./ffi/spawn.ts";

/** One read's worth of a child's output. */
const READ_SIZE = 65536;
const SCRATCH = new Uint8Array(READ_SIZE);

/** Seconds between `waitpid` checks where there is no pidfd, first and at most. */
const POLL_FIRST = 0.005;
const POLL_MAX = 0.1;

function closeQuietly(fd: number): void {
  if (fd >= 0) libc().close(fd);
}

function setNonBlocking(fd: number): void {
  const lib = libc();
  const flags = lib.fcntl(fd, constants.F_GETFL, 0);
  if (flags < 0 || lib.fcntl(fd, constants.F_SETFL, flags | constants.O_NONBLOCK) < 0) {
    throw errorFromErrno(lib.errno(), "fcntl");
  }
}

/**
 * One read from a child's pipe or terminal, to `SCRATCH`: the bytes (a
 * copy), `null` when there is nothing now, or why it ended (`ConnectionDone`
 * at EOF; a terminal's master reads `EIO` once the child side is all closed).
 */
function readChild(fd: number, eioIsEnd: boolean): Uint8Array | Error | null {
  const n = libc().read(fd, SCRATCH, READ_SIZE);
  if (n > 0) return SCRATCH.slice(0, n);
  if (n === 0) return new ConnectionDone();
  const err = libc().errno();
  const name = errnoName(err);
  if (name === "EAGAIN" || name === "EWOULDBLOCK" || name === "EINTR") return null;
  if (name === "EIO" && eioIsEnd) return new ConnectionDone();
  return errorFromErrno(err, "read");
}

/** Our end of one pipe to the child: what Twisted's `ProcessReader` and `ProcessWriter` share. */
abstract class ProcessPipe extends FileDescriptor {
  readonly #process: Process;
  readonly #childFD: number;

  constructor(reactor: FDReactor, process: Process, childFD: number, fd: number) {
    super(reactor);
    this.#process = process;
    this.#childFD = childFD;
    this.fd = fd;
    this.connected = true;
  }

  override logPrefix(): string {
    return `Process ${this.#process.pid ?? "(ended)"} fd ${this.#childFD}`;
  }

  // protected: the reader subclass hands what it reads to the process through it.
  protected received(data: Uint8Array): void {
    this.#process.childDataReceived(this.#childFD, data);
  }

  /** Close our end and tell the process. */
  override connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    super.connectionLost(reason);
    closeQuietly(this.fd);
    this.fd = -1;
    this.#process.childConnectionLost(this.#childFD, reason);
  }
}

/** Our end of a pipe the child writes to (Twisted's `ProcessReader`). */
class ProcessReader extends ProcessPipe {
  doRead(): Error | null {
    const got = readChild(this.fd, false);
    if (!(got instanceof Uint8Array)) return got;
    this.received(got);
    return null;
  }

  writeSomeData(): number {
    return -1;
  }

  protected loseConnectionNow(): void {}

  /** Stop reading and close on the next turn (Twisted's `ProcessReader.loseConnection`). */
  override loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    this.disconnecting = true;
    this.stopReading();
    this.reactor.callLater(0, () => {
      if (!this.disconnected) this.connectionLost(new Failure(new ConnectionDone()));
    });
  }
}

/**
 * Our end of a pipe the child reads from (Twisted's `ProcessWriter`). It also
 * watches its fd for readability: a pipe's write end turns "readable" (an
 * error) only when the child has closed the other end.
 */
class ProcessWriter extends ProcessPipe {
  /** The child closed its end. */
  doRead(): Error | null {
    return new ConnectionLost();
  }

  writeSomeData(data: Uint8Array, len: number): number {
    return writeSome(this.fd, data, len);
  }

  protected override writeError(): Error {
    return new ConnectionLost();
  }

  protected loseConnectionNow(): void {
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  /** The read side of a pipe we write to is the close watch: keep it while closing. */
  override loseConnection(): void {
    if (!this.connected || this.disconnecting) return;
    super.loseConnection();
    this.startReading();
  }
}

/**
 * The master end of the child's pseudo-terminal (Twisted's `PTYProcess`
 * descriptor): written like a pipe to the child, and read too: what the
 * child prints arrives as fd 1. Linux reports `EIO` once every slave fd is
 * closed: that is its EOF.
 */
class PTYDescriptor extends ProcessWriter {
  override logPrefix(): string {
    return `${super.logPrefix()} (pty)`;
  }

  override doRead(): Error | null {
    const got = readChild(this.fd, true);
    if (!(got instanceof Uint8Array)) return got;
    this.received(got);
    return null;
  }
}

/** The child's pidfd in the poller: readable once it exits. */
class PidfdWatcher implements IReadWriteDescriptor {
  fd: number;
  readonly #process: Process;
  readonly #reactor: FDReactor;

  constructor(reactor: FDReactor, process: Process, fd: number) {
    this.#reactor = reactor;
    this.#process = process;
    this.fd = fd;
  }

  fileno(): number {
    return this.fd;
  }

  doRead(): null {
    this.#process.reap();
    return null;
  }

  doWrite(): null {
    return null;
  }

  /** Stop watching and close the pidfd. */
  close(): void {
    if (this.fd < 0) return;
    this.#reactor.removeReader(this);
    closeQuietly(this.fd);
    this.fd = -1;
  }

  /** The reactor is shutting down: close the pidfd (the process's shutdown trigger reaps). */
  connectionLost(): void {
    closeQuietly(this.fd);
    this.fd = -1;
  }

  logPrefix(): string {
    return `Process ${this.#process.pid ?? "(ended)"} exit`;
  }
}

/** Each reactor's children not reaped yet, and the one shutdown trigger that lets them go. */
const running = new WeakMap<FDReactor, Set<Process>>();

function track(reactor: FDReactor, process: Process): void {
  let set = running.get(reactor);
  if (set === undefined) {
    const live = new Set<Process>();
    set = live;
    running.set(reactor, live);
    reactor.addSystemEventTrigger("after", "shutdown", () => {
      running.delete(reactor);
      for (const child of [...live]) child.reactorStopped();
    });
  }
  set.add(process);
}

/**
 * A child process started on the FFI reactor: the {@linkcode IProcessTransport}
 * that `PosixReactor.spawnProcess` returns (Twisted's `Process`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { PosixReactor, Process } from "@skein/skein/reactor";
 *
 * // `sleep` would run a minute: TERM ends it, and the reason says so.
 * class Sleeper extends ProcessProtocol {
 *   reason: Failure | null = null;
 *   override processEnded(reason: Failure): void {
 *     this.reason = reason;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new PosixReactor("poll");
 * const sleeper = new Sleeper();
 * const child = reactor.spawnProcess(sleeper, "sleep", ["sleep", "60"]);
 * assert.ok(child instanceof Process && typeof child.pid === "number");
 * child.signalProcess("TERM");
 * await reactor.run();
 * assert.match(sleeper.reason!.getErrorMessage(), /by signal 15/);
 * assert.equal(child.pid, null);
 * ```
 */
export class Process implements IProcessTransport, IPushProducer {
  #pid: number | null = null;
  readonly #reactor: FDReactor;
  #protocol: IProcessProtocol | null;
  readonly #pipes = new Map<number, ProcessReader | ProcessWriter>();
  readonly #writable = new Set<number>();
  #status: number | null = null;
  #exitReason: ProcessDone | ProcessTerminated | null = null;
  #exited = false;
  #watcher: PidfdWatcher | null = null;
  #poll: IDelayedCall | null = null;
  #pollDelay = POLL_FIRST;
  #pty: PTYDescriptor | null = null;
  #ptyOpen = false;

  /**
   * Start `executable` (see `IReactorProcess.spawnProcess`); throws what
   * `spawnProcess` throws. Prefer `reactor.spawnProcess`.
   */
  constructor(
    reactor: FDReactor,
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ) {
    const checked = checkSpawnArgs(executable, args, options);
    this.#reactor = reactor;
    this.#protocol = protocol;
    if (options.usePTY === true) {
      const { master, slave } = openPty(24, 80);
      try {
        setNonBlocking(master);
        this.#pid = posixSpawn({
          file: checked.file,
          argv: checked.argv,
          envp: checked.envp,
          fds: [],
          cwd: checked.cwd,
          terminal: slave,
          credentials: checked.credentials,
        });
      } catch (e) {
        closeQuietly(master);
        throw e;
      }
      this.#pty = new PTYDescriptor(reactor, this, 1, master);
      this.#ptyOpen = true;
      track(reactor, this);
      this.#watchExit(this.#pid);
      this.#pty.startReading();
      this.#connect(protocol);
      return;
    }
    const lib = libc();
    const ours: [number, "r" | "w", number][] = [];
    const theirs: number[] = [];
    const fds: [number, number][] = [];
    let pid: number;
    try {
      for (const [child, what] of checked.childFDs) {
        if (typeof what === "number") {
          fds.push([child, what]);
          continue;
        }
        const pipe = new Int32Array(2);
        if (lib.pipe2(pipe, constants.O_CLOEXEC) !== 0) throw errorFromErrno(lib.errno(), "pipe2");
        // "r": we read what the child writes; "w": the child reads what we write.
        const [mine, its] = what === "r" ? [pipe[0], pipe[1]] : [pipe[1], pipe[0]];
        ours.push([child, what, mine]);
        theirs.push(its);
        fds.push([child, its]);
      }
      for (const [, , fd] of ours) setNonBlocking(fd);
      pid = posixSpawn({
        file: checked.file,
        argv: checked.argv,
        envp: checked.envp,
        fds,
        cwd: checked.cwd,
        credentials: checked.credentials,
      });
    } catch (e) {
      for (const [, , fd] of ours) closeQuietly(fd);
      for (const fd of theirs) closeQuietly(fd);
      throw e;
    }
    // The child has its copies of its ends.
    for (const fd of theirs) closeQuietly(fd);
    this.#pid = pid;
    for (const [child, what, fd] of ours) {
      if (what === "r") {
        this.#pipes.set(child, new ProcessReader(reactor, this, child, fd));
      } else {
        this.#pipes.set(child, new ProcessWriter(reactor, this, child, fd));
        this.#writable.add(child);
      }
    }
    track(reactor, this);
    this.#watchExit(pid);
    for (const pipe of this.#pipes.values()) pipe.startReading();
    this.#connect(protocol);
  }

  #watchExit(pid: number): void {
    const pidfd = openPidfd(pid);
    if (pidfd >= 0) {
      this.#watcher = new PidfdWatcher(this.#reactor, this, pidfd);
      this.#reactor.addReader(this.#watcher);
    } else {
      this.#poll = this.#reactor.callLater(this.#pollDelay, this.#pollExit);
    }
  }

  #connect(protocol: IProcessProtocol): void {
    callProtocol("makeConnection", this.#prefix(), () => protocol.makeConnection(this));
  }

  /** The pseudo-terminal closed. */
  #ptyLost(): void {
    this.#ptyOpen = false;
    this.#maybeCallProcessEnded();
  }

  /**
   * Set the window size of the child's pseudo-terminal (`usePTY` only); the
   * child gets `SIGWINCH`.
   */
  setWindowSize(rows: number, columns: number): void {
    if (this.#pty === null) {
      throw new TypeError(
        "setWindowSize: this process has no pseudo-terminal (spawn it with usePTY: true)",
      );
    }
    checkWindowSize(rows, columns);
    if (this.#ptyOpen) setWindowSize(this.#pty.fd, rows, columns);
  }

  /** The child's pid, or `null` once it has been reaped. */
  get pid(): number | null {
    return this.#pid;
  }

  /** Bytes written to stdin and not yet handed to the pipe. */
  get bufferedAmount(): number {
    return (this.#pty ?? this.#pipes.get(0))?.bufferedAmount ?? 0;
  }

  /** The raw wait status once the child has been reaped, else `null`. */
  get status(): number | null {
    return this.#status;
  }

  /** Why the child ended, built once (Twisted hands the same one to processExited and processEnded). */
  #reason(): ProcessDone | ProcessTerminated {
    return this.#exitReason ??= processReason(this.#status);
  }

  #prefix(): string {
    return `Process ${this.#pid ?? "(ended)"}`;
  }

  readonly #pollExit = (): void => {
    this.#poll = null;
    if (this.reap()) return;
    this.#pollDelay = Math.min(this.#pollDelay * 2, POLL_MAX);
    this.#poll = this.#reactor.callLater(this.#pollDelay, this.#pollExit);
  };

  /**
   * Reap the child if it has exited (one `waitpid(pid, WNOHANG)`); returns
   * whether it is gone. Called by the exit watch.
   */
  reap(): boolean {
    if (this.#exited || this.#pid === null) return true;
    const status = waitNoHang(this.#pid);
    if (status === null) return false;
    this.#processExited(status === -1 ? null : status);
    return true;
  }

  /**
   * The reactor has shut down (its pipes are closed): one last look for the
   * exit (which the protocol hears); a child still running is left running,
   * as in Twisted, and reaped quietly once it exits, so it never stays a
   * zombie. Called by the reactor's shutdown trigger.
   */
  reactorStopped(): void {
    if (this.reap()) return;
    this.#stopWatching();
    const pid = this.#pid!;
    adoptOrphan(pid, (status) => {
      this.#exited = true;
      this.#status = status;
      this.#pid = null;
    });
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = null;
    this.#poll?.cancel();
    this.#poll = null;
    running.get(this.#reactor)?.delete(this);
  }

  #processExited(status: number | null): void {
    this.#exited = true;
    this.#status = status;
    this.#pid = null;
    this.#stopWatching();
    const protocol = this.#protocol;
    if (protocol !== null) {
      callProtocol(
        "processExited",
        this.#prefix(),
        () => protocol.processExited(new Failure(this.#reason())),
      );
    }
    this.#maybeCallProcessEnded();
  }

  /** Data from a pipe (called by the pipe). */
  childDataReceived(childFD: number, data: Uint8Array): void {
    this.#protocol?.childDataReceived(childFD, data);
  }

  /** A pipe closed (called by the pipe). */
  childConnectionLost(childFD: number, _reason: Failure): void {
    if (this.#pty !== null) return this.#ptyLost(); // the terminal is the only "pipe"
    if (!this.#pipes.delete(childFD)) return;
    const protocol = this.#protocol;
    callProtocol(
      "childConnectionLost",
      this.#prefix(),
      () => protocol?.childConnectionLost(childFD),
    );
    this.#maybeCallProcessEnded();
  }

  /** `processEnded` once the child is gone and every pipe closed. */
  #maybeCallProcessEnded(): void {
    if (this.#pipes.size > 0 || this.#ptyOpen) return;
    if (!this.#exited) {
      this.reap();
      return;
    }
    const protocol = this.#protocol;
    if (protocol === null) return;
    this.#protocol = null;
    const reason = new Failure(this.#reason());
    callProtocol("processEnded", "Process", () => protocol.processEnded(reason));
  }

  #writer(childFD: number): FileDescriptor | null {
    if (this.#pty !== null) {
      if (childFD !== 0) {
        throw new TypeError(
          "Process: a process on a pseudo-terminal has no child fds but its terminal: use write()",
        );
      }
      return this.#ptyOpen ? this.#pty : null;
    }
    if (!this.#writable.has(childFD)) throw noPipeToWrite(childFD, this.#writable);
    const pipe = this.#pipes.get(childFD);
    return pipe instanceof ProcessWriter ? pipe : null;
  }

  /** Write to the child's stdin (a no-op once stdin is closed). */
  write(data: Uint8Array | string): void {
    this.#writer(0)?.write(data);
  }

  /** Write several chunks to the child's stdin. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    this.#writer(0)?.writeSequence(data);
  }

  /** Write to the child's fd `childFD` (mapped `"w"`; a no-op once that pipe is closed). */
  writeToChild(childFD: number, data: Uint8Array | string): void {
    this.#writer(childFD)?.write(data);
  }

  /** Register a producer for the child's stdin. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    const stdin = this.#writer(0);
    if (stdin === null) producer.stopProducing();
    else stdin.registerProducer(producer, streaming);
  }

  /** Unregister stdin's producer. */
  unregisterProducer(): void {
    (this.#pty ?? this.#pipes.get(0))?.unregisterProducer();
  }

  /** Close our end of the pipe to the child's fd `childFD` (a writer after its buffer drains). */
  closeChildFD(childFD: number): void {
    if (this.#pty !== null) {
      throw new TypeError(
        "Process: a process on a pseudo-terminal has no child fds to close: use loseConnection()",
      );
    }
    this.#pipes.get(childFD)?.loseConnection();
  }

  /** Close the child's stdin once what was written is sent. */
  closeStdin(): void {
    if (this.#pty === null) this.closeChildFD(0); // a terminal is one stream: a no-op there, as in Twisted
  }

  /** Close our end of the child's stdout. */
  closeStdout(): void {
    if (this.#pty === null) this.closeChildFD(1); // a terminal is one stream: a no-op there, as in Twisted
  }

  /** Close our end of the child's stderr. */
  closeStderr(): void {
    if (this.#pty === null) this.closeChildFD(2); // a terminal is one stream: a no-op there, as in Twisted
  }

  /** Close stdin, stderr and stdout (Twisted's order); the child is not signalled. */
  loseConnection(): void {
    if (this.#pty !== null) {
      this.#pty.loseConnection();
      return;
    }
    this.closeStdin();
    this.closeStderr();
    this.closeStdout();
  }

  /** Stop reading the child's output (flow control). */
  pauseProducing(): void {
    this.#pty?.stopReading();
    for (const pipe of this.#pipes.values()) if (pipe instanceof ProcessReader) pipe.stopReading();
  }

  /** Read the child's output again. */
  resumeProducing(): void {
    if (this.#ptyOpen) this.#pty?.startReading();
    for (const pipe of this.#pipes.values()) if (pipe instanceof ProcessReader) pipe.startReading();
  }

  /** Close every pipe (the child is not signalled). */
  stopProducing(): void {
    this.loseConnection();
  }

  /** Send the child a signal (see `IProcessTransport.signalProcess`). */
  signalProcess(signal: ProcessSignal): void {
    const number = signalNumber(signal, libc().os);
    if (this.#pid === null) throw new ProcessExitedAlready();
    if (libc().kill(this.#pid, number) === 0) return;
    const err = libc().errno();
    if (errnoName(err) === "ESRCH") throw new ProcessExitedAlready();
    throw new SystemCallError("kill", err, errnoName(err), `pid ${this.#pid}`);
  }
}
