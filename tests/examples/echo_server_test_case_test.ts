/**
 * examples/echo_server_test_case.ts, the trial-style test file for the echo
 * server, run as its user runs it: `deno test` / `bun test` on the file, in a
 * child of this runtime; every test of both classes must pass.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { it } from "node:test";
import { isDeno, runCommand } from "../_runtime.ts";

const file = join(import.meta.dirname!, "..", "..", "examples", "echo_server_test_case.ts");
const TESTS = [
  "EchoProtocolTests.testClosesWhenThePeerHalfCloses",
  "EchoProtocolTests.testEchoesWhatArrives",
  "EchoProtocolTests.testOverALoopbackPump",
  "EchoServerTests.testEachConnectionGetsItsOwnProtocol",
  "EchoServerTests.testEchoesOverTCP",
  "EchoServerTests.testReturnsADeferred",
];

it("the trial-style echo server test file passes under this runtime's test runner", async () => {
  const args = isDeno ? ["test", "-A", file] : ["test", "--timeout", "30000", file];
  const r = await runCommand(process.execPath, args, { env: { NO_COLOR: "1" }, timeoutMs: 60_000 });
  const out = r.out + r.err;
  assert.equal(r.code, 0, out);
  for (const t of TESTS) {
    const [cls, name] = t.split(".");
    const ok = isDeno
      ? new RegExp(`^  ${name} \\.\\.\\. ok`, "m").test(out)
      : new RegExp(`^\\(pass\\) ${cls} > ${name} `, "m").test(out);
    assert.ok(ok, `${t} did not pass:\n${out}`);
  }
  assert.match(out, isDeno ? /ok \| 2 passed \(6 steps\) \| 0 failed/ : /\b6 pass\n 0 fail/);
});
