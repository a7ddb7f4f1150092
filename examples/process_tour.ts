/**
 * Child processes, the seed's two ways: `reactor.spawnProcess` with a
 * `ProcessProtocol` (talk to `sort` over its stdin and stdout, hear how it
 * ended), then `getProcessOutput` (one call, one `Deferred` of the output).
 *
 * Run it: `deno run -A examples/process_tour.ts` or `bun examples/process_tour.ts`.
 * It prints the sorted words, how `sort` ended, and `uname`'s answer.
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import { getProcessOutput } from "../process/mod.ts";
import { ProcessProtocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Sends words to `sort`, closes its stdin, collects its answer and fires
 * `done` with the output and the end reason's message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sorter } from "./process_tour.ts";
 *
 * const sorter = new Sorter(["b", "a"], () => {});
 * sorter.outReceived(new TextEncoder().encode("a\nb\n"));
 * assert.equal(sorter.output, "a\nb\n");
 * ```
 */
export class Sorter extends ProcessProtocol {
  /** What `sort` printed so far. */
  output: string = "";
  readonly #words: string[];
  readonly #done: (output: string, how: string) => void;

  /** `done` runs once `sort` has ended. */
  constructor(words: string[], done: (output: string, how: string) => void) {
    super();
    this.#words = words;
    this.#done = done;
  }

  override connectionMade(): void {
    this.transport!.write(this.#words.join("\n") + "\n");
    this.transport!.closeStdin();
  }

  override outReceived(data: Uint8Array): void {
    this.output += new TextDecoder().decode(data);
  }

  override processEnded(reason: Failure): void {
    this.#done(this.output, reason.getErrorMessage());
  }
}

if (import.meta.main) {
  reactor.callWhenRunning(() => {
    const sorter = new Sorter(["pear", "apple", "fig"], (output, how) => {
      console.log(output.trimEnd().split("\n").join(" "));
      console.log(how);
      getProcessOutput("uname", ["-s"]).addCallback((out) => {
        console.log(new TextDecoder().decode(out).trim());
        reactor.stop();
      });
    });
    reactor.spawnProcess(sorter, "sort", ["sort"]);
  });
  await reactor.run();
}
