/**
 * A small command-line tool on `StandardIO`: it reads lines from stdin and
 * answers each with the line in capitals; `quit` (or the end of stdin) ends
 * it. The shape of any interactive tool: a `LineReceiver` on stdin.
 *
 * Run it: `deno run -A examples/stdio_shout.ts` or `bun examples/stdio_shout.ts`
 * (`SKEIN_REACTOR=host` for the host reactor).
 *
 * @module
 */

import { StandardIO } from "../process/mod.ts";
import { LineReceiver } from "../protocols/basic/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Answers every line in capitals; `quit` closes the connection, and the end
 * of the connection stops the reactor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { Shout } from "./stdio_shout.ts";
 *
 * const transport = new StringTransport();
 * const shout = new Shout(() => {});
 * shout.makeConnection(transport);
 * shout.dataReceived(new TextEncoder().encode("hello\n"));
 * assert.equal(transport.valueString(), "HELLO\n");
 * ```
 */
export class Shout extends LineReceiver {
  override delimiter: Uint8Array = new TextEncoder().encode("\n");
  readonly #onEnd: () => void;

  /** `onEnd` runs once the connection is gone. */
  constructor(onEnd: () => void) {
    super();
    this.#onEnd = onEnd;
  }

  override lineReceived(line: Uint8Array): void {
    const text = new TextDecoder().decode(line);
    if (text === "quit") {
      this.sendLine("BYE");
      this.transport!.loseConnection();
      return;
    }
    this.sendLine(text.toUpperCase());
  }

  override connectionLost(): void {
    this.#onEnd();
  }
}

if (import.meta.main) {
  new StandardIO(new Shout(() => reactor.stop()));
  await reactor.run();
}
