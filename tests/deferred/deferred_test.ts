// Conformance tests for Deferred: each test names the Twisted behaviour
// (twisted/test/test_defer.py) it pins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { AlreadyCalledError, CancelledError, TimeoutError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { Clock } from "../../task/clock.ts";
import { collectUntil } from "./_gc.ts";

function collect<T>(d: Deferred<T>): { results: T[]; failures: Failure[]; } {
  const out = { results: [] as T[], failures: [] as Failure[] };
  d.addCallbacks(
    (r) => {
      out.results.push(r);
    },
    (f) => {
      out.failures.push(f);
    },
  );
  return out;
}

describe("Deferred basics (test_defer.DeferredTests)", () => {
  it("callback runs the chain with the result (testCallbackWithoutArgs)", () => {
    const d = new Deferred<string>();
    const seen: string[] = [];
    d.addCallback((r) => {
      seen.push(r);
    });
    assert.equal(d.called, false);
    d.callback("hello");
    assert.deepEqual(seen, ["hello"]);
    assert.equal(d.called, true);
  });

  it("callbacks get extra arguments (testCallbackWithArgs)", () => {
    const d = new Deferred<string>();
    const seen: unknown[] = [];
    d.addCallback(
      (r, a: string, b: number) => {
        seen.push([r, a, b]);
      },
      "world",
      3,
    );
    d.callback("hello");
    assert.deepEqual(seen, [["hello", "world", 3]]);
  });

  it("each stage's return value feeds the next", () => {
    const d = new Deferred<number>();
    const r = d.addCallback((n) => n + 1).addCallback((n) => `${n}!`);
    d.callback(1);
    assert.equal(r.result, "2!");
    assert.equal(r, d, "add* returns the same Deferred");
  });

  it("a throwing callback switches to the errback track (testCallbackErrors)", () => {
    const d = new Deferred<number>();
    const boom = new RangeError("boom");
    const { failures } = collect(
      d.addCallback(() => {
        throw boom;
      }).addCallback(() => "skipped"),
    );
    d.callback(1);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].value, boom);
  });

  it("a callback returning a Failure switches to the errback track", () => {
    const d = new Deferred<number>();
    const { failures } = collect(d.addCallback(() => new Failure(new Error("ret"))));
    d.callback(1);
    assert.equal(failures[0].getErrorMessage(), "ret");
  });

  it("an errback returning a value switches back to callbacks", () => {
    const d = new Deferred<number>();
    const { results } = collect(d.addErrback(() => 42));
    d.errback(new Error("x"));
    assert.deepEqual(results, [42]);
  });

  it("an errback that throws stays on the errback track", () => {
    const d = new Deferred<number>();
    const e2 = new Error("second");
    const { failures } = collect(
      d.addErrback(() => {
        throw e2;
      }),
    );
    d.errback(new Error("first"));
    assert.equal(failures[0].value, e2);
  });

  it("addCallbacks adds one stage: its errback does not see its callback's error", () => {
    const d = new Deferred<number>();
    const seen: string[] = [];
    d.addCallbacks(
      () => {
        throw new Error("cb");
      },
      () => {
        seen.push("same-stage errback");
      },
    ).addErrback((f) => {
      seen.push(`later: ${f.getErrorMessage()}`);
    });
    d.callback(1);
    assert.deepEqual(seen, ["later: cb"]);
  });

  it("addCallbacks passes callbackArgs and errbackArgs", () => {
    const seen: unknown[] = [];
    succeed(1).addCallbacks((r, x: string) => seen.push([r, x]), null, { callbackArgs: ["a"] });
    fail(new Error("e")).addCallbacks(
      () => seen.push("no"),
      (f, y: number) => seen.push([f.getErrorMessage(), y]),
      { errbackArgs: [7] },
    );
    assert.deepEqual(seen, [[1, "a"], ["e", 7]]);
  });

  it("addBoth sees results and failures", () => {
    const seen: unknown[] = [];
    succeed(1).addBoth((r) => seen.push(r));
    const f = new Failure(new Error("x"));
    fail(f).addBoth((r) => seen.push(r));
    assert.deepEqual(seen, [1, f]);
  });

  it("callback(Failure) runs the errback chain", () => {
    const d = new Deferred<number>();
    const { failures } = collect(d);
    d.callback(new Failure(new Error("via callback")));
    assert.equal(failures.length, 1);
  });

  it("errback wraps an Error, a Failure, or any value", () => {
    const f = new Failure(new Error("f"));
    const d1 = new Deferred();
    const c1 = collect(d1);
    d1.errback(f);
    assert.equal(c1.failures[0], f);
    const d2 = new Deferred();
    const c2 = collect(d2);
    d2.errback("a string");
    assert.equal(c2.failures[0].value, "a string");
    const d3 = new Deferred();
    const c3 = collect(d3);
    d3.errback();
    assert.ok(c3.failures[0].value instanceof Error);
  });

  it("callbacks added after firing run at once", () => {
    const d = succeed(3);
    let seen = 0;
    d.addCallback((n) => {
      seen = n;
    });
    assert.equal(seen, 3);
  });

  it("fires only once: AlreadyCalledError (testAlreadyCalled_CC/CE/EC/EE)", () => {
    const d = new Deferred<number>();
    d.callback(1);
    assert.throws(() => d.callback(2), AlreadyCalledError);
    assert.throws(() => d.errback(new Error()), AlreadyCalledError);
    const e = new Deferred<number>();
    e.errback(new Error("x"));
    e.addErrback(() => {});
    assert.throws(() => e.callback(2), AlreadyCalledError);
    assert.throws(() => e.errback(new Error()), AlreadyCalledError);
  });

  it("callback from inside its own callback raises AlreadyCalledError", () => {
    const d = new Deferred<number>();
    let caught: unknown;
    d.addCallback(() => {
      try {
        d.callback(2);
      } catch (e) {
        caught = e;
      }
    });
    d.callback(1);
    assert.ok(caught instanceof AlreadyCalledError);
  });

  it("callback(aDeferred) is an error", () => {
    const d = new Deferred<unknown>();
    assert.throws(() => d.callback(new Deferred()), TypeError);
    assert.equal(d.called, false);
  });
});

