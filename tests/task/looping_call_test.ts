/**
 * LoopingCall on a deterministic Clock, pinning Twisted's
 * `twisted.internet.task.LoopingCall` behaviour (`test_task.py`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import { Clock } from "../../task/clock.ts";
import { LoopingCall } from "../../task/looping_call.ts";

function looping<A extends unknown[]>(
  clock: Clock,
  f: (...a: A) => unknown,
  ...a: A
): LoopingCall<A> {
  const lc = new LoopingCall(f, ...a);
  lc.clock = clock;
  return lc;
}

describe("LoopingCall (twisted.internet.task.LoopingCall)", () => {
  it("with now=true calls at once, then on every interval", () => {
    const clock = new Clock();
    const times: number[] = [];
    const lc = looping(clock, () => times.push(clock.seconds()));
    lc.start(1);
    assert.deepEqual(times, [0]);
    clock.pump([1, 1, 1]);
    assert.deepEqual(times, [0, 1, 2, 3]);
    lc.stop();
  });

  it("with now=false waits one interval first; arguments are passed", () => {
    const clock = new Clock();
    const seen: string[] = [];
    const lc = looping(
      clock,
      (a: string, b: number) => seen.push(`${a}${b}@${clock.seconds()}`),
      "x",
      7,
    );
    lc.start(2, false);
    assert.deepEqual(seen, []);
    clock.advance(2);
    assert.deepEqual(seen, ["x7@2"]);
    lc.stop();
  });

  it("stop() fires the start Deferred with the LoopingCall itself and cancels the pending call", () => {
    const clock = new Clock();
    const lc = looping(clock, () => {});
    let fired: unknown = null;
    lc.start(1).addCallback((r) => {
      fired = r;
    });
    lc.stop();
    assert.equal(fired, lc);
    assert.equal(lc.running, false);
    assert.deepEqual(clock.getDelayedCalls(), []);
    assert.throws(() => lc.stop(), /not running/);
  });

  it("stop() inside f fires the Deferred after f returns", () => {
    const clock = new Clock();
    const seen: string[] = [];
    const lc = looping(clock, () => {
      lc.stop();
      seen.push("f returned");
    });
    lc.start(1).addCallback(() => seen.push("deferred fired"));
    assert.deepEqual(seen, ["f returned", "deferred fired"]);
    assert.deepEqual(clock.getDelayedCalls(), []);
  });

  it("keeps a fixed grid: advance(3.5) gives one call at 3.5, then the next at 4", () => {
    // Twisted: missed slots are skipped, not replayed.
    const clock = new Clock();
    const times: number[] = [];
    const lc = looping(clock, () => times.push(clock.seconds()));
    lc.start(1);
    clock.advance(3.5);
    assert.deepEqual(times, [0, 3.5]);
    clock.advance(0.5);
    assert.deepEqual(times, [0, 3.5, 4]);
    lc.stop();
  });

  it("a function that throws errbacks the start Deferred and stops", () => {
    const clock = new Clock();
    let calls = 0;
    const lc = looping(clock, () => {
      if (++calls === 2) throw new Error("tick failed");
    });
    let failure: Failure | null = null;
    lc.start(1).addErrback((f) => {
      failure = f;
    });
    clock.advance(1);
    assert.equal((failure as Failure | null)?.getErrorMessage(), "tick failed");
    assert.equal(lc.running, false);
    assert.deepEqual(clock.getDelayedCalls(), []);
    clock.advance(5);
    assert.equal(calls, 2);
  });

  it("a failing returned Deferred errbacks the start Deferred", () => {
    const clock = new Clock();
    const d = new Deferred<void>();
    const lc = looping(clock, () => d);
    let failure: Failure | null = null;
    lc.start(1).addErrback((f) => {
      failure = f;
    });
    d.errback(new Error("async failure"));
    assert.equal((failure as Failure | null)?.getErrorMessage(), "async failure");
    assert.equal(lc.running, false);
  });

  it("a returned Deferred delays the next call until it fires, aligned to the grid", () => {
    // Twisted: fired at 5, next call at 6.
    const clock = new Clock();
    const times: number[] = [];
    let pending: Deferred<void> | null = null;
    const lc = looping(clock, () => {
      times.push(clock.seconds());
      if (times.length === 1) {
        pending = new Deferred<void>();
        return pending;
      }
      return undefined;
    });
    lc.start(1);
    clock.advance(5);
    assert.deepEqual(times, [0]);
    pending!.callback(undefined);
    clock.advance(1);
    assert.deepEqual(times, [0, 6]);
    lc.stop();
  });

  it("a returned promise also delays the next call", async () => {
    const clock = new Clock();
    let resolve!: () => void;
    const times: number[] = [];
    const lc = looping(clock, () => {
      times.push(clock.seconds());
      return times.length === 1 ? new Promise<void>((r) => (resolve = r)) : undefined;
    });
    lc.start(1);
    clock.advance(2);
    assert.deepEqual(times, [0]);
    resolve();
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(1);
    assert.deepEqual(times, [0, 3]);
    lc.stop();
  });

  it("stop() while f's Deferred is pending fires once that Deferred fires", () => {
    const clock = new Clock();
    const d = new Deferred<void>();
    const lc = looping(clock, () => d);
    let fired = false;
    lc.start(1).addCallback(() => {
      fired = true;
    });
    lc.stop();
    assert.equal(fired, false);
    d.callback(undefined);
    assert.equal(fired, true);
  });

  it("withCount passes how many intervals passed: [1, 3, 1]", () => {
    const clock = new Clock();
    const counts: number[] = [];
    const lc = LoopingCall.withCount((n) => counts.push(n));
    lc.clock = clock;
    lc.start(1, false);
    clock.advance(1);
    clock.advance(3);
    clock.advance(1);
    assert.deepEqual(counts, [1, 3, 1]);
    lc.stop();
  });

  it("withCount with now=true counts the first call as 1", () => {
    const clock = new Clock();
    const counts: number[] = [];
    const lc = LoopingCall.withCount((n) => counts.push(n));
    lc.clock = clock;
    lc.start(1);
    clock.advance(2);
    assert.deepEqual(counts, [1, 2]);
    lc.stop();
  });

  it("withCount with interval 0 always counts 1", () => {
    const clock = new Clock();
    const counts: number[] = [];
    const lc = LoopingCall.withCount((n) => {
      counts.push(n);
      if (counts.length === 3) lc.stop();
    });
    lc.clock = clock;
    lc.start(0);
    clock.advance(0);
    clock.advance(0);
    assert.deepEqual(counts, [1, 1, 1]);
  });

  it("interval 0 calls again via callLater(0)", () => {
    const clock = new Clock();
    let n = 0;
    const lc = looping(clock, () => n++);
    lc.start(0);
    assert.equal(n, 1);
    assert.equal(clock.getDelayedCalls()[0].getTime(), 0);
    lc.stop();
  });

  it("reset() skips the next call and re-anchors the grid", () => {
    const clock = new Clock();
    const times: number[] = [];
    const lc = looping(clock, () => times.push(clock.seconds()));
    lc.start(2);
    clock.advance(1);
    lc.reset();
    clock.advance(1.5);
    assert.deepEqual(times, [0]);
    clock.advance(0.5);
    assert.deepEqual(times, [0, 3]);
    lc.stop();
  });

  it("start while running throws; a negative interval throws RangeError", () => {
    const clock = new Clock();
    const lc = looping(clock, () => {});
    assert.throws(() => lc.start(-1), RangeError);
    assert.equal(lc.running, false);
    lc.start(1);
    assert.throws(() => lc.start(1), /already running/);
    lc.stop();
  });

  it("the default clock is the reactor (not bound until used)", () => {
    const lc = new LoopingCall(() => {});
    assert.equal(typeof lc.clock.callLater, "function");
  });
});

describe("LoopingCall.stop unbound (Twisted passes loop.stop around)", () => {
  it("clock.callLater(t, loop.stop) stops the loop and fires start()'s Deferred", () => {
    const clock = new Clock();
    let ticks = 0;
    const loop = new LoopingCall(() => ticks++);
    loop.clock = clock;
    let stoppedWith: unknown = null;
    loop.start(1).addCallback((lc) => {
      stoppedWith = lc;
    });
    clock.callLater(2.5, loop.stop);
    clock.advance(1);
    clock.advance(1);
    clock.advance(1);
    assert.equal(ticks, 3);
    assert.equal(loop.running, false);
    assert.equal(stoppedWith, loop);
    const stop = loop.stop;
    assert.throws(() => stop(), /not running/);
  });
});
