/**
 * The contract every readiness poller (epoll, kqueue, poll, select) implements.
 *
 * @module
 */

/**
 * Interest / readiness bit: readable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READ, WRITE } from "@skein/skein/reactor";
 *
 * const interest = READ | WRITE; // watch both
 * assert.equal(interest & READ, READ);
 * ```
 */
export const READ = 1;
/**
 * Interest / readiness bit: writable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READ, WRITE } from "@skein/skein/reactor";
 *
 * const mask = WRITE;
 * assert.equal(mask & READ, 0);
 * assert.notEqual(mask & WRITE, 0);
 * ```
 */
export const WRITE = 2;
/**
 * Readiness bit: error or hang-up (dispatched as both read and write, as
 * Twisted does). Pollers report it; it is never an interest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller, ERROR, READ } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 *
 * // The write end of a pipe whose read end is gone reports ERROR.
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * libc().close(pipe[0]);
 * const poller = createPoller("poll");
 * poller.modify(pipe[1], READ);
 * let mask = 0;
 * poller.poll(0, (_fd, m) => mask = m);
 * assert.notEqual(mask & ERROR, 0);
 * poller.modify(pipe[1], 0);
 * poller.close();
 * libc().close(pipe[1]);
 * ```
 */
export const ERROR = 4;

/**
 * The readiness mechanisms: `"epoll"` (Linux), `"kqueue"` (macOS/BSD), `"poll"`, `"select"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller, type PollerKind } from "@skein/skein/reactor";
 *
 * const kind: PollerKind = "select";
 * const poller = createPoller(kind);
 * assert.equal(poller.kind, "select");
 * poller.close();
 * ```
 */
export type PollerKind = "epoll" | "poll" | "select" | "kqueue";

/**
 * Every poller kind Skein knows, whether or not this system has it (see
 * `availablePollers()` for those it has).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POLLER_KINDS } from "./poller.ts";
 *
 * assert.deepEqual(POLLER_KINDS, ["epoll", "poll", "select", "kqueue"]);
 * ```
 */
export const POLLER_KINDS: readonly PollerKind[] = ["epoll", "poll", "select", "kqueue"];

/**
 * A readiness poller over one OS mechanism. Level-triggered, like Twisted's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller, type Poller, READ, WRITE } from "@skein/skein/reactor";
 * import { constants, libc } from "../ffi/mod.ts";
 *
 * // Any poller: the platform's best here. A pipe's write end is writable at once.
 * const pipe = new Int32Array(2);
 * assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 * const poller: Poller = createPoller();
 * poller.modify(pipe[0], READ);
 * poller.modify(pipe[1], WRITE);
 * const ready = new Map<number, number>();
 * assert.equal(poller.poll(0, (fd, mask) => ready.set(fd, mask)), 1);
 * assert.deepEqual([...ready], [[pipe[1], WRITE]]);
 * poller.modify(pipe[0], 0);
 * poller.modify(pipe[1], 0);
 * poller.close();
 * libc().close(pipe[0]);
 * libc().close(pipe[1]);
 * ```
 */
export interface Poller {
  /** `"epoll"`, `"poll"`, `"select"` or `"kqueue"`. */
  readonly kind: PollerKind;
  /**
   * Set the interest for `fd` to `events` (a mask of READ | WRITE). 0 removes
   * it. Throws `FileDescriptorOverrun` when the poller cannot watch the fd.
   * Remove an fd (`modify(fd, 0)`) before closing it: the poller's record of
   * the interest would otherwise outlive the fd and its reused number.
   */
  modify(fd: number, events: number): void;
  /**
   * Wait at most `timeoutMs` (0 = do not block, -1 = forever; only
   * `runBlocking` mode passes non-zero) and call `onReady(fd, mask)` for each
   * ready fd, where mask has READ, WRITE and/or ERROR. Returns the number of
   * reports (kqueue reports a readable and writable fd twice, once per
   * filter; the others once per fd). EINTR counts as 0. The mask is limited
   * to the interest the fd has when `onReady` is called (plus ERROR), so a
   * callback that removes or narrows another fd's interest stops that fd's
   * stale readiness from being reported later in the same batch. Not
   * re-entrant: do not call `poll` from `onReady`.
   */
  poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number;
  /**
   * The fds (and poll(2) event masks) a `Parker` must wait on so that it wakes
   * when `poll(0)` would find something: `[epfd]` for epoll/kqueue, the whole
   * interest set for poll/select. Returns the same object until the set
   * changes; for poll/select a change while parked needs a `Parker.wake()`.
   */
  parkSet(): { fds: Int32Array; events: Int16Array; };
  /** Release the poller's own fds. */
  close(): void;
}
