/**
 * Echo client, take 1: send a message, half-close, collect what comes back until the
 * server closes the connection, print it, and stop the reactor.
 *
 * Run it against the echo server: `deno run -A examples/echo_client_1.ts 8000 hello`.
 *
 * @module
 */

import type { Failure } from "../deferred/mod.ts";
import type { IAddress, IConnector, IHalfCloseableTransport } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Sends the factory's message, then collects the reply until the connection closes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDone, IPv4Address } from "@skein/skein/reactor";
 * import { Failure } from "@skein/skein/deferred";
 * import { StringTransport } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_1.ts";
 *
 * const factory = new EchoClientFactory("hello");
 * const client = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 8000));
 * const transport = new StringTransport();
 * client.makeConnection(transport);
 * assert.equal(transport.valueString(), "hello"); // sent, then half-closed
 * client.dataReceived(new TextEncoder().encode("hello"));
 * client.connectionLost(new Failure(new ConnectionDone())); // prints: Got 5 bytes back: "hello"
 * assert.deepEqual(factory.replies, ["hello"]);
 * ```
 */
export class EchoClient extends Protocol {
  declare factory: EchoClientFactory;
  #chunks: Uint8Array[] = [];

  override connectionMade(): void {
    this.transport!.write(this.factory.message);
    (this.transport as IHalfCloseableTransport).loseWriteConnection();
  }

  override dataReceived(data: Uint8Array): void {
    this.#chunks.push(data);
  }

  override connectionLost(_reason: Failure): void {
    const text = new TextDecoder().decode(concat(this.#chunks));
    this.factory.replies.push(text);
    console.log(`Got ${text.length} bytes back: ${JSON.stringify(text)}`);
  }
}

/**
 * Connects once, and stops the reactor when the connection ends or fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_1.ts";
 *
 * const reactor = new MemoryReactor();
 * reactor.connectTCP("127.0.0.1", 8000, new EchoClientFactory("hello"));
 * const [host, port, factory] = reactor.tcpClients[0];
 * assert.deepEqual([host, port], ["127.0.0.1", 8000]);
 * assert.equal((factory as EchoClientFactory).message, "hello");
 * ```
 */
export class EchoClientFactory extends ClientFactory {
  override protocol = EchoClient;
  /** Replies collected so far. */
  replies: string[] = [];
  constructor(readonly message: string) {
    super();
  }
  override clientConnectionLost(_c: IConnector, _reason: Failure): void {
    reactor.stop();
  }
  override clientConnectionFailed(c: IConnector, reason: Failure): void {
    console.log(`Failed to connect to ${c.getDestination()}: ${reason.getErrorMessage()}`);
    reactor.stop();
  }
  override buildProtocol(addr: IAddress): EchoClient {
    return super.buildProtocol(addr) as EchoClient;
  }
}

/**
 * Joins byte chunks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat } from "./echo_client_1.ts";
 *
 * const bytes = concat([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * assert.deepEqual([...bytes], [1, 2, 3]);
 * ```
 */
export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const port = Number(args[0] ?? 8000);
  reactor.connectTCP("127.0.0.1", port, new EchoClientFactory(args[1] ?? "Hello, Skein!"));
  await reactor.run();
}
