/**
 * Cooperator / CooperativeTask / coiterate on a Clock, pinning Twisted's
 * `twisted.internet.task.Cooperator` (`test_cooperator.py`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";
import { Clock } from "../../task/clock.ts";
import {
  Cooperator,
  NotPaused,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskStopped,
} from "../../task/cooperator.ts";
import { FFI_KINDS, make, runFor } from "../reactor/_reactor_kinds.ts";

/** A cooperator driven by a Clock; each tick does `perTick` units of work in total. */
function coop(clock: Clock, perTick = Infinity, started = true): Cooperator {
  return new Cooperator({
    scheduler: (f) => clock.callLater(1, f),
    terminationPredicateFactory: () => {
      let n = 0;
      return () => ++n >= perTick;
    },
    started,
  });
}

function* range(tag: string, n: number, log: string[]): Generator<void> {
  for (let i = 0; i < n; i++) {
    log.push(`${tag}${i}`);
    yield;
  }
}

describe("Cooperator (twisted.internet.task.Cooperator)", () => {
  it("coiterate fires with the iterator once it is exhausted", () => {
    const clock = new Clock();
    const log: string[] = [];
    const it = range("a", 3, log);
    let result: unknown = null;
    coop(clock).coiterate(it).addCallback((r) => {
      result = r;
    });
    clock.advance(1);
    assert.deepEqual(log, ["a0", "a1", "a2"]);
    assert.equal(result, it);
  });

  it("runs tasks round-robin, one unit each, in time slices", () => {
    const clock = new Clock();
    const log: string[] = [];
    const c = coop(clock, 3);
    c.cooperate(range("a", 3, log));
    c.cooperate(range("b", 3, log));
    clock.advance(1);
    assert.deepEqual(log, ["a0", "b0", "a1"]);
    clock.advance(1);
    assert.deepEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2"]);
  });

  it("a yielded Deferred pauses the task until it fires", () => {
    const clock = new Clock();
    const log: string[] = [];
    const gate = new Deferred<void>();
    function* gated(): Generator<unknown> {
      log.push("before");
      yield gate;
      log.push("after");
    }
    let done = false;
    coop(clock).coiterate(gated()).addCallback(() => {
      done = true;
    });
    clock.advance(1);
    clock.advance(1);
    assert.deepEqual(log, ["before"]);
    gate.callback(undefined);
    clock.advance(1);
    assert.deepEqual(log, ["before", "after"]);
    assert.equal(done, true);
  });

  it("an iterator that throws fails whenDone; later calls raise TaskFailed", () => {
    const clock = new Clock();
    function* bad(): Generator<void> {
      yield;
      throw new Error("iterator failed");
    }
    const task = coop(clock).cooperate(bad());
    let failure: Failure | null = null;
    task.whenDone().addErrback((f) => {
      failure = f;
    });
    clock.advance(1);
    assert.equal((failure as Failure | null)?.getErrorMessage(), "iterator failed");
    assert.throws(() => task.pause(), TaskFailed);
  });

  it("a yielded Deferred that fails fails the task", () => {
    const clock = new Clock();
    const gate = new Deferred<void>();
    function* gated(): Generator<unknown> {
      yield gate;
    }
    let failure: Failure | null = null;
    coop(clock).coiterate(gated()).addErrback((f) => {
      failure = f;
    });
    clock.advance(1);
    gate.errback(new Error("gate failed"));
    assert.equal((failure as Failure | null)?.getErrorMessage(), "gate failed");
  });

  it("pause/resume nest; resume when not paused raises NotPaused", () => {
    const clock = new Clock();
    const log: string[] = [];
    const task = coop(clock).cooperate(range("a", 2, log));
    task.pause();
    task.pause();
    clock.advance(1);
    task.resume();
    clock.advance(1);
    assert.deepEqual(log, []);
    task.resume();
    clock.advance(1);
    assert.deepEqual(log, ["a0", "a1"]);
    assert.throws(() => task.resume(), NotPaused);
  });

  it("stop() fails whenDone with TaskStopped; a second stop raises TaskStopped", () => {
    const clock = new Clock();
    const log: string[] = [];
    const task = coop(clock).cooperate(range("a", 5, log));
    let failure: Failure | null = null;
    task.whenDone().addErrback((f) => {
      failure = f;
    });
    task.stop();
    clock.advance(1);
    assert.deepEqual(log, []);
    assert.ok((failure as Failure | null)?.value instanceof TaskStopped);
    assert.throws(() => task.stop(), TaskStopped);
  });

  it("a finished task raises TaskDone on pause; whenDone afterwards fires at once", () => {
    const clock = new Clock();
    const log: string[] = [];
    const task = coop(clock).cooperate(range("a", 1, log));
    clock.advance(1);
    assert.throws(() => task.pause(), TaskDone);
    let fired = false;
    task.whenDone().addCallback(() => {
      fired = true;
    });
    assert.equal(fired, true);
  });

  it("Cooperator.stop errbacks every task with SchedulerStopped; tasks added later fail at once", () => {
    const clock = new Clock();
    const c = coop(clock);
    const log: string[] = [];
    const failures: unknown[] = [];
    c.coiterate(range("a", 3, log)).addErrback((f) => failures.push(f.value));
    c.stop();
    assert.equal(c.running, false);
    c.coiterate(range("b", 3, log)).addErrback((f) => failures.push(f.value));
    clock.advance(1);
    assert.deepEqual(log, []);
    assert.equal(failures.length, 2);
    assert.ok(failures.every((v) => v instanceof SchedulerStopped));
    assert.deepEqual(clock.getDelayedCalls(), []);
  });

  it("started: false queues work until start()", () => {
    const clock = new Clock();
    const log: string[] = [];
    const c = coop(clock, Infinity, false);
    c.cooperate(range("a", 2, log));
    clock.advance(1);
    assert.deepEqual(log, []);
    assert.equal(c.running, false);
    c.start();
    assert.equal(c.running, true);
    clock.advance(1);
    assert.deepEqual(log, ["a0", "a1"]);
  });

  it("the default termination predicate ends a tick after its 10 ms time slice", () => {
    // Twisted's _Timer: a tick runs units until 10 ms have passed.
    const clock = new Clock();
    const c = new Cooperator({ scheduler: (f) => clock.callLater(1, f) });
    let units = 0;
    function* busy(): Generator<void> {
      for (;;) {
        const end = performance.now() + 1;
        while (performance.now() < end) { /* a unit of at least 1 ms */ }
        units++;
        yield;
      }
    }
    const task = c.cooperate(busy());
    const t0 = performance.now();
    clock.advance(1);
    const elapsed = performance.now() - t0;
    // Each unit takes >= 1 ms, so a 10 ms slice holds at most 10 (+1 at the
    // boundary) whatever the load; and the tick is not cut short.
    assert.ok(units >= 1 && units <= 11, `units in one tick: ${units}`);
    assert.ok(elapsed >= 10, `tick lasted ${elapsed} ms`);
    task.stop();
  });

  it("runs on a real reactor: thousands of units in slices, a yielded promise pauses the task", async () => {
    const r = make(FFI_KINDS[0]);
    const c = new Cooperator({ scheduler: (f) => r.callLater(0, f) });
    const seen: string[] = [];
    function* work(): Generator<unknown> {
      for (let i = 0; i < 5000; i++) yield;
      seen.push("before promise");
      yield new Promise<void>((resolve) => setTimeout(resolve, 20));
      seen.push("after promise");
    }
    let ticks = 0;
    r.callWhenRunning(() => {
      c.coiterate(work()).addCallback(() => {
        seen.push("done");
        r.stop();
      });
      const count = (): void => {
        ticks++;
        if (r.running) r.callLater(0.001, count);
      };
      count();
    });
    await runFor(r, 10000);
    assert.deepEqual(seen, ["before promise", "after promise", "done"]);
    assert.ok(ticks > 1, "other timed calls ran meanwhile");
  });
});
