import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError } from "../../deferred/errors.ts";
import { DeferredQueue, QueueOverflow, QueueUnderflow } from "../../deferred/queue.ts";
import { failureOf, hasNoResult, successOf } from "./_h2_helpers.ts";

describe("DeferredQueue (twisted.internet.defer.DeferredQueue, DeferredQueueTests)", () => {
  it("testQueue: gets wait for puts, FIFO; size and backlog are enforced", () => {
    const N = 2;
    const M = 2;
    const queue = new DeferredQueue<number>({ size: N, backlog: M });
    const gotten: number[] = [];
    for (let i = 0; i < M; i++) queue.get().addCallback((v) => gotten.push(v));
    assert.throws(() => queue.get(), QueueUnderflow);
    for (let i = 0; i < M; i++) queue.put(i);
    assert.deepEqual(gotten, [0, 1]);
    for (let i = 0; i < N; i++) queue.put(N + i);
    assert.deepEqual(queue.pending, [2, 3]);
    assert.throws(() => queue.put(99), QueueOverflow);
    for (let i = 0; i < N; i++) queue.get().addCallback((v) => gotten.push(v));
    assert.deepEqual(gotten, [0, 1, 2, 3]);
    assert.deepEqual(queue.pending, []);
    assert.deepEqual(queue.waiting, []);
  });

  it("get() of a kept item returns an already-fired Deferred", () => {
    const q = new DeferredQueue<string>();
    q.put("a");
    assert.equal(successOf(q.get()), "a");
  });

  it("unbounded by default", () => {
    const q = new DeferredQueue<number>();
    assert.equal(q.size, null);
    assert.equal(q.backlog, null);
    for (let i = 0; i < 1000; i++) q.put(i);
    for (let i = 0; i < 1000; i++) q.get();
    for (let i = 0; i < 1000; i++) q.get();
    assert.equal(q.waiting.length, 1000);
  });

  it("size 0 keeps nothing; backlog 0 allows no waiting get", () => {
    const q = new DeferredQueue<number>({ size: 0, backlog: 0 });
    assert.throws(() => q.put(1), QueueOverflow);
    assert.throws(() => q.get(), QueueUnderflow);
  });

  it("test_cancelQueueAfterSynchronousGet: cancelling a fired get does nothing", () => {
    const q = new DeferredQueue<void>();
    q.put();
    const d = q.get();
    d.cancel();
    assert.equal(successOf(d), undefined);
  });

  it("test_cancelQueueAfterGet: a cancelled get leaves the waiting list; the next put goes on", () => {
    const q = new DeferredQueue<string>();
    const d1 = q.get();
    const d2 = q.get();
    d1.cancel();
    assert.ok(failureOf(d1).check(CancelledError));
    assert.deepEqual(q.waiting, [d2]);
    q.put("x");
    assert.equal(successOf(d2), "x");
    q.put("y");
    assert.deepEqual(q.pending, ["y"]);
  });

  it("a waiting get stays unfired until a put", () => {
    const q = new DeferredQueue<number>();
    const d = q.get();
    assert.ok(hasNoResult(d));
    q.put(7);
    assert.equal(successOf(d), 7);
  });

  it("bad limits are rejected with a RangeError", () => {
    assert.throws(() => new DeferredQueue({ size: -1 }), RangeError);
    assert.throws(() => new DeferredQueue({ backlog: Number.NaN }), RangeError);
  });

  it("QueueOverflow and QueueUnderflow are Errors with their names", () => {
    assert.ok(new QueueOverflow() instanceof Error);
    assert.equal(new QueueUnderflow().name, "QueueUnderflow");
  });
});
