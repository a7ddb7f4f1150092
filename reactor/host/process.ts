/**
 * Child processes on the host reactor: `spawnProcess` over
 * `node:child_process` (on Deno and Bun alike), with the same protocol
 * callbacks, reasons and errors as the FFI reactor's `Process`.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { constants as osConstants, platform } from "node:os";
import process from "node:process";
import type { Readable, Writable } from "node:stream";
import { Failure } from "../../deferred/failure.ts";
import type {
  IProcessProtocol,
  IProcessTransport,
  IPullProducer,
  IPushProducer,
  ProcessSignal,
  SpawnProcessOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { checkSpawnArgs } from "../_process_args.ts";
import { callProtocol, noPipeToWrite, processReason } from "../_process_common.ts";
import { signalNumber } from "../_signals.ts";
import { ChildFDCloser } from "../child_fd_closer.ts";
import {
  type ProcessDone,
  ProcessExitedAlready,
  type ProcessTerminated,
  SystemCallError,
} from "../errors.ts";
import type { HostReactorLike } from "./types.ts";

const ENCODER = new TextEncoder();

/** One pipe to the child: a stream we read or one we write. */
interface Pipe {
  readonly kind: "r" | "w";
  readonly stream: Readable | Writable;
}

/**
 * A child process started on the host reactor: the `IProcessTransport` that
 * `HostReactor.spawnProcess` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { HostProcess, HostReactor, ProcessTerminated } from "@skein/skein/reactor";
 *
 * class Exit extends ProcessProtocol {
 *   out = "";
 *   reason: Failure | null = null;
 *   override outReceived(data: Uint8Array): void {
 *     this.out += new TextDecoder().decode(data);
 *   }
 *   override processEnded(reason: Failure): void {
 *     this.reason = reason;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new HostReactor();
 * const exit = new Exit();
 * const child = reactor.spawnProcess(exit, "sh", ["sh", "-c", "echo bye; exit 3"]);
 * assert.ok(child instanceof HostProcess);
 * await reactor.run();
 * assert.equal(exit.out, "bye\n");
 * assert.equal((exit.reason!.value as ProcessTerminated).exitCode, 3);
 * ```
 */
export class HostProcess extends ChildFDCloser implements IProcessTransport, IPushProducer {
  #pid: number | null;
  readonly #reactor: HostReactorLike;
  #protocol: IProcessProtocol | null;
  readonly #child: ChildProcess;
  readonly #pipes = new Map<number, Pipe>();
  readonly #writable = new Set<number>();
  #status: number | null = null;
  #exitReason: ProcessDone | ProcessTerminated | null = null;
  #exited = false;
  #producer: IPushProducer | IPullProducer | null = null;
  #streaming = false;
  #producerPaused = false;

