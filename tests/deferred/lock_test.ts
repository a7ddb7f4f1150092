import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred, succeed } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { DeferredLock } from "../../deferred/lock.ts";
import { expectType, failureOf, successOf } from "./_h2_helpers.ts";

describe("DeferredLock (twisted.internet.defer.DeferredLock, OtherPrimitivesTests)", () => {
  it("testLock: acquire/release FIFO, run waits for the function's Deferred, cancel of a waiter", () => {
    let counter = 0;
    const incr = (): void => {
      counter++;
    };
    const lock = new DeferredLock();
    lock.acquire().addCallback(incr);
    assert.ok(lock.locked);
    assert.equal(counter, 1);
    lock.acquire().addCallback(incr);
    assert.ok(lock.locked);
    assert.equal(counter, 1);
    lock.release();
    assert.ok(lock.locked);
    assert.equal(counter, 2);
    lock.release();
    assert.ok(!lock.locked);
    assert.equal(counter, 2);

    const firstUnique = { first: true };
    const secondUnique = { second: true };
    const controlDeferred = new Deferred<object>();
    let b: object | null = null;
    const helper = (x: object): Deferred<object> => {
      b = x;
      return controlDeferred;
    };
    const resultDeferred = lock.run(helper, firstUnique);
    assert.ok(lock.locked);
    assert.equal(b, firstUnique);
    let result: unknown = null;
    resultDeferred.addCallback((x) => {
      result = x;
    });
    lock.acquire().addCallback(incr);
    assert.ok(lock.locked);
    assert.equal(counter, 2);
    controlDeferred.callback(secondUnique);
    assert.equal(result, secondUnique);
    assert.ok(lock.locked);
    assert.equal(counter, 3);

    const d = lock.acquire();
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
    lock.release();
    assert.ok(!lock.locked);
  });

  it("acquire fires with the lock itself", () => {
    const lock = new DeferredLock();
    assert.equal(successOf(lock.acquire()), lock);
  });

  it("release of an unlocked lock throws", () => {
    const lock = new DeferredLock();
    assert.throws(() => lock.release(), /unlocked lock/);
  });

  it("test_cancelLockAfterAcquired: cancelling a fired acquire does nothing", () => {
    const lock = new DeferredLock();
    const d = lock.acquire();
    d.cancel();
    assert.equal(successOf(d), lock);
    assert.ok(lock.locked);
  });

  it("test_cancelLockBeforeAcquired: a cancelled waiter is removed from the queue", () => {
    const lock = new DeferredLock();
    lock.acquire();
    const d = lock.acquire();
    const after = lock.acquire();
    d.cancel();
    assert.ok(failureOf(d).check(CancelledError));
    assert.deepEqual(lock.waiting, [after]);
    lock.release();
    assert.equal(successOf(after), lock);
  });

  it("run releases after a synchronous result, a thrown error, or a failed Deferred", () => {
    const lock = new DeferredLock();
    assert.equal(successOf(lock.run((a: number, b: number) => a + b, 1, 2)), 3);
    assert.ok(!lock.locked);
    const thrown = lock.run((): never => {
      throw new RangeError("boom");
    });
    assert.ok(failureOf(thrown).check(RangeError));
    assert.ok(!lock.locked);
    const inner = new Deferred<number>();
    const failing = lock.run(() => inner);
    assert.ok(lock.locked);
    inner.errback(new TypeError("nope"));
    assert.ok(failureOf(failing).check(TypeError));
    assert.ok(!lock.locked);
  });

  it("run serialises: the second function starts only after the first's Deferred fires", () => {
    const lock = new DeferredLock();
    const order: string[] = [];
    const gate = new Deferred<void>();
    lock.run(() => {
      order.push("first start");
      return gate.addCallback(() => {
        order.push("first end");
      });
    });
    lock.run(() => {
      order.push("second");
    });
    assert.deepEqual(order, ["first start"]);
    gate.callback();
    assert.deepEqual(order, ["first start", "first end", "second"]);
  });

  it("cancelling run while the function's Deferred is pending cancels it and releases", () => {
    const lock = new DeferredLock();
    let innerCancelled = false;
    const inner = new Deferred<string>(() => {
      innerCancelled = true;
    });
    const r = lock.run(() => inner);
    const next = lock.acquire();
    r.cancel();
    assert.ok(innerCancelled);
    assert.ok(failureOf(r).check(CancelledError));
    assert.equal(successOf(next), lock, "the lock went to the next waiter");
  });

  it("cancelling run while waiting for the lock never calls the function", () => {
    const lock = new DeferredLock();
    lock.acquire();
    let called = false;
    const r = lock.run(() => {
      called = true;
    });
    r.cancel();
    assert.ok(failureOf(r).check(CancelledError));
    lock.release();
    assert.ok(!called);
    assert.ok(!lock.locked);
  });

  it("run accepts Promise-returning functions", async () => {
    const lock = new DeferredLock();
    const r = lock.run(async (x: number) => {
      await Promise.resolve();
      return x * 2;
    }, 21);
    assert.ok(lock.locked);
    assert.equal(await r, 42);
    assert.ok(!lock.locked);
  });

  it("types: run's result is the function's unwrapped result", async () => {
    expectType<Deferred<number>>(new DeferredLock().run(() => 1));
    expectType<Deferred<string>>(new DeferredLock().run(() => succeed("s")));
    const viaPromise = new DeferredLock().run(async () => await Promise.resolve(true));
    expectType<Deferred<boolean>>(viaPromise);
    assert.equal(await viaPromise, true);
    const lock = new DeferredLock();
    // @ts-expect-error wrong argument type
    const wrong = lock.run((n: number) => n, "x");
    assert.equal(successOf(wrong), "x", "at run time the argument is passed as given");
    assert.ok(!lock.locked);
  });
});
