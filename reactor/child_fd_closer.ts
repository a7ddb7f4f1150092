/**
 * A base for process transports: the closing calls in terms of one.
 *
 * @module
 */

/**
 * The closing calls of an `IProcessTransport` in terms of `closeChildFD`:
 * stdin, stdout and stderr are child fds 0, 1 and 2, and `loseConnection`
 * closes stdin, stderr and stdout, Twisted's order. The base of the host
 * reactor's and `MemoryReactor`'s process transports, and of a user's own
 * `IProcessTransport` double.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChildFDCloser } from "@skein/skein/reactor";
 *
 * class Closes extends ChildFDCloser {
 *   closed: number[] = [];
 *   closeChildFD(childFD: number): void {
 *     this.closed.push(childFD);
 *   }
 * }
 * const closes = new Closes();
 * closes.loseConnection();
 * assert.deepEqual(closes.closed, [0, 2, 1]);
 * ```
 */
export abstract class ChildFDCloser {
  /** Close our end of the pipe to child fd `childFD`. */
  abstract closeChildFD(childFD: number): void;

  /** Close the child's stdin (after what was written is sent). */
  closeStdin(): void {
    this.closeChildFD(0);
  }

  /** Close our end of the child's stdout. */
  closeStdout(): void {
    this.closeChildFD(1);
  }

  /** Close our end of the child's stderr. */
  closeStderr(): void {
    this.closeChildFD(2);
  }

  /** Close stdin, stderr and stdout (Twisted's order); the child is not signalled. */
  loseConnection(): void {
    this.closeStdin();
    this.closeStderr();
    this.closeStdout();
  }
}
