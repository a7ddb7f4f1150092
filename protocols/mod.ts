/**
 * Protocols and factories: Twisted's `twisted.internet.protocol`. Subclass
 * `Protocol` and override the event methods; a `Factory` makes one protocol per
 * connection.
 *
 * @example
 * ```ts
 * import { Factory, Protocol } from "@skein/skein/protocols";
 *
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array): void {
 *     this.transport!.write(data);
 *   }
 * }
 * const factory = Factory.forProtocol(Echo);
 * ```
 *
 * @module
 */
export * from "./protocol.ts";
