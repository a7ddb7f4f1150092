/**
 * The echo client over TLS, from a `tls:` endpoint description: connect,
 * verify the server (against the CA certificates in a folder, or the
 * system's store), send a message, print what comes back, close with
 * close_notify and stop.
 *
 * Run it against the TLS echo server: `deno run -A examples/tls_echo_client.ts
 * 8443 hello ./cas` (`./cas` holds the server's CA or self-signed
 * certificate; leave it out to use the system's trust store).
 *
 * @module
 */

import type { Failure } from "../deferred/mod.ts";
import { clientFromString, quoteStringArgument } from "../endpoints/mod.ts";
import { Factory, Protocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Sends `message`, waits for the whole echo, then closes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { TLSEchoClient } from "./tls_echo_client.ts";
 *
 * const client = new TLSEchoClient("hi");
 * const t = new StringTransport();
 * client.makeConnection(t);
 * assert.equal(t.valueString(), "hi");
 * client.dataReceived(new TextEncoder().encode("hi"));
 * assert.equal(client.reply, "hi");
 * assert.equal(t.disconnecting, true);
 * ```
 */
export class TLSEchoClient extends Protocol {
  /** What came back so far. */
  reply: string = "";
  /** Why the connection ended, once it did. */
  ended: Failure | null = null;
  readonly #message: string;

  /** A client that sends `message`. */
  constructor(message: string) {
    super();
    this.#message = message;
  }

  override connectionMade(): void {
    this.transport!.write(this.#message);
  }

  override dataReceived(data: Uint8Array): void {
    this.reply += new TextDecoder().decode(data);
    if (this.reply.length >= this.#message.length) this.transport!.loseConnection();
  }

  override connectionLost(reason: Failure): void {
    this.ended = reason;
  }
}

/**
 * The `tls:` description this client connects with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tlsClientDescription } from "./tls_echo_client.ts";
 * assert.equal(tlsClientDescription(8443, "/etc/cas"), "tls:localhost:8443:trustRoots=/etc/cas");
 * assert.equal(tlsClientDescription(8443), "tls:localhost:8443");
 * ```
 */
export function tlsClientDescription(port: number, caDir?: string): string {
  return `tls:localhost:${port}`
    + (caDir === undefined ? "" : `:trustRoots=${quoteStringArgument(caDir)}`);
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const [port = "8443", message = "hello", caDir] = args;
  const client = new TLSEchoClient(message);
  const factory = new Factory();
  factory.noisy = false;
  factory.buildProtocol = () => client;
  const original = client.connectionLost.bind(client);
  client.connectionLost = (reason: Failure): void => {
    original(reason);
    console.log(`Got ${client.reply.length} bytes back over TLS: ${JSON.stringify(client.reply)}`);
    console.log(`Closed: ${reason.getErrorMessage()}`);
    reactor.stop();
  };
  clientFromString(reactor, tlsClientDescription(Number(port), caDir)).connect(factory).addErrback(
    (failure: Failure) => {
      console.error(`cannot connect: ${failure.getErrorMessage()}`);
      reactor.stop();
    },
  );
  await reactor.run();
}
