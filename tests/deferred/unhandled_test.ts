// Unhandled-error reporting through a FinalizationRegistry, with forced GC
// (Twisted's test_defer.LogTests). Runs on Deno (with --v8-flags=--expose-gc)
// and on Bun (Bun.gc).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { captureUnhandledFailures, setDebugging } from "../../deferred/debug.ts";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { inlineCallbacks } from "../../deferred/inline_callbacks.ts";
import { type LogEvent, textFromEvent } from "../../log/log.ts";
import { LogCapture } from "../_log_capture.ts";
import { collectUntil } from "./_gc.ts";

// A fresh capture for each test (beforeEach); only its error events are read.
let logs: LogCapture;

/** Events about failures whose message contains `tag`. */
function reportsOf(tag: string): LogEvent[] {
  return logs.errors.filter((e) =>
    e.failure !== undefined && e.failure.getErrorMessage().includes(tag)
  );
}

// Each helper builds its Deferreds in its own frame so nothing keeps them alive.
function leakFailing(tag: string): void {
  const d = new Deferred<number>();
  d.addCallback(() => {
    throw new RangeError(tag);
  });
  d.callback(1);
}

describe("unhandled errors in Deferreds (test_defer.LogTests)", () => {
  beforeEach(() => {
    logs = new LogCapture();
  });
  afterEach(() => {
    logs.close();
  });

  it("a garbage-collected Deferred whose chain ends in a failure logs it (test_errorLog)", async () => {
    leakFailing("unhandled-1");
    assert.ok(await collectUntil(() => reportsOf("unhandled-1").length > 0), "no report after GC");
    const [e] = reportsOf("unhandled-1");
    assert.equal(e.why, "Unhandled error in Deferred:");
    assert.ok(e.failure?.check(RangeError));
    const text = textFromEvent(e);
    assert.ok(text.startsWith("Unhandled error in Deferred:\n"), text);
    assert.match(text, /RangeError: unhandled-1/);
    assert.match(text, /leakFailing/, "the traceback names where it was thrown");
  });

  it("fail() with no errback is reported too; a handled one is not (test_errorLog / handled errback)", async () => {
    (() => {
      fail(new Error("unhandled-fail"));
      fail(new Error("caught-fail")).addErrback(() => null);
    })();
    assert.ok(await collectUntil(() => reportsOf("unhandled-fail").length > 0));
    assert.equal(reportsOf("caught-fail").length, 0);
  });

  it("a failure taken by a waiting Deferred is not reported for the inner one (test_chainedErrorCleanup)", async () => {
    (() => {
      const d = new Deferred<null>();
      d.addCallback(() => fail(new Error("chained-cleanup")));
      d.callback(null);
      d.addErrback(() => null); // the outer handles it
      leakFailing("control-chained");
    })();
    assert.ok(await collectUntil(() => reportsOf("control-chained").length > 0));
    assert.equal(reportsOf("chained-cleanup").length, 0);
  });

  it("an asynchronously chained failure is reported once, by the Deferred that ends with it", async () => {
    (() => {
      const inner = new Deferred<null>();
      const outer = succeed(null).addCallback(() => inner);
      inner.errback(new Error("async-chained"));
      void outer;
    })();
    assert.ok(await collectUntil(() => reportsOf("async-chained").length > 0));
    // Give any second (wrong) report a chance to show up.
    await collectUntil(() => false, 5);
    assert.equal(reportsOf("async-chained").length, 1);
  });

  it("an errback that chains to another Deferred clears the failure (test_errorClearedByChaining)", async () => {
    (() => {
      const bad = fail(new Error("cleared-by-chaining"));
      const good = new Deferred<null>();
      bad.addErrback(() => good);
      leakFailing("control-cleared");
    })();
    assert.ok(await collectUntil(() => reportsOf("control-cleared").length > 0));
    assert.equal(reportsOf("cleared-by-chaining").length, 0);
  });

  it("a failure delivered to a Promise (await / then) counts as handled", async () => {
    await (async () => {
      const d = fail(new Error("awaited-failure"));
      await assert.rejects(async () => {
        await d;
      });
    })();
    leakFailing("control-awaited");
    assert.ok(await collectUntil(() => reportsOf("control-awaited").length > 0));
    assert.equal(reportsOf("awaited-failure").length, 0);
  });

  it("a failure thrown into an inlineCallbacks body by yield* counts as handled", async () => {
    (() => {
      const failed = fail<number>(new Error("yield-star-handled"));
      inlineCallbacks(function*(): Generator<unknown, void, unknown> {
        try {
          yield* failed;
        } catch {
          // handled here
        }
      })();
      leakFailing("control-yield-star");
    })();
    assert.ok(await collectUntil(() => reportsOf("control-yield-star").length > 0));
    assert.equal(reportsOf("yield-star-handled").length, 0);
  });

  it("a failure that a later stage turns into a new failure is reported once, with the new one", async () => {
    (() => {
      fail(new Error("first-failure")).addErrback(() => {
        throw new Error("second-failure");
      });
    })();
    assert.ok(await collectUntil(() => reportsOf("second-failure").length > 0));
    await collectUntil(() => false, 5);
    assert.equal(reportsOf("first-failure").length, 0);
    assert.equal(reportsOf("second-failure").length, 1);
  });

  it("a throwing callback whose closure references its Deferred is still collected and reported", async () => {
    (() => {
      const d = new Deferred<number>();
      const code = Object.assign(new TypeError("self-ref", { cause: new Error("root") }), {
        code: "E_SELF",
      });
      d.addCallback(() => {
        if (d.called) throw code;
      });
      d.callback(1);
    })();
    assert.ok(
      await collectUntil(() => reportsOf("self-ref").length > 0),
      "retained by its own stack frames",
    );
    const [e] = reportsOf("self-ref");
    assert.ok(e.failure?.check(TypeError), "the reported value keeps its class");
    assert.equal((e.failure?.value as { code?: string; }).code, "E_SELF");
    assert.match(textFromEvent(e), /Caused by: Error: root/);
  });

  it("a failure handled after the current tick is not reported", async () => {
    const d = fail(new Error("late-handled"));
    await new Promise((r) => setTimeout(r, 5));
    const seen: string[] = [];
    d.addErrback((f) => {
      seen.push(f.getErrorMessage());
    });
    assert.deepEqual(seen, ["late-handled"]);
    leakFailing("control-late");
    assert.ok(await collectUntil(() => reportsOf("control-late").length > 0));
    assert.equal(reportsOf("late-handled").length, 0);
  });

  it("in debug mode the report includes the creation and invocation stacks (test_errorLogDebugInfo)", async () => {
    setDebugging(true);
    try {
      leakFailing("debug-unhandled");
    } finally {
      setDebugging(false);
    }
    assert.ok(await collectUntil(() => reportsOf("debug-unhandled").length > 0));
    const [e] = reportsOf("debug-unhandled");
    const text = textFromEvent(e);
    assert.match(text, /\(debug: {2}C: Deferred was created:/);
    assert.match(text, / I: First Invoker was:/);
    assert.match(text, /leakFailing/);
  });
});

describe("captureUnhandledFailures (a deterministic check)", () => {
  it("lists the failures still ending a chain, oldest first; handled ones leave", async () => {
    const capture = captureUnhandledFailures();
    try {
      const a = fail(new RangeError("first"));
      fail(new Error("handled at once")).addErrback(() => null);
      const b = new Deferred<number>();
      b.addCallback(() => {
        throw new TypeError("second");
      });
      b.callback(1);
      assert.deepEqual(capture.pending().map((f) => f.getErrorMessage()), ["first", "second"]);
      await new Promise((r) => setTimeout(r, 1)); // past the snapshot point
      const later = capture.pending();
      assert.deepEqual(later.map((f) => f.getErrorMessage()), ["first", "second"]);
      assert.ok(later[0].check(RangeError), "a snapshotted failure keeps its class");
      a.addErrback(() => null);
      assert.deepEqual(capture.pending().map((f) => f.getErrorMessage()), ["second"]);
      const inner = fail(new Error("taken over"));
      succeed(null).addCallback(() => inner).addErrback(() => null);
      assert.deepEqual(capture.stop().map((f) => f.getErrorMessage()), ["second"]);
      b.addErrback(() => null);
    } finally {
      capture.stop();
    }
  });

  it("records nothing after stop, and captures are independent", () => {
    const outer = captureUnhandledFailures();
    const inner = captureUnhandledFailures();
    const d1 = fail(new Error("both see me"));
    inner.stop();
    const d2 = fail(new Error("only outer"));
    assert.deepEqual(inner.pending().map((f) => f.getErrorMessage()), ["both see me"]);
    assert.deepEqual(outer.stop().map((f) => f.getErrorMessage()), ["both see me", "only outer"]);
    const d3 = fail(new Error("nobody"));
    assert.equal(outer.pending().length, 2);
    for (const d of [d1, d2, d3]) d.addErrback(() => null);
  });
});
