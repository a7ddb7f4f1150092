/**
 * scripts/doc_examples.ts, the runner that makes documentation examples able
 * to fail: on this runtime, over a fixture with one example per case, it
 * passes what passes, fails an assertion that does not hold and an example
 * that leans on `deno test --doc`'s implicit import (naming file and line),
 * skips a `no-run` block only with a reason, and counts `ts ignore` and
 * `console.assert` blocks, which `--strict` turns into failures.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runScript, RUNTIME } from "../_runtime.ts";

const RUNNER = fileURLToPath(new URL("../../scripts/doc_examples.ts", import.meta.url));
const OUT = fileURLToPath(new URL(`../../.tmp/doc_examples_test/`, import.meta.url));
const TS = "tests/scripts/_doc_fixture.ts";
const MD = "tests/scripts/_doc_fixture.md";
const root = new URL("../../", import.meta.url);

/** The line of the opening fence of the block whose body says `case: <name>`. */
function fenceLine(file: string, name: string): number {
  const lines = readFileSync(new URL(file, root), "utf8").split("\n");
  const at = lines.findIndex((l) => l.includes(`case: ${name}`));
  assert.ok(at > 0, `the fixture has the case ${name}`);
  let i = at;
  while (!/```/.test(lines[i])) i--;
  return i + 1;
}

function run(...extra: string[]): ReturnType<typeof runScript> {
  return runScript(RUNNER, [`--runtime=${RUNTIME}`, `--out=${OUT}`, ...extra, TS, MD], {
    timeoutMs: 60_000,
  });
}

describe("scripts/doc_examples.ts", () => {
  it(`runs each example on ${RUNTIME}, naming the file and line of each failure`, async () => {
    const { out, code } = await run();
    assert.equal(code, 1, out);
    assert.match(
      out,
      new RegExp(
        `^FAILED ${TS}:${fenceLine(TS, "assertion fails")} [^\\n]*\\n[\\s\\S]*?AssertionError`,
        "m",
      ),
    );
    assert.match(
      out,
      new RegExp(
        `^FAILED ${TS}:${
          fenceLine(TS, "implicit import")
        } [\\s\\S]*?increment is exported by ${TS}`,
        "m",
      ),
    );
    assert.doesNotMatch(out, new RegExp(`FAILED ${TS}:${fenceLine(TS, "passes")}\\b`));
    assert.match(
      out,
      new RegExp(
        `^not run: ${MD}:${fenceLine(MD, "no-run with a reason")} \\(serves until stopped\\)$`,
        "m",
      ),
    );
    assert.match(
      out,
      new RegExp(
        `^FAILED ${MD}:${fenceLine(MD, "no-run without a reason")}: a no-run block must say why`,
        "m",
      ),
    );
    assert.match(out, new RegExp(`^1 \`ts ignore\` blocks remain .*: ${TS} 1$`, "m"));
    assert.match(
      out,
      new RegExp(`^1 examples assert with console.assert, which cannot fail: ${TS} 1$`, "m"),
    );
    // passed: the package import, console.assert, the markdown block; failed:
    // the assertion, the implicit import, the no-run block without a reason.
    assert.match(
      out,
      new RegExp(
        `^doc examples on ${RUNTIME}: 3 passed, 3 failed \\(2 not run, 1 ignore, 1 console.assert; 2 files`,
        "m",
      ),
    );
  });

  it("--strict fails the ts ignore and console.assert blocks too", async () => {
    const { out, code } = await run("--strict");
    assert.equal(code, 1, out);
    assert.match(
      out,
      new RegExp(`: 3 passed, 5 failed \\(2 not run, 1 ignore, 1 console.assert, strict;`),
    );
  });

  it("exits 0 when every example passes", async () => {
    const { out, code } = await runScript(RUNNER, [
      `--runtime=${RUNTIME}`,
      `--out=${OUT}`,
      "README.md",
    ], {
      timeoutMs: 60_000,
    });
    assert.equal(code, 0, out);
    assert.match(out, / passed, 0 failed /);
  });
});
