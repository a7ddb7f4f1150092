// Deferred cancellation (twisted/test/test_defer.py DeferredCancellerTests):
// each test names the Twisted behaviour it pins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { AlreadyCalledError, CancelledError } from "../../deferred/errors.ts";
import { collect } from "./_collect.ts";

describe("cancellation (test_defer.DeferredCancellerTests)", () => {
  it("cancel without canceller errbacks with CancelledError (test_noCanceller)", () => {
    const d = new Deferred<number>();
    const { failures } = collect(d);
    d.cancel();
    assert.equal(failures[0].check(CancelledError), CancelledError);
  });

  it("the first callback after a cancel without canceller is swallowed, the second raises (test_raisesAfterCancelAndCallback)", () => {
    const d = new Deferred<number>();
    d.addErrback(() => {});
    d.cancel();
    d.callback(1); // swallowed
    assert.throws(() => d.callback(2), AlreadyCalledError);
    const e = new Deferred<number>();
    e.addErrback(() => {});
    e.cancel();
    e.errback(new Error("late")); // swallowed
    assert.throws(() => e.errback(new Error("again")), AlreadyCalledError);
  });

  it("a canceller is called with the Deferred (test_cancellerArg)", () => {
    let got: unknown;
    const d = new Deferred<number>((x) => {
      got = x;
    });
    d.addErrback(() => {});
    d.cancel();
    assert.equal(got, d);
  });

  it("a canceller that fires the Deferred means no CancelledError (test_cancellerThatCallbacks)", () => {
    const d = new Deferred<string>((x) => x.callback("instead"));
    const { results, failures } = collect(d);
    d.cancel();
    assert.deepEqual(results, ["instead"]);
    assert.equal(failures.length, 0);
  });

  it("after a canceller runs, a later callback raises AlreadyCalledError (test_cancelAfterCallback... canceller case)", () => {
    const d = new Deferred<number>(() => {});
    d.addErrback(() => {});
    d.cancel();
    assert.throws(() => d.callback(1), AlreadyCalledError);
  });

  it("cancel on a fired Deferred does nothing (test_cancelAfterCallback)", () => {
    const d = succeed("x");
    d.cancel();
    assert.equal(d.result, "x");
  });

  it("cancelling a Deferred that waits on another cancels the inner one (test_cancelNestedDeferred)", () => {
    let innerCancelled = false;
    const inner = new Deferred<number>(() => {
      innerCancelled = true;
    });
    const outer = succeed(1).addCallback(() => inner);
    const { failures } = collect(outer);
    outer.cancel();
    assert.equal(innerCancelled, true);
    assert.equal(failures[0].check(CancelledError), CancelledError);
  });
});

describe("more cancellation (test_defer.DeferredCancellerTests)", () => {
  it("a no-canceller Deferred, cancelled then callbacked, ignores later cancels (test_noCancellerMultipleCancelsAfterCancelAndCallback)", () => {
    const d = new Deferred<null>();
    const { failures } = collect(d);
    d.cancel();
    d.callback(null);
    d.cancel();
    assert.equal(failures.length, 1);
    assert.ok(failures[0].check(CancelledError));
  });

  it("cancelling twice calls the canceller once (test_cancellerMultipleCancel)", () => {
    let count = 0;
    const d = new Deferred<null>(() => {
      count++;
    });
    const { failures } = collect(d);
    d.cancel();
    d.cancel();
    assert.equal(count, 1);
    assert.equal(failures.length, 1);
  });

  it("cancel after errback does nothing (test_cancelAfterErrback)", () => {
    let count = 0;
    const d = new Deferred<null>(() => {
      count++;
    });
    const { failures } = collect(d);
    d.errback(new RangeError("first"));
    d.cancel();
    assert.equal(count, 0);
    assert.equal(failures[0].type, RangeError);
  });

  it("a canceller that errbacks decides the failure (test_cancellerThatErrbacks)", () => {
    const d = new Deferred<null>((x) => x.errback(new RangeError("from canceller")));
    const { failures } = collect(d);
    d.cancel();
    assert.equal(failures[0].type, RangeError);
  });

  it("cancelling an outer Deferred calls only the inner canceller (test_cancelNestedDeferred)", () => {
    let innerCount = 0;
    const b = new Deferred<null>(() => {
      innerCount++;
    });
    const a = new Deferred<null>(() => {
      throw new Error("outer canceller must not run");
    });
    a.callback(null);
    a.addCallback(() => b);
    a.cancel();
    const { failures } = collect(a);
    assert.equal(innerCount, 1);
    assert.equal(failures[0].type, CancelledError);
  });

  it("an exception thrown by a canceller propagates out of cancel()", () => {
    const d = new Deferred<null>(() => {
      throw new RangeError("canceller broke");
    });
    assert.throws(() => d.cancel(), RangeError);
  });
});
