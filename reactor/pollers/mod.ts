/**
 * Readiness pollers over epoll, kqueue, poll and select, and the choice of
 * one for this platform.
 *
 * @module
 */

import { ffiAvailable, libc, type OSName } from "../ffi/mod.ts";

export type { OSName };
import { EpollPoller } from "./epoll.ts";
import { KqueuePoller } from "./kqueue.ts";
import { PollPoller } from "./poll.ts";
import { type Poller, POLLER_KINDS, type PollerKind } from "./poller.ts";
import { SelectPoller } from "./select.ts";

export type { PollerOptions } from "./_common.ts";
export { EpollPoller } from "./epoll.ts";
export { KqueuePoller, type KqueuePollerOptions } from "./kqueue.ts";
export { PollPoller } from "./poll.ts";
export { ERROR, type Poller, POLLER_KINDS, type PollerKind, READ, WRITE } from "./poller.ts";
export { SelectPoller } from "./select.ts";

/**
 * The pollers Skein offers on `os`, best first: `["epoll", "poll", "select"]`
 * on Linux, `["kqueue", "poll", "select"]` on macOS and FreeBSD, and `[]` for
 * `null` (no FFI, or a system the FFI layer does not support). The one
 * answer to "which poller, which reactor by default": {@linkcode
 * availablePollers}, {@linkcode defaultPollerKind} and the reactor's
 * `defaultReactorKind()` all read it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pollersFor } from "@skein/skein/reactor";
 *
 * assert.deepEqual(pollersFor("linux"), ["epoll", "poll", "select"]);
 * assert.deepEqual(pollersFor("darwin"), ["kqueue", "poll", "select"]);
 * assert.deepEqual(pollersFor(null), []);
 * ```
 */
export function pollersFor(os: OSName | null): PollerKind[] {
  if (os === null) return [];
  return os === "linux" ? ["epoll", "poll", "select"] : ["kqueue", "poll", "select"];
}

/**
 * The pollers this process can use, best first: {@linkcode pollersFor} this
 * OS when FFI is available, `[]` without FFI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availablePollers, ffiAvailable } from "@skein/skein/reactor";
 *
 * const pollers = availablePollers();
 * assert.equal(pollers.length > 0, ffiAvailable());
 * if (pollers.length > 0) assert.ok(pollers.includes("poll"));
 * ```
 */
export function availablePollers(): PollerKind[] {
  return pollersFor(ffiAvailable() ? libc().os : null);
}

/**
 * The best poller here: `"epoll"` on Linux, `"kqueue"` on macOS/FreeBSD, or
 * `null` when FFI is unavailable (use the host reactor).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { availablePollers, defaultPollerKind } from "@skein/skein/reactor";
 *
 * assert.equal(defaultPollerKind(), availablePollers()[0] ?? null);
 * ```
 */
export function defaultPollerKind(): PollerKind | null {
  return availablePollers()[0] ?? null;
}

/**
 * A new poller of `kind` (default: {@linkcode defaultPollerKind}). Throws a
 * clear error when that kind is not available here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller, defaultPollerKind } from "@skein/skein/reactor";
 *
 * const best = createPoller();
 * assert.equal(best.kind, defaultPollerKind());
 * best.close();
 * const portable = createPoller("poll");
 * assert.equal(portable.kind, "poll");
 * portable.close();
 * assert.throws(() => createPoller("iocp" as "poll"), /unknown poller "iocp"/);
 * ```
 */
export function createPoller(kind?: PollerKind): Poller {
  const available = availablePollers();
  const k = kind ?? available[0];
  if (k === undefined) {
    throw new Error(
      "no FFI poller is available here (Deno needs --allow-ffi; other runtimes are unsupported): use the host reactor",
    );
  }
  if (!available.includes(k)) {
    throw new Error(
      POLLER_KINDS.includes(k)
        ? `the ${k} poller is not available on this system; available: ${available.join(", ")}`
        : `unknown poller ${JSON.stringify(k)}; expected one of ${POLLER_KINDS.join(", ")}`,
    );
  }
  switch (k) {
    case "epoll":
      return new EpollPoller();
    case "kqueue":
      return new KqueuePoller();
    case "poll":
      return new PollPoller();
    default:
      return new SelectPoller();
  }
}
