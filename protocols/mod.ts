/**
 * Protocols and factories: Twisted's `twisted.internet.protocol`. Subclass
 * `Protocol` and override the event methods; a `Factory` makes one protocol per
 * connection; `ClientCreator` connects one protocol instance without a
 * factory of your own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const factory = Factory.forProtocol(Echo);
 * const proto = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 4000))!;
 * const transport = new StringTransport();
 * proto.makeConnection(transport);
 * proto.dataReceived(new TextEncoder().encode("echo"));
 * assert.equal(transport.valueString(), "echo");
 * ```
 *
 * @module
 */
export * from "./client_creator.ts";
export * from "./datagram_protocol.ts";
export * from "./factory.ts";
export * from "./process_protocol.ts";
export * from "./protocol.ts";
export * from "./reconnecting_client_factory.ts";
export * from "./telnet.ts";
