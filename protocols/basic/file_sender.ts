/**
 * `FileSender`: stream a file-like source to a consumer (a transport) one
 * chunk per request, as a pull producer: Twisted's
 * `twisted.protocols.basic.FileSender`.
 *
 * @example Sending a file from disk to a transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { type FileLike, FileSender } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * const dir = mkdtempSync(join(tmpdir(), "skein-"));
 * const path = join(dir, "data.txt");
 * writeFileSync(path, "x".repeat(40000));
 * const fd = openSync(path, "r");
 * const file: FileLike = {
 *   read(size) {
 *     const buf = new Uint8Array(size);
 *     return buf.subarray(0, readSync(fd, buf));
 *   },
 * };
 * const transport = new StringTransport();
 * let finished = false;
 * new FileSender().beginFileTransfer(file, transport).addCallback(() => {
 *   finished = true;
 *   transport.loseConnection();
 * });
 * // A StringTransport does not pull by itself: ask for chunks until the end.
 * while (transport.producer !== null) transport.producer.resumeProducing();
 * closeSync(fd);
 * rmSync(dir, { recursive: true });
 * assert.equal(finished, true);
 * assert.equal(transport.value().length, 40000);
 * ```
 *
 * @module
 */

import { Deferred } from "../../deferred/deferred.ts";
import type { IConsumer, IPullProducer } from "../../interfaces.ts";

/**
 * A source {@linkcode FileSender} reads from: `read(size)` returns up to
 * `size` bytes, and an empty result (or null) at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FileLike } from "@skein/skein/protocols/basic";
 * const chunks = [new Uint8Array([1, 2]), new Uint8Array([3])];
 * const file: FileLike = { read: (_size) => chunks.shift() ?? null };
 * assert.deepEqual(file.read(16), new Uint8Array([1, 2]));
 * assert.deepEqual(file.read(16), new Uint8Array([3]));
 * assert.equal(file.read(16), null);
 * ```
 */
export interface FileLike {
  /** Up to `size` bytes (a string is sent as UTF-8); empty or null at the end. */
  read(size: number): Uint8Array | string | null | undefined;
}

const encoder = new TextEncoder();

/**
 * Sends a file to a consumer, one chunk ({@linkcode FileSender.CHUNK_SIZE},
 * 16 KiB) each time the consumer asks (Twisted's `FileSender`). The Deferred
 * from {@linkcode FileSender.beginFileTransfer} fires with the last byte sent
 * (empty if nothing was) once the file is exhausted and the producer
 * unregistered, or fails if the consumer stops it first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileSender } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * const t = new StringTransport();
 * const data = [new TextEncoder().encode("hello")];
 * let done = false;
 * new FileSender().beginFileTransfer({ read: () => data.shift() ?? null }, t)
 *   .addCallback(() => { done = true; });
 * t.producer!.resumeProducing(); // StringTransport does not pull by itself
 * t.producer!.resumeProducing();
 * assert.ok(t.valueString() === "hello" && done);
 * ```
 */
export class FileSender implements IPullProducer {
  /** Bytes read per request. */
  CHUNK_SIZE: number = 2 ** 14;
  /** The last byte written (empty before any). */
  lastSent: Uint8Array = new Uint8Array(0);
  /** The pending transfer's Deferred, until it fires. */
  deferred: Deferred<Uint8Array> | null = null;
  #file: FileLike | null = null;
  #consumer: IConsumer | null = null;
  #transform: ((chunk: Uint8Array) => Uint8Array | string) | null = null;

  /**
   * Start sending `file` to `consumer` (registering as its pull producer);
   * `transform`, if given, maps each chunk before it is written.
   */
  beginFileTransfer(
    file: FileLike,
    consumer: IConsumer,
    transform?: (chunk: Uint8Array) => Uint8Array | string,
  ): Deferred<Uint8Array> {
    this.#file = file;
    this.#consumer = consumer;
    this.#transform = transform ?? null;
    const d = new Deferred<Uint8Array>();
    this.deferred = d;
    consumer.registerProducer(this, false);
    return d;
  }

  /** Write the next chunk, or finish when the file is exhausted. */
  resumeProducing(): void {
    const consumer = this.#consumer;
    if (consumer === null) return;
    let chunk: Uint8Array | null = null;
    if (this.#file !== null) {
      const raw = this.#file.read(this.CHUNK_SIZE);
      chunk = raw === null || raw === undefined
        ? null
        : typeof raw === "string"
        ? encoder.encode(raw)
        : raw;
    }
    if (chunk === null || chunk.length === 0) {
      this.#file = null;
      this.#consumer = null;
      consumer.unregisterProducer();
      const d = this.deferred;
      if (d !== null) {
        this.deferred = null;
        d.callback(this.lastSent);
      }
      return;
    }
    const out = this.#transform === null ? chunk : this.#transform(chunk);
    const bytes = typeof out === "string" ? encoder.encode(out) : out;
    consumer.write(bytes);
    this.lastSent = bytes.slice(-1);
  }

  /** Nothing to do: a pull producer only writes when asked. */
  pauseProducing(): void {}

  /** The consumer is going away: the transfer fails. */
  stopProducing(): void {
    this.#file = null;
    this.#consumer = null;
    const d = this.deferred;
    if (d !== null) {
      this.deferred = null;
      d.errback(new Error("Consumer asked us to stop producing"));
    }
  }
}
