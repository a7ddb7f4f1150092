// examples/process_tour.ts run as a real process on every reactor kind
// (SKEIN_REACTOR): spawnProcess with a ProcessProtocol talks to sort, then
// getProcessOutput runs uname; the tool prints both and exits 0.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { runScript } from "../_runtime.ts";
import { KINDS } from "../reactor/_helpers.ts";

const SCRIPT = new URL("../../examples/process_tour.ts", import.meta.url).pathname;

for (const kind of KINDS) {
  describe(`examples/process_tour.ts on ${kind}`, () => {
    it("prints the sorted words, sort's clean end and the system's name", async () => {
      const { out, err, code } = await runScript(SCRIPT, [], { env: { SKEIN_REACTOR: kind } });
      assert.equal(err, "");
      assert.equal(code, 0);
      const system = process.platform === "linux"
        ? "Linux"
        : process.platform === "darwin"
        ? "Darwin"
        : "FreeBSD";
      assert.equal(
        out,
        `apple fig pear\nA process has ended without apparent errors: process finished with exit code 0.\n${system}\n`,
      );
    });
  });
}
