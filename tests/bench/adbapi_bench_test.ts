// Smoke test: the adbapi benchmark runs with a tiny budget and reports what
// it promises (Skein's pool at each number of callers, the direct limit, the
// overhead column), in its table and as JSON. Twisted is left out here: the
// full run measures it (bench/adbapi_bench.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BenchReport, main, parseArgs } from "../../bench/adbapi_bench.ts";

describe("bench/adbapi_bench.ts", () => {
  it("the table has a row per number of callers, with the direct limit and the overhead", async () => {
    const out = await main([
      "--db=sqlite",
      "--seconds=0.05",
      "--rounds=1",
      "--no-twisted",
      "--max=2",
    ], () => {});
    // db, callers, Skein ops/s, Twisted ops/s and ratio (– without Twisted) │
    // Skein CPU µs/q, Twisted's and ratio │ the floor's ops/s and the overhead
    // over it (wall, CPU), on the one-caller row only.
    assert.match(
      out,
      /^sqlite +1 +[\d,]+ +– +– │ +[\d.]+ +– +– │ +[\d,]+ +-?[\d.]+, -?[\d.]+$/m,
    );
    assert.match(out, /^sqlite +16 +[\d,]+ +– +– │ +[\d.]+ +– +– │ *$/m);
    assert.match(out, /sqlite: direct on the main thread [\d,]+ ops\/s, [\d.]+ CPU µs\/q; floor/);
    assert.match(out, /Twisted \(sqlite\): not measured \(--no-twisted\)/);
  });

  it("--json prints one report with ops/s for each number of callers", async () => {
    const printed: string[] = [];
    await main([
      "--db=sqlite",
      "--seconds=0.05",
      "--rounds=1",
      "--no-twisted",
      "--callers=2",
      "--json",
    ], (s) => printed.push(s));
    const report = JSON.parse(printed[0]) as BenchReport;
    assert.equal(report.results.length, 1);
    assert.equal(report.results[0].db, "sqlite");
    assert.ok(report.results[0].skein["2"].ops > 0);
    assert.ok(report.results[0].skein["2"].cpuUs > 0);
    assert.ok(report.results[0].direct.ops > 0);
    assert.ok(report.results[0].floor.ops > 0);
    assert.equal(report.results[0].twisted, null);
  });

  it("rejects options it does not know, saying where they are documented", () => {
    assert.throws(() => parseArgs(["--fast"]), /unknown option --fast/);
    assert.throws(() => parseArgs(["--db=mysql"]), /sqlite and\/or postgres/);
  });
});
