/**
 * Errors logged during a kit test (testing/test_case.ts) are the test's:
 * kept for its report (LoggedErrors, printed once by the runner) and not
 * also printed to stderr while it runs, as trial sends the log of a test run
 * to its own file; after the test, logging prints errors as before.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fail } from "../../deferred/mod.ts";
import { err } from "../../log/mod.ts";
import { globalLogBeginner } from "../../logger/mod.ts";
import { LoggedErrors, SynchronousTestCase, TestCase } from "../../testing/mod.ts";

/** Record what reaches `console.error` (where logging prints errors before it begins) around `body`. */
async function withStderrSpy(body: (printed: string[]) => void | Promise<void>): Promise<void> {
  const original = console.error;
  const printed: string[] = [];
  console.error = (...parts: unknown[]): void => void printed.push(parts.map(String).join(" "));
  try {
    await body(printed);
  } finally {
    console.error = original;
  }
}

describe("logged errors are captured for the test, not spilled to stderr", () => {
  it("log.err, an unhandled Deferred failure and a reactor exception print nothing while the test runs", async () => {
    let printedDuring = -1;
    class T extends TestCase {
      testIt(): Promise<void> {
        err(new RangeError("logged"), "while testing");
        fail(new SyntaxError("unhandled"));
        return new Promise((resolve) => {
          this.reactor.callLater(0, () => {
            throw new EvalError("in a delayed call");
          });
          this.reactor.callLater(0.01, resolve);
        });
      }
    }
    await withStderrSpy(async (printed) => {
      const test = new T("testIt");
      const result = test.run(5).then(() => null, (e: unknown) => e);
      const e = await result;
      printedDuring = printed.length;
      assert.ok(e instanceof LoggedErrors, String(e));
      assert.equal(e.failures.length, 3);
      assert.match(e.message, /while testing\nRangeError: logged/);
      assert.match(e.message, /Unhandled error in Deferred:\nSyntaxError: unhandled/);
      assert.match(e.message, /EvalError: in a delayed call/);
    });
    assert.equal(printedDuring, 0);
  });

  it("a flushed error is in no report and printed nowhere", async () => {
    class T extends SynchronousTestCase {
      testIt(): void {
        err(new RangeError("expected"));
        assert.equal(this.flushLoggedErrors(RangeError).length, 1);
      }
    }
    await withStderrSpy(async (printed) => {
      await new T("testIt").run(0);
      assert.deepEqual(printed, []);
    });
  });

  it("after the test, errorsToStderr is what it was (true or false), even when the test failed", async () => {
    const before = globalLogBeginner.errorsToStderr;
    class T extends SynchronousTestCase {
      testIt(): void {
        assert.equal(globalLogBeginner.errorsToStderr, false);
        throw new Error("fails");
      }
    }
    try {
      for (const value of [true, false]) {
        globalLogBeginner.errorsToStderr = value;
        await assert.rejects(new T("testIt").run(0), /fails/);
        assert.equal(globalLogBeginner.errorsToStderr, value);
      }
    } finally {
      globalLogBeginner.errorsToStderr = before;
    }
  });
});
