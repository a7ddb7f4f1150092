/**
 * `signalNumber`: a `signalProcess` argument as a signal number, for the OS
 * the process runs on, shared by the FFI and host backends.
 *
 * @module
 */

import type { ProcessSignal } from "../interfaces.ts";

const COMMON: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  KILL: 9,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
};

const LINUX: Readonly<Record<string, number>> = { USR1: 10, USR2: 12, CONT: 18, STOP: 19 };
const BSD: Readonly<Record<string, number>> = { USR1: 30, USR2: 31, CONT: 19, STOP: 17 };

/**
 * The number of `signal` (a name without `SIG`, such as `"TERM"`, or a
 * number from 0 to 64) on `os`. Throws a `TypeError` naming what is allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signalNumber } from "./_signals.ts";
 *
 * assert.equal(signalNumber("TERM", "linux"), 15);
 * assert.equal(signalNumber("USR1", "darwin"), 30);
 * assert.equal(signalNumber(9, "linux"), 9);
 * assert.throws(() => signalNumber("SIGTERM" as "TERM", "linux"), TypeError);
 * ```
 */
export function signalNumber(signal: ProcessSignal, os: string): number {
  if (typeof signal === "number") {
    if (Number.isInteger(signal) && signal >= 0 && signal <= 64) return signal;
  } else if (typeof signal === "string") {
    const table = os === "linux" ? LINUX : BSD;
    if (Object.hasOwn(COMMON, signal)) return COMMON[signal];
    if (Object.hasOwn(table, signal)) return table[signal];
  }
  const names = "TERM, KILL, INT, HUP, QUIT, USR1, USR2, STOP, CONT, ALRM, PIPE";
  throw new TypeError(
    `signalProcess: unknown signal ${
      JSON.stringify(signal) ?? String(signal)
    }; use one of ${names} (without "SIG") or a signal number from 0 to 64`,
  );
}
