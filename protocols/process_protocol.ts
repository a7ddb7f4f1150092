/**
 * The base class of child-process protocols: Twisted's `ProcessProtocol`
 * (from `twisted/internet/protocol.py`).
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type { IProcessProtocol, IProcessTransport } from "../interfaces.ts";

/**
 * A protocol for a child process started with `reactor.spawnProcess`.
 * Override the events you need; each default does nothing.
 *
 * The calls come in Twisted's order: `makeConnection` → `connectionMade`;
 * data as `childDataReceived(fd, data)`, which calls `outReceived` (fd 1) or
 * `errReceived` (fd 2); each pipe's close as `childConnectionLost(fd)`, which
 * calls `inConnectionLost` (0), `outConnectionLost` (1) or `errConnectionLost`
 * (2) (stdout's and stderr's closes come in either order); `processExited`
 * when the child is gone; `processEnded` last, once it is gone and every pipe
 * is closed. `reason` is a `Failure` of `ProcessDone` (exit code 0) or
 * `ProcessTerminated` (`exitCode`, `signal`, `status`).
 *
 * @example Collect what `sh` prints, and how it ended
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { PosixReactor, ProcessTerminated } from "@skein/skein/reactor";
 *
 * class Collect extends ProcessProtocol {
 *   out = "";
 *   err = "";
 *   code: number | null = null;
 *   override outReceived(data: Uint8Array): void {
 *     this.out += new TextDecoder().decode(data);
 *   }
 *   override errReceived(data: Uint8Array): void {
 *     this.err += new TextDecoder().decode(data);
 *   }
 *   override processEnded(reason: Failure): void {
 *     this.code = reason.check(ProcessTerminated) ? (reason.value as ProcessTerminated).exitCode : 0;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new PosixReactor("poll");
 * const p = new Collect();
 * reactor.spawnProcess(p, "sh", ["sh", "-c", "echo out; echo err >&2; exit 3"]);
 * await reactor.run();
 * assert.deepEqual([p.out, p.err, p.code], ["out\n", "err\n", 3]);
 * ```
 */
export class ProcessProtocol implements IProcessProtocol {
  /** The process transport, set by {@linkcode ProcessProtocol.makeConnection}; null before. */
  transport: IProcessTransport | null = null;
  /** True once {@linkcode ProcessProtocol.makeConnection} has run. */
  connected: boolean = false;

  /** Attach the transport, mark the protocol connected, then call `connectionMade()`. */
  makeConnection(transport: IProcessTransport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The child is running and its pipes are open. The default does nothing. */
  connectionMade(): void {}

  /** Bytes from the child's fd `childFD`: fd 1 goes to `outReceived`, fd 2 to `errReceived`. */
  childDataReceived(childFD: number, data: Uint8Array): void {
    if (childFD === 1) this.outReceived(data);
    else if (childFD === 2) this.errReceived(data);
  }

  /** Bytes on the child's stdout. The default does nothing. */
  outReceived(_data: Uint8Array): void {}

  /** Bytes on the child's stderr. The default does nothing. */
  errReceived(_data: Uint8Array): void {}

  /** The pipe to fd `childFD` closed: fds 0, 1 and 2 go to `in`/`out`/`errConnectionLost`. */
  childConnectionLost(childFD: number): void {
    if (childFD === 0) this.inConnectionLost();
    else if (childFD === 1) this.outConnectionLost();
    else if (childFD === 2) this.errConnectionLost();
  }

  /** The child's stdin closed. The default does nothing. */
  inConnectionLost(): void {}

  /** The child's stdout closed. The default does nothing. */
  outConnectionLost(): void {}

  /** The child's stderr closed. The default does nothing. */
  errConnectionLost(): void {}

  /** The child exited or died; its pipes may still be open. The default does nothing. */
  processExited(_reason: Failure): void {}

  /** The child is gone and every pipe closed: the last event. The default does nothing. */
  processEnded(_reason: Failure): void {}
}
