// bench/log_bench.ts run with a tiny budget on this runtime: it finishes and
// prints a positive rate for each Skein row (the peers are optional there).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runScript } from "../_runtime.ts";

const script = fileURLToPath(new URL("../../bench/log_bench.ts", import.meta.url));

test("log_bench runs and reports Skein's text and JSON rates", async () => {
  const r = await runScript(script, ["--events", "300", "--batches", "1", "--no-twisted"], {
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.err);
  for (const row of ["Skein text", "Skein JSON"]) {
    const m = new RegExp(`^${row} \\(\\w+\\)\\s+([\\d,]+) events/s`, "m").exec(r.out);
    assert.ok(m, `${row} row in:\n${r.out}`);
    assert.ok(Number(m[1].replaceAll(",", "")) > 0);
  }
});
