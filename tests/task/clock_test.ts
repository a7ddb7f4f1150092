import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IReactorTime } from "../../interfaces.ts";
import { DelayedCall } from "../../reactor/delayed_call.ts";
import { AlreadyCalled, AlreadyCancelled } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";

describe("Clock (twisted.internet.task.Clock, ClockTests)", () => {
  it("testSeconds: starts at 0 and implements IReactorTime", () => {
    const c: IReactorTime = new Clock();
    assert.equal(c.seconds(), 0);
    assert.equal((c as Clock).rightNow, 0);
  });

  it("testCallLater: returns an active DelayedCall at now + delay", () => {
    const c = new Clock();
    c.advance(5);
    const call = c.callLater(1, (_a: number, _b: number) => {}, 1, 2);
    assert.ok(call instanceof DelayedCall);
    assert.equal(call.getTime(), 6);
    assert.equal(call.active(), true);
  });

  it("testCallLaterCancelled: cancel deactivates and removes the call", () => {
    const c = new Clock();
    const call = c.callLater(1, () => {});
    call.cancel();
    assert.equal(call.active(), false);
    assert.deepEqual(c.getDelayedCalls(), []);
    assert.throws(() => call.cancel(), AlreadyCancelled);
  });

  it("testAdvance: calls run when their time comes", () => {
    const events: number[] = [];
    const c = new Clock();
    const call = c.callLater(2, () => events.push(c.seconds()));
    c.advance(1);
    assert.deepEqual(events, []);
    c.advance(1);
    assert.deepEqual(events, [2]);
    assert.equal(call.active(), false);
    assert.deepEqual(c.getDelayedCalls(), []);
  });

  it("testAdvanceCancel: cancelling inside the call raises AlreadyCalled", () => {
    const c = new Clock();
    let raised: unknown;
    const call = c.callLater(1, () => {
      try {
        call.cancel();
      } catch (e) {
        raised = e;
      }
    });
    c.advance(1);
    assert.ok(raised instanceof AlreadyCalled);
  });

  it("testCallLaterDelayed: delay postpones", () => {
    const events: [number, number][] = [];
    const c = new Clock();
    const call = c.callLater(1, (a: number, b: number) => events.push([a, b]), 1, 2);
    call.delay(1);
    assert.equal(call.getTime(), 2);
    c.advance(1.5);
    assert.deepEqual(events, []);
    c.advance(1.0);
    assert.deepEqual(events, [[1, 2]]);
  });

  it("testCallLaterResetLater", () => {
    const events: string[] = [];
    const c = new Clock();
    const later = c.callLater(2, () => events.push("later"));
    c.advance(1);
    later.reset(3);
    assert.equal(later.getTime(), 4);
    c.advance(2);
    assert.deepEqual(events, []);
    c.advance(1);
    assert.deepEqual(events, ["later"]);
  });

  it("testCallLaterResetSooner", () => {
    const c = new Clock();
    let ran = 0;
    c.advance(4);
    const sooner = c.callLater(4, () => ran++);
    sooner.reset(3);
    assert.equal(sooner.getTime(), 7);
    c.advance(3);
    assert.equal(ran, 1);
  });

  it("test_getDelayedCalls: lists pending calls, live and sorted", () => {
    const c = new Clock();
    const call2 = c.callLater(2, () => {});
    const call = c.callLater(1, () => {});
    const calls = c.getDelayedCalls();
    assert.deepEqual(calls, [call, call2]);
    c.advance(1);
    assert.equal(c.getDelayedCalls(), calls, "the same live list");
    assert.deepEqual(calls, [call2]);
  });

  it("equal-time calls run FIFO (Twisted's Clock sorts stably)", () => {
    const c = new Clock();
    const order: number[] = [];
    for (let i = 0; i < 50; i++) c.callLater(i % 2 === 0 ? 1 : 0.5, () => order.push(i));
    c.advance(1);
    const odd = order.slice(0, 25);
    const even = order.slice(25);
    assert.deepEqual(odd, Array.from({ length: 25 }, (_, k) => 2 * k + 1));
    assert.deepEqual(even, Array.from({ length: 25 }, (_, k) => 2 * k));
  });

  it("a callLater(0) scheduled during advance runs in that same advance", () => {
    const c = new Clock();
    const seen: string[] = [];
    c.callLater(1, () => {
      seen.push("first");
      c.callLater(0, () => seen.push("nested 0"));
      c.callLater(0.5, () => seen.push("later"));
    });
    c.callLater(1, () => seen.push("second"));
    c.advance(1);
    // The nested call is due at 1: after "second" (same time, scheduled later).
    assert.deepEqual(seen, ["first", "second", "nested 0"]);
    c.advance(0.5);
    assert.deepEqual(seen.at(-1), "later");
  });

  it("a call scheduled during advance for after now waits", () => {
    const c = new Clock();
    const seen: number[] = [];
    c.callLater(1, () => c.callLater(0.001, () => seen.push(c.seconds())));
    c.advance(1);
    assert.deepEqual(seen, []);
    c.advance(0.001);
    assert.deepEqual(seen, [1.001]);
  });

  it("a negative delay is a TypeError (Twisted's Clock accepts it as already due; Skein does not)", () => {
    const c = new Clock();
    assert.throws(() => c.callLater(-3, () => {}), /got -3 \(a negative delay is not allowed/);
    assert.throws(() => c.callLater("5" as unknown as number, () => {}), /got "5" \(a string/);
    assert.throws(() => c.callLater(null as unknown as number, () => {}), TypeError);
    assert.throws(() => c.callLater(Infinity, () => {}), TypeError);
    assert.equal(c.getDelayedCalls().length, 0);
  });

  it("test_callLaterKeepsCallsOrdered", () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string): number => result.push([n, clock.seconds()]);
    const callA = clock.callLater(1.0, logtime, "a");
    callA.reset(3.0);
    clock.callLater(2.0, logtime, "b");
    clock.pump([1, 1, 1]);
    assert.deepEqual(result, [["b", 2], ["a", 3]]);
  });

  it("test_callLaterResetKeepsCallsOrdered", () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string): number => result.push([n, clock.seconds()]);
    const callA = clock.callLater(1.0, logtime, "a");
    clock.callLater(2.0, logtime, "b");
    callA.reset(3.0);
    clock.pump([1, 1, 1]);
    assert.deepEqual(result, [["b", 2], ["a", 3]]);
  });

  it("test_callLaterResetInsideCallKeepsCallsOrdered", () => {
    const result: [string, number][] = [];
    const clock = new Clock();
    const logtime = (n: string): number => result.push([n, clock.seconds()]);
    const callB = clock.callLater(2.0, logtime, "b");
    clock.callLater(1.0, () => callB.reset(3.0));
    clock.callLater(3.0, logtime, "c");
    clock.pump(Array(10).fill(0.5));
    assert.deepEqual(result, [["c", 3], ["b", 4]]);
  });

  it("a reset call keeps its list position among equal times (stable sort)", () => {
    // A at 1, B at 2; A is reset to 2. Twisted's stable sort keeps A (earlier
    // in the list) before B.
    const c = new Clock();
    const seen: string[] = [];
    const a = c.callLater(1, () => seen.push("a"));
    c.callLater(2, () => seen.push("b"));
    a.reset(2);
    c.advance(2);
    assert.deepEqual(seen, ["a", "b"]);
  });

  it("delay during advance re-sorts before the next call", () => {
    const c = new Clock();
    const seen: string[] = [];
    const b = c.callLater(1, () => seen.push("b"));
    c.callLater(0.5, () => b.delay(1));
    c.callLater(1, () => seen.push("c"));
    c.advance(1);
    assert.deepEqual(seen, ["c"]);
    c.advance(1);
    assert.deepEqual(seen, ["c", "b"]);
  });

  it("an exception propagates out of advance; later calls stay scheduled", () => {
    const c = new Clock();
    const seen: string[] = [];
    c.callLater(1, () => {
      throw new Error("boom");
    });
    const rest = c.callLater(1, () => seen.push("rest"));
    assert.throws(() => c.advance(1), /boom/);
    assert.deepEqual(c.getDelayedCalls(), [rest]);
    c.advance(0);
    assert.deepEqual(seen, ["rest"]);
  });

  it("cancel during advance removes a due call before it runs", () => {
    const c = new Clock();
    const seen: string[] = [];
    let second: DelayedCall | undefined = undefined;
    c.callLater(1, () => second!.cancel());
    second = c.callLater(1, () => seen.push("second"));
    c.advance(1);
    assert.deepEqual(seen, []);
    assert.equal(second.cancelled, true);
  });

  it("advance called from inside a call runs what is due, then the outer advance goes on", () => {
    // As Twisted's LoopingCall tests rely on (test_callbackTimeSkips).
    const c = new Clock();
    const seen: string[] = [];
    c.callLater(1, () => {
      seen.push(`a@${c.seconds()}`);
      c.advance(1);
    });
    c.callLater(1.5, () => seen.push(`b@${c.seconds()}`));
    c.callLater(2.5, () => seen.push(`c@${c.seconds()}`));
    c.advance(1);
    assert.deepEqual(seen, ["a@1", "b@2"]);
    c.advance(0.5);
    assert.deepEqual(seen, ["a@1", "b@2", "c@2.5"]);
  });

  it("pump advances by each amount in turn", () => {
    const c = new Clock();
    const times: number[] = [];
    c.callLater(1, () => times.push(c.seconds()));
    c.callLater(2.5, () => times.push(c.seconds()));
    c.pump([0.5, 0.5, 1, 1]);
    assert.deepEqual(times, [1, 3]);
    assert.equal(c.seconds(), 3);
  });

  it("callLater and advance work unbound, as a reactor's do", () => {
    const c = new Clock();
    const { advance, callLater, seconds } = c;
    const seen: number[] = [];
    callLater(1, advance, 1); // a method passed on without its object
    callLater(2, () => seen.push(seconds()));
    advance(1);
    assert.deepEqual(seen, [2], "the unbound advance(1) ran the call due at 2");
  });

  it("bad input is rejected with a TypeError", () => {
    const c = new Clock();
    assert.throws(() => c.callLater(Number.NaN, () => {}), TypeError);
    assert.throws(() => c.callLater(1, "nope" as unknown as () => void), TypeError);
    assert.throws(() => c.advance(Number.NaN), TypeError);
    assert.equal(c.seconds(), 0);
  });

  it("many calls: ordered by time then FIFO, bounded", () => {
    const c = new Clock();
    const n = 2000;
    const out: [number, number][] = [];
    let x = 12345;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const t = x % 50;
      c.callLater(t, () => out.push([t, i]));
    }
    c.advance(50);
    assert.equal(out.length, n);
    for (let k = 1; k < n; k++) {
      const [t0, i0] = out[k - 1];
      const [t1, i1] = out[k];
      assert.ok(t0 < t1 || (t0 === t1 && i0 < i1), `order broken at ${k}`);
    }
  });
});

