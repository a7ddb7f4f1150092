/**
 * Readiness pollers over epoll, kqueue, poll and select, and the choice of
 * one for this platform.
 *
 * @module
 */

import { ffiAvailable, libc } from "../ffi/mod.ts";
import { EpollPoller } from "./epoll.ts";
import { KqueuePoller } from "./kqueue.ts";
import { PollPoller } from "./poll.ts";
import type { Poller, PollerKind } from "./poller.ts";
import { SelectPoller } from "./select.ts";

export type { PollerOptions } from "./_common.ts";
export { EpollPoller } from "./epoll.ts";
export { KqueuePoller, type KqueuePollerOptions } from "./kqueue.ts";
export { PollPoller } from "./poll.ts";
export { ERROR, type Poller, type PollerKind, READ, WRITE } from "./poller.ts";
export { SelectPoller } from "./select.ts";

/**
 * The pollers this process can use, best first: `["epoll", "poll", "select"]`
 * on Linux, `["kqueue", "poll", "select"]` on macOS/FreeBSD, `[]` without FFI.
 *
 * @example
 * ```ts
 * import { availablePollers } from "./mod.ts";
 * console.log(availablePollers());
 * ```
 */
export function availablePollers(): PollerKind[] {
  if (!ffiAvailable()) return [];
  return libc().os === "linux" ? ["epoll", "poll", "select"] : ["kqueue", "poll", "select"];
}

/**
 * The best poller here: `"epoll"` on Linux, `"kqueue"` on macOS/FreeBSD, or
 * `null` when FFI is unavailable (use the host reactor).
 *
 * @example
 * ```ts
 * import { defaultPollerKind } from "./mod.ts";
 * console.log(defaultPollerKind() ?? "host");
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
 * ```ts ignore
 * import { createPoller, READ } from "./mod.ts";
 * const poller = createPoller("poll");
 * poller.modify(0, READ);
 * poller.close();
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
    const known = ["epoll", "poll", "select", "kqueue"];
    throw new Error(
      known.includes(k)
        ? `the ${k} poller is not available on this system; available: ${available.join(", ")}`
        : `unknown poller ${JSON.stringify(k)}; expected one of ${known.join(", ")}`,
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
