// Debug mode (Twisted's defer.setDebugging / getDebugging and the
// AlreadyCalledError debug info, test_defer.DeferredTests /
// AlreadyCalledTests).
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { getDebugging, setDebugging } from "../../deferred/debug.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { AlreadyCalledError } from "../../deferred/errors.ts";

function createHere(): Deferred<number> {
  return new Deferred<number>();
}

function fireHere(d: Deferred<number>): void {
  d.callback(1);
}

describe("Deferred debug mode (test_defer.AlreadyCalledTests)", () => {
  afterEach(() => setDebugging(false));

  it("setDebugging / getDebugging toggle the flag", () => {
    assert.equal(getDebugging(), false);
    setDebugging(true);
    assert.equal(getDebugging(), true);
    setDebugging(false);
    assert.equal(getDebugging(), false);
  });

  it("without debugging, AlreadyCalledError has no stacks (testNoDebugging)", () => {
    const d = createHere();
    fireHere(d);
    assert.throws(
      () => d.callback(2),
      (e: unknown) => e instanceof AlreadyCalledError && !/Invoker/.test(e.message),
    );
  });

  it("with debugging, AlreadyCalledError shows where it was created and first fired (testAlreadyCalledDebug_CC)", () => {
    setDebugging(true);
    const d = createHere();
    fireHere(d);
    let caught: unknown;
    try {
      (function secondCall(): void {
        d.callback(2);
      })();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof AlreadyCalledError);
    const m = caught.message;
    assert.match(m, / C: Deferred was created:/);
    assert.match(m, / I: First Invoker was:/);
    const created = m.slice(m.indexOf(" C:"), m.indexOf(" I:"));
    const invoked = m.slice(m.indexOf(" I:"));
    assert.match(created, /createHere/);
    assert.match(invoked, /fireHere/);
    assert.ok(
      created.split("\n").every((l) => l.startsWith(" C:") || l === ""),
      "every line is prefixed",
    );
    assert.doesNotMatch(
      created,
      /fireHere|secondCall/,
      "the creator stack lists only the creation",
    );
    assert.doesNotMatch(m, /secondCall/, "the second caller is not an invoker");
  });

  it("errback-then-callback shows the errback as the first invoker (testAlreadyCalledDebug_EC)", () => {
    setDebugging(true);
    const d = createHere();
    (function errbackHere(): void {
      d.errback(new Error("first"));
    })();
    d.addErrback(() => 0);
    assert.throws(
      () => d.callback(2),
      (e: unknown) => e instanceof AlreadyCalledError && /errbackHere/.test(e.message),
    );
  });

  it("a Deferred created before debugging was turned on still reports its first invoker", () => {
    const d = createHere();
    setDebugging(true);
    fireHere(d);
    assert.throws(
      () => d.callback(2),
      (e: unknown) =>
        e instanceof AlreadyCalledError && /fireHere/.test(e.message)
        && !/was created/.test(e.message),
    );
  });

  it("flipping debugging around between creating, adding and firing is harmless (testSwitchDebugging)", () => {
    setDebugging(false);
    const d = new Deferred<null>();
    d.addBoth(() => null);
    setDebugging(true);
    d.callback(null);
    setDebugging(false);
    const e = new Deferred<null>();
    e.callback(null);
    setDebugging(true);
    let ran = false;
    e.addBoth(() => {
      ran = true;
    });
    assert.equal(ran, true);
  });

  it("turning debugging off again stops recording for new Deferreds", () => {
    setDebugging(true);
    setDebugging(false);
    const d = createHere();
    fireHere(d);
    assert.throws(
      () => d.callback(2),
      (e: unknown) => e instanceof AlreadyCalledError && e.message === "",
    );
  });
});
