/**
 * What the FFI and host backends' process transports share: the reason for
 * a wait status (Twisted's `ProcessDone`/`ProcessTerminated`), calling a
 * protocol's callback with its error logged (as Twisted does), and the error
 * for a write to a child fd that has no pipe.
 *
 * @module
 */

import * as log from "../log/log.ts";
import { ProcessDone, ProcessTerminated } from "./errors.ts";
import { decodeWaitStatus } from "./ffi/spawn.ts";

/**
 * The reason for a wait status, as Twisted builds it: `ProcessDone` for
 * exit code 0, `ProcessTerminated` otherwise (`null`: no status known).
 * Built once per child; `processExited` and `processEnded` each get a
 * `Failure` of it, as in Twisted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessDone, ProcessTerminated } from "./errors.ts";
 * import { processReason } from "./_process_common.ts";
 *
 * assert.ok(processReason(0) instanceof ProcessDone);
 * assert.equal((processReason(15) as ProcessTerminated).signal, 15);
 * ```
 */
export function processReason(status: number | null): ProcessDone | ProcessTerminated {
  if (status === null) return new ProcessTerminated(null, null, null);
  const { exitCode, signal } = decodeWaitStatus(status);
  if (exitCode === 0 && signal === null) return new ProcessDone(status);
  return new ProcessTerminated(exitCode, signal, status);
}

/**
 * Call `callback` (a process protocol's `name`); an error it throws is
 * logged under `system`, never passed on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callProtocol } from "./_process_common.ts";
 *
 * let called = false;
 * callProtocol("processEnded", "Process 1", () => (called = true));
 * assert.ok(called);
 * ```
 */
export function callProtocol(name: string, system: string, callback: () => unknown): void {
  try {
    callback();
  } catch (e) {
    log.err(e, `Unhandled error in ProcessProtocol.${name}`, { system });
  }
}

/**
 * The `TypeError` for a write to child fd `childFD` that has no pipe to
 * write to; it names the fds mapped `"w"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noPipeToWrite } from "./_process_common.ts";
 *
 * assert.match(noPipeToWrite(3, [0]).message, /child fd 3 has no pipe.*"w": 0/);
 * ```
 */
export function noPipeToWrite(childFD: number, writable: Iterable<number>): TypeError {
  return new TypeError(
    `Process: child fd ${childFD} has no pipe to write to; map it "w" in childFDs (mapped "w": ${
      [...writable].join(", ") || "none"
    })`,
  );
}
