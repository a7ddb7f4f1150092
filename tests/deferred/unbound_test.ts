// Deferred's callback, errback and cancel work unbound, as Twisted code
// passes them: `reactor.callLater(5, d.callback, 2)`, `callLater(2, d.cancel)`,
// `d.addCallback(other.callback)` (bound methods in Python).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { DeferredList } from "../../deferred/deferred_list.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { createReactor } from "../../reactor/install.ts";
import { Clock } from "../../task/clock.ts";
import { runFor } from "../reactor/_reactor_kinds.ts";

function outcome(d: Deferred<unknown>): { value?: unknown; failure?: Failure; } {
  const out: { value?: unknown; failure?: Failure; } = {};
  d.addCallbacks((v: unknown) => {
    out.value = v;
  }, (f: Failure) => {
    out.failure = f;
  });
  return out;
}

describe("unbound callback / errback / cancel (Twisted's bound methods)", () => {
  it("through a real reactor's callLater: callback, errback and cancel fire their Deferred", async () => {
    const reactor = createReactor();
    const fired = new Deferred<number>();
    const failed = new Deferred<number>();
    const cancelled = new Deferred<number>();
    const got = outcome(fired);
    const gotFailure = outcome(failed);
    const gotCancel = outcome(cancelled);
    reactor.callLater(0.001, fired.callback, 2);
    reactor.callLater(0.001, failed.errback, new Error("late"));
    reactor.callLater(0.001, cancelled.cancel);
    reactor.callLater(0.01, () => reactor.stop());
    await runFor(reactor, 10_000, "unbound callLater");
    assert.equal(got.value, 2);
    assert.equal(gotFailure.failure?.getErrorMessage(), "late");
    assert.ok(gotCancel.failure?.check(CancelledError));
  });

  it("through Clock.callLater", () => {
    const clock = new Clock();
    const d = new Deferred<string>();
    const e = new Deferred<string>();
    const c = new Deferred<string>();
    const got = outcome(d);
    const gotE = outcome(e);
    const gotC = outcome(c);
    clock.callLater(5, d.callback, "five");
    clock.callLater(1, e.errback);
    clock.callLater(2, c.cancel);
    clock.advance(1);
    assert.match(String(gotE.failure?.getErrorMessage()), /./);
    assert.equal(c.called, false);
    clock.advance(1);
    assert.ok(gotC.failure?.check(CancelledError));
    clock.advance(3);
    assert.equal(got.value, "five");
  });

  it("addCallback(d2.callback) / addErrback(d2.errback) chain one Deferred into another", () => {
    const src = new Deferred<number>();
    const dst = new Deferred<number>();
    src.addCallback(dst.callback);
    src.callback(7);
    assert.equal(dst.result, 7);
    assert.equal(src.result, undefined); // callback returned nothing

    const bad = new Deferred<number>();
    const dst2 = new Deferred<number>();
    const got = outcome(dst2);
    bad.addErrback(dst2.errback);
    bad.errback(new Error("passed on"));
    assert.equal(got.failure?.getErrorMessage(), "passed on");
  });

  it("errback() with no argument still differs from errback(undefined)", () => {
    const a = new Deferred();
    const b = new Deferred();
    const fa = outcome(a);
    const fb = outcome(b);
    const ea = a.errback;
    const eb = b.errback;
    ea();
    eb(undefined);
    assert.ok(fa.failure?.value instanceof Error);
    assert.equal(fb.failure?.value, undefined);
  });

  it("an unbound callback still refuses a Deferred and a second firing", () => {
    const d = new Deferred<unknown>();
    const fire = d.callback;
    assert.throws(() => fire(new Deferred()), TypeError);
    fire(1);
    assert.throws(() => fire(2), /AlreadyCalled/);
  });

  it("the bound functions are made once per Deferred", () => {
    const d = new Deferred<number>();
    assert.equal(d.callback, d.callback);
    assert.equal(d.errback, d.errback);
    assert.equal(d.cancel, d.cancel);
    assert.notEqual(new Deferred<number>().callback, d.callback);
  });

  it("DeferredList.cancel works unbound too", () => {
    const a = new Deferred<number>();
    const dl = new DeferredList([a], { consumeErrors: true });
    const clock = new Clock();
    clock.callLater(1, dl.cancel);
    clock.advance(1);
    assert.equal(a.called, true);
    assert.equal(dl.called, true);
  });
});

describe("typing of callback (compile-time checks; fail deno check / tsc if they regress)", () => {
  it("Deferred<undefined> and Deferred<void> may be fired with no argument; others may not", () => {
    const u = new Deferred<undefined>();
    u.callback();
    const v = new Deferred<void>();
    v.callback();
    const n = new Deferred<number>();
    const typeErrors = (): void => {
      // @ts-expect-error: a Deferred<number> needs its number
      n.callback();
      // @ts-expect-error: a string is not a number
      n.callback("1");
      const s = new Deferred<string>();
      // @ts-expect-error: a string stage cannot fire a Deferred<number>
      s.addCallback(n.callback);
      const clock = new Clock();
      // @ts-expect-error: callLater's arguments must fit the unbound callback
      clock.callLater(1, n.callback, "one");
    };
    void typeErrors;
    n.callback(new Failure(new Error("a Failure is always accepted")));
    n.addErrback(() => null);
    assert.equal(u.called && v.called && n.called, true);
  });

  it("Deferred stays covariant: Deferred<number> is a Deferred<number | string> and a Deferred<unknown>", () => {
    const n = new Deferred<number>();
    const wider: Deferred<number | string> = n;
    const any: Deferred<unknown>[] = [n, new Deferred<undefined>(), new Deferred<string>()];
    const generic = <T>(d: Deferred<T>): Deferred<unknown> => d;
    const typeErrors = (): void => {
      // @ts-expect-error: Deferred<number> is not a Deferred<string>
      const wrong: Deferred<string> = n;
      void wrong;
    };
    void typeErrors;
    assert.equal(generic(wider), n);
    assert.equal(any.length, 3);
  });
});
