import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import {
  DeferredList,
  type DeferredListFirst,
  type DeferredListItem,
  type DeferredListResult,
  FirstError,
} from "../../deferred/deferred_list.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { LogCapture } from "../_log_capture.ts";
import { expectType, failureOf, hasNoResult, successOf } from "./_h2_helpers.ts";

class GenericError extends Error {
  override name = "GenericError";
}

describe("DeferredList (twisted.internet.defer.DeferredList, DeferredListTests)", () => {
  it("testDeferredList: results in input order, failures as [false, Failure], fires on the callback track", () => {
    const d1 = new Deferred<string>();
    const d2 = new Deferred<string>();
    const d3 = new Deferred<string>();
    const dl = new DeferredList([d1, d2, d3]);
    let result: unknown = null;
    dl.addCallback((r) => {
      result = r;
    });
    const errorTrap: Failure[] = [];
    d1.addErrback((f) => {
      errorTrap.push(f);
      return "handled";
    });
    d2.addErrback((f) => {
      errorTrap.push(f);
      return "handled";
    });
    d1.callback("1");
    assert.equal(result, null);
    d2.errback(new GenericError("Bang"));
    assert.equal(result, null);
    assert.equal(dl.finishedCount, 2);
    d3.callback("3");
    assert.ok(Array.isArray(result));
    const r = result as DeferredListItem<string>[];
    assert.equal(r.length, 3);
    assert.deepEqual(r[0], [true, "1"]);
    assert.equal(r[1][0], false);
    assert.ok(r[1][1] instanceof Failure && r[1][1].value instanceof GenericError);
    assert.deepEqual(r[2], [true, "3"]);
    // Without consumeErrors the member keeps its Failure: d2's own errback saw it.
    assert.equal(errorTrap.length, 1);
    assert.equal(errorTrap[0], r[1][1]);
    assert.equal(dl.resultList, r, "resultList is the fired list");
  });

  it("testEmptyDeferredList: fires at once with []; with fireOnOneCallback never fires", () => {
    assert.deepEqual(successOf(new DeferredList([])), []);
    const never = new DeferredList([], { fireOnOneCallback: true });
    assert.equal(never.called, false);
    assert.ok(hasNoResult(never));
  });

  it("testDeferredListFireOnOneError: errbacks with FirstError(subFailure, index)", () => {
    const d1 = new Deferred<string>();
    const d2 = new Deferred<string>();
    const d3 = new Deferred<string>();
    const dl = new DeferredList([d1, d2, d3], { fireOnOneErrback: true });
    d1.callback("123");
    assert.equal(dl.called, false);
    d2.errback(new GenericError("from def2"));
    const f = failureOf(dl);
    assert.ok(f.check(FirstError));
    const fe = f.value as FirstError;
    assert.equal(fe.index, 1);
    assert.ok(fe.subFailure.value instanceof GenericError);
    assert.equal(fe.subFailure.getErrorMessage(), "from def2");
    assert.equal(fe.message, "FirstError[#1, GenericError: from def2]");
    assert.equal(fe.cause, fe.subFailure.value);
    // The later member is not cancelled and resultList keeps filling in.
    assert.equal(d3.called, false);
    d3.callback("3");
    assert.deepEqual(dl.resultList[2], [true, "3"]);
    d2.addErrback(() => null);
  });

  it("testDeferredListDontConsumeErrors: the member's chain keeps its Failure", () => {
    const d1 = new Deferred<void>();
    const dl = new DeferredList([d1]);
    const errorTrap: Failure[] = [];
    d1.addErrback((f) => {
      errorTrap.push(f);
    });
    let result: unknown;
    dl.addCallback((r) => {
      result = r;
    });
    d1.errback(new GenericError("Bang"));
    assert.equal(errorTrap[0].getErrorMessage(), "Bang");
    assert.equal((result as [[boolean, Failure]])[0][1].getErrorMessage(), "Bang");
  });

  it("testDeferredListConsumeErrors: the member's chain continues with null", () => {
    const d1 = new Deferred<void>();
    const dl = new DeferredList([d1], { consumeErrors: true });
    const errorTrap: Failure[] = [];
    const later: unknown[] = [];
    d1.addCallbacks((r) => {
      later.push(r);
    }, (f) => {
      errorTrap.push(f);
    });
    let result: unknown;
    dl.addCallback((r) => {
      result = r;
    });
    d1.errback(new GenericError("Bang"));
    assert.deepEqual(errorTrap, []);
    assert.deepEqual(later, [null]);
    assert.equal((result as [[boolean, Failure]])[0][1].getErrorMessage(), "Bang");
  });

  it("testDeferredListFireOnOneErrorWithAlreadyFiredDeferreds", () => {
    const d1 = fail<number>(new GenericError("Bang"));
    const d2 = succeed(1);
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    const fe = failureOf(dl).value as FirstError;
    assert.equal(fe.index, 0);
    d1.addErrback(() => 0);
  });

  it("testDeferredListWithAlreadyFiredDeferreds", () => {
    const d1 = fail<number>(new GenericError("Bang"));
    const d2 = succeed(1);
    const dl = new DeferredList([d1, d2]);
    const r = successOf(dl);
    assert.equal(r[0][0], false);
    assert.deepEqual(r[1], [true, 1]);
    d1.addErrback(() => 0);
  });

  it("fireOnOneCallback fires with [value, index] on the first success", () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    d2.callback("two");
    assert.deepEqual(successOf(dl), ["two", 1]);
    d1.callback(1);
    assert.deepEqual(dl.resultList, [[true, 1], [true, "two"]]);
  });

  it("fireOnOneCallback with every member failing fires with the full list", () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<number>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true, consumeErrors: true });
    d1.errback(new GenericError("a"));
    d2.errback(new GenericError("b"));
    const r = successOf(dl) as DeferredListItem<number>[];
    assert.equal(r.length, 2);
    assert.equal(r[0][0], false);
    assert.equal(r[1][0], false);
  });

  it("callbacks added to a member before the list shape what the list sees", () => {
    const d = new Deferred<number>();
    d.addCallback((n) => n * 10);
    const dl = new DeferredList([d]);
    d.addCallback((n) => n + 1);
    let after: unknown;
    d.addCallback((n) => {
      after = n;
    });
    d.callback(1);
    assert.deepEqual(successOf(dl), [[true, 10]]);
    assert.equal(after, 11);
  });

  it("the list fires inside the last member's stage: callbacks it adds to that member run after", () => {
    // Twisted: the member is running its callbacks while the list fires, so a
    // callback added to it from a list callback runs once the stage returns.
    const a = succeed(1);
    const b = new Deferred<number>();
    const dl = new DeferredList([a, b]);
    const log: string[] = [];
    dl.addCallback((r) => {
      b.addCallback((x) => {
        log.push(`b ${x}`);
        return x;
      });
      log.push("list fired");
      return r;
    });
    b.callback(2);
    assert.deepEqual(log, ["list fired", "b 2"]);
  });

  it("a member that is running its callbacks is joined after its current stage", () => {
    const d = new Deferred<number>();
    let dl: DeferredList<[Deferred<number>, Deferred<number>]> | undefined;
    d.addCallback((x) => {
      dl = new DeferredList([d, succeed(0)]);
      return x * 10;
    });
    d.callback(1);
    assert.deepEqual(successOf(dl!), [[true, 10], [true, 0]]);
  });

  it("a paused member is waited for", () => {
    const d = succeed(5);
    d.pause();
    const dl = new DeferredList([d, succeed(6)]);
    assert.equal(dl.called, false);
    d.unpause();
    assert.deepEqual(successOf(dl), [[true, 5], [true, 6]]);
  });

  it("any iterable of Deferreds is accepted at run time", () => {
    const a = succeed(1);
    const b = succeed(2);
    const dl = new DeferredList(new Set([a, b]) as unknown as Deferred<number>[]);
    assert.deepEqual(successOf(dl), [[true, 1], [true, 2]]);
  });

  it("the input array is copied", () => {
    const ds = [new Deferred<number>()];
    const dl = new DeferredList(ds);
    ds.push(new Deferred<number>());
    ds[0].callback(1);
    assert.deepEqual(successOf(dl), [[true, 1]]);
  });

  it("rejects a non-Deferred member with a TypeError, before touching any member", () => {
    const d = new Deferred<number>();
    assert.throws(
      () => new DeferredList([d, 5 as unknown as Deferred<number>]),
      /item 1 is not a Deferred/,
    );
    d.callback(1);
    assert.equal(successOf(d), 1, "no DeferredList stage was attached to d");
  });

  it("test_cancelDeferredList: cancels every member; fires with their CancelledErrors", () => {
    const d1 = new Deferred<void>();
    const d2 = new Deferred<void>();
    const dl = new DeferredList([d1, d2], { consumeErrors: true });
    dl.cancel();
    const r = successOf(dl);
    assert.equal(r[0][0], false);
    assert.ok((r[0][1] as Failure).check(CancelledError));
    assert.ok((r[1][1] as Failure).check(CancelledError));
  });

  it("test_cancelDeferredListCallback: a canceller that fires with a value gives a success", () => {
    const d1 = new Deferred<string>((d) => d.callback("Callback Result"));
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2], { consumeErrors: true });
    dl.cancel();
    const r = successOf(dl);
    assert.deepEqual(r[0], [true, "Callback Result"]);
    assert.ok((r[1][1] as Failure).check(CancelledError));
  });

  it("test_cancelDeferredListWithFireOnOneCallback: all cancelled, fires with the failure list", () => {
    const d1 = new Deferred<void>();
    const d2 = new Deferred<void>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true, consumeErrors: true });
    dl.cancel();
    const r = successOf(dl) as DeferredListItem<void>[];
    assert.ok((r[0][1] as Failure).check(CancelledError));
    assert.ok((r[1][1] as Failure).check(CancelledError));
  });

  it("test_cancelDeferredListWithFireOnOneCallbackAndDeferredCallback", () => {
    const d1 = new Deferred<string>((d) => d.callback("Callback Result"));
    const d2 = new Deferred<string>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true, consumeErrors: true });
    dl.cancel();
    assert.deepEqual(successOf(dl), ["Callback Result", 0]);
    // d2 was cancelled too: the loop went on after the list fired.
    assert.ok(d2.called);
  });

  it("test_cancelDeferredListWithFireOnOneErrback: FirstError wrapping the first CancelledError", () => {
    const d1 = new Deferred<void>();
    const d2 = new Deferred<void>();
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true, consumeErrors: true });
    dl.cancel();
    const fe = failureOf(dl).value as FirstError;
    assert.ok(fe instanceof FirstError);
    assert.equal(fe.index, 0);
    assert.ok(fe.subFailure.check(CancelledError));
    assert.ok(d2.called);
  });

  it("test_cancelDeferredListWithFireOnOneErrbackAllDeferredsCallback", () => {
    const d1 = new Deferred<string>((d) => d.callback("Callback One"));
    const d2 = new Deferred<string>((d) => d.callback("Callback Two"));
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true });
    dl.cancel();
    assert.deepEqual(successOf(dl), [[true, "Callback One"], [true, "Callback Two"]]);
  });

  it("test_cancelDeferredListWithException: a canceller that throws is logged; the others are cancelled", () => {
    const logs = new LogCapture();
    try {
      const d1 = new Deferred<void>(() => {
        throw new RangeError("test");
      });
      const d2 = new Deferred<void>();
      const dl = new DeferredList([d1, d2], { consumeErrors: true });
      dl.cancel();
      assert.equal(d1.called, false, "d1's canceller threw before it could be errbacked");
      assert.ok(d2.called);
      const errors = logs.errors;
      assert.equal(errors.length, 1);
      assert.ok(errors[0].failure?.check(RangeError));
      assert.match(String(errors[0].why), /canceller/);
      d1.callback();
      assert.equal(successOf(dl)[0][0], true);
    } finally {
      logs.close();
    }
  });

  it("test_cancelFiredOnOneCallbackDeferredList: cancel after firing does nothing", () => {
    const d1 = new Deferred<void>();
    const d2 = new Deferred<void>();
    const dl = new DeferredList([d1, d2], { fireOnOneCallback: true });
    d1.callback();
    dl.cancel();
    assert.ok(hasNoResult(d2));
    assert.ok(successOf(dl));
  });

  it("test_cancelFiredOnOneErrbackDeferredList: cancel after firing does nothing", () => {
    const d1 = new Deferred<void>();
    const d2 = new Deferred<void>();
    const dl = new DeferredList([d1, d2], { fireOnOneErrback: true, consumeErrors: true });
    d1.errback(new GenericError("test"));
    dl.cancel();
    assert.ok(hasNoResult(d2));
    assert.ok(failureOf(dl).check(FirstError));
  });

  it("is a Deferred: chains, and instanceof works", () => {
    const dl = new DeferredList([succeed(1)]);
    assert.ok(dl instanceof Deferred);
    assert.ok(dl instanceof DeferredList);
    assert.equal(successOf(dl.addCallback((r) => r.length)), 1);
  });

  it("a long list of already-fired Deferreds does not grow the stack", () => {
    const ds = Array.from({ length: 20_000 }, (_, i) => succeed(i));
    const r = successOf(new DeferredList(ds));
    assert.equal(r.length, 20_000);
    assert.deepEqual(r[19_999], [true, 19_999]);
  });

  it("types: results are typed per member (beats Twisted's hints)", () => {
    const a = new Deferred<number>();
    const b = new Deferred<string>();
    const dl = new DeferredList([a, b]);
    dl.addCallback(([[okA, n], [okB, s]]) => {
      if (okA) expectType<number>(n);
      else expectType<Failure>(n);
      if (okB) expectType<string>(s);
      // @ts-expect-error a string result is not a number
      if (okB) expectType<number>(s);
    });
    expectType<Deferred<DeferredListResult<[Deferred<number>, Deferred<string>]>>>(dl);
    const first = new DeferredList([a, b], { fireOnOneCallback: true });
    first.addCallback((r) => {
      expectType<
        | DeferredListFirst<[Deferred<number>, Deferred<string>]>
        | DeferredListResult<[Deferred<number>, Deferred<string>]>
      >(r);
    });
    const fo: DeferredListFirst<[Deferred<number>, Deferred<string>]> = ["x", 1];
    // @ts-expect-error index 0 carries a number, not a string
    const bad: DeferredListFirst<[Deferred<number>, Deferred<string>]> = ["x", 0];
    void fo;
    void bad;
    a.callback(1);
    b.callback("b");
    const arr = new DeferredList([a, a, a] as Deferred<number>[]);
    expectType<Deferred<DeferredListItem<number>[]>>(arr);
  });
});

