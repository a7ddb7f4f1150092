// Smoke test: the Deferred benchmark runs with a tiny budget and prints what
// run_micro.sh expects (one JSON object with the four case names), and its
// table mode compares against native Promises measured in the same process.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BenchReport, main, measureTwisted, parseArgs } from "../../bench/deferred_bench.ts";

const CASES = [
  "a_fire_10_callbacks",
  "b_chain_10_fired",
  "c_list_100_fired",
  "d_coroutine_10_fired",
];

describe("bench/deferred_bench.ts", () => {
  it("--json prints one object shaped like defer_twisted.py's, with the four cases", async () => {
    const printed: string[] = [];
    await main(["--batch-ms", "2", "--batches", "2", "--json"], (s) => printed.push(s));
    assert.equal(printed.length, 1);
    const report = JSON.parse(printed[0]) as BenchReport;
    assert.match(report.runtime, /(deno|bun|node) .* \/ Skein/);
    assert.deepEqual(Object.keys(report.cases), CASES);
    for (const name of CASES) {
      const c = report.cases[name];
      assert.ok(c.ops_per_sec > 0, `${name} ops/s`);
      assert.equal(c.batches.length, 2);
      assert.ok(c.n_per_batch >= 1);
      assert.equal(typeof c.what, "string");
    }
  });

  it("the table compares Skein with native Promises (Twisted skipped here)", async () => {
    const out = await main(["--batch-ms", "2", "--batches", "1", "--no-twisted"], () => {});
    for (const name of CASES) assert.match(out, new RegExp(`^${name} +[\\d,]+ `, "m"));
    assert.match(out, /d_yield_star_10_fired/);
    assert.match(out, /Promise: (deno|bun|node) /);
    assert.match(out, /Twisted: not measured/);
    assert.match(out, /× Promise/);
    assert.match(out, /ops\/s: median batch/);
  });

  it("--stat best shows each source's best batch", async () => {
    const out = await main(
      ["--batch-ms", "2", "--batches", "2", "--no-twisted", "--stat", "best"],
      () => {},
    );
    assert.match(out, /ops\/s: best batch/);
    assert.match(out, /^a_fire_10_callbacks +[\d,]+ /m);
  });

  it("--no-promise measures Skein alone", async () => {
    const out = await main(
      ["--batch-ms", "2", "--batches", "1", "--no-twisted", "--no-promise"],
      () => {},
    );
    assert.match(out, /Promise: not measured/);
    assert.match(out, /^c_list_100_fired +[\d,]+ /m);
  });

  it("a missing Twisted script is reported, not thrown", () => {
    const r = measureTwisted({ batchMs: 1, batches: 1, script: "/nonexistent/defer_twisted.py" });
    assert.equal(r.report, null);
    assert.match(String(r.reason), /nonexistent/);
  });

  it("parses its options and rejects unknown ones", () => {
    const o = parseArgs([
      "--batch-ms",
      "50",
      "--batches",
      "3",
      "--no-promise",
      "--python",
      "/x/py",
    ]);
    assert.equal(o.batchMs, 50);
    assert.equal(o.batches, 3);
    assert.equal(o.promise, false);
    assert.equal(o.twisted, true);
    assert.equal(o.python, "/x/py");
    assert.throws(() => parseArgs(["--frobnicate"]), /unknown option/);
    assert.throws(() => parseArgs(["--batches", "zero"]), /positive number/);
    assert.equal(parseArgs([]).stat, "median");
    assert.equal(parseArgs(["--stat", "best"]).stat, "best");
    assert.throws(() => parseArgs(["--stat", "mean"]), /median or best/);
  });
});
