/**
 * Timed calls on every reactor kind: ordering, FIFO ties, cancel/reset/delay,
 * exceptions logged, and Twisted's "a callLater(0) made by a timed call runs
 * on the next iteration" rule (`twisted.internet.base.ReactorBase`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlreadyCalled, AlreadyCancelled } from "../../reactor/errors.ts";
import { ALL_KINDS, LogCapture, make, runFor } from "./_reactor_kinds.ts";

for (const kind of ALL_KINDS) {
  describe(`timers on the ${kind} reactor`, () => {
    it("runs calls in time order, and equal times in the order scheduled (FIFO)", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.callLater(0.03, () => seen.push("c"));
      r.callLater(0.01, () => seen.push("a"));
      for (let i = 0; i < 20; i++) r.callLater(0.02, (n: number) => seen.push(`b${n}`), i);
      r.callLater(0.04, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["a", ...Array.from({ length: 20 }, (_, i) => `b${i}`), "c"]);
    });

    it("runs many callLater(0) in FIFO order", async () => {
      const r = make(kind);
      const seen: number[] = [];
      for (let i = 0; i < 200; i++) r.callLater(0, () => seen.push(i));
      r.callLater(0, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i));
    });

    it("a callLater(0) scheduled by a timed call runs on a later iteration", async () => {
      // Twisted: calls created during runUntilCurrent wait for the next pass.
      const r = make(kind);
      const seen: string[] = [];
      r.callLater(0, () => {
        seen.push("a");
        r.callLater(0, () => seen.push("b"));
      });
      r.callLater(0, () => seen.push("c"));
      r.callLater(0.02, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["a", "c", "b"]);
    });

    it("does not run a call before its time", async () => {
      const r = make(kind);
      let ranAt = -1;
      let t0 = 0;
      r.callWhenRunning(() => {
        t0 = r.seconds();
        r.callLater(0.05, () => {
          ranAt = r.seconds() - t0;
          r.stop();
        });
      });
      await runFor(r, 5000);
      assert.ok(ranAt >= 0.05, `ran after ${ranAt}s`);
    });

    it("cancel stops a call; cancel twice or after running throws", async () => {
      const r = make(kind);
      const seen: string[] = [];
      const a = r.callLater(0.01, () => seen.push("a"));
      const b = r.callLater(0, () => seen.push("b"));
      a.cancel();
      assert.equal(a.active(), false);
      assert.throws(() => a.cancel(), AlreadyCancelled);
      r.callLater(0.03, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["b"]);
      assert.throws(() => b.cancel(), AlreadyCalled);
      assert.throws(() => b.reset(1), AlreadyCalled);
    });

    it("reset moves a call sooner or later; delay adds to its time", async () => {
      const r = make(kind);
      const seen: string[] = [];
      const late = r.callLater(10, () => seen.push("sooner"));
      const early = r.callLater(0.01, () => seen.push("later"));
      const delayed = r.callLater(0.005, () => seen.push("delayed"));
      late.reset(0.02); // from 10 s to 20 ms
      early.reset(0.06); // from 10 ms to 60 ms
      delayed.delay(0.035); // from 5 ms to 40 ms
      r.callLater(0.1, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["sooner", "delayed", "later"]);
    });

    it("reset() to sooner while running re-arms the host timer", async () => {
      const r = make(kind);
      let firedAfter = -1;
      r.callWhenRunning(() => {
        const t0 = r.seconds();
        // The only pending call: its timer must move from 10 s to 20 ms.
        const call = r.callLater(10, () => {
          firedAfter = r.seconds() - t0;
          r.stop();
        });
        call.reset(0.02);
      });
      await runFor(r, 5000);
      assert.ok(firedAfter >= 0.02 && firedAfter < 5, `fired after ${firedAfter}s`);
    });

    it("delay() with a negative amount moves a call sooner, even one already in the heap", async () => {
      const r = make(kind);
      let firedAfter = -1;
      let t0 = 0;
      const call = r.callLater(10, () => {
        firedAfter = r.seconds() - t0;
        r.stop();
      });
      r.callWhenRunning(() => {
        t0 = r.seconds();
        r.callLater(0.01, () => call.delay(-9.99 - (r.seconds() - t0)));
      });
      await runFor(r, 5000);
      assert.ok(firedAfter >= 0.01 && firedAfter < 5, `fired after ${firedAfter}s`);
    });

    it("logs an exception in a timed call and goes on", async () => {
      const r = make(kind);
      const cap = new LogCapture();
      const seen: string[] = [];
      try {
        r.callLater(0, () => {
          throw new Error("boom in a timer");
        });
        r.callLater(0, () => seen.push("after"));
        r.callLater(0.01, () => r.stop());
        await runFor(r, 5000);
      } finally {
        cap.close();
      }
      assert.deepEqual(seen, ["after"]);
      assert.deepEqual(cap.messages(), ["boom in a timer"]);
    });

    it("getDelayedCalls lists pending calls only", async () => {
      const r = make(kind);
      const a = r.callLater(1, () => {});
      const b = r.callLater(2, () => {});
      b.cancel();
      assert.deepEqual(r.getDelayedCalls(), [a]);
      r.callLater(0, () => {
        assert.deepEqual(r.getDelayedCalls().length, 2); // a and the stop call below
        r.stop();
      });
      r.callLater(0, () => {});
      await runFor(r, 5000);
      a.cancel();
    });

    it("survives many cancellations (lazy removal with compaction)", async () => {
      const r = make(kind);
      const seen: number[] = [];
      const calls = Array.from(
        { length: 300 },
        (_, i) => r.callLater(0.001 * (i % 7), () => seen.push(i)),
      );
      for (let i = 0; i < 300; i++) if (i % 10 !== 0) calls[i].cancel();
      r.callLater(0.02, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen.sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i * 10));
    });

    it("a delay that is not a finite number >= 0 is a TypeError saying what was passed", () => {
      // callLater("5", f) used to fire at once (seconds() + "5" concatenates)
      // and callLater(null, f) was taken as 0. Negative delays are rejected
      // too, unlike Twisted's task.Clock (which takes them as "already due").
      const r = make(kind);
      const cases: Array<[unknown, RegExp]> = [
        ["5", /callLater\(delay\) must be a finite number of seconds >= 0, got "5" \(a string/],
        [null, /must be a finite number of seconds >= 0, got null$/],
        [undefined, /got undefined$/],
        [-1, /got -1 \(a negative delay is not allowed/],
        [Number.NaN, /got NaN$/],
        [Infinity, /got Infinity$/],
        [10n, /got 10n \(a bigint\)/],
      ];
      for (const [delay, message] of cases) {
        assert.throws(() => r.callLater(delay as number, () => {}), (e: unknown) => {
          assert.ok(e instanceof TypeError, `${String(delay)}: ${String(e)}`);
          assert.match(e.message, message);
          return true;
        });
      }
      assert.equal(r.getDelayedCalls().length, 0, "nothing was scheduled");
      const call = r.callLater(1, () => {});
      assert.throws(() => call.reset("2" as unknown as number), /reset\(secondsFromNow\) must be/);
      assert.throws(() => call.reset(-1), TypeError);
      assert.throws(() => call.delay(null as unknown as number), /delay\(secondsLater\) must be/);
      call.delay(-0.5); // delay() moves a call earlier with a negative amount (Twisted)
      call.cancel();
    });

    it("seconds() is monotonic", () => {
      const r = make(kind);
      let last = r.seconds();
      for (let i = 0; i < 1000; i++) {
        const t = r.seconds();
        assert.ok(t >= last);
        last = t;
      }
    });
  });
}
