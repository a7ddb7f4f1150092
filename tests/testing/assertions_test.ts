/** Trial's Deferred assertions as functions (testing/assertions.ts), with the Twisted behaviour each pins. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, Failure, succeed } from "../../deferred/mod.ts";
import {
  assertApproximates,
  assertFailure,
  assertNoResult,
  assertSubstring,
  failureResultOf,
  successResultOf,
} from "../../testing/mod.ts";

describe("successResultOf (trial's SynchronousTestCase.successResultOf)", () => {
  it("returns the result now and consumes it (Twisted leaves d.result None)", () => {
    const d = succeed({ n: 1 });
    assert.deepEqual(successResultOf(d), { n: 1 });
    assert.equal(d.result, undefined);
  });

  it("fails on no result, and on a failure (quoting its traceback, and consuming it)", () => {
    assert.throws(
      () => successResultOf(new Deferred()),
      /^AssertionError.*Success result expected on .*, found no result instead/s,
    );
    const d = fail(new RangeError("bad"));
    assert.throws(() => successResultOf(d), /found failure result instead:\nRangeError: bad/);
    assert.equal(d.result, undefined);
  });

  it("a Deferred waiting on another has no result yet", () => {
    const inner = new Deferred<number>();
    const d = succeed(1).addCallback(() => inner);
    assert.throws(() => successResultOf(d), /found no result instead/);
    inner.callback(2);
  });
});

describe("failureResultOf (trial's failureResultOf, with types)", () => {
  it("returns the Failure, consumed, when it is one of the types", () => {
    const d = fail(new TypeError("t"));
    const f = failureResultOf(d, RangeError, TypeError);
    assert.ok(f instanceof Failure);
    assert.equal(f.getErrorMessage(), "t");
    assert.equal(d.result, undefined);
  });

  it("fails on a success, no result, or another type", () => {
    assert.throws(() => failureResultOf(succeed(5)), /found success result \(5\) instead/);
    assert.throws(
      () => failureResultOf(new Deferred()),
      /Failure result expected on .*, found no result instead/,
    );
    assert.throws(
      () => failureResultOf(fail(new SyntaxError("s")), RangeError),
      /Failure of type \(RangeError\) expected on .*, found type SyntaxError instead/,
    );
  });
});

describe("assertNoResult (trial's assertNoResult)", () => {
  it("passes on an unfired Deferred and leaves it usable", () => {
    const d = new Deferred<number>();
    assertNoResult(d);
    d.callback(3);
    assert.equal(successResultOf(d), 3);
  });

  it("fails on a result; a failure result is swallowed, not left unhandled", () => {
    assert.throws(
      () => assertNoResult(succeed("x")),
      /No result expected on .*, found "x" instead/,
    );
    const d = fail(new Error("gone"));
    assert.throws(() => assertNoResult(d), /No result expected/);
    assert.equal(d.result, undefined);
  });
});

describe("assertFailure (trial's assertFailure returns a Deferred)", () => {
  it("fires with the error on a match", async () => {
    const e = await assertFailure(fail(new RangeError("r")), TypeError, RangeError);
    assert.ok(e instanceof RangeError);
  });

  it("fails with 'did not catch an error' on success, and 'Expected:' on another type", async () => {
    await assert.rejects(
      assertFailure(succeed(1), Error).toPromise(),
      /did not catch an error, instead got 1/,
    );
    await assert.rejects(
      assertFailure(fail(new SyntaxError("s")), RangeError).toPromise(),
      /\nExpected: RangeError\nGot:\nSyntaxError: s/,
    );
  });

  it("needs at least one type", () => {
    assert.throws(() => assertFailure(succeed(1)), TypeError);
  });
});

describe("assertApproximates and assertSubstring", () => {
  it("assertApproximates compares within the tolerance and returns first", () => {
    assert.equal(assertApproximates(1.05, 1, 0.1), 1.05);
    assert.throws(() => assertApproximates(1.2, 1, 0.1), /1\.2 ~== 1/);
    assert.throws(() => assertApproximates(Number.NaN, 1, 0.1), /NaN ~== 1/);
  });

  it("assertSubstring", () => {
    assert.equal(assertSubstring("b", "abc"), "abc");
    assert.throws(() => assertSubstring("z", "abc", "custom"), /^AssertionError.*custom/s);
  });
});
