/**
 * Endpoints: Twisted's `twisted.internet.endpoints`. Describe where to listen or
 * connect as an object or as a string (`"tcp:8080:interface=127.0.0.1"`,
 * `"unix:/run/app.sock"`, `"tcp:host=example.com:port=80"`), then `listen(factory)` or
 * `connect(factory)` and get a Deferred.
 *
 * @example A server and a client described as strings
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientFromString, connectProtocol, serverFromString } from "@skein/skein/endpoints";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport!.write("hello");
 *     this.transport!.loseConnection();
 *   }
 * }
 * class Listener extends Protocol {
 *   heard = "";
 *   override dataReceived(data: Uint8Array): void {
 *     this.heard += new TextDecoder().decode(data);
 *   }
 *   override connectionLost(): void {
 *     reactor.stop();
 *   }
 * }
 * const reactor = createReactor();
 * const server = Factory.forProtocol(Hello);
 * server.noisy = false;
 * const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(server);
 * const listener = new Listener();
 * const where = `tcp:host=127.0.0.1:port=${port.getHost().port}`;
 * reactor.callWhenRunning(() => connectProtocol(clientFromString(reactor, where), listener));
 * reactor.addSystemEventTrigger("before", "shutdown", () => port.stopListening());
 * await reactor.run();
 * assert.equal(listener.heard, "hello");
 * ```
 *
 * @module
 */
export * from "./connect_protocol.ts";
export * from "./errors.ts";
export * from "./from_string.ts";
export * from "./hostname.ts";
export * from "./process.ts";
export * from "./tcp.ts";
export * from "./tls.ts";
export * from "./unix.ts";