  /** Start `executable` (see `IReactorProcess.spawnProcess`). Prefer `reactor.spawnProcess`. */
  constructor(
    reactor: HostReactorLike,
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ) {
    super();
    if (options.usePTY) {
      throw new Error(
        "spawnProcess: usePTY needs the FFI reactor; the host reactor has pipes only",
      );
    }
    const checked = checkSpawnArgs(executable, args, options);
    this.#reactor = reactor;
    this.#protocol = protocol;
    const top = Math.max(2, ...checked.childFDs.map(([fd]) => fd));
    const stdio: ("pipe" | "ignore" | number)[] = new Array(top + 1).fill("ignore");
    for (const [fd, what] of checked.childFDs) stdio[fd] = typeof what === "number" ? what : "pipe";
    this.#child = spawn(checked.file, checked.argv.slice(1), {
      argv0: checked.argv[0],
      env: checked.env,
      cwd: checked.cwd ?? undefined,
      stdio,
      ...(checked.credentials === null
        ? {}
        : { uid: checked.credentials.uid, gid: checked.credentials.gid }),
    });
    if (this.#child.pid === undefined) {
      // The pre-checks passed but the system refused (a race, a limit).
      this.#child.on("error", () => {});
      throw new SystemCallError(
        "spawnProcess",
        0,
        "EUNKNOWN",
        `could not start ${JSON.stringify(checked.file)}`,
      );
    }
    this.#pid = this.#child.pid;
    this.#child.on(
      "error",
      (e) => log.err(e, "spawnProcess: child process error", { system: this.#prefix() }),
    );
    for (const [fd, what] of checked.childFDs) {
      if (typeof what === "number") continue;
      const stream = this.#child.stdio[fd] as Readable | Writable | null;
      if (stream === null || stream === undefined) continue;
      this.#pipes.set(fd, { kind: what, stream });
      if (what === "w") {
        this.#writable.add(fd);
        const w = stream as Writable;
        w.on("error", () => w.destroy());
        w.on("close", () => this.#childConnectionLost(fd));
        if (fd === 0) w.on("drain", () => this.#drained());
      } else {
        const r = stream as Readable;
        r.on("data", (chunk: Uint8Array) => {
          const data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          this.#protocol?.childDataReceived(fd, data);
        });
        r.on("error", () => r.destroy());
        r.on("close", () => this.#childConnectionLost(fd));
      }
    }
    this.#child.on("exit", (code, signal) => {
      const number = signal === null
        ? null
        : (osConstants.signals as Record<string, number>)[signal] ?? null;
      this.#processExited(number !== null ? number : ((code ?? 0) & 0xff) << 8, code, number);
    });
    reactor.addSelectable(this);
    callProtocol("makeConnection", this.#prefix(), () => protocol.makeConnection(this));
  }

  /** The child's pid, or `null` once it has exited. */
  get pid(): number | null {
    return this.#pid;
  }

  /** Bytes written to stdin and not yet handed to the pipe. */
  get bufferedAmount(): number {
    const stdin = this.#pipes.get(0);
    return stdin === undefined ? 0 : (stdin.stream as Writable).writableLength;
  }

  /** The wait status once the child has exited, else `null`. */
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

  #processExited(status: number, _code: number | null, _signal: number | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#status = status;
    this.#pid = null;
    const protocol = this.#protocol;
    callProtocol(
      "processExited",
      "Process",
      () => protocol?.processExited(new Failure(this.#reason())),
    );
    this.#maybeCallProcessEnded();
  }

  #childConnectionLost(fd: number): void {
    if (!this.#pipes.delete(fd)) return;
    if (fd === 0 && this.#producer !== null) {
      const producer = this.#producer;
      this.#producer = null;
      producer.stopProducing();
    }
    const protocol = this.#protocol;
    callProtocol("childConnectionLost", this.#prefix(), () => protocol?.childConnectionLost(fd));
    this.#maybeCallProcessEnded();
  }

  #maybeCallProcessEnded(): void {
    if (this.#pipes.size > 0 || !this.#exited) return;
    const protocol = this.#protocol;
    if (protocol === null) return;
    this.#protocol = null;
    this.#reactor.removeSelectable(this);
    const reason = new Failure(this.#reason());
    callProtocol("processEnded", "Process", () => protocol.processEnded(reason));
  }

  #writer(childFD: number): Writable | null {
    if (!this.#writable.has(childFD)) throw noPipeToWrite(childFD, this.#writable);
    const pipe = this.#pipes.get(childFD);
    if (pipe === undefined) return null;
    const w = pipe.stream as Writable;
    return w.writableEnded || w.destroyed ? null : w;
  }

  #send(childFD: number, data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Process: write takes a Uint8Array or a string, got ${typeof data}`);
    }
    const w = this.#writer(childFD);
    if (w === null || bytes.byteLength === 0) return;
    const more = w.write(bytes);
    if (
      !more && childFD === 0 && this.#producer !== null && this.#streaming && !this.#producerPaused
    ) {
      this.#producerPaused = true;
      (this.#producer as IPushProducer).pauseProducing();
    }
  }

  #drained(): void {
    const producer = this.#producer;
    if (producer === null) return;
    if (!this.#streaming || this.#producerPaused) {
      this.#producerPaused = false;
      producer.resumeProducing();
    }
  }

  /** Write to the child's stdin (a no-op once stdin is closed). */
  write(data: Uint8Array | string): void {
    this.#send(0, data);
  }

  /** Write several chunks to the child's stdin. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.#send(0, d);
  }

  /** Write to the child's fd `childFD` (mapped `"w"`; a no-op once that pipe is closed). */
  writeToChild(childFD: number, data: Uint8Array | string): void {
    this.#send(childFD, data);
  }

  /** Register a producer for the child's stdin. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new Error(
        "Cannot register a producer: another producer is registered and was never unregistered",
      );
    }
    if (this.#writer(0) === null) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (!streaming) (producer as IPullProducer).resumeProducing();
  }

  /** Unregister stdin's producer. */
  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
  }

  /** Close our end of the pipe to the child's fd `childFD` (a writer after what was written is sent). */
  closeChildFD(childFD: number): void {
    const pipe = this.#pipes.get(childFD);
    if (pipe === undefined) return;
    if (pipe.kind === "w") (pipe.stream as Writable).end();
    else (pipe.stream as Readable).destroy();
  }

  /** Stop reading the child's output (flow control). */
  pauseProducing(): void {
    for (const p of this.#pipes.values()) if (p.kind === "r") (p.stream as Readable).pause();
  }

  /** Read the child's output again. */
  resumeProducing(): void {
    for (const p of this.#pipes.values()) if (p.kind === "r") (p.stream as Readable).resume();
  }

  /** Close every pipe (the child is not signalled). */
  stopProducing(): void {
    this.loseConnection();
  }

  /** Send the child a signal (see `IProcessTransport.signalProcess`). */
  signalProcess(signal: ProcessSignal): void {
    const number = signalNumber(signal, platform());
    if (this.#pid === null) throw new ProcessExitedAlready();
    try {
      process.kill(this.#pid, number);
    } catch (e) {
      if ((e as { code?: string; }).code === "ESRCH") throw new ProcessExitedAlready();
      throw e;
    }
  }

  /**
   * The reactor is shutting down: close our ends of the pipes. The child is
   * not signalled (Twisted leaves it running) and no longer holds this
   * process open; the runtime still reaps it when it exits.
   */
  connectionLost(_reason: Failure): void {
    for (const p of [...this.#pipes.values()]) p.stream.destroy();
    this.#child.unref();
  }
}
