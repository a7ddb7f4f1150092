// Deferred callback chaining, continued (twisted/test/test_defer.py
// DeferredTests): each test names the Twisted behaviour it pins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import { collect, resultsOf } from "./_collect.ts";

/**
 * A fired Deferred whose callback returned `first`: its chain now waits on
 * `first` and takes its result (Twisted's implicit chaining).
 */
function firedWaiterOn<T>(first: Deferred<T>): Deferred<null> {
  const second = new Deferred<null>();
  second.addCallback(() => first);
  second.callback(null);
  return second;
}

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
    const result = resultsOf(chained);
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
    const result = resultsOf(second);
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
    const second = firedWaiterOn(first);
    const results: unknown[] = [];
    first.addCallback((r) => results.push(r));
    assert.equal(results[0], undefined);
    second.addCallback((r) => results.push(r));
    assert.equal(results[1], result);
  });

  it("an unfired Deferred's result goes to its waiter once it fires (test_asynchronousImplicitChain)", () => {
    const first = new Deferred<object>();
    const second = firedWaiterOn(first);
    const firstResult = resultsOf(first);
    const secondResult = resultsOf(second);
    assert.deepEqual([firstResult, secondResult], [[], []]);
    const result = {};
    first.callback(result);
    assert.deepEqual(firstResult, [undefined]);
    assert.equal(secondResult[0], result);
  });

  it("a failed Deferred taken by a waiter is cleared (test_synchronousImplicitErrorChain)", () => {
    const first = fail<null>(new RangeError("First Deferred's Failure"));
    const second = firedWaiterOn(first);
    const firstResult = resultsOf(first);
    assert.deepEqual(firstResult, [undefined]);
    const { failures } = collect(second);
    assert.ok(failures[0].check(RangeError));
  });

  it("an unfired Deferred's failure goes to its waiter and is cleared (test_asynchronousImplicitErrorChain)", () => {
    const first = new Deferred<null>();
    const second = firedWaiterOn(first);
    const secondError: Failure[] = [];
    second.addErrback((f) => {
      secondError.push(f);
    });
    const firstResult = resultsOf(first);
    const secondResult = resultsOf(second);
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
    const thirdResult = resultsOf(third);
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
    const results = resultsOf(second);
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
