// Promise / AbortSignal interop of Deferred: `then`/`await`, `toPromise`,
// `fromPromise`, `fromAsync`, `cancelOnAbort`. Twisted's counterparts are
// `Deferred.asFuture` / `fromFuture` (test_defer.DeferredFutureAdapterTests);
// where Skein differs on purpose (awaiting does not consume the result), the
// test says so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";

function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("await / then", () => {
  it("await waits for a Deferred that fires later", async () => {
    const d = new Deferred<string>();
    setTimeout(() => d.callback("later"), 1);
    assert.equal(await d, "later");
  });

  it("awaiting leaves the result in the chain (unlike Twisted's asFuture, which leaves None)", async () => {
    const d = succeed({ n: 1 });
    const got = await d;
    assert.equal(d.result, got);
    let after: unknown;
    d.addCallback((r) => {
      after = r;
    });
    assert.equal(after, got);
  });

  it("two awaiters and a callback all see the same result", async () => {
    const d = new Deferred<number>();
    const a = d.toPromise();
    const b = d.then((n) => n * 2);
    let c = 0;
    d.addCallback((n) => {
      c = n;
    });
    d.callback(21);
    assert.deepEqual(await Promise.all([a, b]), [21, 42]);
    assert.equal(c, 21);
  });

  it("then(onFulfilled, onRejected) calls the handlers asynchronously, as Promises must", async () => {
    const order: string[] = [];
    const p = succeed(1).then((v) => {
      order.push(`fulfilled ${v}`);
      return v + 1;
    });
    order.push("after then");
    assert.equal(await p, 2);
    assert.deepEqual(order, ["after then", "fulfilled 1"]);
    const e = new RangeError("r");
    const q = await fail(e).then(() => "no", (reason) => reason);
    assert.equal(q, e, "rejects with the original error value, not the Failure");
  });

  it("Deferreds work with Promise.all / Promise.race / Promise.resolve", async () => {
    const later = new Deferred<string>();
    setTimeout(() => later.callback("b"), 1);
    assert.deepEqual(await Promise.all([succeed("a"), later, Promise.resolve("c")]), [
      "a",
      "b",
      "c",
    ]);
    assert.equal(await Promise.race([new Deferred<number>(), succeed(7)]), 7);
    assert.equal(await Promise.resolve(succeed("adopted")), "adopted");
  });

  it("await rethrows non-Error values as they were thrown", async () => {
    await assert.rejects(async () => {
      await fail("just a string");
    }, (got) => got === "just a string");
  });

  it("the failure stays in the chain after a rejection is delivered", async () => {
    const d = fail(new RangeError("stays"));
    await assert.rejects(d.toPromise(), RangeError);
    assert.ok(d.result instanceof Failure);
    d.addErrback(() => null);
  });

  it("a stage returning a thenable that resolves synchronously continues at once", () => {
    const thenable = {
      then(onFulfilled: (v: number) => void): void {
        onFulfilled(7);
      },
    };
    const d = succeed(1).addCallback(() => thenable as PromiseLike<number>).addCallback((n) =>
      n + 1
    );
    assert.equal(d.result, 8);
  });

  it("a stage returning a rejected Promise switches to the errback track", async () => {
    const d = succeed(1).addCallback(() => Promise.reject(new RangeError("nope")));
    await tick();
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(RangeError));
  });

  it("cancelling a Deferred that waits on a Promise from a stage errbacks with CancelledError", async () => {
    let resolveLater!: (v: string) => void;
    const d = succeed(1).addCallback(() => new Promise<string>((r) => (resolveLater = r)));
    d.cancel();
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(CancelledError));
    resolveLater("too late");
    await tick();
    assert.equal(failures.length, 1);
  });
});

