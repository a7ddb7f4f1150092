import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { DeferredSemaphore } from "../../deferred/semaphore.ts";
import { failureOf, successOf } from "./_h2_helpers.ts";

describe("DeferredSemaphore (twisted.internet.defer.DeferredSemaphore, OtherPrimitivesTests)", () => {
  it("testSemaphore: N holders at once, FIFO, cancel of a waiter, release hands tokens on", () => {
    const N = 13;
    const sem = new DeferredSemaphore(N);
    const controlDeferred = new Deferred<string>();
    let arg: unknown = null;
    const resultDeferred = sem.run((x: string) => {
      arg = x;
      return controlDeferred;
    }, "first");
    let result: unknown = null;
    resultDeferred.addCallback((x) => {
      result = x;
    });
    assert.equal(arg, "first");
    assert.equal(result, null);
    controlDeferred.callback("second");
    assert.equal(result, "second");

    let counter = 0;
    const incr = (): void => {
      counter++;
    };
    for (let i = 1; i <= N; i++) {
      sem.acquire().addCallback(incr);
      assert.equal(counter, i);
    }
    const success: boolean[] = [];
    const d = sem.acquire().addCallbacks(() => {
      success.push(false);
    }, () => {
      success.push(true);
    });
    d.cancel();
    assert.deepEqual(success, [true]);

    sem.acquire().addCallback(incr);
    assert.equal(counter, N);
    sem.release();
    assert.equal(counter, N + 1);
    for (let i = 1; i <= N; i++) {
      sem.release();
      assert.equal(counter, N + 1);
    }
    assert.equal(sem.tokens, N);
  });

  it("test_semaphoreInvalidTokens: tokens must be an integer >= 1", () => {
    assert.throws(() => new DeferredSemaphore(0), RangeError);
    assert.throws(() => new DeferredSemaphore(-1), RangeError);
    assert.throws(() => new DeferredSemaphore(1.5), RangeError);
    assert.throws(() => new DeferredSemaphore(Number.NaN), RangeError);
  });

  it("tokens and limit", () => {
    const sem = new DeferredSemaphore(2);
    assert.equal(sem.limit, 2);
    sem.acquire();
    assert.equal(sem.tokens, 1);
    sem.acquire();
    assert.equal(sem.tokens, 0);
    sem.acquire();
    assert.equal(sem.waiting.length, 1);
    sem.release();
    assert.equal(sem.tokens, 0);
    assert.equal(sem.waiting.length, 0);
  });

  it("releasing more than acquired throws", () => {
    const sem = new DeferredSemaphore(1);
    assert.throws(() => sem.release(), /too many/);
  });

  it("test_cancelSemaphoreAfterAcquired: cancelling a fired acquire does nothing", () => {
    const sem = new DeferredSemaphore(1);
    const d = sem.acquire();
    d.cancel();
    assert.equal(successOf(d), sem);
    assert.equal(sem.tokens, 0);
  });

  it("test_cancelSemaphoreBeforeAcquired: a cancelled waiter leaves the queue", () => {
    const sem = new DeferredSemaphore(1);
    sem.acquire();
    const d = sem.acquire();
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
    assert.deepEqual(sem.waiting, []);
    sem.release();
    assert.equal(sem.tokens, 1);
  });

  it("run bounds concurrency and releases on failure", () => {
    const sem = new DeferredSemaphore(2);
    const gates = [new Deferred<number>(), new Deferred<number>(), new Deferred<number>()];
    let running = 0;
    let peak = 0;
    const results = gates.map((g) =>
      sem.run(() => {
        running++;
        peak = Math.max(peak, running);
        return g.addBoth((r) => {
          running--;
          return r;
        });
      })
    );
    assert.equal(running, 2);
    gates[0].errback(new RangeError("first failed"));
    assert.ok(failureOf(results[0]).check(RangeError));
    assert.equal(running, 2, "the third started when the first's token came back");
    gates[1].callback(1);
    gates[2].callback(2);
    assert.equal(successOf(results[1]), 1);
    assert.equal(successOf(results[2]), 2);
    assert.equal(peak, 2);
    assert.equal(sem.tokens, 2);
  });
});