describe("DeferredList against a model of Twisted's _cbDeferred (seeded random scenarios)", () => {
  // A small deterministic PRNG so failures are reproducible.
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return (): number => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  type Outcome = { ok: boolean; value: number; };

  it("300 scenarios: random sizes, options, pre-fired members, outcomes and firing orders", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed);
      const n = Math.floor(rnd() * 6);
      const opts = {
        fireOnOneCallback: rnd() < 0.3,
        fireOnOneErrback: rnd() < 0.3,
        consumeErrors: rnd() < 0.5,
      };
      const outcomes: Outcome[] = Array.from(
        { length: n },
        (_, i) => ({ ok: rnd() < 0.6, value: i * 10 }),
      );
      const preFired = outcomes.map(() => rnd() < 0.5);
      const errs = outcomes.map((o, i) => (o.ok ? null : new RangeError(`m${i}`)));
      const ds = outcomes.map((o, i) => {
        if (!preFired[i]) return new Deferred<number>();
        return o.ok ? succeed(o.value) : fail<number>(errs[i]);
      });

      // The model: members report in construction order if already fired,
      // then in firing order.
      const order = outcomes.map((_, i) => i).filter((i) => preFired[i]);
      const later = outcomes.map((_, i) => i).filter((i) => !preFired[i]);
      for (let k = later.length - 1; k > 0; k--) {
        const j = Math.floor(rnd() * (k + 1));
        [later[k], later[j]] = [later[j], later[k]];
      }
      order.push(...later);
      let expected: unknown = "unfired";
      let finished = 0;
      const expectedList: unknown[] = new Array(n).fill(undefined);
      if (n === 0 && !opts.fireOnOneCallback) expected = ["list"];
      for (const i of order) {
        const o = outcomes[i];
        expectedList[i] = o.ok ? [true, o.value] : [false, `m${i}`];
        finished++;
        if (expected === "unfired") {
          if (o.ok && opts.fireOnOneCallback) expected = ["first", o.value, i];
          else if (!o.ok && opts.fireOnOneErrback) expected = ["error", i];
          else if (finished === n) expected = ["list"];
        }
      }

      const dl = new DeferredList(ds, opts);
      for (const i of later) {
        const o = outcomes[i];
        if (o.ok) ds[i].callback(o.value);
        else ds[i].errback(errs[i]);
      }

      // What each member's own chain continues with.
      ds.forEach((d, i) => {
        const o = outcomes[i];
        let seen: unknown = "nothing";
        d.addBoth((r: unknown) => {
          seen = r;
          return null;
        });
        if (o.ok) assert.equal(seen, o.value, `seed ${seed}: member ${i}`);
        else if (opts.consumeErrors) assert.equal(seen, null, `seed ${seed}: member ${i} consumed`);
        else {assert.ok(
            seen instanceof Failure && seen.value === errs[i],
            `seed ${seed}: member ${i} keeps its failure`,
          );}
      });

      const normalize = (list: readonly unknown[]): unknown[] =>
        list.map((item) => {
          if (item === undefined) return undefined;
          const [ok, v] = item as [boolean, unknown];
          return ok ? [true, v] : [false, ((v as Failure).value as Error).message];
        });
      assert.deepEqual(normalize(dl.resultList), expectedList, `seed ${seed}: resultList`);

      let got: unknown = "unfired";
      dl.addBoth((r: unknown) => {
        got = r;
        return null;
      });
      if (expected === "unfired") {
        assert.equal(got, "unfired");
      } else if ((expected as unknown[])[0] === "list") {
        assert.deepEqual(normalize(got as unknown[]), expectedList);
      } else if ((expected as unknown[])[0] === "first") {
        assert.deepEqual(got, (expected as unknown[]).slice(1));
      } else {
        assert.ok(got instanceof Failure && got.value instanceof FirstError);
        assert.equal((got.value as FirstError).index, (expected as unknown[])[1]);
      }
    }
  });
});
