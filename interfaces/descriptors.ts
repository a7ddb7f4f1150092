/**
 * File descriptors: the layer transports are written against. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";

/**
 * Something with a file descriptor the reactor can watch; Twisted's
 * `IFileDescriptor` + `IReadDescriptor` + `IWriteDescriptor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IReadWriteDescriptor } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * class Watcher implements IReadWriteDescriptor {
 *   constructor(private fd: number) {}
 *   fileno(): number { return this.fd; }
 *   doRead(): Error | null { return null; }
 *   doWrite(): Error | null { return null; }
 *   connectionLost(_reason: Failure): void {}
 *   logPrefix(): string { return "Watcher"; }
 * }
 * const r = new MemoryReactor();
 * r.addReader(new Watcher(7));
 * assert.equal(r.getReaders()[0].fileno(), 7);
 * ```
 */
export interface IReadWriteDescriptor {
  /** The file descriptor number, or -1 once closed. */
  fileno(): number;
  /**
   * Called when the fd is readable. Return an Error (e.g. `ConnectionDone`) to
   * have the reactor disconnect the descriptor with that reason.
   */
  doRead(): Error | null | void;
  /** Called when the fd is writable. Return an Error to disconnect. */
  doWrite(): Error | null | void;
  /** The reactor dropped this descriptor; `reason` says why. */
  connectionLost(reason: Failure): void;
  /** A short name for log lines. */
  logPrefix(): string;
}

/**
 * Registration of file descriptors with the reactor's poller; Twisted's
 * `IReactorFDSet`. Only FFI reactors implement it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorFDSet, IReadWriteDescriptor } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function watch(r: IReactorFDSet, d: IReadWriteDescriptor): void {
 *   r.addReader(d);
 * }
 * const r = new MemoryReactor();
 * const d: IReadWriteDescriptor = {
 *   fileno: () => 3,
 *   doRead: () => null,
 *   doWrite: () => null,
 *   connectionLost: () => {},
 *   logPrefix: () => "d",
 * };
 * watch(r, d);
 * assert.ok(r.readers.has(d));
 * ```
 */
export interface IReactorFDSet {
  /** Start calling `reader.doRead()` when its fd is readable. */
  addReader(reader: IReadWriteDescriptor): void;
  /** Start calling `writer.doWrite()` when its fd is writable. */
  addWriter(writer: IReadWriteDescriptor): void;
  /** Stop watching for readability. */
  removeReader(reader: IReadWriteDescriptor): void;
  /** Stop watching for writability. */
  removeWriter(writer: IReadWriteDescriptor): void;
  /** Remove every descriptor; returns those that were registered. */
  removeAll(): IReadWriteDescriptor[];
  /** The descriptors watched for reading. */
  getReaders(): IReadWriteDescriptor[];
  /** The descriptors watched for writing. */
  getWriters(): IReadWriteDescriptor[];
}
