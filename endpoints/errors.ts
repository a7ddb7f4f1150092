/**
 * Errors of the endpoint layer: bad endpoint description strings, and a
 * factory that refused to build a protocol.
 *
 * @module
 */

/**
 * An endpoint description string (for `serverFromString`/`clientFromString`)
 * or an endpoint argument is malformed: the message says what is wrong and
 * what the right form is (Twisted raises `ValueError`/`TypeError` here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EndpointDescriptionError } from "@skein/skein/endpoints";
 * const e = new EndpointDescriptionError("tcp:x", "port must be a number");
 * assert.ok(e.description === "tcp:x" && e.message.includes("port must be a number"));
 * ```
 */
export class EndpointDescriptionError extends Error {
  /** Always `"EndpointDescriptionError"`. */
  override name: string = "EndpointDescriptionError";
  /** The description (or argument) that was rejected. */
  readonly description: string;
  /** Builds the error; the message quotes `description` and adds `problem`. */
  constructor(description: string, problem: string) {
    super(`Bad endpoint description ${JSON.stringify(description)}: ${problem}`);
    this.description = description;
  }
}

export { NoProtocol } from "../reactor/errors.ts";
