// maybeDeferred / execute / succeed / fail / logError (test_defer.DeferredTests
// test_maybeDeferred* and the helpers).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, logError, succeed } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import { execute, maybeDeferred } from "../../deferred/maybe_deferred.ts";
import { textFromEvent } from "../../log/log.ts";
import { LogCapture } from "../_log_capture.ts";

function outcome<T>(d: Deferred<T>): { ok: boolean; value: unknown; } {
  let out: { ok: boolean; value: unknown; } | null = null;
  d.addCallbacks((v) => {
    out = { ok: true, value: v };
  }, (f) => {
    out = { ok: false, value: f };
  });
  assert.ok(out !== null, "no result yet");
  return out;
}

describe("maybeDeferred (test_defer.DeferredTests.test_maybeDeferred*)", () => {
  it("wraps a synchronous result (test_maybeDeferredSync)", () => {
    const result = {};
    assert.deepEqual(outcome(maybeDeferred(() => result)), { ok: true, value: result });
  });

  it("passes arguments, and is typed by the function (test_maybeDeferredSyncWithArgs)", () => {
    const d: Deferred<number> = maybeDeferred((x: number, y: number) => x + y, 10, 5);
    assert.deepEqual(outcome(d), { ok: true, value: 15 });
  });

  it("turns a synchronous throw into a failure (test_maybeDeferredSyncException)", () => {
    const expected = new RangeError("that value is unacceptable");
    const o = outcome(
      maybeDeferred(() => {
        throw expected;
      }),
    );
    assert.equal(o.ok, false);
    assert.equal((o.value as Failure).value, expected);
  });

  it("fails with a returned Failure, the same object (test_maybeDeferredSyncFailure)", () => {
    const expected = new Failure(new TypeError("10 + 5"));
    const o = outcome(maybeDeferred(() => expected));
    assert.equal(o.ok, false);
    assert.equal(o.value, expected);
  });

  it("returns a returned Deferred as the same object (test_maybeDeferredAsync)", () => {
    const d1 = new Deferred<string>();
    const d2 = maybeDeferred(() => d1);
    assert.equal(d2, d1);
    d1.callback("Success");
    assert.deepEqual(outcome(d2), { ok: true, value: "Success" });
  });

  it("a returned Deferred's failure comes through (test_maybeDeferredAsyncError)", () => {
    const d1 = new Deferred<null>();
    const d2 = maybeDeferred(() => d1);
    d1.errback(new Failure(new RangeError()));
    const o = outcome(d2);
    assert.ok((o.value as Failure).check(RangeError));
  });

  it("follows an async function's Promise (test_maybeDeferredCoroutineSuccess / Failure)", async () => {
    // deno-lint-ignore require-await
    const d: Deferred<number> = maybeDeferred(async () => 7);
    assert.equal(await d, 7);
    class SomeError extends Error {}
    // deno-lint-ignore require-await
    const bad = maybeDeferred(async () => {
      throw new SomeError();
    });
    await assert.rejects(bad.toPromise(), SomeError);
    bad.addErrback(() => null);
  });
});

describe("execute, succeed, fail", () => {
  it("execute wraps the return value or the thrown error", () => {
    assert.deepEqual(outcome(execute(Math.max, 1, 5)), { ok: true, value: 5 });
    const e = new Error("thrown");
    const o = outcome(
      execute(() => {
        throw e;
      }),
    );
    assert.equal((o.value as Failure).value, e);
  });

  it("execute waits for a returned Deferred through a new one", () => {
    const inner = new Deferred<number>();
    const d = execute(() => inner);
    assert.notEqual(d, inner);
    inner.callback(4);
    assert.deepEqual(outcome(d), { ok: true, value: 4 });
  });

  it("succeed gives an already-fired Deferred", () => {
    const d = succeed("x");
    assert.equal(d.called, true);
    assert.equal(d.result, "x");
  });

  it("fail accepts an Error, a Failure, any value, or nothing", () => {
    const f = new Failure(new Error("f"));
    assert.equal(outcome(fail(f)).value, f);
    assert.equal((outcome(fail("s")).value as Failure).value, "s");
    assert.equal((outcome(fail(undefined)).value as Failure).value, undefined);
    assert.ok((outcome(fail()).value as Failure).value instanceof Error);
  });
});

describe("logError (test_defer.UtilTests)", () => {
  it("logs the failure and returns it unchanged (test_logErrorReturnsError / test_logErrorLogsError)", () => {
    const logs = new LogCapture();
    const seen = logs.events;
    try {
      const f = new Failure(new RangeError("logged"));
      assert.equal(logError(f), f);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].failure, f);
      assert.ok(textFromEvent(seen[0]).startsWith("Unhandled Error\nRangeError: logged"));
    } finally {
      logs.close();
    }
  });
});
