/**
 * The `NonblockingParker`, Deno's default parker: a `nonblocking: true` FFI
 * `poll(2)` on tokio's blocking pool. No Worker, no SharedArrayBuffer.
 *
 * @module
 */

import { BaseParker } from "./_parker_base.ts";
import { loadLibc } from "./libc.ts";
import { POLLFD_SIZE } from "./poller_structs.ts";

/**
 * Deno: `poll(2)` with `nonblocking: true`, which runs on tokio's blocking
 * pool and returns a promise. The pollfd buffer is private and untouched
 * until the call settles. A pending call keeps Deno alive, so `close()` pokes
 * the wake fd and the fds are closed once the call returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constants, ffiAvailable, libc } from "./mod.ts";
 * import { NonblockingParker } from "./nonblocking_parker.ts";
 *
 * if (ffiAvailable() && typeof Deno !== "undefined") {
 *   const pipe = new Int32Array(2);
 *   assert.equal(libc().pipe2(pipe, constants.O_NONBLOCK | constants.O_CLOEXEC), 0);
 *   const parker = new NonblockingParker();
 *   const parked = parker.park(new Int32Array([pipe[0]]));
 *   libc().write(pipe[1], new Uint8Array([1]), 1);
 *   await parked; // the pipe turned readable
 *   parker.close();
 *   libc().close(pipe[0]);
 *   libc().close(pipe[1]);
 * }
 * ```
 */
export class NonblockingParker extends BaseParker {
  readonly #pollAsync: (fds: Uint8Array, nfds: number, timeoutMs: number) => Promise<number>;
  #buf = new Uint8Array(16 * POLLFD_SIZE);

  /** Needs Deno with `--allow-ffi`. */
  constructor() {
    const loaded = loadLibc();
    if (loaded.pollAsync === null) {
      throw new Error("NonblockingParker needs Deno's nonblocking FFI calls; use WorkerParker");
    }
    super(loaded.libc);
    this.#pollAsync = loaded.pollAsync;
  }

  /** Resolve when one of `fds` is ready, on `wake()`, or on `close()`. */
  park(fds: Int32Array, events?: Int16Array): Promise<void> {
    this.checkPark(fds, events);
    if (this.closed) return Promise.resolve();
    if ((fds.length + 1) * POLLFD_SIZE > this.#buf.length) {
      this.#buf = new Uint8Array(2 * (fds.length + 1) * POLLFD_SIZE);
    }
    const n = this.fill(this.#buf, fds, events);
    this.parked = true;
    return this.#pollAsync(this.#buf, n, -1).then(
      () => this.#settle(),
      () => this.#settle(),
    );
  }

  #settle(): void {
    this.parked = false;
    if (this.closed) this.closeFds();
    else this.drain();
  }

  /** Release the wake fd; a pending park resolves soon after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.parked) this.poke();
    else this.closeFds();
  }
}
