// `skein procmon` as a real process: a crashing child is restarted with
// backoff and its output logged; SIGTERM stops the monitor and the child.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { alive, runSkein, startSkein, waitFor, waitForText } from "./_helpers.ts";

describe("skein procmon", () => {
  it("restarts a crashing child, logging its output, and stops it on SIGTERM", async () => {
    const s = startSkein([
      "procmon",
      "--log-format",
      "text",
      "--minrestartdelay",
      "0.05",
      "--threshold",
      "5",
      "sh",
      "-c",
      "echo \"run $$\"; exit 3",
    ]);
    const runs = (): string[] => [...s.out().matchAll(/\[sh\] run (\d+)/g)].map((m) => m[1]);
    await waitFor("three runs", runs, (r) => r.length >= 3);
    assert.equal(new Set(runs()).size, runs().length, "each run is a new process");
    assert.match(s.out(), /sh ended \(exit code 3, signal null\)/);
    process.kill(s.child.pid!, "SIGTERM");
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
  });

  it("on SIGTERM stops a long-running child before exiting", async () => {
    const s = startSkein([
      "procmon",
      "--log-format",
      "text",
      "sh",
      "-c",
      "echo \"pid $$\"; exec sleep 60",
    ]);
    const text = await waitForText("the child", s.out, /\[sh\] pid \d+/);
    const child = Number(/\[sh\] pid (\d+)/.exec(text)![1]);
    assert.ok(alive(child));
    process.kill(s.child.pid!, "SIGTERM");
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
    assert.equal(alive(child), false);
    assert.match(s.out(), /sh ended \(exit code null, signal 15\)/);
  });

  it("--help describes its options; a missing program is a usage error", async () => {
    const help = await runSkein(["procmon", "--help"]);
    assert.match(help.out, /--minrestartdelay/);
    const none = await runSkein(["procmon"]);
    assert.equal(none.code, 2);
    assert.match(none.err, /skein procmon needs a program to run/);
  });
});