describe("chaining (test_defer.DeferredTests.test_chained*)", () => {
  it("a callback returning an unfired Deferred pauses the outer until it fires", () => {
    const outer = new Deferred<number>();
    const inner = new Deferred<string>();
    const seen: unknown[] = [];
    outer.addCallback(() => inner).addCallback((s) => {
      seen.push(s);
      return s;
    });
    outer.callback(1);
    assert.deepEqual(seen, []);
    assert.equal(outer.paused, 1);
    assert.equal(outer.result, inner, "while waiting, result is the inner Deferred");
    inner.callback("inner!");
    assert.deepEqual(seen, ["inner!"]);
    assert.equal(outer.paused, 0);
    assert.equal(outer.result, "inner!");
    assert.equal(inner.result, undefined, "the inner's result becomes undefined (Twisted: None)");
  });

  it("a callback returning an already-fired Deferred takes its result at once", () => {
    const inner = succeed("ready");
    const outer = succeed(1).addCallback(() => inner);
    assert.equal(outer.result, "ready");
    assert.equal(inner.result, undefined);
  });

  it("failures propagate from the inner Deferred", () => {
    const inner = new Deferred<string>();
    const outer = succeed(1).addCallback(() => inner);
    const { failures } = collect(outer);
    inner.errback(new Error("inner failed"));
    assert.equal(failures[0].getErrorMessage(), "inner failed");
    assert.equal(inner.result, undefined);
  });

  it("a callback returning a native Promise chains like a Deferred", async () => {
    const d = succeed(1).addCallback((n) => Promise.resolve(n + 1)).addCallback((n) => n * 10);
    assert.equal(d.called, true);
    assert.equal(await d, 20);
    const e = succeed(1).addCallback(() => Promise.reject(new TypeError("rej")));
    await assert.rejects(e.toPromise(), TypeError);
  });

  it("chainDeferred forwards the result and leaves undefined behind", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    const { results } = collect(b);
    a.callback(5);
    assert.deepEqual(results, [5]);
    assert.equal(a.result, undefined);
  });
});

