/**
 * Echo client, take 3: `getEcho()` returns a Deferred that fires with the reply or
 * fails with the transport error. Callers add callbacks; nothing in the protocol or
 * factory knows what happens next.
 *
 * `deno run -A examples/echo_client_3.ts 8000 hello`
 *
 * @module
 */

import { Deferred, type Failure } from "../deferred/mod.ts";
import type { IConnector, IHalfCloseableTransport, IReactor } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { ConnectionDone, reactor } from "../reactor/mod.ts";

/**
 * Collects the reply; fires the factory's Deferred when the connection ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDone, IPv4Address } from "@skein/skein/reactor";
 * import { Failure } from "@skein/skein/deferred";
 * import { StringTransport } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_3.ts";
 *
 * const factory = new EchoClientFactory("hello");
 * const client = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 8000))!;
 * client.makeConnection(new StringTransport());
 * client.dataReceived(new TextEncoder().encode("hello"));
 * client.connectionLost(new Failure(new ConnectionDone()));
 * assert.equal(await factory.finished, "hello");
 * ```
 */
export class EchoClient extends Protocol {
  declare factory: EchoClientFactory;
  #text = "";
  #decoder = new TextDecoder();

  override connectionMade(): void {
    this.transport!.write(this.factory.message);
    (this.transport as IHalfCloseableTransport).loseWriteConnection();
  }

  override dataReceived(data: Uint8Array): void {
    this.#text += this.#decoder.decode(data, { stream: true });
  }

  override connectionLost(reason: Failure): void {
    if (reason.check(ConnectionDone)) this.factory.finished.callback(this.#text);
    else this.factory.finished.errback(reason);
  }
}

/**
 * Holds the Deferred that `getEcho` returns.
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
  override protocol = EchoClient;
  /** Fires with the reply, or fails with the connection's error. */
  readonly finished: Deferred<string> = new Deferred<string>();
  constructor(readonly message: string) {
    super();
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
