/**
 * The errors of `getProcessOutput` and `getProcessOutputAndValue`: Twisted's
 * `_UnexpectedErrorOutput`, and a real error type where Twisted errbacks
 * with a bare tuple.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { ProcessDone, ProcessTerminated } from "../reactor/errors.ts";

const DECODER = new TextDecoder();

function preview(bytes: Uint8Array): string {
  const text = DECODER.decode(bytes.subarray(0, 200));
  return JSON.stringify(bytes.length > 200 ? text + "…" : text);
}

/**
 * `getProcessOutput` (with `errortoo` off) saw the child write to stderr
 * (Twisted's `_UnexpectedErrorOutput`). It carries what came on stderr
 * (`err`) and stdout (`out`) so far, and `processEnded`, a `Deferred` that
 * fires with how the child ended (a `ProcessDone` or `ProcessTerminated`)
 * once it has exited and its pipes closed.
 *
 * Unlike Twisted, `processEnded` *calls back* with that error (Twisted
 * errbacks with it, so an ignored one was logged as an unhandled error even
 * for a clean exit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { UnexpectedErrorOutput } from "@skein/skein/process";
 * import type { ProcessDone, ProcessTerminated } from "@skein/skein/reactor";
 *
 * const ended = new Deferred<ProcessDone | ProcessTerminated>();
 * const e = new UnexpectedErrorOutput(new TextEncoder().encode("oops\n"), new Uint8Array(0), ended);
 * assert.equal(e.message, 'got stderr: "oops\\n"');
 * assert.equal(e.processEnded, ended);
 * ```
 */
export class UnexpectedErrorOutput extends Error {
  /** Always `"UnexpectedErrorOutput"`. */
  override name: string = "UnexpectedErrorOutput";
  /** What the child wrote to stderr (the first chunk, as in Twisted). */
  readonly err: Uint8Array;
  /** What the child wrote to stdout until then. */
  readonly out: Uint8Array;
  /** Fires with how the child ended, once it has exited and its pipes closed. */
  readonly processEnded: Deferred<ProcessDone | ProcessTerminated>;
  /** Builds the error; the message shows the start of `err`. */
  constructor(
    err: Uint8Array,
    out: Uint8Array,
    processEnded: Deferred<ProcessDone | ProcessTerminated>,
  ) {
    super(`got stderr: ${preview(err)}`);
    this.err = err;
    this.out = out;
    this.processEnded = processEnded;
  }
}

/**
 * `getProcessOutputAndValue`'s child was killed by a signal. Twisted
 * errbacks with a bare `(out, err, signal)` tuple; here it is an error with
 * those three fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessKilledError } from "@skein/skein/process";
 *
 * const e = new ProcessKilledError(new Uint8Array(0), new Uint8Array(0), 9);
 * assert.equal(e.signal, 9);
 * assert.equal(e.message, "the process was killed by signal 9");
 * ```
 */
export class ProcessKilledError extends Error {
  /** Always `"ProcessKilledError"`. */
  override name: string = "ProcessKilledError";
  /** What the child wrote to stdout. */
  readonly out: Uint8Array;
  /** What the child wrote to stderr. */
  readonly err: Uint8Array;
  /** The signal that killed it. */
  readonly signal: number;
  /** Builds the error. */
  constructor(out: Uint8Array, err: Uint8Array, signal: number) {
    super(`the process was killed by signal ${signal}`);
    this.out = out;
    this.err = err;
    this.signal = signal;
  }
}