describe("pause/unpause (test_defer.DeferredTests.testPausedFailure & co.)", () => {
  it("pause stops the chain; unpause resumes it", () => {
    const d = new Deferred<number>();
    const seen: number[] = [];
    d.pause();
    d.addCallback((n) => seen.push(n));
    d.callback(1);
    assert.deepEqual(seen, []);
    d.unpause();
    assert.deepEqual(seen, [1]);
  });

  it("pauses nest", () => {
    const d = succeed(1);
    d.pause();
    d.pause();
    let ran = false;
    d.addCallback(() => {
      ran = true;
    });
    d.unpause();
    assert.equal(ran, false);
    d.unpause();
    assert.equal(ran, true);
  });
});

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

describe("trampolining (test_defer.DeferredTests.test_*Recursion / deep chains)", () => {
  it("100,000 callbacks each returning an already-fired Deferred run in one pass (its result is taken)", () => {
    const d = new Deferred<number>();
    for (let i = 0; i < 100_000; i++) d.addCallback((n) => succeed(n + 1));
    d.callback(0);
    assert.equal(d.result, 100_000);
  });

  it("a chain of 100,000 Deferreds waiting on each other resolves iteratively", () => {
    // d[i]'s callback returns d[i+1]; firing d[0..n-2] makes each wait on the
    // next; firing the last unwinds the whole chain through the trampoline.
    const n = 100_000;
    const ds: Deferred<number>[] = [];
    for (let i = 0; i < n; i++) ds.push(new Deferred<number>());
    for (let i = 0; i < n - 1; i++) {
      const next = ds[i + 1];
      ds[i].addCallback(() => next);
    }
    for (let i = 0; i < n - 1; i++) ds[i].callback(i);
    assert.equal(ds[0].paused, 1);
    ds[n - 1].callback(7);
    assert.equal(ds[0].result, 7);
    assert.equal(ds[0].paused, 0);
    assert.equal(ds[1].result, undefined);
  });
});

describe("await interop", () => {
  it("await gives the result and does not consume it", async () => {
    const d = succeed(5);
    assert.equal(await d, 5);
    assert.equal(d.result, 5);
  });

  it("await throws the original error value", async () => {
    const e = new TypeError("bad");
    const d = fail(e);
    await assert.rejects(async () => {
      await d;
    }, (got) => got === e);
  });

  it("fromPromise wraps a Promise", async () => {
    const d = Deferred.fromPromise(Promise.resolve("p"));
    assert.equal(await d, "p");
  });
});

