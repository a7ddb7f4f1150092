import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { FailureGroup, race, type RaceResult } from "../../deferred/race.ts";
import { LogCapture } from "../_log_capture.ts";
import { expectType, failureOf, successOf } from "./_h2_helpers.ts";

/** Twisted's _setupRaceState: Deferreds whose cancellers count their calls. */
function setupRaceState(n: number): [number[], Deferred<unknown>[]] {
  const cancelled = new Array<number>(n).fill(0);
  const ds = cancelled.map((_, i) =>
    new Deferred<unknown>(() => {
      cancelled[i] += 1;
    })
  );
  return [cancelled, ds];
}

describe("race (twisted.internet.defer.race, RaceTests)", () => {
  for (const [before, after] of [[0, 0], [0, 3], [2, 1], [3, 3]]) {
    it(`test_success (${before} before, ${after} after): [index, value]; the others are cancelled`, () => {
      const [cancelled, ds] = setupRaceState(before + 1 + after);
      const r = race(ds);
      const expected = { v: 1 };
      ds[before].callback(expected);
      const [index, value] = successOf(r);
      assert.equal(index, before);
      assert.equal(value, expected);
      assert.deepEqual(cancelled, [...Array(before).fill(1), 0, ...Array(after).fill(1)]);
    });

    it(`test_failure (${before} before, ${after} after): all fail → FailureGroup in index order`, () => {
      const [cancelled, ds] = setupRaceState(before + 1 + after);
      const r = race(ds);
      const failures = ds.map((_, i) => new Failure(new Error(`f${i}`)));
      // Fire in reverse order: the group is still in input order.
      for (let i = ds.length - 1; i >= 0; i--) ds[i].errback(failures[i]);
      const g = failureOf(r).value as FailureGroup;
      assert.ok(g instanceof FailureGroup);
      assert.ok(g instanceof AggregateError);
      assert.deepEqual(g.failures, failures);
      assert.deepEqual(g.errors, failures.map((f) => f.value));
      assert.deepEqual(cancelled, Array(ds.length).fill(0));
    });
  }

  it("test_resultAfterCancel: a loser firing after its cancel goes nowhere and logs nothing", () => {
    const logs = new LogCapture();
    try {
      const ds = [new Deferred<void>(), new Deferred<void>(), new Deferred<void>()];
      const r = race(ds);
      ds[1].callback();
      ds[2].callback(); // swallowed: the first callback after a canceller-less cancel
      assert.deepEqual(successOf(r), [1, undefined]);
      assert.deepEqual(logs.errors, []);
    } finally {
      logs.close();
    }
  });

  it("test_resultFromCancel: a loser whose canceller succeeds does no harm", () => {
    const winner = new Deferred<object>();
    const ds = [winner, new Deferred<object>((d) => d.callback({}))];
    const r = race(ds);
    const expected = {};
    winner.callback(expected);
    const [i, v] = successOf(r);
    assert.equal(i, 0);
    assert.equal(v, expected);
  });

  for (const n of [1, 2, 3]) {
    it(`test_cancel (${n}): cancelling the race cancels every input → FailureGroup`, () => {
      const [cancelled, ds] = setupRaceState(n);
      const r = race(ds);
      r.cancel();
      assert.deepEqual(cancelled, Array(n).fill(1));
      const g = failureOf(r).value as FailureGroup;
      assert.ok(g instanceof FailureGroup);
      assert.equal(g.failures.length, n);
      for (const f of g.failures) assert.ok(f.check(CancelledError));
    });
  }

  it("an input that already succeeded wins at once; later inputs are cancelled", () => {
    const [cancelled, ds] = setupRaceState(2);
    const r = race([succeed("now"), ...ds]);
    assert.deepEqual(successOf(r), [0, "now"]);
    assert.deepEqual(cancelled, [1, 1]);
  });

  it("inputs' own chains continue with null (results are consumed)", () => {
    const a = new Deferred<number>();
    const b = new Deferred<number>();
    race([a, b]);
    const seen: unknown[] = [];
    a.addBoth((x) => seen.push(x));
    b.addBoth((x) => seen.push(x));
    a.callback(5);
    assert.deepEqual(seen, [null, null]);
  });

  it("a loser's canceller that throws is logged; the race still fires and the others are cancelled", () => {
    const logs = new LogCapture();
    try {
      const bad = new Deferred<number>(() => {
        throw new RangeError("bad canceller");
      });
      const [cancelled, others] = setupRaceState(2);
      const winner = new Deferred<number>();
      const r = race([bad, winner, ...others]);
      winner.callback(3);
      assert.deepEqual(successOf(r), [1, 3]);
      assert.deepEqual(cancelled, [1, 1]);
      const errors = logs.errors;
      assert.equal(errors.length, 1);
      assert.ok(errors[0].failure?.check(RangeError));
      bad.callback(0);
    } finally {
      logs.close();
    }
  });

  it("an empty race never fires", () => {
    const r = race([]);
    assert.equal(r.called, false);
  });

  it("rejects non-Deferred inputs with a TypeError", () => {
    assert.throws(() => race([1 as unknown as Deferred<number>]), TypeError);
  });

  it("types: [index, value] pairs are typed per input", () => {
    const a = new Deferred<number>();
    const b = new Deferred<string>();
    const r = race([a, b]);
    expectType<Deferred<RaceResult<[Deferred<number>, Deferred<string>]>>>(r);
    r.addCallback((res) => {
      if (res[0] === 0) expectType<number>(res[1]);
      else expectType<string>(res[1]);
      return res;
    });
    // @ts-expect-error index 1 carries a string
    const bad: RaceResult<[Deferred<number>, Deferred<string>]> = [1, 2];
    void bad;
    b.callback("s");
    assert.deepEqual(successOf(r), [1, "s"]);
  });
});
