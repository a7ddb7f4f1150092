// Conformance tests for inlineCallbacks / ensureDeferred: each test names the
// Twisted behaviour (twisted/internet/test/test_inlinecb.py,
// test_defer.EnsureDeferredTests) it pins.
//
// The generator bodies below deliberately carry no return-type annotation:
// that inlineCallbacks infers their types (yield* gives T) is under test.
// deno-lint-ignore-file explicit-function-return-type
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { CancelledError, NotACoroutineError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { ensureDeferred, inlineCallbacks } from "../../deferred/inline_callbacks.ts";
import { collectUntil } from "./_gc.ts";

class TerminalError extends Error {}
class UntranslatedError extends Error {}
class TranslatedError extends Error {}
class DontFail extends Error {
  constructor(readonly actualValue: number) {
    super("dont fail");
  }
}

function resultOf<T>(d: Deferred<T>): T {
  let out: { v: T; } | null = null;
  let err: Failure | null = null;
  d.addCallbacks((v) => {
    out = { v };
    return v;
  }, (f) => {
    err = f;
    return f;
  });
  if (err !== null) throw (err as Failure).value;
  assert.ok(out !== null, "Deferred has no result yet");
  return (out as { v: T; }).v;
}

function failureOf(d: Deferred<unknown>): Failure {
  let err: Failure | null = null;
  d.addErrback((f) => {
    err = f;
  });
  assert.ok(err !== null, "Deferred has not failed");
  return err;
}

function assertNoResult(d: Deferred<unknown>): void {
  assert.equal(
    d.called && !(d.result instanceof Deferred),
    false,
    "Deferred unexpectedly has a result",
  );
}

describe("inlineCallbacks basics (test_inlinecb.BasicTests)", () => {
  it("yields a Deferred that callbacks and one that errbacks; returns a value (testBasics)", () => {
    const thing = new Deferred<string>();
    const f = inlineCallbacks(function*() {
      const x = yield thing;
      assert.equal(x, "hi");
      try {
        yield fail(new RangeError("OMG"));
      } catch (e) {
        assert.equal((e as Error).message, "OMG");
      }
      return "WOOSH";
    });
    const d = f();
    assertNoResult(d);
    thing.callback("hi");
    assert.equal(resultOf(d), "WOOSH");
  });

  it("an uncaught error errbacks the returned Deferred (testProducesException)", () => {
    const f = inlineCallbacks(function*() {
      yield succeed(1);
      throw new TerminalError("boom");
    });
    assert.ok(failureOf(f()).check(TerminalError));
  });

  it("a generator that never yields gives undefined (testNothing)", () => {
    // deno-lint-ignore require-yield
    const f = inlineCallbacks(function*() {
      return undefined;
    });
    assert.equal(resultOf(f()), undefined);
  });

  it("a handled failure does not errback (testHandledTerminalFailure / Async)", () => {
    const f = inlineCallbacks(function*(d: Deferred<unknown>) {
      try {
        yield d;
      } catch (e) {
        if (!(e instanceof TerminalError)) throw e;
      }
    });
    assert.equal(resultOf(f(fail(new TerminalError("handled")))), undefined);
    const d = new Deferred();
    const r = f(d);
    d.errback(new TerminalError("handled async"));
    assert.equal(resultOf(r), undefined);
  });

  it("the body runs synchronously until the first unfired Deferred", () => {
    const log: string[] = [];
    const pending = new Deferred<number>();
    const f = inlineCallbacks(function*() {
      log.push("start");
      yield succeed(1);
      log.push("after fired");
      yield pending;
      log.push("after pending");
    });
    f();
    assert.deepEqual(log, ["start", "after fired"]);
    pending.callback(2);
    assert.deepEqual(log, ["start", "after fired", "after pending"]);
  });

  it("100,000 yields of fired Deferreds do not grow the stack (testStackUsage)", () => {
    const f = inlineCallbacks(function*() {
      let total = 0;
      for (let i = 0; i < 100_000; i++) total += (yield succeed(1)) as number;
      return total;
    });
    assert.equal(resultOf(f()), 100_000);
  });

  it("100,000 yield* of fired Deferreds, typed, do not grow the stack", () => {
    const f = inlineCallbacks(function*() {
      let total = 0;
      for (let i = 0; i < 100_000; i++) total += yield* succeed(1);
      return total;
    });
    assert.equal(resultOf(f()), 100_000);
  });

  it("100,000 yields of plain values do not grow the stack (testStackUsage2)", () => {
    const f = inlineCallbacks(function*() {
      for (let i = 0; i < 100_000; i++) yield 1;
      return 0;
    });
    assert.equal(resultOf(f()), 0);
  });

  it("yielding a non-Deferred sends it back (testYieldNonDeferred)", () => {
    const f = inlineCallbacks(function*() {
      const x = yield 5;
      return x;
    });
    assert.equal(resultOf(f()), 5);
  });

  it("a function that does not return a generator throws TypeError at call time (test_nonGeneratorReturn)", () => {
    const f = inlineCallbacks((() => 5) as unknown as () => Generator<unknown, number, unknown>);
    assert.throws(
      () => f(),
      (e: unknown) => e instanceof TypeError && /inlineCallbacks/.test(e.message),
    );
  });

  it("yield* a Deferred is typed and gives its result", () => {
    const f = inlineCallbacks(function*(d: Deferred<number>) {
      const n: number = yield* d;
      const s: string = yield* succeed("x");
      return `${s}${n + 1}`;
    });
    const d = new Deferred<number>();
    const r: Deferred<string> = f(d);
    d.callback(41);
    assert.equal(resultOf(r), "x42");
  });

  it("yield* a failed Deferred throws at the yield", () => {
    const f = inlineCallbacks(function*() {
      try {
        yield* fail<number>(new TerminalError("typed"));
        return "not reached";
      } catch (e) {
        return (e as Error).message;
      }
    });
    assert.equal(resultOf(f()), "typed");
  });

  it("the yielded Deferred's result is consumed (becomes undefined, as Twisted's None)", () => {
    const inner = succeed(3);
    const f = inlineCallbacks(function*() {
      return yield inner;
    });
    assert.equal(resultOf(f()), 3);
    assert.equal(inner.result, undefined);
  });

  it("yield* of an already-fired Deferred leaves its result for others (Twisted's Deferred.send for yield from)", () => {
    const cached = succeed(5);
    const f = inlineCallbacks(function*() {
      return (yield* cached) + 1;
    });
    assert.equal(resultOf(f()), 6);
    assert.equal(resultOf(f()), 6, "a second body gets the same result");
    assert.equal(cached.result, 5);
  });

  it("yield* of an already-failed Deferred throws in and keeps the failure", () => {
    const failed = fail<number>(new TerminalError("seen"));
    const f = inlineCallbacks(function*() {
      try {
        return yield* failed;
      } catch (e) {
        return (e as Error).message;
      }
    });
    assert.equal(resultOf(f()), "seen");
    assert.ok(failed.result instanceof Failure, "the failure stays in place");
  });

  it("passes `this` and arguments through", () => {
    const obj = {
      base: 10,
      add: inlineCallbacks(function*(this: { base: number; }, n: number) {
        yield succeed(null);
        return this.base + n;
      }),
    };
    assert.equal(resultOf(obj.add(5)), 15);
  });

  it("returning a Deferred waits for it", () => {
    const later = new Deferred<string>();
    const f = inlineCallbacks(function*() {
      yield succeed(1);
      return later;
    });
    const d = f();
    assertNoResult(d);
    later.callback("adopted");
    assert.equal(resultOf(d), "adopted");
  });

  it("yielding a generator runs it as a nested body and waits for it (Twisted HEAD wraps yielded coroutines)", () => {
    const later = new Deferred<number>();
    function* child() {
      const n = yield* later;
      return n * 2;
    }
    const f = inlineCallbacks(function*() {
      const r = yield child();
      return r;
    });
    const d = f();
    assertNoResult(d);
    later.callback(21);
    assert.equal(resultOf(d), 42);
  });

  it("yielding a Promise waits for it", async () => {
    const f = inlineCallbacks(function*() {
      const a = yield Promise.resolve(2);
      let caught = "";
      try {
        yield Promise.reject(new TerminalError("rejected"));
      } catch (e) {
        caught = (e as Error).message;
      }
      return `${a}:${caught}`;
    });
    assert.equal(await f(), "2:rejected");
  });
});

describe("stacked inlineCallbacks (test_inlinecb.StackedInlineCallbacksTests)", () => {
  type Stage = (x: number) => Deferred<number>;
  function harness(): {
    deferreds: [Deferred<unknown>, unknown][];
    log: [string, number][];
    fire(): void;
    waiting(name: string, add: number, failWith?: Error): Stage;
    around(name: string, inner: Stage, add: number): Stage;
  } {
    const deferreds: [Deferred<unknown>, unknown][] = [];
    const log: [string, number][] = [];
    return {
      deferreds,
      log,
      fire(): void {
        for (const [d, x] of deferreds) {
          if (x instanceof Error) d.errback(x);
          else d.callback(x);
        }
      },
      /**
       * A generator that logs "<name> enter", waits on a Deferred that fire()
       * settles with its argument (or errbacks with `failWith`), adds `add`
       * and logs "<name> exit".
       */
      waiting(name: string, add: number, failWith?: Error): Stage {
        return inlineCallbacks(function*(x: number) {
          log.push([`${name} enter`, x]);
          const d = new Deferred<number>();
          deferreds.push([d as Deferred<unknown>, failWith ?? x]);
          x = (yield d) as number;
          x += add;
          log.push([`${name} exit`, x]);
          return x;
        });
      },
      /** A generator that logs "<name> enter", runs `yield* inner(x)`, adds `add`, logs "<name> exit". */
      around(name: string, inner: Stage, add: number): Stage {
        return inlineCallbacks(function*(x: number) {
          log.push([`${name} enter`, x]);
          x = yield* inner(x);
          x += add;
          log.push([`${name} exit`, x]);
          return x;
        });
      },
    };
  }

  it("nested calls blocking on one Deferred each (test_nonCalledDeferredSingleYield)", () => {
    const h = harness();
    const f1 = h.waiting("f1", 1);
    const f2 = h.around("f2", f1, 2);
    const f3 = h.around("f3", f2, 4);
    const res = f3(1);
    h.fire();
    assert.equal(resultOf(res), 8);
    assert.deepEqual(h.log, [
      ["f3 enter", 1],
      ["f2 enter", 1],
      ["f1 enter", 1],
      ["f1 exit", 2],
      ["f2 exit", 4],
      ["f3 exit", 8],
    ]);
  });

  it("callbacks added to an intermediate Deferred run before the outer resumes (test_intermediateAddCallbacksAndWithWaitingFirstYield)", () => {
    const h = harness();
    const f1 = h.waiting("f1", 1);
    const f2 = (x: number): number => {
      h.log.push(["f2 enter", x]);
      x += 2;
      h.log.push(["f2 exit", x]);
      return x;
    };
    const f3 = inlineCallbacks(function*(x: number) {
      h.log.push(["f3 enter", x]);
      const d = f1(x).addCallback(f2);
      x = yield* d;
      x += 4;
      h.log.push(["f3 exit", x]);
      return x;
    });
    const res = f3(1);
    h.fire();
    assert.equal(resultOf(res), 8);
    assert.deepEqual(h.log, [
      ["f3 enter", 1],
      ["f1 enter", 1],
      ["f1 exit", 2],
      ["f2 enter", 2],
      ["f2 exit", 4],
      ["f3 exit", 8],
    ]);
  });

  it("a failure from a nested call is thrown at the outer yield (test_raisesExceptionFromDeferredWithWaitingFirstCallback)", () => {
    const h = harness();
    class MyError extends Error {}
    const f2 = h.waiting("f2", 0, new MyError()); // errbacks: "f2 exit" is never logged
    const f3 = inlineCallbacks(function*(x: number) {
      h.log.push(["f3 enter", x]);
      try {
        x = yield* f2(x);
      } catch (e) {
        assert.ok(e instanceof MyError);
      }
      x += 4;
      h.log.push(["f3 exit", x]);
      return x;
    });
    const res = f3(1);
    h.fire();
    assert.equal(resultOf(res), 5);
    assert.deepEqual(h.log, [["f3 enter", 1], ["f2 enter", 1], ["f3 exit", 5]]);
  });
});

describe("inlineCallbacks cancellation (test_inlinecb.CancellationTests)", () => {
  // G: the generator; D: the Deferred G returns; C: the Deferred G waits on.
  class Fixture {
    outstanding: Deferred<unknown>[] = [];
    getDeferred = (): Deferred<unknown> => {
      const d = new Deferred();
      this.outstanding.push(d);
      return d;
    };
    stackedInlineCB = inlineCallbacks(function*(getChild: () => Deferred<unknown>) {
      const x = yield getChild();
      return x;
    });
    sampleInlineCB(
      getChild: () => Deferred<unknown> = this.getDeferred,
      stacked = false,
      firstDeferred: Deferred<unknown> | null = null,
    ): Deferred<number> {
      const stackedCB = this.stackedInlineCB;
      return inlineCallbacks(function*() {
        let x: number;
        try {
          if (stacked) {
            if (firstDeferred) yield firstDeferred;
            x = (yield stackedCB(getChild)) as number;
          } else {
            x = (yield getChild()) as number;
          }
        } catch (e) {
          if (e instanceof UntranslatedError) throw new TranslatedError();
          if (e instanceof DontFail) x = e.actualValue - 2;
          else throw e;
        }
        return x + 1;
      })();
    }
  }

  const variants: [string, boolean, boolean][] = [
    ["", false, false],
    [" (stacked)", true, false],
    [" (stacked, on second Deferred)", true, true],
  ];

  for (const [label, stacked, second] of variants) {
    it(`cancelling D cancels C at once (test_CascadeCancellingOnCancel${label})`, () => {
      const fx = new Fixture();
      let childResult: unknown = "FAILURE";
      const getChild = (): Deferred<unknown> =>
        new Deferred().addErrback((f) => {
          childResult = f.check(CancelledError);
          return f;
        });
      const first = second ? new Deferred() : null;
      const d = fx.sampleInlineCB(getChild, stacked, first);
      d.addErrback(() => null);
      first?.callback(1);
      d.cancel();
      assert.equal(childResult, CancelledError);
    });

    it(`C's CancelledError comes out of D (test_ErrbackCancelledErrorOnCancel${label})`, () => {
      const fx = new Fixture();
      const first = second ? new Deferred() : null;
      const d = fx.sampleInlineCB(undefined, stacked, first);
      first?.callback(1);
      d.cancel();
      assert.throws(() => failureOf(d).raiseException(), CancelledError);
    });

    it(`G may translate C's error into another (test_ErrorToErrorTranslation${label})`, () => {
      const fx = new Fixture();
      const a = new Deferred((it) => it.errback(new UntranslatedError()));
      const first = second ? new Deferred() : null;
      const d = fx.sampleInlineCB(() => a, stacked, first);
      first?.callback(1);
      d.cancel();
      assert.throws(() => failureOf(d).raiseException(), TranslatedError);
    });

    it(`G may translate C's error into success (test_ErrorToSuccessTranslation${label})`, () => {
      const fx = new Fixture();
      const a = new Deferred((it) => it.errback(new DontFail(4321)));
      const first = second ? new Deferred() : null;
      const d = fx.sampleInlineCB(() => a, stacked, first);
      const results: number[] = [];
      d.addCallback((r) => {
        results.push(r);
      });
      first?.callback(1);
      d.cancel();
      assert.deepEqual(results, [4320]);
    });

    it(`D waits until C's chain reaches G (test_AsynchronousCancellation${label})`, () => {
      const fx = new Fixture();
      const more = new Deferred<number>();
      const deferMe = (): Deferred<unknown> =>
        new Deferred().addErrback((f) => {
          f.trap(CancelledError);
          return more;
        });
      const first = second ? new Deferred() : null;
      const d = fx.sampleInlineCB(deferMe, stacked, first);
      first?.callback(1);
      d.cancel();
      assertNoResult(d);
      more.callback(6543);
      assert.equal(resultOf(d), 6544);
    });
  }

  it("a body that catches the CancelledError goes on; a second cancel reaches the next wait (test_inlineCallbacksCancelCaptured)", () => {
    const c1: unknown[] = [];
    const c2: unknown[] = [];
    const d1 = new Deferred((d) => c1.push(d));
    const d2 = new Deferred((d) => c2.push(d));
    const f = inlineCallbacks(function*() {
      try {
        yield d1;
      } catch {
        // swallowed
      }
      yield d2;
    });
    const funcD = f();
    assertNoResult(funcD);
    funcD.cancel();
    assert.deepEqual(c1, [d1]);
    assert.deepEqual(c2, []);
    assertNoResult(funcD);
    funcD.cancel();
    assert.equal(failureOf(funcD).type, CancelledError);
    assert.deepEqual(c2, [d2]);
  });

  it("a body that catches the CancelledError and returns succeeds", () => {
    const waited = new Deferred<string>();
    const f = inlineCallbacks(function*() {
      try {
        return yield* waited;
      } catch (e) {
        if (e instanceof CancelledError) return "cancelled politely";
        throw e;
      }
    });
    const d = f();
    d.cancel();
    assert.equal(resultOf(d), "cancelled politely");
  });
});

describe("ensureDeferred (test_defer.EnsureDeferredTests)", () => {
  it("passes a Deferred through unchanged (test_passesThroughDeferreds)", () => {
    const d = new Deferred();
    assert.equal(ensureDeferred(d), d);
  });

  it("refuses a non-coroutine with NotACoroutineError (test_willNotAllowNonDeferredOrCoroutine)", () => {
    assert.throws(() => ensureDeferred("something" as never), NotACoroutineError);
    assert.throws(() => ensureDeferred(1 as never), TypeError);
  });

  it("runs a generator (test_ensureDeferredGenerator)", () => {
    function* run(): Generator<unknown, string, unknown> {
      const res = yield* succeed("foo");
      return res;
    }
    const d: Deferred<string> = ensureDeferred(run());
    assert.equal(resultOf(d), "foo");
  });

  it("wraps an async function's Promise (test_ensureDeferredCoroutine)", async () => {
    const run = async (): Promise<string> => {
      const res = await succeed("foo");
      return res;
    };
    const d: Deferred<string> = ensureDeferred(run());
    assert.ok(d instanceof Deferred);
    assert.equal(await d, "foo");
  });
});

describe("tracebacks across inlineCallbacks (test_inlinecb.ForwardTraceBackTests)", () => {
  it("the traceback names every body the error left uncaught (test_forwardLotsOfTracebacks)", () => {
    const erroring = inlineCallbacks(function* erroring() {
      yield "forcing generator";
      throw new Error("Error Marker");
    });
    const calling3 = inlineCallbacks(function* calling3() {
      yield erroring();
    });
    const calling2 = inlineCallbacks(function* calling2() {
      yield calling3();
    });
    const calling = inlineCallbacks(function* calling() {
      yield calling2();
    });
    const tb = failureOf(calling()).getTraceback();
    assert.match(tb, /Error: Error Marker/);
    assert.match(tb, /at erroring/, "the throwing body's own frame");
    for (const name of ["calling3", "calling2", "calling"]) {
      assert.match(tb, new RegExp(`at async ${name} \\(inlineCallbacks\\)`));
    }
    assert.ok(tb.indexOf("async calling3") < tb.indexOf("async calling2"), "innermost first");
  });

  it("a body that catches and throws anew starts a new trail", () => {
    const inner = inlineCallbacks(function* inner() {
      yield null;
      throw new Error("first");
    });
    const translate = inlineCallbacks(function* translate() {
      try {
        yield inner();
      } catch {
        throw new RangeError("translated");
      }
    });
    const tb = failureOf(translate()).getTraceback();
    assert.match(tb, /RangeError: translated/);
    assert.match(tb, /at async translate/);
    assert.doesNotMatch(tb, /at async inner/);
  });
});

describe("async generator bodies (inlineCallbacks / ensureDeferred)", () => {
  it("yield and yield* wait for Deferreds and Promises; await works too", async () => {
    const later = new Deferred<number>();
    setTimeout(() => later.callback(2), 1);
    const f = inlineCallbacks(async function*(n: number) {
      const a: number = yield* succeed(n);
      const b = (yield later) as number;
      const c = await Promise.resolve(3);
      const e: string = yield* succeed("x");
      return `${e}${a + b + c}`;
    });
    const d: Deferred<string> = f(1);
    assert.equal(d.called, false, "an async body runs asynchronously");
    assert.equal(await d, "x6");
  });

  it("a failed Deferred throws at the yield; an uncaught error errbacks", async () => {
    const f = inlineCallbacks(async function*() {
      let caught = "";
      try {
        yield fail(new TerminalError("at yield"));
      } catch (e) {
        caught = (e as Error).message;
      }
      try {
        yield* fail<number>(new TerminalError("at yield*"));
      } catch (e) {
        caught += `, ${(e as Error).message}`;
      }
      await null;
      throw new RangeError(caught);
    });
    await assert.rejects(
      f().toPromise(),
      (e: unknown) => e instanceof RangeError && e.message === "at yield, at yield*",
    );
  });

  it("cancelling errbacks at once and ends the body at the yield it waits on", async () => {
    const log: string[] = [];
    const gate = new Deferred<null>();
    const f = inlineCallbacks(async function*() {
      try {
        yield gate;
        log.push("after gate");
        yield succeed(1);
        log.push("not reached");
      } finally {
        log.push("finally");
      }
    });
    const d = f();
    d.cancel();
    const failures: Failure[] = [];
    d.addErrback((fl) => {
      failures.push(fl);
    });
    assert.ok(failures[0].check(CancelledError));
    gate.callback(null);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(log, ["finally"], "ended at the yield it was waiting on");
  });

  it("ensureDeferred runs an async generator", async () => {
    async function* run() {
      const x = yield* succeed(20);
      return x + 1;
    }
    assert.equal(await ensureDeferred(run()), 21);
  });
});

describe("references (test_inlinecb.BasicTests.test_inlineCallbacksNoCircularReference)", () => {
  it("after the body returns, nothing keeps its arguments, generator or Deferred alive", async () => {
    const refs: WeakRef<object>[] = [];
    const func = inlineCallbacks(function*(a: object) {
      yield a;
      return a;
    });
    (() => {
      const obj = { some: "object" };
      refs.push(new WeakRef(obj));
      const d = func(obj);
      assert.equal(resultOf(d), obj);
      refs.push(new WeakRef(d));
    })();
    assert.ok(
      await collectUntil(() => refs.every((r) => r.deref() === undefined)),
      "something was kept alive",
    );
  });

  it("after cancellation, nothing keeps the generator alive", async () => {
    const refs: WeakRef<object>[] = [];
    (() => {
      const waited = new Deferred<number>();
      const big = { payload: new Array(1000).fill(0) };
      refs.push(new WeakRef(big));
      const d = inlineCallbacks(function*() {
        yield waited;
        return big.payload.length;
      })();
      d.addErrback(() => null);
      d.cancel();
      refs.push(new WeakRef(d));
    })();
    assert.ok(
      await collectUntil(() => refs.every((r) => r.deref() === undefined)),
      "something was kept alive",
    );
  });
});

describe("Deferred.fromCoroutine (Twisted's name for ensureDeferred)", () => {
  it("runs a generator, wraps a Promise and returns a Deferred as it is, like ensureDeferred", async () => {
    const fromGen = Deferred.fromCoroutine((function*(): Generator<unknown, number, unknown> {
      const n: number = yield* succeed(20);
      return n + 1;
    })());
    assert.equal(fromGen.result, 21);
    assert.equal(await Deferred.fromCoroutine(Promise.resolve("p")), "p");
    const d = new Deferred<string>();
    assert.equal(Deferred.fromCoroutine(d), d);
    assert.throws(
      () => Deferred.fromCoroutine(42 as unknown as Promise<number>),
      NotACoroutineError,
    );
  });
});
