/**
 * Warnings in the kit (testing/_warnings.ts, assertWarns in
 * testing/assertions.ts, flushWarnings in testing/test_case.ts). A warning
 * in Skein is what `process.emitWarning` emits; the kit takes them during a
 * test as trial's `_collectWarnings` takes Python warnings: `flushWarnings`
 * returns them, the ones not flushed are emitted again after the test, and
 * `assertWarns` checks the ones one call emits.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import {
  assertWarns,
  type CollectedWarning,
  SynchronousTestCase,
  TestCase,
} from "../../testing/mod.ts";

/** Stand in for `process.emitWarning` around `body`, recording what reaches it. */
async function withEmitSpy(body: (emitted: unknown[][]) => Promise<void>): Promise<void> {
  const original = process.emitWarning;
  const emitted: unknown[][] = [];
  process.emitWarning =
    ((...args: unknown[]) => void emitted.push(args)) as typeof process.emitWarning;
  try {
    await body(emitted);
  } finally {
    process.emitWarning = original;
  }
}

function deprecatedCall(n: number): number {
  process.emitWarning("deprecatedCall is deprecated; use newCall", {
    type: "DeprecationWarning",
    code: "TEST_DEP",
  });
  return n * 2;
}

describe("assertWarns (trial's SynchronousTestCase.assertWarns)", () => {
  it("returns what the function returned when it emitted the expected warning", () => {
    assert.equal(
      assertWarns(
        "DeprecationWarning",
        "deprecatedCall is deprecated; use newCall",
        deprecatedCall,
        21,
      ),
      42,
    );
  });

  it("takes the warnings it checks: they are not printed (process.emitWarning is not reached)", async () => {
    await withEmitSpy(async (emitted) => {
      assertWarns(
        "DeprecationWarning",
        "deprecatedCall is deprecated; use newCall",
        deprecatedCall,
        1,
      );
      assert.deepEqual(emitted, []);
      await Promise.resolve();
    });
  });

  it("fails with trial's messages: none emitted, another message, another category, different warnings", () => {
    assert.throws(
      () => assertWarns("Warning", "x", () => 1),
      /^AssertionError.*No warnings emitted/s,
    );
    assert.throws(
      () => assertWarns("DeprecationWarning", "something else", deprecatedCall, 1),
      /"deprecatedCall is deprecated; use newCall" != "something else"/,
    );
    assert.throws(
      () => assertWarns("Warning", "deprecatedCall is deprecated; use newCall", deprecatedCall, 1),
      /DeprecationWarning is not Warning/,
    );
    assert.throws(
      () =>
        assertWarns("Warning", "a", () => {
          process.emitWarning("a");
          process.emitWarning("b");
        }),
      /Can't handle different warnings/,
    );
  });

  it("accepts each form of process.emitWarning: (text), (text, type, code) and (Error)", () => {
    assertWarns("Warning", "plain", () => process.emitWarning("plain"));
    assertWarns(
      "ExperimentalWarning",
      "typed",
      () => process.emitWarning("typed", "ExperimentalWarning", "X1"),
    );
    assertWarns("RangeError", "an error", () => process.emitWarning(new RangeError("an error")));
  });

  it("refuses a function that returns a promise, saying to use flushWarnings", () => {
    assert.throws(
      () => assertWarns("Warning", "x", () => Promise.resolve()),
      /fn returned a promise: await the call, then take its warnings with this\.flushWarnings/,
    );
  });
});

describe("flushWarnings and the warnings of a test (trial's flushWarnings, re-emitted when not flushed)", () => {
  it("flushWarnings returns the test's warnings, by category or all, with message, category and code", async () => {
    let flushed: CollectedWarning[] = [];
    let rest: CollectedWarning[] = [];
    class T extends SynchronousTestCase {
      testIt(): void {
        deprecatedCall(1);
        process.emitWarning("plain one");
        flushed = this.flushWarnings("DeprecationWarning");
        rest = this.flushWarnings();
        assert.deepEqual(this.flushWarnings(), []);
      }
    }
    await withEmitSpy(async (emitted) => {
      await new T("testIt").run(0);
      assert.deepEqual(emitted, [], "flushed warnings are not emitted again");
    });
    assert.deepEqual(
      flushed.map((w) => [w.category, w.message, w.code]),
      [["DeprecationWarning", "deprecatedCall is deprecated; use newCall", "TEST_DEP"]],
    );
    assert.deepEqual(rest.map((w) => [w.category, w.message]), [["Warning", "plain one"]]);
    assert.match(String(flushed[0].warning.stack), /deprecatedCall/);
  });

  it("a warning the test does not flush is emitted after the test, not during it", async () => {
    await withEmitSpy(async (emitted) => {
      let seenDuring = -1;
      class T extends TestCase {
        async testIt(): Promise<void> {
          await Promise.resolve();
          process.emitWarning("left for the runner", { type: "DeprecationWarning", code: "LEFT" });
          seenDuring = emitted.length;
        }
      }
      await new T("testIt").run(5);
      assert.equal(seenDuring, 0);
      assert.equal(emitted.length, 1);
      const w = emitted[0][0] as Error & { code?: string; };
      assert.ok(w instanceof Error);
      assert.equal(w.name, "DeprecationWarning");
      assert.equal(w.message, "left for the runner");
      assert.equal(w.code, "LEFT");
    });
  });

  it("the kit puts process.emitWarning back after the test, even a failing one", async () => {
    const before = process.emitWarning;
    class T extends SynchronousTestCase {
      testIt(): void {
        assert.notEqual(process.emitWarning, before);
        throw new Error("fails");
      }
    }
    await assert.rejects(new T("testIt").run(0), /fails/);
    assert.equal(process.emitWarning, before);
  });
});
