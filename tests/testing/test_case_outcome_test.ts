/**
 * How a kit test ends besides passing and failing (testing/test_case.ts):
 * skipped (a `skip` marker, or `SkipTest` thrown at run time) and expected
 * to fail (`todo`, with or without expected error types), with trial's
 * rules for each (twisted.trial._asynctest / _synctest). How the runner
 * shows them is checked in a child runner by test_case_test.ts.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, TimeoutError } from "../../deferred/mod.ts";
import {
  DirtyReactorAggregateError,
  type RunnerContext,
  runTests,
  SkipTest,
  SynchronousTestCase,
  TestCase,
  TestErrors,
  UnexpectedSuccess,
} from "../../testing/mod.ts";

describe("SkipTest at run time (trial's _ebDeferSetUp / _ebDeferTestMethod addSkip)", () => {
  it("thrown by setUp: the test is skipped with the reason; cleanups run, the method and tearDown do not", async () => {
    const order: string[] = [];
    class T extends TestCase {
      override setUp(): void {
        this.addCleanup(() => order.push("cleanup"));
        throw new SkipTest("no IPv6 here");
      }
      testIt(): void {
        order.push("test");
      }
      override tearDown(): void {
        order.push("tearDown");
      }
    }
    assert.deepEqual(await new T("testIt").run(5), { skipped: "no IPv6 here" });
    assert.deepEqual(order, ["cleanup"]);
  });

  it("thrown by the test method (also from a Deferred or a promise): skipped; cleanups and tearDown run", async () => {
    const order: string[] = [];
    class T extends TestCase {
      testSync(): void {
        this.addCleanup(() => order.push("cleanup"));
        throw new SkipTest("not today");
      }
      testDeferred(): Deferred<void> {
        const d = new Deferred<void>();
        this.reactor.callLater(0, () => d.errback(new SkipTest("later")));
        return d;
      }
      async testAsync(): Promise<void> {
        await Promise.resolve();
        throw new SkipTest("awaited");
      }
      override tearDown(): void {
        order.push("tearDown");
      }
    }
    assert.deepEqual(await new T("testSync").run(5), { skipped: "not today" });
    assert.deepEqual(order, ["cleanup", "tearDown"]);
    assert.deepEqual(await new T("testDeferred").run(5), { skipped: "later" });
    assert.deepEqual(await new T("testAsync").run(5), { skipped: "awaited" });
  });

  it("thrown by tearDown it is an error, as trial's TestCase adds it as one", async () => {
    class T extends SynchronousTestCase {
      testIt(): void {}
      override tearDown(): void {
        throw new SkipTest("too late to skip");
      }
    }
    await assert.rejects(new T("testIt").run(0), SkipTest);
  });

  it("a skipped test still fails on a dirty reactor (trial's _cleanUp reports after a skip)", async () => {
    class T extends TestCase {
      testIt(): void {
        this.reactor.callLater(50, () => undefined);
        throw new SkipTest("skipped, but left a call behind");
      }
    }
    await assert.rejects(new T("testIt").run(5), DirtyReactorAggregateError);
  });

  it("needs a reason (trial warns about a SkipTest without one)", () => {
    assert.throws(() => new SkipTest(""), /SkipTest needs a reason/);
  });

  it("a skip marker on the method or the class skips without running anything, in run() too (trial's getSkip)", async () => {
    let ran = 0;
    class Method extends SynchronousTestCase {
      static override methodOptions = { testIt: { skip: "method marker" } };
      override setUp(): void {
        ran++;
      }
      testIt(): void {
        ran++;
      }
      testOther(): void {}
    }
    class Klass extends Method {
      override skip = "class marker";
    }
    assert.deepEqual(await new Method("testIt").run(0), { skipped: "method marker" });
    assert.deepEqual(await new Klass("testOther").run(0), { skipped: "class marker" });
    assert.equal(new Method("testOther").getSkip(), undefined);
    assert.equal(ran, 0);
  });

  it("runTests reports a run-time skip through the runner's context: skip(), and a skipped subtest for Deno", async () => {
    class T extends SynchronousTestCase {
      testIt(): void {
        throw new SkipTest("from the method");
      }
    }
    const calls: string[] = [];
    const context: RunnerContext = {
      skip: (m) => void calls.push(`skip ${m}`),
      test: (name, options) => void calls.push(`test ${name} skip=${options.skip}`),
    };
    const pending: Promise<void>[] = [];
    runTests(T, { describe: (_n, body) => body(), it: (_n, _o, fn) => pending.push(fn(context)) });
    await Promise.all(pending);
    assert.deepEqual(calls, [
      "skip from the method",
      "test skipped: from the method skip=from the method",
    ]);
  });
});

describe("todo with expected error types (trial's Todo.expected, makeTodo)", () => {
  class Marked extends TestCase {
    static override methodOptions = {
      testExpectedType: { todo: { reason: "bug 1", errors: [RangeError] } },
      testOtherType: { todo: { reason: "bug 2", errors: [RangeError] } },
      testSubclass: { todo: { reason: "bug 3", errors: [Error] } },
      testAnyError: { todo: "bug 4" },
      testPasses: { todo: { reason: "bug 5", errors: [RangeError] } },
      testTimesOut: { timeout: 0.05, todo: { reason: "hangs", errors: [TimeoutError] } },
      testDirty: { todo: "bug 6" },
      testTearDownBreaks: { todo: "bug 7" },
    };
    testExpectedType(): void {
      throw new RangeError("the known bug");
    }
    testOtherType(): void {
      throw new TypeError("a new bug");
    }
    testSubclass(): void {
      throw new SyntaxError("a subclass of Error");
    }
    testAnyError(): Deferred<void> {
      const d = new Deferred<void>();
      this.reactor.callLater(0, () => d.errback(new URIError("any")));
      return d;
    }
    testPasses(): void {}
    testTimesOut(): Deferred<void> {
      return new Deferred<void>();
    }
    testDirty(): void {
      this.reactor.callLater(50, () => undefined);
      throw new Error("expected");
    }
    testTearDownBreaks(): void {
      throw new Error("expected");
    }
    override tearDown(): void {
      if (this.methodName === "testTearDownBreaks") throw new EvalError("tearDown broke");
    }
  }

  it("a failure of an expected type (or a subclass) is an expected failure", async () => {
    const a = await new Marked("testExpectedType").run(5);
    assert.ok(a.expectedFailure instanceof RangeError);
    assert.equal(a.todo, "bug 1");
    const b = await new Marked("testSubclass").run(5);
    assert.ok(b.expectedFailure instanceof SyntaxError);
  });

  it("a failure of another type is a real failure, with its own error", async () => {
    await assert.rejects(new Marked("testOtherType").run(5), {
      name: "TypeError",
      message: "a new bug",
    });
  });

  it("a todo with no types expects any error", async () => {
    const o = await new Marked("testAnyError").run(5);
    assert.ok(o.expectedFailure instanceof URIError);
  });

  it("a passing todo test is an unexpected success (trial's addUnexpectedSuccess)", async () => {
    await assert.rejects(new Marked("testPasses").run(5), (e: unknown) => {
      assert.ok(e instanceof UnexpectedSuccess);
      assert.equal(
        e.message,
        "<Marked testMethod=testPasses> was expected to fail (todo: bug 5) but passed; remove the todo",
      );
      return true;
    });
  });

  it("a timeout is expected when the todo names TimeoutError (trial's onTimeout checks the todo)", async () => {
    const o = await new Marked("testTimesOut").run(0.05);
    assert.ok(o.expectedFailure instanceof TimeoutError);
  });

  it("a dirty reactor or a tearDown error is not covered by the todo (trial adds them as errors)", async () => {
    await assert.rejects(new Marked("testDirty").run(5), DirtyReactorAggregateError);
    await assert.rejects(new Marked("testTearDownBreaks").run(5), EvalError);
  });

  it("a class todo applies to every method; a malformed todo is a clear TypeError", async () => {
    class K extends SynchronousTestCase {
      override todo = { reason: "whole class", errors: [RangeError] };
      testA(): void {
        throw new RangeError("a");
      }
    }
    assert.equal((await new K("testA").run(0)).todo, "whole class");
    class Bad extends SynchronousTestCase {
      override todo = { errors: [RangeError] } as unknown as string;
      testA(): void {}
    }
    assert.throws(
      () => new Bad("testA").getTodo(),
      /todo must be a reason or \{ reason, errors \}/,
    );
  });

  it("runTests reports an expected failure as todo through the runner's context", async () => {
    const calls: string[] = [];
    const names: string[] = [];
    const pending: Promise<void>[] = [];
    runTests(Marked, {
      describe: (_n, body) => body(),
      it: (name, _o, fn) => {
        names.push(name);
        if (name.startsWith("testExpectedType")) {
          pending.push(fn({ todo: (m) => void calls.push(`todo ${m}`) }));
        }
      },
    });
    await Promise.all(pending);
    assert.ok(names.includes("testExpectedType (todo: bug 1)"), names.join());
    assert.deepEqual(calls, ["todo bug 1"]);
  });

  it("several errors with a todo are reported together", async () => {
    class T extends TestCase {
      override todo = "bug";
      testIt(): void {
        this.addCleanup(() => {
          throw new Error("cleanup broke");
        });
      }
    }
    await assert.rejects(new T("testIt").run(5), (e: unknown) => {
      assert.ok(e instanceof TestErrors);
      assert.deepEqual(e.errors.map((x: Error) => x.name), ["UnexpectedSuccess", "Error"]);
      return true;
    });
  });
});