describe("more chaining (test_defer.DeferredTests)", () => {
  it("errbacks can return Deferreds just as callbacks can (test_errbackReturnsDeferred)", () => {
    const d = new Deferred<number>();
    const d2 = new Deferred<string>();
    const seen: unknown[] = [];
    d.addErrback(() => d2).addCallback((r) => {
      seen.push(r);
    });
    d.errback(new Error("v"));
    assert.deepEqual(seen, []);
    d2.callback("result");
    assert.deepEqual(seen, ["result"]);
  });

  it("a paused Deferred with a result, returned from a callback, is waited for (test_chainedPausedDeferredWithResult)", () => {
    const expected = {};
    const paused = succeed(expected);
    paused.pause();
    const chained = new Deferred<null>();
    chained.addCallback(() => paused);
    chained.callback(null);
    const result: unknown[] = [];
    chained.addCallback((r) => {
      result.push(r);
    });
    assert.deepEqual(result, []);
    paused.unpause();
    assert.deepEqual(result, [expected]);
  });

  it("a paused waiter does not stop the Deferred it waited on (test_pausedDeferredChained)", () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    first.addCallback(() => second);
    first.callback(null);
    first.pause();
    second.callback(null);
    const result: unknown[] = [];
    second.addCallback((r) => {
      result.push(r);
    });
    assert.deepEqual(result, [undefined]);
  });

  it("the middle Deferred's callbacks run before the outer gets the result (test_innerCallbacksPreserved / test_nestedAsynchronousChainedDeferreds)", () => {
    const results: unknown[] = [];
    const failures: Failure[] = [];
    const inner = new Deferred<string>();
    const outer = succeed("outer").addCallback((r) => {
      results.push(["start-of-cb", r]);
      return succeed("inner")
        .addCallback(() => {
          results.push(["firstCallback", "inner"]);
          return inner;
        })
        .addCallback((r2) => {
          results.push(["secondCallback", r2]);
          return r2 + r2;
        })
        .addErrback((f) => {
          failures.push(f);
          return "";
        });
    });
    outer.addCallback((r) => {
      results.push(r);
    });
    assert.deepEqual(results, [["start-of-cb", "outer"], ["firstCallback", "inner"]]);
    inner.callback("orange");
    assert.deepEqual(failures, []);
    assert.deepEqual(results, [
      ["start-of-cb", "outer"],
      ["firstCallback", "inner"],
      ["secondCallback", "orange"],
      "orangeorange",
    ]);
  });

  it("callbacks added to the inner Deferred before it is returned transform its result (test_nestedAsynchronousChainedDeferredsWithExtraCallbacks)", () => {
    const results: unknown[] = [];
    const inner = new Deferred<string>();
    const outer = succeed("outer").addCallback(() =>
      succeed("inner")
        .addCallback(() => inner.addCallback((r) => [r]))
        .addCallback((r) => {
          results.push(["secondCallback", r]);
          return [...r, ...r];
        })
    );
    outer.addCallback((r) => {
      results.push(r);
    });
    inner.callback("withers");
    assert.deepEqual(results, [["secondCallback", ["withers"]], ["withers", "withers"]]);
  });

  it("a callback added after a chained Deferred runs after the chain (test_callbackOrderPreserved / test_continueCallbackNotFirst)", () => {
    const results: unknown[] = [];
    const a = new Deferred<string>();
    const outer = new Deferred<string>();
    outer.addCallback((r) => {
      results.push(["cb", r]);
      const d = new Deferred<null>();
      const returner = d
        .addCallback((r2) => {
          results.push(["firstCallback", r2]);
          // Wait on `a` through an intermediate Deferred that has another
          // stage first, so the continuation is not the first stage.
          const mid = new Deferred<null>();
          const waited = mid.addCallback(() => a).addCallback((x) => [x]);
          mid.callback(null);
          return waited;
        })
        .addCallback((r3) => {
          results.push(["secondCallback", r3]);
        });
      d.callback(null);
      return returner;
    });
    outer.addCallback(() => {
      results.push(["final", null]);
    });
    outer.callback("outer");
    assert.deepEqual(results, [["cb", "outer"], ["firstCallback", null]]);
    a.callback("withers");
    assert.deepEqual(results, [
      ["cb", "outer"],
      ["firstCallback", null],
      ["secondCallback", ["withers"]],
      ["final", null],
    ]);
  });

  it("a callback added by a callback goes to the end of the chain (test_reentrantRunCallbacks)", () => {
    const d = new Deferred<null>();
    const called: number[] = [];
    d.addCallback(() => {
      called.push(1);
      d.addCallback(() => {
        called.push(3);
      });
    });
    d.addCallback(() => {
      called.push(2);
    });
    d.callback(null);
    assert.deepEqual(called, [1, 2, 3]);
  });

  it("a callback added by a running callback does not run until it returns (test_nonReentrantCallbacks)", () => {
    const d = new Deferred<null>();
    const called: number[] = [];
    d.addCallback(() => {
      called.push(1);
      d.addCallback(() => {
        called.push(2);
      });
      assert.deepEqual(called, [1]);
    });
    d.callback(null);
    assert.deepEqual(called, [1, 2]);
  });

  it("an error from a callback added by a callback reaches the next errback (test_reentrantRunCallbacksWithFailure)", () => {
    const d = new Deferred<null>();
    d.addCallback(() => {
      d.addCallback(() => {
        throw new Error("callback raised exception");
      });
    });
    d.callback(null);
    const { failures } = collect(d);
    assert.equal(failures[0].getErrorMessage(), "callback raised exception");
  });

  it("taking a fired Deferred's result leaves undefined in it (test_synchronousImplicitChain)", () => {
    const result = {};
    const first = succeed(result);
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const results: unknown[] = [];
    first.addCallback((r) => results.push(r));
    assert.equal(results[0], undefined);
    second.addCallback((r) => results.push(r));
    assert.equal(results[1], result);
  });

  it("an unfired Deferred's result goes to its waiter once it fires (test_asynchronousImplicitChain)", () => {
    const first = new Deferred<object>();
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const firstResult: unknown[] = [];
    first.addCallback((r) => {
      firstResult.push(r);
    });
    const secondResult: unknown[] = [];
    second.addCallback((r) => {
      secondResult.push(r);
    });
    assert.deepEqual([firstResult, secondResult], [[], []]);
    const result = {};
    first.callback(result);
    assert.deepEqual(firstResult, [undefined]);
    assert.equal(secondResult[0], result);
  });

  it("a failed Deferred taken by a waiter is cleared (test_synchronousImplicitErrorChain)", () => {
    const first = fail<null>(new RangeError("First Deferred's Failure"));
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const firstResult: unknown[] = [];
    first.addCallback((r) => {
      firstResult.push(r);
    });
    assert.deepEqual(firstResult, [undefined]);
    const { failures } = collect(second);
    assert.ok(failures[0].check(RangeError));
  });

  it("an unfired Deferred's failure goes to its waiter and is cleared (test_asynchronousImplicitErrorChain)", () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    second.addCallback(() => first);
    second.callback(null);
    const secondError: Failure[] = [];
    second.addErrback((f) => {
      secondError.push(f);
    });
    const firstResult: unknown[] = [];
    first.addCallback((r) => {
      firstResult.push(r);
    });
    const secondResult: unknown[] = [];
    second.addCallback((r) => {
      secondResult.push(r);
    });
    first.errback(new RangeError("First Deferred's Failure"));
    assert.ok(secondError[0].check(RangeError));
    assert.deepEqual(firstResult, [undefined]);
    assert.equal(secondResult.length, 1);
  });

  it("chaining is transitive (test_doubleAsynchronousImplicitChaining)", () => {
    const first = new Deferred<object>();
    const second = new Deferred<null>();
    second.addCallback(() => first);
    const third = new Deferred<null>();
    third.addCallback(() => second);
    const thirdResult: unknown[] = [];
    third.addCallback((r) => {
      thirdResult.push(r);
    });
    const result = {};
    second.callback(null);
    third.callback(null);
    assert.deepEqual(thirdResult, []);
    first.callback(result);
    assert.deepEqual(thirdResult, [result]);
  });

  it("callbacks on the middle of three chained Deferreds run when the last fires (test_resultOfDeferredResultOfDeferredOfFiredDeferredCalled)", () => {
    const first = new Deferred<null>();
    const second = new Deferred<null>();
    const third = new Deferred<null>();
    first.addCallback(() => second);
    second.addCallback(() => third);
    second.callback(null);
    first.callback(null);
    third.callback(null);
    const results: unknown[] = [];
    second.addCallback((r) => {
      results.push(r);
    });
    assert.deepEqual(results, [undefined]);
  });

  it("toString shows the state and waiting (test_repr / test_reprWithResult / test_reprWithChaining)", () => {
    assert.equal(String(new Deferred()), "<Deferred>");
    assert.equal(String(succeed("orange")), "<Deferred current result: \"orange\">");
    const a = new Deferred<null>();
    const b = new Deferred<null>();
    b.chainDeferred(a);
    assert.equal(String(a), "<Deferred waiting on Deferred>");
    b.callback(null);
    assert.equal(
      String(a),
      "<Deferred current result: null>",
      "the explicit chain is cleared once resolved",
    );
    assert.equal(String(b), "<Deferred current result: undefined>");
    const c = succeed(1).addCallback(() => new Deferred());
    assert.equal(String(c), "<Deferred waiting on Deferred>");
    assert.equal(inspect(succeed(1)), "<Deferred current result: 1>", "console.log shows the same");
  });

  it("a callback returning its own Deferred fails the chain instead of hanging (test_circularChainException)", () => {
    const d = new Deferred<string>();
    d.addCallback(() => d);
    d.callback("foo");
    const { failures } = collect(d);
    assert.ok(failures[0].check(TypeError));
    assert.match(failures[0].getErrorMessage(), /returned the Deferred it was attached to/);
  });

  it("callbacks run at the same stack depth however many Deferreds are chained (test_boundedStackDepth)", () => {
    function chainDeferreds(howMany: number): number {
      let depth = -1;
      const top = new Deferred<null>();
      const inners: Deferred<null>[] = [];
      for (let i = 0; i < howMany; i++) inners.push(new Deferred<null>());
      const last = new Deferred<null>();
      top.addCallback(() => inners[0]);
      top.addCallback(() => {
        depth = (new Error().stack ?? "").split("\n").length;
      });
      for (let i = 0; i < howMany - 1; i++) {
        const next = inners[i + 1];
        inners[i].addCallback(() => next);
      }
      inners[howMany - 1].addCallback(() => last);
      top.callback(null);
      for (const inner of inners) inner.callback(null);
      assert.equal(depth, -1);
      last.callback(null);
      return depth;
    }
    assert.equal(chainDeferreds(1), chainDeferreds(2));
    assert.equal(chainDeferreds(2), chainDeferreds(50));
  });

  it("a Failure thrown by a callback is not wrapped twice", () => {
    const f = new Failure(new RangeError("thrown failure"));
    const d = succeed(1).addCallback(() => {
      throw f;
    });
    const { failures } = collect(d);
    assert.equal(failures[0].value, f.value);
    assert.equal(failures[0].type, RangeError);
  });

  it("addCallbacks with a null errback passes failures through (test_addCallbacksNoneErrback)", () => {
    const error = new Error("oopsie");
    const d = new Deferred<null>();
    let cbCalled = false;
    d.addCallbacks(() => {
      cbCalled = true;
    }, null);
    d.errback(error);
    const { failures } = collect(d);
    assert.equal(cbCalled, false);
    assert.equal(failures[0].value, error);
  });

  it("non-function stages and cancellers are refused at once with a TypeError", () => {
    assert.throws(() => new Deferred(42 as never), TypeError);
    const d = new Deferred();
    assert.throws(() => d.addCallback(5 as never), TypeError);
    assert.throws(() => d.addErrback("x" as never), TypeError);
    assert.throws(() => d.addBoth(null as never), TypeError);
    assert.throws(() => d.addCallbacks(() => 1, 3 as never), TypeError);
  });

  it("pause/unpause: unpausing an unfired Deferred runs nothing; the paused count is visible", () => {
    const d = new Deferred<number>();
    d.pause();
    assert.equal(d.paused, 1);
    let ran = false;
    d.addCallback(() => {
      ran = true;
    });
    d.unpause();
    assert.equal(ran, false);
    d.callback(1);
    assert.equal(ran, true);
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

describe("typing (compile-time checks; these fail deno check / tsc if the types regress)", () => {
  it("chain methods return precisely typed Deferreds", async () => {
    const d = new Deferred<string>();
    const len: Deferred<number> = d.addCallback((s) => s.length);
    const unwrapped: Deferred<boolean> = len.addCallback((n) => succeed(n > 0));
    const fromPromise: Deferred<string> = unwrapped.addCallback((b) => Promise.resolve(String(b)));
    const widened: Deferred<string | null> = fromPromise.addErrback(() => null);
    const both: Deferred<number> = widened.addBoth((r) => (r instanceof Failure ? -1 : 1));
    const withArgs: Deferred<string> = both.addCallback(
      (n, p: string, q: number) => `${p}${n + q}`,
      "x",
      1,
    );
    // Type errors only: never called, since add* mutates the same Deferred.
    const typeErrors = (): void => {
      // @ts-expect-error: the extra arguments must match the callback's parameters
      withArgs.addCallback((s, n: number) => s + n, "not a number");
      // @ts-expect-error: Deferred<number> is not a Deferred<string>
      const wrong: Deferred<string> = both;
      void wrong;
    };
    void typeErrors;
    d.callback("abc");
    assert.equal(await withArgs, "x2");
  });

  it("void Deferreds can be fired without an argument", () => {
    const d = new Deferred<void>();
    d.callback();
    assert.equal(d.called, true);
  });
});

describe("chainDeferred without recursion", () => {
  it("100,000 Deferreds joined by chainDeferred fire without growing the stack (beats Twisted, which recurses)", () => {
    const n = 100_000;
    const ds: Deferred<number>[] = [];
    for (let i = 0; i < n; i++) ds.push(new Deferred<number>());
    for (let i = 0; i < n - 1; i++) ds[i].chainDeferred(ds[i + 1]);
    const seen: number[] = [];
    ds[n - 1].addCallback((v) => {
      seen.push(v);
    });
    ds[0].callback(9);
    assert.deepEqual(seen, [9]);
    assert.equal(ds[0].result, undefined);
    assert.equal(ds[n - 2].result, undefined);
  });

  it("the target's whole chain runs before the source's next stage, as the recursive form would", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const order: string[] = [];
    a.chainDeferred(b);
    a.addCallback((r) => {
      order.push(`a next: ${r}`);
    });
    b.addCallback((r) => {
      order.push(`b: ${r}`);
      a.addCallback(() => {
        order.push("added to a from b's callback");
      });
    });
    a.callback(1);
    assert.deepEqual(order, ["b: 1", "a next: undefined", "added to a from b's callback"]);
  });

  it("chaining into an already-fired Deferred fails the source with AlreadyCalledError", () => {
    const a = new Deferred<number>();
    const b = succeed(2);
    a.chainDeferred(b);
    a.callback(1);
    const { failures } = collect(a);
    assert.ok(failures[0].check(AlreadyCalledError));
  });

  it("chaining into a cancelled Deferred without canceller swallows the one late result", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    b.addErrback(() => -1);
    b.cancel();
    a.callback(1);
    assert.equal(b.result, -1);
    assert.equal(a.result, undefined);
  });

  it("a failure passes to the target and is cleared from the source", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    a.chainDeferred(b);
    const { failures } = collect(b);
    a.errback(new RangeError("to b"));
    assert.ok(failures[0].check(RangeError));
    assert.equal(a.result, undefined);
  });

  it("a paused target gets the result and runs once unpaused; the source goes on", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    b.pause();
    a.chainDeferred(b);
    let aNext = false;
    a.addCallback(() => {
      aNext = true;
    });
    const { results } = collect(b);
    a.callback(4);
    assert.equal(aNext, true);
    assert.deepEqual(results, []);
    b.unpause();
    assert.deepEqual(results, [4]);
  });

  it("a target that waits on a paused waiter does not stop the source's remaining stages", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    const waiter = new Deferred<null>();
    waiter.addCallback(() => b);
    waiter.callback(null); // waiter now waits on b
    waiter.pause(); // and is paused by its user too
    a.chainDeferred(b);
    let aNext = false;
    a.addCallback(() => {
      aNext = true;
    });
    a.callback(5);
    assert.equal(aNext, true);
    const { results } = collect(waiter);
    assert.deepEqual(results, []);
    waiter.unpause();
    assert.deepEqual(results, [5]);
  });
});

