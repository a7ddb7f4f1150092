/**
 * The push-producer flow control the framing receivers share (Twisted's
 * `_PauseableMixin` in `twisted/protocols/basic.py`).
 *
 * @module
 */

import type { IPushProducer } from "../../interfaces.ts";
import { Protocol } from "../protocol.ts";

const EMPTY = new Uint8Array(0);

/**
 * A protocol that is a push producer of what it parses: pausing it holds
 * back delivery and pauses the transport's reading; resuming resumes both
 * and delivers what was buffered meanwhile (its `dataReceived` is called
 * with no bytes, and parses on while not `paused`). The base of
 * {@linkcode LineReceiver}, {@linkcode IntNStringReceiver} and
 * {@linkcode NetstringReceiver}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineReceiver, PausableReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * const lines: string[] = [];
 * class Lines extends LineReceiver {
 *   override lineReceived(line: Uint8Array): void {
 *     lines.push(new TextDecoder().decode(line));
 *   }
 * }
 * const p = new Lines();
 * assert.ok(p instanceof PausableReceiver);
 * p.makeConnection(new StringTransport());
 * p.pauseProducing();
 * p.dataReceived(new TextEncoder().encode("a\r\nb\r\n"));
 * assert.deepEqual(lines, []); // held back while paused
 * p.resumeProducing();
 * assert.deepEqual(lines, ["a", "b"]);
 * ```
 */
export class PausableReceiver extends Protocol implements IPushProducer {
  /** True while paused by `pauseProducing()`/`stopProducing()`. */
  paused: boolean = false;

  /** Stop delivering, and pause the transport's reading. */
  pauseProducing(): void {
    this.paused = true;
    this.#producer()?.pauseProducing?.();
  }

  /** Resume reading, then deliver what was buffered while paused. */
  resumeProducing(): void {
    this.paused = false;
    this.#producer()?.resumeProducing?.();
    this.dataReceived(EMPTY);
  }

  /** Stop delivering for good, and stop the transport. */
  stopProducing(): void {
    this.paused = true;
    this.#producer()?.stopProducing?.();
  }

  /** The flow-control methods the transport may have (TCP transports do). */
  #producer(): Partial<IPushProducer> | null {
    return this.transport as Partial<IPushProducer> | null;
  }
}
