/**
 * Processes, and the whole reactor (`IReactor`). Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IConsumer } from "./producers.ts";
import type { IReactorCore, IReactorFromThreads } from "./reactor_core.ts";
import type { IReactorTCP, IReactorUDP, IReactorUNIX } from "./reactor_net.ts";
import type { IReactorTime } from "./time.ts";

/**
 * The protocol of a child process; Twisted's `IProcessProtocol`. The
 * transport calls, in this order: `makeConnection`, then (any number of)
 * `childDataReceived` and `childConnectionLost` (one per pipe), then
 * `processExited` once the child is gone and `processEnded` once it is gone
 * *and* every pipe is closed. `ProcessProtocol` in `./protocols` routes fds
 * 0–2 to `outReceived`/`errReceived`/`inConnectionLost`/….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IProcessProtocol } from "@skein/skein/reactor";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 *
 * const protocol: IProcessProtocol = new ProcessProtocol();
 * assert.equal(protocol.transport, null);
 * ```
 */
export interface IProcessProtocol {
  /** The transport, set by `makeConnection`. */
  transport: IProcessTransport | null;
  /** Attach the transport, then call `connectionMade()`. */
  makeConnection(transport: IProcessTransport): void;
  /** Bytes arrived from the child on its fd `childFD`. */
  childDataReceived(childFD: number, data: Uint8Array): void;
  /** The pipe to the child's fd `childFD` closed. */
  childConnectionLost(childFD: number): void;
  /** The child exited (`ProcessDone`) or died (`ProcessTerminated`); pipes may still be open. */
  processExited(reason: Failure): void;
  /** The child exited and every pipe closed: the last call. */
  processEnded(reason: Failure): void;
}

/**
 * A running child process as a transport; Twisted's `IProcessTransport`.
 * `write` goes to the child's stdin (with producer/consumer backpressure);
 * `writeToChild` to any fd mapped `"w"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { type IProcessTransport, PosixReactor, ProcessDone } from "@skein/skein/reactor";
 *
 * // Talk to `cat` over its stdin and stdout.
 * class Cat extends ProcessProtocol {
 *   out = "";
 *   ended: Failure | null = null;
 *   override connectionMade(): void {
 *     const transport: IProcessTransport = this.transport!;
 *     transport.write("meow");
 *     transport.closeStdin();
 *   }
 *   override outReceived(data: Uint8Array): void {
 *     this.out += new TextDecoder().decode(data);
 *   }
 *   override processEnded(reason: Failure): void {
 *     this.ended = reason;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new PosixReactor("poll");
 * const cat = new Cat();
 * reactor.spawnProcess(cat, "cat", ["cat"]);
 * await reactor.run();
 * assert.equal(cat.out, "meow");
 * assert.ok(cat.ended?.check(ProcessDone));
 * ```
 */
export interface IProcessTransport extends IConsumer {
  /** The child's process id, or `null` once it has been reaped. */
  readonly pid: number | null;
  /** Bytes written to stdin and not yet handed to the pipe. */
  readonly bufferedAmount: number;
  /** Write several chunks to the child's stdin. */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /** Write to the child's fd `childFD` (one mapped `"w"`). */
  writeToChild(childFD: number, data: Uint8Array | string): void;
  /** Close the child's stdin (after what was written is sent). */
  closeStdin(): void;
  /** Close our end of the child's stdout. */
  closeStdout(): void;
  /** Close our end of the child's stderr. */
  closeStderr(): void;
  /** Close our end of the pipe to the child's fd `childFD`. */
  closeChildFD(childFD: number): void;
  /** Close stdin, stdout and stderr (the child is not signalled). */
  loseConnection(): void;
  /**
   * Send the child a signal: `"TERM"`, `"KILL"`, `"INT"`, `"HUP"` (and the
   * other common names, without `SIG`) or a number. Throws
   * `ProcessExitedAlready` once the child has been reaped.
   */
  signalProcess(signal: ProcessSignal): void;
}

/**
 * A signal for `signalProcess`: a name without `SIG`, or a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessSignal } from "@skein/skein/reactor";
 *
 * const signals: ProcessSignal[] = ["TERM", "KILL", 9];
 * assert.equal(signals.length, 3);
 * ```
 */
