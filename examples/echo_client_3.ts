/**
 * Echo client, take 3: `getEcho()` returns a Deferred that fires with the reply or
 * fails with the transport error. Callers add callbacks; nothing in the protocol or
 * factory knows what happens next. The factory builds each protocol with what it
 * needs (the message and that Deferred), so the protocol never reaches into it.
 *
 * `deno run -A examples/echo_client_3.ts 8000 hello`
 *
 * @module
 */

import { Deferred, type Failure } from "../deferred/mod.ts";
import type { IAddress, IConnector, IHalfCloseableTransport, IReactor } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { ConnectionDone, reactor } from "../reactor/mod.ts";

/**
 * Collects the reply and fires the Deferred it was built with when the
 * connection ends. Unlike take 2's, it knows nothing of its factory: what it
 * needs (the message, the Deferred) is handed to its constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, Failure } from "@skein/skein/deferred";
 * import { ConnectionDone } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * import { EchoClient } from "./echo_client_3.ts";
 *
 * const reply = new Deferred<string>();
 * const client = new EchoClient("hello", reply);
 * const transport = new StringTransport();
 * client.makeConnection(transport);
 * assert.equal(transport.valueString(), "hello");
 * client.dataReceived(new TextEncoder().encode("hel"));
 * client.dataReceived(new TextEncoder().encode("lo"));
 * client.connectionLost(new Failure(new ConnectionDone()));
 * assert.equal(await reply, "hello");
 * ```
 */
export class EchoClient extends Protocol {
  readonly #message: string;
  readonly #reply: Deferred<string>;
  readonly #chunks: Uint8Array[] = [];

  /** A client that sends `message` and fires `reply` with the answer. */
  constructor(message: string, reply: Deferred<string>) {
    super();
    this.#message = message;
    this.#reply = reply;
  }

  override connectionMade(): void {
    const transport = this.transport as IHalfCloseableTransport;
    transport.write(this.#message);
    transport.loseWriteConnection();
  }

  override dataReceived(data: Uint8Array): void {
    this.#chunks.push(data);
  }

  override connectionLost(reason: Failure): void {
    if (!reason.check(ConnectionDone)) {
      this.#reply.errback(reason);
      return;
    }
    // Decode once, at the end: a character split across chunks decodes whole.
    const bytes = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.#chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    this.#reply.callback(new TextDecoder().decode(bytes));
  }
}

/**
 * Builds each {@linkcode EchoClient} with the message and the Deferred that
 * `getEcho` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectionRefusedError } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_3.ts";
 *
 * const factory = new EchoClientFactory("hello");
 * const connector = new MemoryReactor().connectTCP("127.0.0.1", 8000, factory);
 * factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError()));
 * await assert.rejects(factory.finished.toPromise(), ConnectionRefusedError);
 * ```
 */
export class EchoClientFactory extends ClientFactory {
  /** Fires with the reply, or fails with the connection's error. */
  readonly finished: Deferred<string> = new Deferred<string>();
  constructor(readonly message: string) {
    super();
  }
  override buildProtocol(_addr: IAddress): EchoClient {
    const client = new EchoClient(this.message, this.finished);
    client.factory = this;
    return client;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.finished.errback(reason);
  }
}

/**
 * Send `message` to the echo server at `host:port`; the Deferred fires with the reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectionDone } from "@skein/skein/reactor";
 * import { MemoryReactorClock, StringTransport } from "@skein/skein/testing";
 * import { getEcho } from "./echo_client_3.ts";
 *
 * // A test completes the connection by hand: no network.
 * const reactor = new MemoryReactorClock();
 * const reply = getEcho(reactor, "127.0.0.1", 8000, "hello");
 * const [, , factory] = reactor.tcpClients[0];
 * const client = factory.buildProtocol(reactor.connectors[0].getDestination())!;
 * client.makeConnection(new StringTransport());
 * client.dataReceived(new TextEncoder().encode("hello"));
 * client.connectionLost(new Failure(new ConnectionDone()));
 * assert.equal(await reply, "hello");
 * ```
 */
export function getEcho(
  r: IReactor,
  host: string,
  port: number,
  message: string,
): Deferred<string> {
  const factory = new EchoClientFactory(message);
  r.connectTCP(host, port, factory);
  return factory.finished;
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  getEcho(reactor, "127.0.0.1", Number(args[0] ?? 8000), args[1] ?? "Hello, Skein!")
    .addCallbacks(
      (text) => console.log(`Reply: ${JSON.stringify(text)}`),
      (reason) => console.log(`Error: ${reason.getErrorMessage()}`),
    )
    .addBoth(() => reactor.stop());
  await reactor.run();
}