describe("references (test_defer.DeferredTests.test_canceller_circular_reference_*)", () => {
  it("firing drops the canceller, so what it holds can be collected while the Deferred lives on", async () => {
    const kept: Deferred<null>[] = [];
    const refs: WeakRef<object>[] = [];
    (() => {
      const big = { payload: new Array(1000).fill(0) };
      refs.push(new WeakRef(big));
      const d = new Deferred<null>(() => void big.payload.length);
      d.callback(null);
      kept.push(d);
    })();
    assert.ok(
      await collectUntil(() => refs[0].deref() === undefined),
      "the canceller's captures were kept alive",
    );
    assert.equal(kept[0].result, null);
  });

  it("a fired Deferred does not keep its run stages (callbacks and their arguments) alive", async () => {
    const kept: Deferred<number>[] = [];
    const refs: WeakRef<object>[] = [];
    (() => {
      const arg = { big: new Array(1000).fill(0) };
      refs.push(new WeakRef(arg));
      const d = succeed(1).addCallback((n, a: { big: number[]; }) => n + a.big.length, arg);
      kept.push(d);
    })();
    assert.ok(
      await collectUntil(() => refs[0].deref() === undefined),
      "the stage's argument was kept alive",
    );
    assert.equal(kept[0].result, 1001);
  });
});
