/**
 * The process's reserve of file descriptors (Twisted's
 * `_FileDescriptorReservation` in `internet/tcp.py`): a few placeholder fds
 * held while listening ports run. When accepting hits the fd limit, the
 * ports give them back, so the runtime itself (timers, signal pipes, module
 * loads) still has descriptors; accepts resume only once the reserve can be
 * taken again. Deno panics in its own internals when it finds no free fd.
 * Internal.
 *
 * @module
 */

import { constants } from "./ffi/constants.ts";
import { libc } from "./ffi/mod.ts";

/**
 * How many fds the process-wide reserve holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FD_RESERVE_SIZE, fdReserve } from "./_fd_reserve.ts";
 * assert.equal(fdReserve.size, FD_RESERVE_SIZE);
 * ```
 */
export const FD_RESERVE_SIZE = 8;

/**
 * Opens one placeholder fd (or returns -1) and closes one.
 *
 * @example An opener that never has a free fd
 * ```ts
 * import assert from "node:assert/strict";
 * import { FDReserve, type FDOpener } from "./_fd_reserve.ts";
 * const none: FDOpener = { open: () => -1, close: () => {} };
 * assert.equal(new FDReserve(4, none).fill(), false);
 * ```
 */
export interface FDOpener {
  /** A new fd, or -1 when none is free. */
  open(): number;
  /** Close `fd`. */
  close(fd: number): void;
}

/** Placeholders are unbound datagram sockets: cheap, and they never block anything. */
const SOCKET_OPENER: FDOpener = {
  open: (): number =>
    libc().socket(constants.AF_UNIX, constants.SOCK_DGRAM | constants.SOCK_CLOEXEC, 0),
  close: (fd: number): void => {
    libc().close(fd);
  },
};

/**
 * A reserve of `size` fds, held while at least one listening port uses it.
 * It holds either all of them or none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FDReserve } from "./_fd_reserve.ts";
 * const reserve = new FDReserve(2);
 * assert.equal(reserve.fill(), true);
 * assert.equal(reserve.held, 2);
 * reserve.release();
 * assert.equal(reserve.held, 0);
 * ```
 */
export class FDReserve {
  /** How many fds a full reserve holds. */
  readonly size: number;
  #opener: FDOpener;
  #fds: number[] = [];
  #users = 0;

  /** A reserve of `size` fds made by `opener` (unbound Unix datagram sockets by default). */
  constructor(size: number = FD_RESERVE_SIZE, opener: FDOpener = SOCKET_OPENER) {
    this.size = size;
    this.#opener = opener;
  }

  /** How many fds the reserve holds now (0 or `size`). */
  get held(): number {
    return this.#fds.length;
  }

  /** How many listening ports use the reserve. */
  get users(): number {
    return this.#users;
  }

  /**
   * Take the reserve's fds, all or nothing: true when it is full. When not
   * every fd can be had, the ones just taken are closed again, so a refill
   * never holds the last free fds the runtime needs.
   */
  fill(): boolean {
    const o = this.#opener;
    const fds = this.#fds;
    while (fds.length < this.size) {
      const fd = o.open();
      if (fd < 0) {
        this.release();
        return false;
      }
      fds.push(fd);
    }
    return true;
  }

  /** Give every held fd back to the process. */
  release(): void {
    const o = this.#opener;
    while (this.#fds.length > 0) o.close(this.#fds.pop()!);
  }

  /** A listening port starts: take the reserve (best effort). */
  acquire(): void {
    this.#users++;
    this.fill();
  }

  /** A listening port closed: the last one gives the reserve back. */
  relinquish(): void {
    if (this.#users > 0 && --this.#users === 0) this.release();
  }
}

/**
 * The process-wide reserve the stream ports share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fdReserve } from "./_fd_reserve.ts";
 * assert.equal(fdReserve.users, 0); // no port listens yet
 * ```
 */
export const fdReserve: FDReserve = new FDReserve();
