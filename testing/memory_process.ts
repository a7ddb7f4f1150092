/**
 * `MemoryProcessTransport`: the fake child that `MemoryReactor.spawnProcess`
 * connects a process protocol to (Twisted's `MemoryProcessTransport` of its
 * endpoint tests). It starts nothing; it records what is written to the
 * child, which fds were closed and which signals were sent.
 *
 * @module
 */

import type {
  IProcessProtocol,
  IProcessTransport,
  IPullProducer,
  IPushProducer,
  ProcessSignal,
  SpawnProcessOptions,
} from "../interfaces.ts";
import { concatBytes } from "../protocols/basic/_buffer.ts";
import { ChildFDCloser } from "../reactor/child_fd_closer.ts";
import { ProcessExitedAlready } from "../reactor/errors.ts";

const ENCODER = new TextEncoder();
/** The fake pids handed out, counting up from here. */
let nextPid = 42_000;

/**
 * A `spawnProcess` call recorded by `MemoryReactor`:
 * `[protocol, executable, args, options, transport]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { MemoryReactor, type SpawnProcessRecord } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * reactor.spawnProcess(new ProcessProtocol(), "ls", ["ls", "-l"], { path: "/tmp" });
 * const [, executable, args, options]: SpawnProcessRecord = reactor.processes[0];
 * assert.deepEqual([executable, args, options.path], ["ls", ["ls", "-l"], "/tmp"]);
 * ```
 */
export type SpawnProcessRecord = [
  protocol: IProcessProtocol,
  executable: string,
  args: string[],
  options: SpawnProcessOptions,
  transport: MemoryProcessTransport,
];

/**
 * A fake child process: writes are kept per child fd in
 * {@linkcode MemoryProcessTransport.written}, closes in
 * {@linkcode MemoryProcessTransport.closed}, signals in
 * {@linkcode MemoryProcessTransport.signals}. Nothing is called back on its
 * own: drive the protocol (`childDataReceived`, `processEnded`) yourself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const child = reactor.spawnProcess(new ProcessProtocol(), "cat", ["cat"]);
 * child.write("meow");
 * child.closeStdin();
 * child.signalProcess("TERM");
 * assert.equal(new TextDecoder().decode(child.value(0)), "meow");
 * assert.deepEqual(child.closed, [0]);
 * assert.deepEqual(child.signals, ["TERM"]);
 * ```
 */
export class MemoryProcessTransport extends ChildFDCloser implements IProcessTransport {
  /** A fake pid, or `null` once {@linkcode MemoryProcessTransport.reaped} was called. */
  pid: number | null = nextPid++;
  /** Always 0: writes are kept, not buffered. */
  readonly bufferedAmount: number = 0;
  /** What was written, per child fd. */
  readonly written: Map<number, Uint8Array[]> = new Map();
  /** The child fds closed, in order (`loseConnection` closes 0, 2, 1). */
  readonly closed: number[] = [];
  /** The signals sent, in order. */
  readonly signals: ProcessSignal[] = [];
  /** The registered producer and whether it streams, or `null`. */
  producer: [IPushProducer | IPullProducer, boolean] | null = null;

  /** Everything written to child fd `childFD`, in one piece. */
  value(childFD: number): Uint8Array {
    return concatBytes(this.written.get(childFD) ?? []);
  }

  /** Mark the fake child as reaped: `signalProcess` throws from now on, as on a real one. */
  reaped(): void {
    this.pid = null;
  }

  /** Keep `data` as written to stdin. */
  write(data: Uint8Array | string): void {
    this.writeToChild(0, data);
  }

  /** Keep each chunk as written to stdin. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const d of data) this.write(d);
  }

  /** Keep `data` as written to child fd `childFD`. */
  writeToChild(childFD: number, data: Uint8Array | string): void {
    const list = this.written.get(childFD) ?? [];
    list.push(typeof data === "string" ? ENCODER.encode(data) : data.slice());
    this.written.set(childFD, list);
  }

  /** Record that child fd `childFD` was closed. */
  closeChildFD(childFD: number): void {
    this.closed.push(childFD);
  }

  /** Record `signal`; throws `ProcessExitedAlready` once reaped. */
  signalProcess(signal: ProcessSignal): void {
    if (this.pid === null) throw new ProcessExitedAlready();
    this.signals.push(signal);
  }

  /** Record the producer. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.producer = [producer, streaming];
  }

  /** Forget the producer. */
  unregisterProducer(): void {
    this.producer = null;
  }
}
