// examples/logging_tour.ts run as a user runs it, on this runtime: the
// stdout part in Twisted's line format, then the rotating files (at most 3
// old ones, each line whole, nothing lost from tick 1 to 10).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runScript } from "../_runtime.ts";

const script = fileURLToPath(new URL("../../examples/logging_tour.ts", import.meta.url));

test("logging_tour: startLogging to stdout, then a rotating LogFile", async () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-tour-test-"));
  const r = await runScript(script, [dir], { env: { TZ: "UTC" } });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "");
  const lines = r.out.trimEnd().split("\n");
  const stamp = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000`;
  assert.match(lines[0], new RegExp(`^${stamp} \\[-\\] Log opened\\.$`));
  assert.match(lines[1], new RegExp(`^${stamp} \\[-\\] hello from the legacy face$`));
  assert.match(lines[2], new RegExp(`^${stamp} \\[-\\] hello from the modern face, world$`));
  assert.match(lines[3], new RegExp(`^${stamp} \\[-\\] a console.log line, now a log event$`));
  assert.equal(lines[4], `log files in ${dir}: tour.log tour.log.1 tour.log.2 tour.log.3`);
  assert.equal(lines.length, 5, "after the switch nothing more goes to stdout");
  const text = ["tour.log.3", "tour.log.2", "tour.log.1", "tour.log"].map((f) =>
    readFileSync(join(dir, f), "utf8")
  ).join("");
  assert.match(text, /\[Ticker,0\] tick 10 of 10\n/);
  assert.match(text, /\[-\] on tick 5\n\tRangeError: a handled error/);
  assert.match(
    text,
    /\[-\] done after 10 ticks\n$/,
    "a modern event in a legacy FileLogObserver has system - (Twisted)",
  );
  for (const f of ["tour.log.3", "tour.log.2", "tour.log.1"]) {
    assert.ok(readFileSync(join(dir, f), "utf8").endsWith("\n"), `${f} ends with a whole line`);
  }
});
