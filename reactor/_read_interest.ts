/**
 * Whether a listening descriptor (a stream port, a UDP port) is registered
 * with its reactor for reading, switched on and off without registering
 * twice. Internal.
 *
 * @module
 */

import type { IReactorFDSet, IReadWriteDescriptor } from "../interfaces.ts";

/**
 * The read registration of one descriptor with its reactor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorFDSet, IReadWriteDescriptor } from "@skein/skein/reactor";
 * import { ReadInterest } from "./_read_interest.ts";
 * const readers = new Set<IReadWriteDescriptor>();
 * const fdset = {
 *   addReader: (d: IReadWriteDescriptor) => readers.add(d),
 *   removeReader: (d: IReadWriteDescriptor) => readers.delete(d),
 * } as unknown as IReactorFDSet;
 * const d = { fileno: () => 3 } as unknown as IReadWriteDescriptor;
 * const interest = new ReadInterest(fdset, d);
 * interest.start();
 * interest.start(); // once only
 * assert.equal(interest.on, true);
 * assert.equal(readers.size, 1);
 * interest.stop();
 * assert.equal(readers.size, 0);
 * ```
 */
export class ReadInterest {
  readonly #reactor: IReactorFDSet;
  readonly #descriptor: IReadWriteDescriptor;
  #on = false;

  /** The registration of `descriptor` with `reactor` (off). */
  constructor(reactor: IReactorFDSet, descriptor: IReadWriteDescriptor) {
    this.#reactor = reactor;
    this.#descriptor = descriptor;
  }

  /** True while registered for reading. */
  get on(): boolean {
    return this.#on;
  }

  /** Watch for readability (not once the descriptor is closed: fd -1). */
  start(): void {
    if (!this.#on && this.#descriptor.fileno() >= 0) {
      this.#on = true;
      this.#reactor.addReader(this.#descriptor);
    }
  }

  /** Stop watching for readability. */
  stop(): void {
    if (this.#on) {
      this.#on = false;
      this.#reactor.removeReader(this.#descriptor);
    }
  }
}
