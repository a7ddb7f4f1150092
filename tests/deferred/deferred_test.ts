// Conformance tests for Deferred: each test names the Twisted behaviour
// (twisted/test/test_defer.py) it pins. Chaining, cancellation and timeouts
// have files of their own beside this one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { AlreadyCalledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { collect } from "./_collect.ts";
import { collectUntil } from "./_gc.ts";

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
