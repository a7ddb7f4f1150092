/**
 * The worker-side API: what code running in a pool thread uses to reach the
 * reactor thread (Twisted's `reactor.callFromThread` and
 * `threads.blockingCallFromThread`). Functions are reached by the name the
 * reactor thread exposed them under, with `pool.expose({ getUser })`.
 *
 * @module
 */

import { threadLink } from "./_thread_state.ts";
import { NotInThread } from "./errors.ts";

function link(what: string): NonNullable<ReturnType<typeof threadLink>> {
  const l = threadLink();
  if (l === undefined) {
    throw new NotInThread(
      what === "blockingCallFromThread"
        ? "blockingCallFromThread was called outside a pool thread. On the reactor thread it would "
          + "wait for the reactor, which cannot run while its own thread waits (Twisted deadlocks "
          + "here); call the function directly instead. Use it only in code that a ThreadPool runs."
        : `${what} was called outside a pool thread; on the reactor thread call the function `
          + "directly, or use reactor.callFromThread. Use it only in code that a ThreadPool runs.",
    );
  }
  return l;
}

/**
 * True when this code runs in a pool thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isInThread } from "@skein/skein/threads/worker";
 * assert.equal(isInThread(), false);
 * ```
 */
export function isInThread(): boolean {
  return threadLink() !== undefined;
}

/**
 * From a pool thread, run the reactor thread's exposed function `name` with
 * `args` at the reactor's next iteration, without waiting (Twisted's
 * `reactor.callFromThread`). An error it throws is logged there. Throws
 * `NotInThread` outside a pool thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callFromThread } from "@skein/skein/threads/worker";
 * import { NotInThread } from "@skein/skein/threads";
 * // Outside a pool thread (here), it refuses at once:
 * assert.throws(() => callFromThread("progress", 50), NotInThread);
 * ```
 */
export function callFromThread(name: string, ...args: unknown[]): void {
  link("callFromThread").call(name, args);
}

/**
 * From a pool thread, run the reactor thread's exposed function `name` with
 * `args` and wait (the thread blocks) until it has run and its Deferred or
 * promise has fired; return its result, or throw its error here, with its
 * class name, message and stack (Twisted's `blockingCallFromThread`). Throws
 * `NotInThread` at once on the reactor thread, where Twisted would deadlock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockingCallFromThread } from "@skein/skein/threads/worker";
 * import { NotInThread } from "@skein/skein/threads";
 * assert.throws(() => blockingCallFromThread("getUser", 1), NotInThread);
 * ```
 */
export function blockingCallFromThread(name: string, ...args: unknown[]): unknown {
  return link("blockingCallFromThread").blockingCall(name, args);
}
