/**
 * Internal: the push-producer flow control the framing receivers share
 * (Twisted's `_PauseableMixin` in `twisted/protocols/basic.py`). Pausing a
 * receiver holds back delivery and pauses the transport's reading; resuming
 * resumes both and delivers what was buffered meanwhile.
 *
 * @module
 */

import type { IPushProducer, ITransport } from "../../interfaces.ts";

const EMPTY = new Uint8Array(0);

/** A receiver with a `paused` flag that re-parses its buffer on `dataReceived(empty)`. */
export interface PausableReceiver {
  /** True while delivery is held back. */
  paused: boolean;
  /** The transport, whose reading is paused along with delivery when it can be. */
  readonly transport: ITransport | null;
  /** Parse what is buffered (called with no bytes on resume). */
  dataReceived(data: Uint8Array): unknown;
}

/** The flow-control methods a transport may have (TCP transports do). */
function producerOf(receiver: PausableReceiver): Partial<IPushProducer> | null {
  return receiver.transport as Partial<IPushProducer> | null;
}

/** Hold back delivery and pause the transport's reading. */
export function pauseReceiver(receiver: PausableReceiver): void {
  receiver.paused = true;
  producerOf(receiver)?.pauseProducing?.();
}

/** Resume reading, then deliver what was buffered while paused. */
export function resumeReceiver(receiver: PausableReceiver): void {
  receiver.paused = false;
  producerOf(receiver)?.resumeProducing?.();
  receiver.dataReceived(EMPTY);
}

/** Stop delivering for good, and stop the transport. */
export function stopReceiver(receiver: PausableReceiver): void {
  receiver.paused = true;
  producerOf(receiver)?.stopProducing?.();
}
