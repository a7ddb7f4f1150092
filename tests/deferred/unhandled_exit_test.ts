// Unhandled Deferred failures are reported by exit and when the reactor
// stops, not only when the garbage collector gets to them (Twisted reports
// them at collection, which CPython always does by exit; JavaScript
// collectors do not, and Deno never reported a dropped one). Each test runs
// _unhandled_exit_script.ts in a child process of this runtime and reads its
// stderr, where the default log observer prints error events.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { flushUnhandledFailures } from "../../deferred/debug.ts";
import { fail } from "../../deferred/deferred.ts";
import { addObserver, type LogEvent, removeObserver, setDefaultObserver } from "../../log/log.ts";
import { availablePollers } from "../../reactor/pollers/mod.ts";
import { runScript } from "../_runtime.ts";

const SCRIPT = fileURLToPath(new URL("./_unhandled_exit_script.ts", import.meta.url));

async function child(
  ...args: string[]
): Promise<{ out: string; err: string; code: number | null; }> {
  return await runScript(SCRIPT, args, { env: { NO_COLOR: "1" }, timeoutMs: 30_000 });
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("unhandled Deferred failures at exit and at reactor stop", () => {
  it("one still referenced at exit is reported once, with its traceback", async () => {
    const r = await child("referenced");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /script-end/);
    assert.equal(count(r.err, "Unhandled error in Deferred:"), 1, r.err);
    assert.match(r.err, /RangeError: still-referenced/);
    assert.match(r.err, /_unhandled_exit_script\.ts/, "the traceback names where it was made");
  });

  it("a dropped one is reported once by exit (by the collector or at exit, never both)", async () => {
    const r = await child("dropped");
    assert.equal(r.code, 0, r.err);
    assert.equal(count(r.err, "Unhandled error in Deferred:"), 1, r.err);
    assert.match(r.err, /dropped-failure/);
  });

  it("a handled one is not reported, nor one handled after a while", async () => {
    const r = await child("handled");
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /handled-failure/);
    assert.match(r.err, /control-dropped/, "the unhandled control case is reported");
    const later = await child("handled-later");
    assert.equal(later.code, 0, later.err);
    assert.doesNotMatch(later.err, /Unhandled error in Deferred/);
  });

  it("process.exit() reports too, and keeps its exit code", async () => {
    const r = await child("exit-call");
    assert.equal(r.code, 3, r.err);
    assert.equal(count(r.err, "Unhandled error in Deferred:"), 1, r.err);
    assert.match(r.err, /before-process-exit/);
  });

  it("in debug mode the report says where the Deferred was created and first fired", async () => {
    const r = await child("debug");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /debug-failure/);
    assert.match(r.err, /C: Deferred was created:/);
    assert.match(r.err, /C:.*makeDeferred/, "the creating function is in the creator stack");
    assert.match(r.err, /I: First Invoker was:/);
  });

  for (const kind of ["host", ...availablePollers()]) {
    it(`the ${kind} reactor reports what is unhandled when it stops, before run() returns`, async () => {
      const r = await child("reactor", kind);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /run-returned/);
      assert.equal(count(r.err, "at-reactor-stop"), 1, r.err);
      assert.equal(count(r.err, "after-reactor-stop"), 1, "the later one is reported at exit");
      assert.equal(count(r.err, "Unhandled error in Deferred:"), 2, r.err);
      const atStop = r.err.indexOf("at-reactor-stop");
      const returned = r.err.indexOf("marker:run-returned");
      assert.ok(atStop < returned && returned < r.err.indexOf("after-reactor-stop"), r.err);
    });
  }
});

describe("flushUnhandledFailures (in process)", () => {
  it("reports what is unhandled now through the log, once; handled ones and later handling are respected", () => {
    const seen: LogEvent[] = [];
    const watch = (e: LogEvent): void => {
      if (e.isError) seen.push(e);
    };
    setDefaultObserver(false);
    addObserver(watch);
    try {
      flushUnhandledFailures(); // whatever earlier tests left
      seen.length = 0;
      const left = fail(new Error("flush-left"));
      const handled = fail(new Error("flush-handled"));
      handled.addErrback(() => null);
      const first = flushUnhandledFailures();
      assert.deepEqual(first.map((f) => f.getErrorMessage()), ["flush-left"]);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].why, "Unhandled error in Deferred:");
      assert.equal(seen[0].isUnhandledDeferred, true);
      assert.deepEqual(flushUnhandledFailures(), [], "never reported twice");
      // The same failure handed on to another Deferred is not reported again.
      const passedOn = left.addErrback((f) => f);
      assert.deepEqual(flushUnhandledFailures(), []);
      // A new failure on the same Deferred is watched again.
      passedOn.addErrback(() => {
        throw new Error("flush-second");
      });
      assert.deepEqual(flushUnhandledFailures().map((f) => f.getErrorMessage()), ["flush-second"]);
      passedOn.addErrback(() => null);
      assert.equal(seen.length, 2);
    } finally {
      removeObserver(watch);
      setDefaultObserver(true);
    }
  });
});
