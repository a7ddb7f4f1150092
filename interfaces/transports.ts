/**
 * Transports: what a protocol writes to. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { IAddress } from "./address.ts";
import type { IConsumer } from "./producers.ts";

/**
 * A connection's transport; Twisted's `ITransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ITransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * function greet(t: ITransport): void {
 *   t.write("hello\r\n");
 *   t.loseConnection();
 * }
 * const t = new StringTransport();
 * greet(t);
 * assert.equal(t.valueString(), "hello\r\n");
 * assert.equal(t.disconnecting, true);
 * ```
 */
export interface ITransport<A extends IAddress = IAddress> extends IConsumer {
  /** True once `loseConnection` was called and the connection is closing. */
  readonly disconnecting?: boolean;
  /** Bytes written and not yet handed to the kernel (0 once the buffer drains). */
  readonly bufferedAmount: number;
  /** Write several chunks at once (one `writev` where possible). */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /** Close after everything written so far has been sent. */
  loseConnection(): void;
  /** The remote address. */
  getPeer(): A;
  /** The local address. */
  getHost(): A;
}

/**
 * A transport that can close at once, dropping buffered data; Twisted's
 * `ITCPTransport.abortConnection`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IAbortableTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const kill = (t: IAbortableTransport): void => t.abortConnection();
 * const t = new StringTransport();
 * kill(t);
 * assert.equal(t.disconnected, true);
 * ```
 */
export interface IAbortableTransport<A extends IAddress = IAddress> extends ITransport<A> {
  /** Close now; unsent data is discarded and the protocol sees `ConnectionAborted`. */
  abortConnection(): void;
}

/**
 * A transport that can close its writing half; Twisted's `IHalfCloseableDescriptor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IHalfCloseableTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const done = (t: IHalfCloseableTransport): void => t.loseWriteConnection();
 * const t = new StringTransport();
 * done(t);
 * assert.equal(t.writeDisconnected, true);
 * ```
 */
export interface IHalfCloseableTransport<A extends IAddress = IAddress> extends ITransport<A> {
  /** Send FIN after the buffer drains, but keep reading. */
  loseWriteConnection(): void;
}

/**
 * A TCP connection's transport; Twisted's `ITCPTransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ITCPTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const fast = (t: ITCPTransport): void => t.setTcpNoDelay(true);
 * const t = new StringTransport();
 * fast(t);
 * assert.equal(t.getTcpNoDelay(), true);
 * ```
 */
export interface ITCPTransport<A extends IAddress = IAddress>
  extends IAbortableTransport<A>, IHalfCloseableTransport<A>
{
  /** Disable (true) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void;
  /** Read back the TCP_NODELAY option. */
  getTcpNoDelay(): boolean;
  /** Enable TCP keep-alive probes. */
  setTcpKeepAlive(enabled: boolean): void;
  /** Read back the SO_KEEPALIVE option. */
  getTcpKeepAlive(): boolean;
  /** Stop reading from the peer (for flow control); resume with `resumeProducing`. */
  pauseProducing(): void;
  /** Start reading from the peer again. */
  resumeProducing(): void;
  /** Stop reading and close. */
  stopProducing(): void;
}