export type ProcessSignal =
  | "TERM"
  | "KILL"
  | "INT"
  | "HUP"
  | "QUIT"
  | "USR1"
  | "USR2"
  | "STOP"
  | "CONT"
  | "ALRM"
  | "PIPE"
  | number;

/**
 * Options of `spawnProcess`.
 *
 * **`env` differs from Twisted on purpose**: omitted, the child inherits the
 * environment this program sees (`process.env`, with any changes made to
 * it); `{}` gives an empty environment. Twisted's default is an empty one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SpawnProcessOptions } from "@skein/skein/reactor";
 *
 * const options: SpawnProcessOptions = {
 *   env: { LANG: "C" },
 *   path: "/tmp",
 *   childFDs: { 0: "w", 1: "r", 2: 2, 3: "r" }, // stderr shared with ours; a pipe on fd 3
 * };
 * assert.equal(options.childFDs?.[3], "r");
 * ```
 */
export interface SpawnProcessOptions {
  /** The child's whole environment. @default {the parent's (`process.env`)} */
  env?: Record<string, string>;
  /** The child's working directory. @default {the parent's} */
  path?: string;
  /**
   * Child fd → `"w"` (a pipe we write to), `"r"` (a pipe we read from) or one
   * of our fds to pass through. @default {{ 0: "w", 1: "r", 2: "r" }}
   */
  childFDs?: Record<number, "r" | "w" | number>;
  /**
   * Run the child on a new pseudo-terminal (24 × 80) instead of pipes: it is
   * a session leader with the terminal as its controlling terminal and as
   * fds 0–2; `childFDs` is ignored, its output arrives as fd 1 and writes go
   * to the terminal. The FFI reactor on Linux only. @default {false}
   */
  usePTY?: boolean;
  /**
   * Run the child as this user id, with its supplementary groups (Twisted's
   * `switchUID`; the host reactor gives none). Another user than this
   * process's needs root: otherwise spawnProcess throws `EPERM`. The FFI
   * reactor on Linux. @default {this process's effective uid}
   */
  uid?: number;
  /** Run the child as this group id. @default {this process's effective gid} */
  gid?: number;
}

/**
 * Starting child processes; Twisted's `IReactorProcess`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { type IReactorProcess, PosixReactor, ProcessTerminated } from "@skein/skein/reactor";
 *
 * class Exit extends ProcessProtocol {
 *   code: number | null = null;
 *   override processEnded(reason: Failure): void {
 *     this.code = (reason.value as ProcessTerminated).exitCode;
 *     reactor.stop();
 *   }
 * }
 * const run = (r: IReactorProcess, p: Exit): void => {
 *   r.spawnProcess(p, "sh", ["sh", "-c", "exit 3"]);
 * };
 * const reactor = new PosixReactor("poll");
 * const exit = new Exit();
 * run(reactor, exit);
 * await reactor.run();
 * assert.equal(exit.code, 3);
 * ```
 */
export interface IReactorProcess {
  /**
   * Start `executable` (a path, or a name looked up on the child's `PATH`)
   * with `args` (`args[0]` is the program's name) and connect `protocol` to
   * it. A program that does not exist or cannot run throws at the call.
   */
  spawnProcess(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): IProcessTransport;
}

/**
 * A whole reactor: everything a Skein reactor offers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactor } from "@skein/skein/reactor";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const stopSoon = (r: IReactor): void => { r.callLater(1, () => r.stop()); };
 * const r = new MemoryReactorClock();
 * r.running = true;
 * stopSoon(r);
 * r.advance(1);
 * assert.equal(r.hasStopped, true);
 * ```
 */
export interface IReactor
  extends IReactorCore, IReactorTime, IReactorFromThreads, IReactorTCP, IReactorUDP, IReactorUNIX
{
  /** The name of the poller or backend (`"epoll"`, `"poll"`, `"select"`, `"kqueue"`, `"host"`). */
  readonly kind: string;
  /** Resolve a host name without blocking the loop (to the first address). */
  resolve(name: string, options?: { family?: 0 | 4 | 6; }): Deferred<string>;
}
