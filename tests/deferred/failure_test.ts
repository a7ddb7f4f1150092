// Tests for Failure: each names the Twisted behaviour
// (twisted/test/test_failure.py) it pins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";

class MyError extends Error {
  override name = "MyError";
}
class SubError extends MyError {
  override name = "SubError";
}

describe("Failure construction (test_failure.FailureTests)", () => {
  it("wraps an Error: value and type", () => {
    const e = new RangeError("r");
    const f = new Failure(e);
    assert.equal(f.value, e);
    assert.equal(f.type, RangeError);
  });

  it("wraps any thrown value, not only Errors (Twisted accepts any object, e.g. a tuple)", () => {
    const tuple = [1, "two"];
    assert.equal(new Failure(tuple).value, tuple);
    assert.equal(new Failure(tuple).type, Array);
    assert.equal(new Failure("s").type, String);
    assert.equal(new Failure(3).type, Number);
    assert.equal(new Failure(undefined).value, undefined);
    assert.equal(new Failure(undefined).type, null);
    assert.equal(new Failure(null).type, null);
    assert.equal(new Failure(Object.create(null)).type, null);
  });

  it("wrapping a Failure copies it instead of nesting (test_failureValueFromFailure)", () => {
    const inner = new Failure(new MyError("m"));
    const outer = new Failure(inner);
    assert.equal(outer.value, inner.value);
    assert.equal(outer.type, MyError);
  });

  it("with no argument at all, a generic Error records where it was made", () => {
    const f = new Failure();
    assert.ok(f.value instanceof Error);
    assert.match(f.getErrorMessage(), /without a value/);
  });

  it("parents lists the class chain, most derived first (Failure.parents)", () => {
    assert.deepEqual(new Failure(new SubError("x")).parents, [
      "SubError",
      "MyError",
      "Error",
      "Object",
    ]);
    assert.deepEqual(new Failure("s").parents, ["String", "Object"]);
  });
});

describe("check / trap (test_failure.FailureTests.test_failAndTrap & co.)", () => {
  it("check returns the first matching argument, following inheritance", () => {
    const f = new Failure(new SubError("x"));
    assert.equal(f.check(TypeError), null);
    assert.equal(f.check(TypeError, MyError, SubError), MyError);
    assert.equal(f.check(Error), Error, "check(Exception) matches a subclass (MRO)");
  });

  it("check accepts class names as strings (Twisted matches qualified names)", () => {
    const f = new Failure(new SubError("x"));
    assert.equal(f.check("MyError"), "MyError");
    assert.equal(f.check("TypeError"), null);
  });

  it("check works for primitive values through their wrapper class", () => {
    assert.equal(new Failure("str").check(String), String);
    assert.equal(new Failure("str").check(Number), null);
    assert.equal(new Failure(5).check(Object), Object);
    assert.equal(new Failure(undefined).check(Object), null);
  });

  it("check tolerates classes with a throwing Symbol.hasInstance", () => {
    const Weird = class {
      static [Symbol.hasInstance](): boolean {
        throw new Error("nope");
      }
    };
    assert.equal(new Failure(new Error("e")).check(Weird), null);
  });

  it("trap returns the matching class (test_failAndTrap)", () => {
    const f = new Failure(new SubError("x"));
    assert.equal(f.trap(RangeError, MyError), MyError);
  });

  it("trap re-throws the original value, not the Failure (test_trapRaisesWrappedException)", () => {
    const e = new RangeError("original");
    const f = new Failure(e);
    assert.throws(() => f.trap(TypeError), (got) => got === e);
    const f2 = new Failure("a string");
    assert.throws(() => f2.trap(Error), (got) => got === "a string");
  });

  it("raiseException throws the original value", () => {
    const e = new MyError("raise me");
    assert.throws(() => new Failure(e).raiseException(), (got) => got === e);
  });

  it("throwExceptionIntoGenerator throws the value at the yield", () => {
    function* g(): Generator<number, string, unknown> {
      try {
        yield 1;
      } catch (err) {
        return `caught ${(err as Error).message}`;
      }
      return "no";
    }
    const it = g();
    it.next();
    const r = new Failure(new Error("x")).throwExceptionIntoGenerator(it);
    assert.deepEqual(r, { value: "caught x", done: true });
  });
});

describe("messages and tracebacks (test_failure.FailureTests.test_getErrorMessage & co.)", () => {
  it("getErrorMessage is the Error's message, or the value as text", () => {
    assert.equal(new Failure(new Error("boom")).getErrorMessage(), "boom");
    assert.equal(new Failure(42).getErrorMessage(), "42");
    assert.equal(new Failure("plain").getErrorMessage(), "plain");
    assert.equal(new Failure({ a: 1 }).getErrorMessage(), "{\"a\":1}");
    assert.equal(new Failure(undefined).getErrorMessage(), "undefined");
  });

  it("an unprintable value does not make getErrorMessage/getTraceback throw (test_brokenStr)", () => {
    const bad = {
      toString(): string {
        throw new Error("no str for you");
      },
    };
    const f = new Failure(bad);
    assert.match(f.getErrorMessage(), /unprintable/);
    assert.match(f.getTraceback(), /unprintable/);
    const badErr = new Error("x");
    Object.defineProperty(badErr, "message", {
      get(): string {
        throw new Error("bad message");
      },
    });
    assert.match(new Failure(badErr).getErrorMessage(), /unprintable/);
  });

  it("getTraceback includes the stack", () => {
    function whereItFailed(): Error {
      return new MyError("deep");
    }
    const tb = new Failure(whereItFailed()).getTraceback();
    assert.match(tb, /MyError: deep/);
    assert.match(tb, /whereItFailed/);
  });

  it("getTraceback follows the Error.cause chain", () => {
    const root = new TypeError("root cause");
    const mid = new Error("middle", { cause: root });
    const top = new MyError("top", { cause: mid });
    const tb = new Failure(top).getTraceback();
    const iTop = tb.indexOf("MyError: top");
    const iMid = tb.indexOf("Caused by: Error: middle");
    const iRoot = tb.indexOf("Caused by: TypeError: root cause");
    assert.ok(iTop >= 0 && iMid > iTop && iRoot > iMid, tb);
  });

  it("a non-Error cause is shown too, and a cyclic cause chain terminates", () => {
    const e = new Error("with string cause", { cause: "just text" });
    assert.match(new Failure(e).getTraceback(), /Caused by: String: just text/);
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown; }).cause = b;
    assert.match(new Failure(a).getTraceback(), /circular/);
  });

  it("getBriefTraceback is one line per error", () => {
    const e = new MyError("top", { cause: new Error("under") });
    assert.equal(new Failure(e).getBriefTraceback(), "MyError: top\nCaused by: Error: under");
  });

  it("a non-Error value renders as Type: value", () => {
    assert.equal(new Failure("oops").getTraceback(), "String: oops");
    assert.equal(new Failure(7).getBriefTraceback(), "Number: 7");
  });

  it("printTraceback / printBriefTraceback write the tracebacks (test_printingSmokeTest)", () => {
    const out: string[] = [];
    const f = new Failure(new RangeError("printed"));
    f.printTraceback((s) => out.push(s));
    f.printBriefTraceback((s) => out.push(s));
    assert.equal(out[0], f.getTraceback());
    assert.equal(out[1], "RangeError: printed");
  });

  it("toString is [Failure instance: ...] (Twisted's str(failure))", () => {
    assert.match(String(new Failure(new Error("x"))), /^\[Failure instance: Error: x/);
  });
});
