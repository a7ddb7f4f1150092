/**
 * What the two kernel-queue pollers (epoll and kqueue) share: one fd for the
 * whole interest set, which is also their park set, and closing it once.
 *
 * @module
 */

import type { Libc } from "../ffi/mod.ts";
import { closedError } from "./_common.ts";
import type { Poller, PollerKind } from "./poller.ts";

/**
 * A poller over a kernel queue fd (`epoll_create1`, `kqueue`): the queue fd
 * is readable whenever `poll(0)` would find something, so it alone is the
 * park set, and the parker need not re-park when the interest changes.
 * Subclasses build the queue, then pass its fd here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createPoller, defaultPollerKind } from "@skein/skein/reactor";
 * import { QueuePoller } from "./_queue_poller.ts";
 *
 * const poller = createPoller(defaultPollerKind()!);
 * assert.ok(poller instanceof QueuePoller); // epoll on Linux, kqueue on macOS and the BSDs
 * assert.deepEqual([...poller.parkSet().fds], [poller.fileno]);
 * poller.close();
 * poller.close(); // idempotent
 * ```
 */
export abstract class QueuePoller implements Poller {
  /** Which poller this is. */
  abstract readonly kind: PollerKind;
  // protected: the epoll and kqueue pollers (subclasses) call the kernel through it.
  /** The libc the queue lives in. */
  protected readonly lib: Libc;
  // protected: the epoll and kqueue pollers (subclasses) pass it to every call.
  /** The kernel queue's fd. */
  protected readonly queueFd: number;
  // protected: the epoll and kqueue pollers (subclasses) keep it in modify() and read it in poll().
  /** fd → the READ | WRITE interest registered for it. */
  protected readonly interest: Map<number, number> = new Map();
  readonly #parkSet: { fds: Int32Array; events: Int16Array; };
  #closed = false;

  /** Take over the open queue `fd` of `lib`; `pollin` is the platform's POLLIN. */
  constructor(lib: Libc, fd: number, pollin: number) {
    this.lib = lib;
    this.queueFd = fd;
    this.#parkSet = { fds: new Int32Array([fd]), events: new Int16Array([pollin]) };
  }

  /** The kernel queue's fd. */
  get fileno(): number {
    return this.queueFd;
  }

  // protected: the subclasses' modify() and poll() start with it.
  /** Throw if `close()` ran. */
  protected checkOpen(): void {
    if (this.#closed) throw closedError(this.kind);
  }

  /** Set `fd`'s interest to `events` (READ | WRITE; 0 removes it). */
  abstract modify(fd: number, events: number): void;

  /** Wait up to `timeoutMs` (-1: forever) and report ready fds. */
  abstract poll(timeoutMs: number, onReady: (fd: number, mask: number) => void): number;

  /** `[fd]`: the queue fd is readable whenever `poll(0)` would find something. */
  parkSet(): { fds: Int32Array; events: Int16Array; } {
    return this.#parkSet;
  }

  /** Close the queue fd. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.interest.clear();
    this.lib.close(this.queueFd);
  }
}
