import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DelayedCall } from "../../reactor/delayed_call.ts";
import { AlreadyCalled, AlreadyCancelled } from "../../reactor/errors.ts";

/** A call driven by hand, recording canceller and resetter invocations. */
function make(time: number, now: { t: number; }, log: string[] = []): DelayedCall {
  return new DelayedCall(
    time,
    (a: number, b: string) => log.push(`run ${a} ${b}`),
    [1, "x"],
    (dc) => log.push(`cancel ${dc.active()}`),
    (dc) => log.push(`reset ${dc.getTime()}`),
    () => now.t,
  );
}

describe("DelayedCall (twisted.internet.base.DelayedCall)", () => {
  it("getTime is the scheduled time; active until run", () => {
    const now = { t: 0 };
    const log: string[] = [];
    const dc = make(3, now, log);
    assert.equal(dc.getTime(), 3);
    assert.equal(dc.active(), true);
    assert.equal(dc.called, false);
    assert.equal(dc.cancelled, false);
    assert.equal(dc.run(), 1);
    assert.deepEqual(log, ["run 1 x"]);
    assert.equal(dc.active(), false);
    assert.equal(dc.called, true);
  });

  it("cancel calls the canceller while still active, then marks cancelled", () => {
    // Twisted calls canceller(self) before setting cancelled = 1.
    const log: string[] = [];
    const dc = make(1, { t: 0 }, log);
    dc.cancel();
    assert.deepEqual(log, ["cancel true"]);
    assert.equal(dc.cancelled, true);
    assert.equal(dc.active(), false);
  });

  it("a canceller that throws leaves the call active", () => {
    const dc = new DelayedCall(
      1,
      () => {},
      [],
      () => {
        throw new Error("boom");
      },
      () => {},
      () => 0,
    );
    assert.throws(() => dc.cancel(), /boom/);
    assert.equal(dc.active(), true);
  });

  it("cancel twice raises AlreadyCancelled; after running, AlreadyCalled", () => {
    const a = make(1, { t: 0 });
    a.cancel();
    assert.throws(() => a.cancel(), AlreadyCancelled);
    const b = make(1, { t: 0 });
    b.run();
    assert.throws(() => b.cancel(), AlreadyCalled);
  });

  it("reset and delay raise AlreadyCancelled / AlreadyCalled when inactive", () => {
    const a = make(1, { t: 0 });
    a.cancel();
    assert.throws(() => a.reset(1), AlreadyCancelled);
    assert.throws(() => a.delay(1), AlreadyCancelled);
    assert.throws(() => a.run(), AlreadyCancelled);
    const b = make(1, { t: 0 });
    b.run();
    assert.throws(() => b.reset(1), AlreadyCalled);
    assert.throws(() => b.delay(1), AlreadyCalled);
    assert.throws(() => b.run(), AlreadyCalled);
  });

  it("AlreadyCalled wins over nothing: a cancelled call reports AlreadyCancelled first", () => {
    // Twisted checks `cancelled` before `called`.
    const dc = make(1, { t: 0 });
    dc.cancel();
    dc.called = true;
    assert.throws(() => dc.cancel(), AlreadyCancelled);
  });

  it("reset later only records a pending delay; the resetter is not called", () => {
    const now = { t: 1 };
    const log: string[] = [];
    const dc = make(2, now, log);
    dc.reset(3); // new time 4 > 2
    assert.equal(dc.time, 2);
    assert.equal(dc.delayedTime, 2);
    assert.equal(dc.getTime(), 4);
    assert.deepEqual(log, []);
    dc.activateDelay();
    assert.equal(dc.time, 4);
    assert.equal(dc.delayedTime, 0);
  });

  it("reset sooner moves time, clears the delay and calls the resetter", () => {
    const now = { t: 0 };
    const log: string[] = [];
    const dc = make(4, now, log);
    dc.delay(5);
    dc.reset(3);
    assert.equal(dc.time, 3);
    assert.equal(dc.delayedTime, 0);
    assert.deepEqual(log, ["reset 3"]);
  });

  it("reset is relative to the scheduler's current time", () => {
    const now = { t: 10 };
    const dc = make(11, now);
    dc.reset(5);
    assert.equal(dc.getTime(), 15);
  });

  it("delay accumulates; a negative total applies at once and calls the resetter", () => {
    const log: string[] = [];
    const dc = make(10, { t: 0 }, log);
    dc.delay(2);
    dc.delay(3);
    assert.equal(dc.getTime(), 15);
    assert.equal(dc.time, 10);
    assert.deepEqual(log, []);
    dc.delay(-7); // delayedTime becomes -2
    assert.equal(dc.time, 8);
    assert.equal(dc.delayedTime, 0);
    assert.deepEqual(log, ["reset 8"]);
  });

  it("rejects NaN for reset and delay with a TypeError", () => {
    const dc = make(1, { t: 0 });
    assert.throws(() => dc.reset(Number.NaN), TypeError);
    assert.throws(() => dc.delay(Number.NaN), TypeError);
    assert.equal(dc.getTime(), 1);
  });

  it("reset takes a finite number >= 0; delay a finite number of either sign", () => {
    const dc = make(1, { t: 0 });
    for (const bad of ["2", null, undefined, Infinity, -1]) {
      assert.throws(
        () => dc.reset(bad as number),
        /^TypeError: reset\(secondsFromNow\) must be a finite number of seconds >= 0, got /,
      );
    }
    for (const bad of ["2", null, -Infinity]) {
      assert.throws(
        () => dc.delay(bad as number),
        /^TypeError: delay\(secondsLater\) must be a finite number of seconds, got /,
      );
    }
    assert.equal(dc.getTime(), 1, "the call did not move");
  });

  it("seq increases with creation order (the FIFO tie-break)", () => {
    const a = make(1, { t: 0 });
    const b = make(1, { t: 0 });
    assert.ok(b.seq > a.seq);
  });

  it("run passes the arguments and lets exceptions through; called is set first", () => {
    let seenCalled: boolean | undefined;
    const dc: DelayedCall = new DelayedCall(
      0,
      (...xs: number[]) => {
        seenCalled = dc.called;
        throw new Error(`args ${xs.join(",")}`);
      },
      [1, 2, 3],
      () => {},
      () => {},
      () => 0,
    );
    assert.throws(() => dc.run(), /args 1,2,3/);
    assert.equal(seenCalled, true);
    assert.equal(dc.active(), false);
  });

  it("toString reads like Twisted's repr", () => {
    const now = { t: 1 };
    function tick(_n: number, _s: string): void {}
    const dc = new DelayedCall(3.5, tick, [7, "a"], () => {}, () => {}, () => now.t);
    const s = dc.toString();
    assert.match(s, /^<DelayedCall 0x[0-9a-f]+ \[2\.5s\] called=0 cancelled=0 tick\(7, "a"\)>$/);
    dc.cancel();
    assert.match(dc.toString(), /^<DelayedCall 0x[0-9a-f]+ \[2\.5s\] called=0 cancelled=1>$/);
  });

  it("toString never throws on odd arguments", () => {
    const hostile = {
      get constructor(): never {
        throw new Error("no");
      },
    };
    const dc = new DelayedCall(
      0,
      () => {},
      [hostile, Symbol("s"), 10n, null, undefined, [1, 2]],
      () => {},
      () => {},
      () => 0,
    );
    assert.match(
      dc.toString(),
      /<unrepresentable>, Symbol\(s\), 10n, null, undefined, \[1, 2\]\)>$/,
    );
  });

  it("debug mode records the creator and freezes the repr when cancelled", () => {
    DelayedCall.debug = true;
    try {
      const dc = new DelayedCall(1, function later(): void {}, [], () => {}, () => {}, () => 0);
      assert.ok(dc.creator?.includes("DelayedCall created"));
      dc.cancel();
      const s = dc.toString();
      assert.match(s, /later\(\)/, "the frozen repr still names the function");
      assert.match(s, /traceback at creation/);
    } finally {
      DelayedCall.debug = false;
    }
    assert.equal(new DelayedCall(1, () => {}, [], () => {}, () => {}).creator, undefined);
  });

  it("the default time source is monotonic seconds", () => {
    const dc = new DelayedCall(0, () => {}, [], () => {}, () => {});
    const before = performance.now() / 1000;
    dc.reset(10);
    const after = performance.now() / 1000;
    assert.ok(dc.getTime() >= before + 10 && dc.getTime() <= after + 10);
  });
});
