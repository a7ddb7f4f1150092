// Deferred.addTimeout (twisted/test/test_defer.py DeferredAddTimeoutTests,
// deferred/_timeout.ts): each test names the Twisted behaviour it pins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { Clock } from "../../task/clock.ts";
import { collect } from "./_collect.ts";

describe("addTimeout (test_defer.DeferredAddTimeoutTests)", () => {
  it("returns the same Deferred and has no effect once fired (test_timeoutChainable / test_successResultBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    assert.equal(d.addTimeout(10, clock), d);
    d.callback("done");
    assert.equal(clock.getDelayedCalls().length, 0, "an early result cancels the timer");
    clock.advance(15);
    assert.equal(d.result, "done");
  });

  it("a result before the timeout stops it, so a later inner Deferred is never cancelled (test_successResultBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addTimeout(10, clock, () => "OVERRIDDEN");
    const inner = new Deferred<null>();
    let got: string | null = null;
    d.addCallback((r) => {
      got = r;
      return inner;
    });
    d.callback("results");
    assert.equal(got, "results");
    clock.advance(15);
    assert.equal(inner.called, false, "the timeout must not cancel d, which would cancel inner");
  });

  it("a failure before the timeout passes through untouched (test_failureBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    d.addTimeout(10, clock);
    const e = new RangeError("early");
    d.errback(e);
    clock.advance(15);
    const { failures } = collect(d);
    assert.equal(failures[0].value, e);
  });

  it("times out with TimeoutError at exactly the timeout, not before (test_timedOut)", () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addTimeout(10, clock);
    clock.advance(9);
    assert.equal(d.called, false);
    clock.advance(1);
    const { failures } = collect(d);
    assert.ok(failures[0].check(TimeoutError));
    assert.match(failures[0].getErrorMessage(), /10 seconds/);
  });

  it("onTimeoutCancel replaces the translation (test_timedOutCustom)", () => {
    const clock = new Clock();
    const d = new Deferred<number>();
    const seen: unknown[] = [];
    const t: Deferred<number | string> = d.addTimeout(10, clock, (r, timeout) => {
      seen.push(r instanceof Failure ? r.type : r, timeout);
      return "OVERRIDDEN";
    });
    clock.advance(15);
    assert.equal(t.result, "OVERRIDDEN");
    assert.deepEqual(seen, [CancelledError, 10]);
  });

  it("a canceller's success value passes through (test_timedOutProvidedCancelSuccess)", () => {
    const clock = new Clock();
    const d = new Deferred<string>((c) => c.callback("I was cancelled!"));
    d.addTimeout(10, clock);
    clock.advance(15);
    assert.equal(d.result, "I was cancelled!");
  });

  it("a canceller's non-CancelledError failure passes through (test_timedOutProvidedCancelFailure)", () => {
    const clock = new Clock();
    const error = new RangeError("what!");
    const d = new Deferred<null>((c) => c.errback(error));
    d.addTimeout(10, clock);
    clock.advance(15);
    const { failures } = collect(d);
    assert.equal(failures[0].value, error);
  });

  it("a manual cancel before the timeout keeps CancelledError and stops the timer (test_cancelBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addTimeout(10, clock, () => "OVERRIDDEN");
    const inner = new Deferred<null>();
    let got: Failure | null = null;
    d.addErrback((f) => {
      got = f;
      return inner;
    });
    d.cancel();
    assert.equal((got as Failure | null)?.type, CancelledError);
    assert.equal(clock.getDelayedCalls().length, 0);
    clock.advance(15);
    assert.equal(inner.called, false, "the timeout must not cancel the inner Deferred");
  });

  it("an errback added before the timeout sees CancelledError; the result is TimeoutError (test_errbackAddedBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    let seen: Failure | null = null;
    d.addErrback((f) => {
      seen = f;
      return f;
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    assert.ok((seen as Failure | null)?.value instanceof CancelledError);
    const { failures } = collect(d);
    assert.ok(failures[0].check(TimeoutError));
  });

  it("an errback before the timeout that suppresses the cancel makes it succeed (test_errbackAddedBeforeTimeoutSuppressesCancellation)", () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addErrback((f) => {
      f.trap(CancelledError);
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    assert.equal(d.called, true);
    assert.equal(d.result, undefined);
  });

  it("the custom function runs even when an earlier errback suppressed the cancel (test_errbackAddedBeforeTimeoutSuppressesCancellationCustom)", () => {
    const clock = new Clock();
    const d = new Deferred<null>();
    d.addErrback(() => {});
    d.addTimeout(10, clock, () => "OVERRIDDEN");
    clock.advance(15);
    assert.equal(d.result, "OVERRIDDEN");
  });

  it("a callback before the timeout runs with a canceller's value (test_callbackAddedToCancelerBeforeTimeout)", () => {
    const clock = new Clock();
    const d = new Deferred<string>((c) => c.callback("success"));
    let seen: string | null = null;
    d.addCallback((v) => {
      seen = v;
      return v;
    });
    d.addTimeout(10, clock);
    clock.advance(15);
    assert.equal(seen, "success");
    assert.equal(d.result, "success");
  });

  it("a timed-out Deferred waiting on another cancels that one (cancellation reaches the Deferred waited on)", () => {
    const clock = new Clock();
    let innerCancelled = false;
    const inner = new Deferred<string>(() => {
      innerCancelled = true;
    });
    const d = succeed(1).addCallback(() => inner).addTimeout(5, clock);
    clock.advance(5);
    assert.equal(innerCancelled, true);
    const { failures } = collect(d);
    assert.ok(failures[0].check(TimeoutError));
  });
});
