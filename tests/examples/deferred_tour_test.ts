// The Deferred tour, run in-process (on whichever runtime runs this test) and
// as a script, the way a user runs it, with the same runtime binary.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../examples/deferred_tour.ts";
import { runtimeArgs } from "../_runtime.ts";

const EXPECTED = [
  "1. a callback/errback chain",
  "[t=0s] chain built; fired yet? false",
  "[t=1s] callback 1 got \"hello\"",
  "[t=1s] callback 2 got \"HELLO\"; throwing",
  "[t=1s] errback got cannot count HELLO; recovering with 0",
  "[t=1s] callback 4 got 0, back on the callback track",
  "2. a DeferredList",
  "[t=4s]   ok     slow",
  "[t=4s]   ok     fast",
  "[t=4s]   failed remote call failed after 2s",
  "[t=6s] gatherResults failed: #1: remote call failed after 2s",
  "3. inlineCallbacks",
  "[t=7s] got skein",
  "[t=8s] caught ServiceError: remote call failed after 1s",
  "[t=8s] result: skein has 5 letters",
  "[t=8s] done; pending calls: 0",
];

describe("examples/deferred_tour.ts", () => {
  it("prints the chain, the DeferredList and the inlineCallbacks steps in order", () => {
    const lines: string[] = [];
    main((line) => lines.push(line));
    assert.deepEqual(lines, EXPECTED);
  });

  it("runs as a script with this runtime and prints the same", () => {
    const script = fileURLToPath(new URL("../../examples/deferred_tour.ts", import.meta.url));
    const out = execFileSync(process.execPath, runtimeArgs(script), {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.deepEqual(out.trimEnd().split("\n"), EXPECTED);
  });
});
