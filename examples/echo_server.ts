/**
 * The echo server: `EchoProtocol` writes back every byte it receives.
 *
 * Run it: `deno run -A examples/echo_server.ts 8000` or `bun examples/echo_server.ts 8000`.
 * It listens on 127.0.0.1:PORT with the default reactor (epoll on Linux) and runs until
 * SIGTERM or SIGINT. The benchmark (`bench/echo.ts`) drives exactly this file.
 *
 * @module
 */

import type { IBorrowingProtocol } from "../interfaces.ts";
import { Factory, Protocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Writes back whatever arrives; when the peer half-closes, finishes and closes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { EchoProtocol } from "./echo_server.ts";
 *
 * const transport = new StringTransport();
 * const echo = new EchoProtocol();
 * echo.makeConnection(transport);
 * echo.dataReceived(new TextEncoder().encode("ping"));
 * assert.equal(transport.valueString(), "ping");
 * echo.readConnectionLost(); // the peer half-closed: close our side too
 * assert.equal(transport.disconnecting, true);
 * ```
 */
export class EchoProtocol extends Protocol implements IBorrowingProtocol {
  /**
   * It only writes `data` back to its own transport: it may borrow the
   * transport's receive buffer instead of getting a copy of every read.
   */
  readonly borrowsReceivedData = true;

  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }

  /** The peer sent FIN: everything it sent is echoed, so close our side too. */
  readConnectionLost(): void {
    this.transport!.loseConnection();
  }

  /** Our write side closed (after `loseWriteConnection`); nothing to do. */
  writeConnectionLost(): void {}
}

/**
 * Builds an `EchoProtocol` for each connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { EchoFactory, EchoProtocol } from "./echo_server.ts";
 *
 * const protocol = new EchoFactory().buildProtocol(new IPv4Address("TCP", "127.0.0.1", 50000));
 * assert.ok(protocol instanceof EchoProtocol);
 * ```
 */
export class EchoFactory extends Factory {
  override protocol = EchoProtocol;
}

if (import.meta.main) {
  const port = Number(
    (globalThis as { Deno?: { args: string[]; }; }).Deno?.args[0]
      ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv[2] ?? 8000,
  );
  const listening = reactor.listenTCP(port, new EchoFactory(), { interface: "127.0.0.1" });
  console.error(`echo server on ${listening.getHost()} (${reactor.kind} reactor)`);
  reactor.addSystemEventTrigger("after", "shutdown", () => console.error("echo server stopped"));
  await reactor.run();
}
