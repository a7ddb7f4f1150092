/**
 * Producers and consumers: flow control. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

/**
 * Something that produces data for a consumer; Twisted's `IProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IProducer } from "@skein/skein/reactor";
 * const p: IProducer = { stopProducing(): void {} };
 * p.stopProducing();
 * assert.equal(typeof p.stopProducing, "function");
 * ```
 */
export interface IProducer {
  /** Stop for good: the consumer is going away. */
  stopProducing(): void;
}

/**
 * A producer that writes on its own until paused; Twisted's `IPushProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IPushProducer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * class Ticker implements IPushProducer {
 *   paused = false;
 *   pauseProducing(): void { this.paused = true; }
 *   resumeProducing(): void { this.paused = false; }
 *   stopProducing(): void {}
 * }
 * const t = new StringTransport();
 * const ticker = new Ticker();
 * t.registerProducer(ticker, true);
 * ticker.pauseProducing();
 * assert.equal(ticker.paused, true);
 * ```
 */
export interface IPushProducer extends IProducer {
  /** Stop writing until `resumeProducing()`: the consumer's buffer is full. */
  pauseProducing(): void;
  /** Start writing again. */
  resumeProducing(): void;
}

/**
 * A producer that writes one chunk each time it is asked; Twisted's
 * `IPullProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IPullProducer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const p: IPullProducer = { resumeProducing(): void {}, stopProducing(): void {} };
 * const t = new StringTransport();
 * t.registerProducer(p, false);
 * assert.equal(t.streaming, false);
 * ```
 */
export interface IPullProducer extends IProducer {
  /** Write (at least) one more chunk to the consumer. */
  resumeProducing(): void;
}

/**
 * Something data is written to; Twisted's `IConsumer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IConsumer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * function send(c: IConsumer, data: Uint8Array): void {
 *   c.write(data);
 * }
 * const t = new StringTransport();
 * send(t, new Uint8Array([1, 2]));
 * assert.deepEqual(t.value(), new Uint8Array([1, 2]));
 * ```
 */
export interface IConsumer {
  /**
   * Register a producer. `streaming` true means an {@linkcode IPushProducer}
   * (paused and resumed by the consumer's buffer), false an
   * {@linkcode IPullProducer} (asked for each chunk). Throws if one is
   * already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Remove the registered producer. */
  unregisterProducer(): void;
  /** Write bytes (a string is written as UTF-8). */
  write(data: Uint8Array | string): void;
}