describe("Clock against a model of Twisted's list-and-stable-sort Clock (seeded random operations)", () => {
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return (): number => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  /** Twisted's task.Clock, literally: a list, stably sorted by time on every callLater and advance step. */
  class ModelClock {
    now = 0;
    calls: { id: number; t: number; then: number | null; }[] = [];
    ran: string[] = [];
    #sort(): void {
      this.calls.sort((a, b) => a.t - b.t);
    }
    callLater(id: number, delay: number, then: number | null): void {
      this.calls.push({ id, t: this.now + delay, then });
      this.#sort();
    }
    advance(amount: number, nextId: () => number): void {
      this.now += amount;
      this.#sort();
      while (this.calls.length > 0 && this.calls[0].t <= this.now) {
        const c = this.calls.shift()!;
        this.ran.push(`${c.id}@${this.now}`);
        if (c.then !== null) this.callLater(nextId(), c.then, null);
        this.#sort();
      }
    }
  }

  it("200 sequences of callLater/reset/delay/cancel/advance give Twisted's order", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = prng(seed);
      const clock = new Clock();
      const model = new ModelClock();
      const ran: string[] = [];
      const live = new Map<number, DelayedCall>();
      let ids = 0;
      let modelIds = 0;
      // Integer-valued times keep float rounding out of the comparison.
      const schedule = (id: number, delay: number, then: number | null): void => {
        const dc = clock.callLater(delay, () => {
          live.delete(id);
          ran.push(`${id}@${clock.seconds()}`);
          if (then !== null) {
            const child = ++ids;
            schedule(child, then, null);
          }
        });
        live.set(id, dc);
      };
      for (let step = 0; step < 40; step++) {
        const op = rnd();
        if (op < 0.4) {
          const id = ++ids;
          modelIds = id;
          const delay = Math.floor(rnd() * 5); // >= 0: a negative delay is a TypeError in Skein
          const then = rnd() < 0.3 ? Math.floor(rnd() * 3) : null;
          schedule(id, delay, then);
          model.callLater(id, delay, then);
        } else if (op < 0.55 && live.size > 0) {
          const keys = [...live.keys()];
          const id = keys[Math.floor(rnd() * keys.length)];
          const s = Math.floor(rnd() * 5);
          live.get(id)!.reset(s);
          model.calls.find((c) => c.id === id)!.t = model.now + s;
        } else if (op < 0.7 && live.size > 0) {
          const keys = [...live.keys()];
          const id = keys[Math.floor(rnd() * keys.length)];
          const s = Math.floor(rnd() * 7) - 3;
          live.get(id)!.delay(s);
          model.calls.find((c) => c.id === id)!.t += s;
        } else if (op < 0.8 && live.size > 0) {
          const keys = [...live.keys()];
          const id = keys[Math.floor(rnd() * keys.length)];
          live.get(id)!.cancel();
          live.delete(id);
          model.calls.splice(model.calls.findIndex((c) => c.id === id), 1);
        } else {
          const amount = Math.floor(rnd() * 4);
          clock.advance(amount);
          model.advance(amount, () => ++modelIds);
          modelIds = Math.max(modelIds, ids);
        }
        assert.deepEqual(ran, model.ran, `seed ${seed}, step ${step}: run order`);
        assert.deepEqual(
          clock.getDelayedCalls().map((dc) => dc.getTime()),
          model.calls.map((c) => c.t),
          `seed ${seed}, step ${step}: pending calls`,
        );
      }
    }
  });
});
