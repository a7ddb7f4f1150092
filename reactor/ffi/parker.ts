/**
 * Parkers: wait off the JS thread until one of a set of fds is ready, so the
 * host event loop keeps running while the reactor is idle. This module holds
 * what they share (the `Parker` contract, `ParkerKind`, `PARKER_KINDS`,
 * `createParker`); each parker has its own file (`nonblocking_parker.ts`,
 * `worker_parker.ts`, `host_loop_parker.ts`, `io_uring_parker.ts`), the
 * park-argument check and the wake-fd base are in `_parker_base.ts`, and the
 * epoll park set two of them use is `_epoll_park_set.ts`.
 *
 * - `NonblockingParker` (Deno's default): a `nonblocking: true` FFI `poll(2)`
 *   on tokio's blocking pool. No Worker, no SharedArrayBuffer.
 * - `HostLoopParker` (Bun's default on Linux): no thread at all. The fds go
 *   into a private epoll instance, and a duplicate of that epoll fd is lent
 *   to Bun's own event loop as a socket (`Bun.connect({ fd })`). Bun's loop
 *   wakes when it turns readable, its `recv` fails (an epoll fd is no
 *   socket, so nothing is consumed) and it closes its duplicate: that close
 *   ends the park. One wake-up instead of a thread hand-off.
 * - `WorkerParker` (Bun's default elsewhere; also works on Deno): a Worker
 *   blocks in `poll(2)` and signals with `Atomics.notify`; the JS thread
 *   awaits `Atomics.waitAsync`.
 * - `IoUringParker` (Deno on Linux, opt-in: `SKEIN_PARKER=iouring`): no
 *   thread either. An io_uring poll of the same kind of private epoll
 *   instance, linked to a one-byte send into a socket Deno itself reads.
 *
 * The nonblocking and Worker parkers add a wake fd (an eventfd on Linux, a
 * pipe elsewhere) to the set, so `wake()` and `close()` can end a wait at
 * once; the other two end the park themselves.
 *
 * Measured on Deno (Linux, 2 vCPUs) and not kept, none of them waking faster
 * than the nonblocking call: a Worker with Atomics; a Worker calling a
 * thread-safe `UnsafeCallback`; SIGIO aimed at the JS thread; a Worker
 * writing to a socket that `node:net` watches; the pool thread calling
 * `epoll_wait` itself. After idle gaps of milliseconds, Deno's own loop sets
 * the floor rather than the hand-off: `Deno.listen` wakes no faster than the
 * nonblocking parker then.
 *
 * @module
 */

import { envVar, RUNTIME } from "./_platform.ts";
import { HostLoopParker, hostLoopSupported } from "./host_loop_parker.ts";
import { IoUringParker } from "./io_uring_parker.ts";
import { NonblockingParker } from "./nonblocking_parker.ts";
import { WorkerParker } from "./worker_parker.ts";

export { HostLoopParker } from "./host_loop_parker.ts";
export { IoUringParker } from "./io_uring_parker.ts";
export { NonblockingParker } from "./nonblocking_parker.ts";
export { WorkerParker } from "./worker_parker.ts";

/**
 * Waits off the JS thread until a set of fds is ready, so the host event loop
 * (timers, promises, `fetch`, the runtime's own servers) keeps running while the
 * reactor is idle. Deno: a `nonblocking` FFI `poll` (opt-in on Linux: io_uring);
 * Bun: its own event loop, lent an epoll fd (a Worker + Atomics off Linux).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createParker, ffiAvailable, type Parker } from "@skein/skein/reactor";
 * import { constants, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker: Parker = createParker();
 *   const parked = parker.park(new Int32Array([pipe[0]])); // until the pipe is readable
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked;
 *   assert.equal(libc().read(pipe[0], new Uint8Array(4), 4), 1);
 *   const idle = parker.park(new Int32Array([pipe[0]]));
 *   parker.wake(); // ends the park at once
 *   await idle;
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
 * ```
 */
export interface Parker {
  /**
   * Resolve once any of `fds` is ready for the matching `events` (poll(2)
   * bits: POLLIN=1, POLLOUT=4; POLLIN for all when omitted), or `wake()` or
   * `close()` is called. Only one park may be outstanding at a time (a second
   * throws). While a park is outstanding the process stays alive; an idle
   * parker does not keep it alive (except a `WorkerParker` on Deno, whose
   * Worker cannot be unref'd: close it).
   */
  park(fds: Int32Array, events?: Int16Array): Promise<void>;
  /**
   * Make the outstanding `park()` resolve soon. A no-op when none is
   * outstanding (the caller polls before it parks again anyway).
   */
  wake(): void;
  /**
   * Release the helper thread and fds; a pending park resolves and later ones
   * resolve at once. Idempotent. Must be called for Deno to exit while parked.
   */
  close(): void;
}

/**
 * Which parker to build: see {@linkcode createParker}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ParkerKind } from "@skein/skein/reactor";
 * import { PARKER_KINDS } from "./mod.ts";
 *
 * const kind: ParkerKind = "worker";
 * assert.ok(PARKER_KINDS.includes(kind));
 * ```
 */
export type ParkerKind = "nonblocking" | "worker" | "hostloop" | "iouring";

/**
 * Every parker kind, in the order `createParker`'s errors list them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PARKER_KINDS } from "./mod.ts";
 *
 * assert.deepEqual(PARKER_KINDS, ["nonblocking", "worker", "hostloop", "iouring"]);
 * ```
 */
export const PARKER_KINDS: readonly ParkerKind[] = ["nonblocking", "worker", "hostloop", "iouring"];

/**
 * A `Parker` for this runtime: `"nonblocking"` (Deno's default),
 * `"hostloop"` (Bun's default on Linux), `"worker"` (Bun's default
 * elsewhere; also available on Deno) or `"iouring"` (Deno on Linux, opt-in).
 * With no `kind`, the `SKEIN_PARKER` environment variable picks one when set.
 * Needs FFI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createParker, ffiAvailable, type ParkerKind } from "@skein/skein/reactor";
 *
 * if (ffiAvailable()) {
 *   const kind: ParkerKind = "nonblocking"; // Deno's default; "hostloop" is Bun's on Linux
 *   if (typeof Deno !== "undefined") createParker(kind).close();
 *   assert.throws(() => createParker("threads" as ParkerKind), /unknown parker "threads"/);
 * }
 * ```
 */
export function createParker(kind?: ParkerKind): Parker {
  const k = kind ?? defaultKind();
  if (k === "nonblocking") return new NonblockingParker();
  if (k === "worker") return new WorkerParker();
  if (k === "hostloop") return new HostLoopParker();
  if (k === "iouring") return new IoUringParker();
  throw new Error(
    `unknown parker ${JSON.stringify(k)}; expected one of ${PARKER_KINDS.join(", ")}`,
  );
}

function defaultKind(): ParkerKind {
  const fromEnv = envVar("SKEIN_PARKER");
  if (fromEnv !== undefined) {
    if (!(PARKER_KINDS as readonly string[]).includes(fromEnv)) {
      throw new TypeError(
        `SKEIN_PARKER=${JSON.stringify(fromEnv)} is not a parker; use one of ${
          PARKER_KINDS.join(", ")
        }`,
      );
    }
    return fromEnv as ParkerKind;
  }
  if (RUNTIME === "deno") return "nonblocking";
  return hostLoopSupported() ? "hostloop" : "worker";
}
