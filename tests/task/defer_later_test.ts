/**
 * deferLater on a Clock (Twisted's `twisted.internet.task.deferLater`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import type { Failure } from "../../deferred/failure.ts";
import { Clock } from "../../task/clock.ts";
import { deferLater } from "../../task/defer_later.ts";

describe("deferLater (twisted.internet.task.deferLater)", () => {
  it("fires with the function's result after the delay", () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    deferLater(clock, 3, (a: number, b: string) => `${a}${b}`, 1, "x").addCallback((v) =>
      seen.push(v)
    );
    clock.advance(2.9);
    assert.deepEqual(seen, []);
    clock.advance(0.1);
    assert.deepEqual(seen, ["1x"]);
  });

  it("without a function fires with undefined", () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    deferLater(clock, 1).addCallback((v) => seen.push(v));
    clock.advance(1);
    assert.deepEqual(seen, [undefined]);
  });

  it("a throwing function fails the Deferred", () => {
    const clock = new Clock();
    let failure: Failure | null = null;
    deferLater(clock, 1, () => {
      throw new Error("later failure");
    }).addErrback((f) => {
      failure = f;
    });
    clock.advance(1);
    assert.equal((failure as Failure | null)?.getErrorMessage(), "later failure");
  });

  it("waits for a returned Deferred", () => {
    const clock = new Clock();
    const inner = new Deferred<number>();
    const seen: number[] = [];
    deferLater(clock, 1, () => inner).addCallback((v) => seen.push(v));
    clock.advance(1);
    assert.deepEqual(seen, []);
    inner.callback(42);
    assert.deepEqual(seen, [42]);
  });

  it("cancel cancels the timed call and fails with CancelledError", () => {
    const clock = new Clock();
    let called = false;
    let failure: Failure | null = null;
    const d = deferLater(clock, 1, () => {
      called = true;
    });
    d.addErrback((f) => {
      failure = f;
    });
    d.cancel();
    assert.deepEqual(clock.getDelayedCalls(), []);
    clock.advance(2);
    assert.equal(called, false);
    assert.ok((failure as Failure | null)?.value instanceof CancelledError);
  });
});
