// Smoke test: bench/threads_bench.ts runs as a process with a tiny budget on
// this runtime, prints every row and ratio, and exits by itself.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runScript } from "../_runtime.ts";

const BENCH = fileURLToPath(new URL("../../bench/threads_bench.ts", import.meta.url));

describe("bench/threads_bench.ts", () => {
  it("prints the round trips, the ratios, the CPU-bound speed-up and the latencies", async () => {
    const r = await runScript(BENCH, [
      "--calls",
      "200",
      "--batches",
      "1",
      "--no-twisted",
      "--cpu-limit",
      "20000",
      "--burn-limit",
      "1000000",
      "--idle-ms",
      "300",
    ], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.out + r.err);
    for (
      const row of [
        /raw node:worker_threads echo, awaited +[\d,]+\/s/,
        /raw Web Worker echo, awaited +[\d,]+\/s/,
        /Skein deferToThread \(function task\) +[\d,]+\/s/,
        /Skein deferToThread, 100 in flight +[\d,]+\/s/,
        /deferToThread \/ raw Worker, awaited +[\d.]+x/,
        /1 thread: \d+ ms +2 threads: \d+ ms +speed-up [\d.]+x/,
        /idle: +p50 [\d.]+ +p99 [\d.]+/,
        /while a thread burns CPU: +p50 [\d.]+ +p99 [\d.]+/,
      ]
    ) assert.match(r.out, row);
  });
});
