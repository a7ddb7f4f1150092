import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { FirstError as FirstErrorFromList } from "../../deferred/deferred_list.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { FirstError, gatherResults } from "../../deferred/gather_results.ts";
import { expectType, failureOf, successOf } from "./_h2_helpers.ts";

describe("gatherResults (twisted.internet.defer.gatherResults)", () => {
  it("testGatherResults: the values in input order", () => {
    const d1 = new Deferred<number>();
    const d2 = succeed("two");
    const g = gatherResults([d1, d2]);
    assert.equal(g.called, false);
    d1.callback(1);
    assert.deepEqual(successOf(g), [1, "two"]);
  });

  it("an empty list gives []", () => {
    assert.deepEqual(successOf(gatherResults([])), []);
  });

  it("a failure gives Failure(FirstError), not the member's error", () => {
    const g = gatherResults([succeed(1), fail<number>(new RangeError("bad")), succeed(3)], {
      consumeErrors: true,
    });
    const f = failureOf(g);
    assert.ok(f.check(FirstError));
    const fe = f.value as FirstError;
    assert.equal(fe.index, 1);
    assert.ok(fe.subFailure.value instanceof RangeError);
    assert.equal(FirstError, FirstErrorFromList, "one FirstError class");
  });

  it("test_gatherResultsWithConsumeErrors: the failed member continues with null", () => {
    const dgood = succeed(1);
    const dbad = fail<number>(new RangeError("oh no"));
    const g = gatherResults([dgood, dbad], { consumeErrors: true });
    const after: unknown[] = [];
    dbad.addCallback((v) => after.push(v));
    assert.deepEqual(after, [null]);
    assert.ok(failureOf(g).check(FirstError));
  });

  it("without consumeErrors the failed member keeps its Failure", () => {
    const dbad = fail<number>(new RangeError("kept"));
    const g = gatherResults([dbad]);
    failureOf(g);
    assert.equal(failureOf(dbad).getErrorMessage(), "kept");
  });

  it("test_cancelGatherResults: cancel cancels every member; fails with FirstError(CancelledError)", () => {
    const d1 = new Deferred<number>();
    const d2 = new Deferred<string>();
    const g = gatherResults([d1, d2], { consumeErrors: true });
    g.cancel();
    assert.ok(d1.called && d2.called);
    const fe = failureOf(g).value as FirstError;
    assert.equal(fe.index, 0);
    assert.ok(fe.subFailure.check(CancelledError));
  });

  it("test_cancelGatherResultsWithAllDeferredsCallback: cancellers that succeed give the values", () => {
    const d1 = new Deferred<string>((d) => d.callback("one"));
    const d2 = new Deferred<string>((d) => d.callback("two"));
    const g = gatherResults([d1, d2]);
    g.cancel();
    assert.deepEqual(successOf(g), ["one", "two"]);
  });

  it("types: a tuple of Deferreds gives a tuple of values", () => {
    const g = gatherResults([succeed(1), succeed("s"), succeed(true)]);
    const values = successOf(g);
    assert.deepEqual(values, [1, "s", true]);
    const [n, s, b] = values;
    {
      expectType<number>(n);
      expectType<string>(s);
      expectType<boolean>(b);
      // @ts-expect-error the second value is a string
      expectType<number>(s);
    }
    const arr: Deferred<number>[] = [succeed(1), succeed(2)];
    expectType<Deferred<number[]>>(gatherResults(arr));
  });
});
