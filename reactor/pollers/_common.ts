/**
 * Shared pieces of the pollers. Internal.
 *
 * @module
 */

import { libc } from "../ffi/mod.ts";
import type { Libc } from "../ffi/mod.ts";

/**
 * Options every poller constructor takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller } from "@skein/skein/reactor";
 * import { EpollPoller, type PollerOptions } from "./mod.ts";
 *
 * const options: PollerOptions = { maxEvents: 16 }; // at most 16 reports per poll()
 * const best = createPoller();
 * if (best.kind === "epoll") {
 *   new EpollPoller(options).close();
 *   assert.throws(() => new EpollPoller({ maxEvents: 0 }), RangeError);
 * }
 * best.close();
 * ```
 */
export interface PollerOptions {
  /** The C library to call (a fake one in tests). @default {libc()} */
  libc?: Libc;
  /** The most events one `poll()` returns (epoll/kqueue). @default {1024} */
  maxEvents?: number;
}

/**
 * The `libc` option or the process's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ffiAvailable, libc } from "../ffi/mod.ts";
 * import { pickLibc } from "./_common.ts";
 *
 * if (ffiAvailable()) assert.equal(pickLibc(undefined), libc());
 * ```
 */
export function pickLibc(options: PollerOptions | undefined): Libc {
  return options?.libc ?? libc();
}

/**
 * The `maxEvents` option, checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickMaxEvents } from "./_common.ts";
 *
 * assert.equal(pickMaxEvents(undefined), 1024);
 * assert.equal(pickMaxEvents({ maxEvents: 8 }), 8);
 * assert.throws(() => pickMaxEvents({ maxEvents: 0 }), RangeError);
 * ```
 */
export function pickMaxEvents(options: PollerOptions | undefined): number {
  const n = options?.maxEvents ?? 1024;
  if (!Number.isInteger(n) || n < 1 || n > 65536) {
    throw new RangeError(`maxEvents must be an integer in 1..65536, not ${n}`);
  }
  return n;
}

/**
 * The error for a call on a closed poller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closedError } from "./_common.ts";
 *
 * assert.equal(closedError("epoll").message, "the epoll poller is closed");
 * ```
 */
export function closedError(kind: string): Error {
  return new Error(`the ${kind} poller is closed`);
}

/**
 * Validate an fd and an interest mask.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkArgs } from "./_common.ts";
 *
 * checkArgs(3, 1 | 2); // READ | WRITE: fine
 * assert.throws(() => checkArgs(-1, 1), /non-negative integer/);
 * assert.throws(() => checkArgs(3, 4), /mask of READ \(1\) and WRITE \(2\)/);
 * ```
 */
export function checkArgs(fd: number, events: number): void {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new RangeError(`fd must be a non-negative integer, not ${fd}`);
  }
  if (!Number.isInteger(events) || (events & ~3) !== 0) {
    throw new RangeError(`events must be a mask of READ (1) and WRITE (2), not ${events}`);
  }
}

/**
 * A millisecond timeout for poll/epoll_wait: negative means forever (-1),
 * fractions round up (so 0.3 ms waits rather than spins), and huge values are
 * clamped to the largest `int`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeoutArg } from "./_common.ts";
 *
 * assert.equal(timeoutArg(0.3), 1); // waits rather than spins
 * assert.equal(timeoutArg(-5), -1); // forever
 * assert.equal(timeoutArg(1e12), 2147483647);
 * ```
 */
export function timeoutArg(ms: number): number {
  if (ms < 0 || Number.isNaN(ms)) return -1;
  return ms >= 2147483647 ? 2147483647 : Math.ceil(ms);
}
