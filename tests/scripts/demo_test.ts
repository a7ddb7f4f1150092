// The README's first command, `npm run demo`, runs scripts/demo.sh: the echo
// app under `skein run`, clients on both runtimes, then SIGTERM. Run it as a
// user would and check what it shows, so the README's quick start cannot rot.
// (The script starts both runtimes itself, so the runner that runs this test
// does not matter; it runs under both like every test.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("scripts/demo.sh (npm run demo)", () => {
  it("serves the echo clients from the app under skein run, then stops it on SIGTERM", async () => {
    const out = await new Promise<string>((done, fail) => {
      execFile(
        "bash",
        ["scripts/demo.sh"],
        { cwd: root, timeout: 120_000 },
        (e, stdout, stderr) => {
          if (e) fail(new Error(`demo.sh failed: ${e.message}\n${stdout}\n${stderr}`));
          else done(stdout);
        },
      );
    });
    assert.match(out, /echo-app started \(pid \d+, reactor \w+\)/);
    assert.match(out, /Got 14 bytes back: "Hello from Bun"/);
    assert.match(out, /Reply: "Hello from Deno"/);
    assert.match(out, /Reply: "Deferreds all the way down"/);
    assert.match(out, /server 1: failed: Connection was refused/);
    assert.equal(out.match(/server \d+: "message \d"/g)?.length, 2);
    // Stopped in reverse order: the echo port closes, then the runner is done.
    const stop = out.slice(out.indexOf("Received SIGTERM"));
    assert.ok(stop.indexOf("Closed)") < stop.indexOf("echo-app stopped."), stop);
  });
});
