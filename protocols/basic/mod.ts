/**
 * Basic framing protocols: Twisted's `twisted.protocols.basic`. Lines
 * (`LineReceiver`, `LineOnlyReceiver`), netstrings, length-prefixed strings
 * (`Int32StringReceiver` & co) and `StatefulProtocol`. Every parser takes bytes in
 * any chunking and closes the connection with a reason on malformed input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TextLineReceiver } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Shout extends TextLineReceiver {
 *   override textLineReceived(line: string): void {
 *     this.sendLine(line.toUpperCase());
 *   }
 * }
 * const t = new StringTransport();
 * const shout = new Shout();
 * shout.makeConnection(t);
 * shout.dataReceived(new TextEncoder().encode("hey\r\n"));
 * assert.equal(t.valueString(), "HEY\r\n");
 * ```
 *
 * @module
 */
export * from "./file_sender.ts";
export * from "./int_n_string_receiver.ts";
export * from "./line_only_receiver.ts";
export * from "./line_receiver.ts";
export * from "./netstring_receiver.ts";
export * from "./pausable_receiver.ts";
export * from "./stateful.ts";
export * from "./stateful_string.ts";
