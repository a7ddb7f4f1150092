/**
 * Basic framing protocols: Twisted's `twisted.protocols.basic`. Lines
 * (`LineReceiver`, `LineOnlyReceiver`), netstrings, length-prefixed strings
 * (`Int32StringReceiver` & co) and `StatefulProtocol`. Every parser takes bytes in
 * any chunking and closes the connection with a reason on malformed input.
 *
 * @example
 * ```ts
 * import { TextLineReceiver } from "@skein/skein/protocols/basic";
 *
 * class Shout extends TextLineReceiver {
 *   override textLineReceived(line: string): void {
 *     this.sendLine(line.toUpperCase());
 *   }
 * }
 * ```
 *
 * @module
 */
export * from "./file_sender.ts";
export * from "./int_n_string_receiver.ts";
export * from "./line_only_receiver.ts";
export * from "./line_receiver.ts";
export * from "./netstring_receiver.ts";
export * from "./stateful.ts";
export * from "./stateful_string.ts";
