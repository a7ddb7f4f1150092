/**
 * `StandardIO`: this process's own stdin and stdout as a transport for one
 * protocol (Twisted's `twisted.internet.stdio.StandardIO`), the shape of an
 * interactive command-line tool.
 *
 * On the FFI reactor the two fds are non-blocking descriptors in its poller
 * (a regular file is read a chunk per reactor turn, as files cannot be
 * polled); their original flags are restored when the transport closes and
 * when the process exits, and so is the mode of a terminal on stdin (which
 * the `raw` option puts in raw mode). On the host reactor it uses the runtime's
 * `process.stdin`/`process.stdout` streams (fds 0 and 1 only).
 *
 * Unlike Twisted, closing the transport never closes fds 0 and 1 themselves
 * (the runtime's own `console` keeps using them).
 *
 * @module
 */

import { fstatSync } from "node:fs";
import process from "node:process";
import type { ReadStream } from "node:tty";
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type {
  IAddress,
  IHalfCloseableProtocol,
  IListeningPort,
  IProtocol,
  IPullProducer,
  IPushProducer,
  IReactor,
  IReactorFDSet,
  ITransport,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { writeSome } from "../reactor/_pipe_write.ts";
import { type FDReactor, FileDescriptor } from "../reactor/abstract.ts";
import { ConnectionDone, ConnectionLost } from "../reactor/errors.ts";
import { constants } from "../reactor/ffi/constants.ts";
import { errnoName } from "../reactor/ffi/errno.ts";
import { libc } from "../reactor/ffi/mod.ts";
import {
  restoreTerminalMode,
  saveTerminalMode,
  setRawMode,
  type TerminalMode,
} from "../reactor/ffi/pty.ts";
import { getReactor } from "../reactor/install.ts";

/**
 * The address of a standard I/O "connection" (Twisted's `PipeAddress`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipeAddress } from "@skein/skein/process";
 *
 * assert.equal(new PipeAddress().toString(), "PipeAddress()");
 * ```
 */
export class PipeAddress implements IAddress {
  /** Always `"PROCESS"`: the pipes of a process. */
  readonly type: "PROCESS" = "PROCESS";
  /** `PipeAddress()`. */
  toString(): string {
    return "PipeAddress()";
  }
}

/**
 * Options of {@linkcode StandardIO}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StandardIOOptions } from "@skein/skein/process";
 *
 * const options: StandardIOOptions = { stdin: 0, stdout: 1 };
 * assert.equal(options.stdout, 1);
 * ```
 */
export interface StandardIOOptions {
  /** The reactor. @default {the process-wide reactor} */
  reactor?: IReactor;
  /** The fd to read (FFI reactor: any; host reactor: 0). @default {0} */
  stdin?: number;
  /** The fd to write (FFI reactor: any; host reactor: 1). @default {1} */
  stdout?: number;
  /**
   * Put stdin's terminal in raw mode while connected (no echo, no line
   * editing, keys such as Ctrl-C arrive as bytes), as Twisted's conch does
   * for an interactive protocol; ignored when stdin is not a terminal. The
   * terminal's mode is put back when the transport closes and when the
   * process exits (not when a signal kills it). @default {false}
   */
  raw?: boolean;
}

const READ_SIZE = 65536;

function isHalfCloseable(p: IProtocol): p is IProtocol & IHalfCloseableProtocol {
  return typeof (p as Partial<IHalfCloseableProtocol>).readConnectionLost === "function";
}

/** Both halves report to this. */
interface Owner {
  dataReceived(data: Uint8Array): void;
  readLost(reason: Failure): void;
  writeLost(reason: Failure): void;
}

/**
 * What StandardIO changes on an fd, put back on close and at exit: its
 * flags (made non-blocking) and, for stdin on a terminal, the terminal's
 * mode (raw if asked; saved whatever changes it while connected).
 */
class FdStateGuard {
  readonly #fd: number;
  readonly #flags: number;
  readonly #mode: TerminalMode | null;
  #restored = false;
  readonly #onExit = (): void => this.restore();

  constructor(fd: number, terminal: { raw: boolean; } | null) {
    this.#fd = fd;
    this.#flags = libc().fcntl(fd, constants.F_GETFL, 0);
    this.#mode = terminal === null ? null : saveTerminalMode(fd);
    if (this.#flags >= 0) libc().fcntl(fd, constants.F_SETFL, this.#flags | constants.O_NONBLOCK);
    if (this.#mode !== null && terminal?.raw === true) setRawMode(this.#mode);
    if (this.#flags >= 0 || this.#mode !== null) process.on("exit", this.#onExit);
  }

  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    if (this.#flags >= 0) libc().fcntl(this.#fd, constants.F_SETFL, this.#flags);
    if (this.#mode !== null) restoreTerminalMode(this.#mode);
    process.off("exit", this.#onExit);
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/** Our stdin on the FFI reactor. */
class StdinReader extends FileDescriptor {
  readonly #owner: Owner;
  readonly #guard: FdStateGuard;
  readonly #file: boolean;
  readonly #buffer = new Uint8Array(READ_SIZE);
  #pumping = false;

  constructor(reactor: FDReactor, owner: Owner, fd: number, raw: boolean) {
    super(reactor);
    this.#owner = owner;
    this.fd = fd;
    this.connected = true;
    this.#file = isRegularFile(fd);
    this.#guard = new FdStateGuard(fd, { raw });
  }

  override logPrefix(): string {
    return "StandardIO stdin";
  }

  /** A regular file cannot be polled: read it one chunk per reactor turn. */
  readonly #pump = (): void => {
    if (!this.#pumping) return;
    const why = this.doRead();
    if (why !== null) this.connectionLost(new Failure(why));
    else this.reactor.callLater(0, this.#pump);
  };

  override startReading(): void {
    if (!this.#file) return super.startReading();
    if (this.#pumping || this.fd < 0) return;
    this.#pumping = true;
    this.reactor.callLater(0, this.#pump);
  }

  override stopReading(): void {
    if (!this.#file) return super.stopReading();
    this.#pumping = false;
  }

  doRead(): Error | null {
    const n = libc().read(this.fd, this.#buffer, READ_SIZE);
    if (n > 0) {
      this.#owner.dataReceived(this.#buffer.slice(0, n));
      return null;
    }
    if (n === 0) return new ConnectionDone();
    const name = errnoName(libc().errno());
    if (name === "EAGAIN" || name === "EWOULDBLOCK" || name === "EINTR") return null;
    return new ConnectionLost(`reading stdin failed: ${name}`);
  }

  writeSomeData(): number {
    return -1;
  }

  protected loseConnectionNow(): void {}

  override connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    super.connectionLost(reason);
    this.#guard.restore();
    this.fd = -1;
    this.#owner.readLost(reason);
  }
}

/** Our stdout on the FFI reactor. */
class StdoutWriter extends FileDescriptor {
  readonly #owner: Owner;
  readonly #guard: FdStateGuard;

  constructor(reactor: FDReactor, owner: Owner, fd: number) {
    super(reactor);
    this.#owner = owner;
    this.fd = fd;
    this.connected = true;
    this.#guard = new FdStateGuard(fd, null);
  }

  override logPrefix(): string {
    return "StandardIO stdout";
  }

  doRead(): Error | null {
    return null;
  }

  writeSomeData(data: Uint8Array, len: number): number {
    return writeSome(this.fd, data, len);
  }

  protected override writeError(): Error {
    return new ConnectionLost("writing stdout failed");
  }

  protected loseConnectionNow(): void {
    this.connectionLost(new Failure(new ConnectionDone()));
  }

  override connectionLost(reason: Failure): void {
    if (this.disconnected) return;
    super.connectionLost(reason);
    this.#guard.restore();
    this.fd = -1;
    this.#owner.writeLost(reason);
  }
}

/** The two halves, whichever backend provides them. */
interface Halves {
  write(data: Uint8Array): void;
  readonly bufferedAmount: number;
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  unregisterProducer(): void;
  /** Close stdout after what is buffered is written. */
  endWrite(): void;
  /** Stop reading for good. */
  endRead(): void;
  pauseReading(): void;
  resumeReading(): void;
  /** Tear both down at once. */
  destroy(reason: Failure): void;
}

function ffiHalves(
  reactor: FDReactor,
  owner: Owner,
  stdin: number,
  stdout: number,
  raw: boolean,
): Halves {
  const writer = new StdoutWriter(reactor, owner, stdout);
  const reader = new StdinReader(reactor, owner, stdin, raw);
  reader.startReading();
  return {
    write: (data) => writer.write(data),
    get bufferedAmount(): number {
      return writer.bufferedAmount;
    },
    registerProducer: (p, s) => writer.registerProducer(p, s),
    unregisterProducer: () => writer.unregisterProducer(),
    endWrite: () => writer.loseConnection(),
    endRead: () => {
      reader.stopReading();
      reader.connectionLost(new Failure(new ConnectionDone()));
    },
    pauseReading: () => reader.stopReading(),
    resumeReading: () => reader.startReading(),
    destroy: (reason) => {
      writer.connectionLost(reason);
      reader.connectionLost(reason);
    },
  };
}

function hostHalves(owner: Owner, raw: boolean): Halves {
  const stdin = process.stdin;
  const stdout = process.stdout;
  // Raw mode through the runtime's own terminal stream; cooked again on close and at exit.
  const terminal = raw && stdin.isTTY ? stdin as ReadStream : null;
  const cooked = (): void => {
    terminal?.setRawMode(false);
    process.off("exit", cooked);
  };
  if (terminal !== null) {
    terminal.setRawMode(true);
    process.on("exit", cooked);
  }
  let readOpen = true;
  let writeOpen = true;
  let producer: IPushProducer | IPullProducer | null = null;
  let streaming = false;
  let paused = false;
  const onData = (chunk: Uint8Array): void => {
    owner.dataReceived(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  const endRead = (reason: Failure): void => {
    if (!readOpen) return;
    readOpen = false;
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.pause();
    cooked();
    owner.readLost(reason);
  };
  const onEnd = (): void => endRead(new Failure(new ConnectionDone()));
  const onDrain = (): void => {
    if (producer !== null && (!streaming || paused)) {
      paused = false;
      producer.resumeProducing();
    }
  };
  const endWrite = (reason: Failure): void => {
    if (!writeOpen) return;
    writeOpen = false;
    stdout.off("drain", onDrain);
    owner.writeLost(reason);
  };
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  stdout.on("drain", onDrain);
  return {
    write: (data) => {
      if (!writeOpen) return;
      if (!stdout.write(data) && producer !== null && streaming && !paused) {
        paused = true;
        (producer as IPushProducer).pauseProducing();
      }
    },
    get bufferedAmount(): number {
      return stdout.writableLength;
    },
    registerProducer: (p, s) => {
      producer = p;
      streaming = s;
      paused = false;
      if (!s) (p as IPullProducer).resumeProducing();
    },
    unregisterProducer: () => {
      producer = null;
    },
    endWrite: () => {
      // Wait for what is buffered (an empty write's callback runs after it).
      stdout.write(new Uint8Array(0), () => endWrite(new Failure(new ConnectionDone())));
    },
    endRead: () => endRead(new Failure(new ConnectionDone())),
    pauseReading: () => stdin.pause(),
    resumeReading: () => stdin.resume(),
    destroy: (reason) => {
      endWrite(reason);
      endRead(reason);
    },
  };
}

function isFDReactor(r: IReactor): r is IReactor & IReactorFDSet {
  return typeof (r as Partial<IReactorFDSet>).addReader === "function" && r.kind !== "host";
}

/**
 * This process's stdin and stdout as the transport of `protocol`, connected
 * at once: `dataReceived` hears stdin, `write` goes to stdout. At the end of
 * stdin a protocol with `readConnectionLost` (`IHalfCloseableProtocol`)
 * hears that and can still write; any other protocol loses the connection
 * (Twisted's rule). `loseConnection` closes stdout once what was written is
 * out and stops reading; `connectionLost` comes when both halves are done.
 *
 * @example A line-echoing tool, driven here with a pipe as its "stdin"
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import process from "node:process";
 * import { LineReceiver } from "@skein/skein/protocols/basic";
 * import { StandardIO } from "@skein/skein/process";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * class Shout extends LineReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     this.sendLine(new TextDecoder().decode(line).toUpperCase());
 *   }
 *   override connectionLost(): void {
 *     reactor.stop();
 *   }
 * }
 * // A file as stdin and another as stdout, so the example needs no terminal.
 * const input = join(tmpdir(), `skein-stdio-in-${process.pid}`);
 * const output = join(tmpdir(), `skein-stdio-out-${process.pid}`);
 * writeFileSync(input, "hello\r\nworld\r\n");
 * const inFd = openSync(input, "r");
 * const outFd = openSync(output, "w");
 * const reactor = new PosixReactor("poll");
 * new StandardIO(new Shout(), { reactor, stdin: inFd, stdout: outFd });
 * await reactor.run();
 * closeSync(inFd);
 * closeSync(outFd);
 * assert.equal(readFileSync(output, "utf8"), "HELLO\r\nWORLD\r\n");
 * rmSync(input);
 * rmSync(output);
 * ```
 */
export class StandardIO implements ITransport<PipeAddress>, IListeningPort<PipeAddress> {
  #protocol: IProtocol | null;
  readonly #halves: Halves;
  #readOpen = true;
  #writeOpen = true;
  #disconnecting = false;
  #disconnected = false;
  readonly #whenLost: Deferred<void>[] = [];

  /** Connect `protocol` to stdin and stdout (see {@linkcode StandardIOOptions}). */
  constructor(protocol: IProtocol, options: StandardIOOptions = {}) {
    const reactor = options.reactor ?? getReactor();
    const stdin = options.stdin ?? 0;
    const stdout = options.stdout ?? 1;
    const raw = options.raw ?? false;
    if (typeof raw !== "boolean") {
      throw new TypeError(`StandardIO: raw must be true or false, got ${String(raw)}`);
    }
    for (const [what, fd] of [["stdin", stdin], ["stdout", stdout]] as const) {
      if (!Number.isInteger(fd) || fd < 0) {
        throw new TypeError(
          `StandardIO: ${what} must be a file descriptor number, got ${String(fd)}`,
        );
      }
    }
    this.#protocol = protocol;
    const owner: Owner = {
      dataReceived: (data) => this.#protocol?.dataReceived(data),
      readLost: (reason) => this.#readLost(reason),
      writeLost: (reason) => this.#writeLost(reason),
    };
    if (isFDReactor(reactor)) {
      this.#halves = ffiHalves(reactor, owner, stdin, stdout, raw);
    } else {
      if (stdin !== 0 || stdout !== 1) {
        throw new TypeError("StandardIO: other fds than 0 and 1 need the FFI reactor");
      }
      this.#halves = hostHalves(owner, raw);
    }
    protocol.makeConnection(this);
  }

  /** True once `loseConnection` was called. */
  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  /** Bytes written to stdout and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.#halves.bufferedAmount;
  }

  #readLost(reason: Failure): void {
    if (!this.#readOpen) return;
    this.#readOpen = false;
    const protocol = this.#protocol;
    if (protocol !== null && !this.#disconnecting && this.#writeOpen && isHalfCloseable(protocol)) {
      try {
        protocol.readConnectionLost();
      } catch (e) {
        log.err(e, "Unhandled error in readConnectionLost", { system: "StandardIO" });
      }
      return;
    }
    if (this.#disconnecting && this.#writeOpen) return; // stdout is still draining
    if (this.#writeOpen && this.#halves.bufferedAmount > 0) {
      // The end of input ends a protocol that is not half-closeable, but what
      // it wrote is still queued for stdout (a slow reader, a full pipe): as
      // loseConnection does, close stdout once that is out, then report the
      // loss, rather than drop the answers at exit.
      this.#disconnecting = true;
      this.#halves.endWrite();
      return;
    }
    this.#connectionLost(reason);
  }

  #writeLost(reason: Failure): void {
    if (!this.#writeOpen) return;
    this.#writeOpen = false;
    const protocol = this.#protocol;
    if (!this.#disconnecting && this.#readOpen && protocol !== null && isHalfCloseable(protocol)) {
      try {
        protocol.writeConnectionLost();
      } catch (e) {
        log.err(e, "Unhandled error in writeConnectionLost", { system: "StandardIO" });
      }
      return;
    }
    this.#connectionLost(reason);
  }

  #connectionLost(reason: Failure): void {
    if (this.#disconnected) return;
    this.#disconnected = true;
    this.#halves.destroy(reason);
    const protocol = this.#protocol;
    this.#protocol = null;
    try {
      protocol?.connectionLost(reason);
    } catch (e) {
      log.err(e, "Unhandled error in connectionLost", { system: "StandardIO" });
    }
    for (const d of this.#whenLost.splice(0)) d.callback(undefined);
  }

  /** Nothing to do: a StandardIO is connected once built (`IListeningPort`, for `StandardIOEndpoint`). */
  startListening(): void {}

  /**
   * Lose the connection (`IListeningPort`, for `StandardIOEndpoint`): fires
   * once the protocol has heard `connectionLost`.
   */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#disconnected) d.callback(undefined);
    else {
      this.#whenLost.push(d);
      this.loseConnection();
    }
    return d;
  }

  /** Write to stdout (a string as UTF-8). */
  write(data: Uint8Array | string): void {
    this.#halves.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Write several chunks to stdout. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.write(d);
  }

  /** Close stdout once what was written is out, and stop reading stdin. */
  loseConnection(): void {
    if (this.#disconnecting || this.#disconnected) return;
    this.#disconnecting = true;
    if (this.#writeOpen) this.#halves.endWrite();
    if (this.#readOpen) this.#halves.endRead();
  }

  /** Register a producer for stdout. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.#halves.registerProducer(producer, streaming);
  }

  /** Unregister stdout's producer. */
  unregisterProducer(): void {
    this.#halves.unregisterProducer();
  }

  /** Stop reading stdin (flow control). */
  pauseProducing(): void {
    this.#halves.pauseReading();
  }

  /** Read stdin again. */
  resumeProducing(): void {
    if (this.#readOpen) this.#halves.resumeReading();
  }

  /** Stop for good: lose the connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  /** `PipeAddress()`. */
  getPeer(): PipeAddress {
    return new PipeAddress();
  }

  /** `PipeAddress()`. */
  getHost(): PipeAddress {
    return new PipeAddress();
  }
}