describe("Deferred.fromPromise", () => {
  it("fires with the Promise's value, or fails with its reason", async () => {
    const ok = Deferred.fromPromise(Promise.resolve("v"));
    assert.equal(ok.called, false, "a Promise settles asynchronously");
    await tick();
    assert.equal(ok.result, "v");
    const e = new RangeError("r");
    const bad = Deferred.fromPromise(Promise.reject(e));
    await tick();
    const failures: Failure[] = [];
    bad.addErrback((f) => {
      failures.push(f);
    });
    assert.equal(failures[0].value, e);
  });

  it("returns a Deferred as it is", () => {
    const d = new Deferred<number>();
    assert.equal(Deferred.fromPromise(d), d);
  });

  it("cancel errbacks at once with CancelledError and drops the Promise's later outcome", async () => {
    let reject!: (e: unknown) => void;
    const d = Deferred.fromPromise(new Promise<string>((_r, j) => (reject = j)));
    d.cancel();
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(CancelledError));
    reject(new Error("late rejection"));
    await tick();
    assert.equal(failures.length, 1, "no AlreadyCalledError, no unhandled rejection");
  });

  it("options.signal: aborting cancels the Deferred; an already-aborted signal cancels at once", () => {
    const ac = new AbortController();
    const d = Deferred.fromPromise(new Promise<string>(() => {}), { signal: ac.signal });
    assert.equal(d.called, false);
    ac.abort();
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(CancelledError));
    const pre = AbortSignal.abort();
    const d2 = Deferred.fromPromise(new Promise<string>(() => {}), { signal: pre });
    assert.ok(d2.called);
    d2.addErrback(() => null);
  });

  it("options.signal: aborting after the Deferred fired does nothing", async () => {
    const ac = new AbortController();
    const d = Deferred.fromPromise(Promise.resolve(5), { signal: ac.signal });
    await tick();
    ac.abort();
    assert.equal(d.result, 5);
  });
});

describe("Deferred.fromAsync / cancelOnAbort (cancellation <-> AbortSignal)", () => {
  it("passes an AbortSignal that cancel() aborts, with a CancelledError reason", async () => {
    let seen: AbortSignal | null = null;
    const d = Deferred.fromAsync((signal) => {
      seen = signal;
      return new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => resolve("done"), 10_000);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          reject(signal.reason);
        });
      });
    });
    assert.ok(seen !== null);
    const signal = seen as AbortSignal;
    assert.equal(signal.aborted, false);
    d.cancel();
    assert.equal(signal.aborted, true);
    assert.ok(signal.reason instanceof CancelledError);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(CancelledError));
    await tick();
    assert.equal(failures.length, 1, "the work's own rejection afterwards is dropped");
  });

  it("fires with the async function's result", async () => {
    const d = Deferred.fromAsync(async () => {
      await tick();
      return 42;
    });
    assert.equal(await d, 42);
  });

  it("a synchronous throw or value is delivered at once", () => {
    const thrown = Deferred.fromAsync(() => {
      throw new RangeError("sync");
    });
    const failures: Failure[] = [];
    thrown.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(RangeError));
    assert.equal(Deferred.fromAsync(() => "plain").result, "plain");
  });

  it("a Deferred returned by the function is followed", () => {
    const inner = new Deferred<number>();
    const d = Deferred.fromAsync(() => inner);
    inner.callback(3);
    assert.equal(d.result, 3);
  });

  it("options.signal cancels it from outside, which aborts the inner signal", () => {
    const outer = new AbortController();
    let inner: AbortSignal | null = null;
    const d = Deferred.fromAsync((signal) => {
      inner = signal;
      return new Promise<never>(() => {});
    }, { signal: outer.signal });
    outer.abort();
    assert.equal((inner as AbortSignal | null)?.aborted, true);
    assert.equal(d.called, true);
    d.addErrback(() => null);
  });

  it("cancelOnAbort cancels the Deferred when the signal aborts, and returns it", () => {
    const ac = new AbortController();
    let cancelled = false;
    const d = new Deferred<string>(() => {
      cancelled = true;
    });
    assert.equal(d.cancelOnAbort(ac.signal), d);
    ac.abort();
    assert.equal(cancelled, true);
    d.addErrback(() => null);
  });
});

describe("misbehaving thenables", () => {
  it("a thenable whose then() throws fails the Deferred instead of escaping", () => {
    const bad = {
      then(): void {
        throw new RangeError("then exploded");
      },
    } as unknown as PromiseLike<number>;
    const d = Deferred.fromPromise(bad);
    const failures: Failure[] = [];
    d.addErrback((f) => {
      failures.push(f);
    });
    assert.ok(failures[0].check(RangeError));
    const chained = succeed(1).addCallback(() => bad).addErrback((f) => f.getErrorMessage());
    assert.equal(chained.result, "then exploded");
  });

  it("a result whose `then` getter throws fails the chain, as a Promise would reject", () => {
    const hostile = new Proxy({}, {
      get(): never {
        throw new RangeError("no properties here");
      },
    });
    const d = succeed(1).addCallback(() => hostile).addErrback((f) => f.getErrorMessage());
    assert.equal(d.result, "no properties here");
  });

  it("a thenable that settles twice only counts once", () => {
    const twice = {
      then(ok: (v: number) => void, bad: (e: unknown) => void): void {
        ok(1);
        ok(2);
        bad(new Error("late"));
      },
    } as PromiseLike<number>;
    assert.equal(Deferred.fromPromise(twice).result, 1);
  });
});
