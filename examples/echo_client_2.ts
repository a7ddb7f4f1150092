/**
 * Echo client, take 2, "twistier": the protocol hands its text to the factory, the
 * factory hands it to a callback it was given and never touches the reactor itself,
 * and a transport error (refused, or lost uncleanly) is reported as an error, not as
 * a reply.
 *
 * `deno run -A examples/echo_client_2.ts 8000 hello`
 *
 * @module
 */

import type { Failure } from "../deferred/mod.ts";
import type { IConnector, IHalfCloseableTransport } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { ConnectionDone, reactor } from "../reactor/mod.ts";

/**
 * Collects the reply; reports it only if the connection closed cleanly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionDone, IPv4Address } from "@skein/skein/reactor";
 * import { Failure } from "@skein/skein/deferred";
 * import { StringTransport } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_2.ts";
 *
 * const results: string[] = [];
 * const factory = new EchoClientFactory(
 *   "hello",
 *   (text) => results.push(`reply ${text}`),
 *   (reason) => results.push(`error ${reason.getErrorMessage()}`),
 * );
 * const client = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 8000))!;
 * client.makeConnection(new StringTransport());
 * client.dataReceived(new TextEncoder().encode("hello"));
 * client.connectionLost(new Failure(new ConnectionDone()));
 * assert.deepEqual(results, ["reply hello"]);
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
    if (reason.check(ConnectionDone)) this.factory.replyReceived(this.#text);
    else this.factory.failed(reason);
  }
}

/**
 * Reports the reply or the error to the callbacks it was built with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { ConnectionRefusedError } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * import { EchoClientFactory } from "./echo_client_2.ts";
 *
 * const errors: string[] = [];
 * const factory = new EchoClientFactory("hello", () => {}, (reason) => errors.push(reason.getErrorMessage()));
 * const reactor = new MemoryReactor();
 * const connector = reactor.connectTCP("127.0.0.1", 8000, factory);
 * factory.clientConnectionFailed(connector, new Failure(new ConnectionRefusedError("refused")));
 * assert.deepEqual(errors, ["refused"]);
 * ```
 */
export class EchoClientFactory extends ClientFactory {
  override protocol = EchoClient;
  readonly #onReply: (text: string) => void;
  readonly #onError: (reason: Failure) => void;
  constructor(
    readonly message: string,
    onReply: (text: string) => void,
    onError: (reason: Failure) => void,
  ) {
    super();
    this.#onReply = onReply;
    this.#onError = onError;
  }
  /** Called by the protocol with the whole reply. */
  replyReceived(text: string): void {
    this.#onReply(text);
  }
  /** Called by the protocol when the connection was lost uncleanly. */
  failed(reason: Failure): void {
    this.#onError(reason);
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.#onError(reason);
  }
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const done = (): void => reactor.stop();
  reactor.connectTCP(
    "127.0.0.1",
    Number(args[0] ?? 8000),
    new EchoClientFactory(
      args[1] ?? "Hello, Skein!",
      (text) => {
        console.log(`Reply: ${JSON.stringify(text)}`);
        done();
      },
      (reason) => {
        console.log(`Error: ${reason.getErrorMessage()}`);
        done();
      },
    ),
  );
  await reactor.run();
}
