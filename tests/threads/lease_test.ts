/**
 * ThreadLease: a thread pinned to one user, as Twisted's adbapi keeps one
 * connection per pool thread (its `ConnectionPool.connect()` caches the
 * connection by thread id), so a task module's state stays with the lease.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import { ThreadPoolStopped, WorkerCrashed } from "../../threads/errors.ts";
import { task } from "../../threads/task.ts";
import { ThreadLease, ThreadPool } from "../../threads/thread_pool.ts";
import { Gate, run, WORK } from "./_helpers.ts";

const whichThread = task<() => number>(WORK, "whichThread");
const bump = task<() => number>(WORK, "bump");
const waitGate = task<(g: SharedArrayBuffer, v: unknown) => unknown>(WORK, "waitGate");
const exitNow = task<(code: number) => never>(WORK, "exitNow");

describe("ThreadLease", () => {
  it("runs every call on the same Worker, so module-level state is per lease (adbapi's thread-local connection)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 3 });
    pool.start();
    try {
      const a = await pool.acquireThread();
      const b = await pool.acquireThread();
      assert.ok(a instanceof ThreadLease);
      const ta = await a.call(whichThread);
      assert.equal(await a.call(whichThread), ta);
      assert.notEqual(await b.call(whichThread), ta);
      assert.deepEqual([await a.call(bump), await a.call(bump), await b.call(bump)], [1, 2, 1]);
      assert.equal(pool.working, 2);
      a.release();
      b.release();
      assert.equal(pool.working, 0);
    } finally {
      await pool.stop();
    }
  });

  it("runs a lease's calls one at a time, in call order", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const lease = await pool.acquireThread();
      const addLater = task<(a: number, b: number) => Promise<number>>(WORK, "addLater");
      const order: number[] = [];
      await Promise.all([1, 2, 3, 4].map((i) =>
        lease.call(addLater, i, 0).addCallback((n) => {
          order.push(n);
        })
      ));
      assert.deepEqual(order, [1, 2, 3, 4]);
      lease.release();
    } finally {
      await pool.stop();
    }
  });

  it("waits in FIFO order with work when every thread is busy (Twisted's single work queue)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const gate = new Gate();
    try {
      const events: string[] = [];
      const busy = new Promise<void>((done) =>
        pool.callInThreadWithCallback(
          () => {
            events.push("work 1");
            done();
          },
          waitGate,
          gate.sab,
          "first",
        )
      );
      const leased = pool.acquireThread().addCallback((lease) => {
        events.push("lease");
        return lease;
      });
      const after = new Promise<void>((done) =>
        pool.callInThreadWithCallback(() => {
          events.push("work 2");
          done();
        }, (n: number) =>
          n, 2)
      );
      assert.equal(pool.queued, 3, "nothing runs before the first thread has started");
      await gate.arrivals(1);
      assert.equal(pool.queued, 2);
      gate.open();
      await busy;
      const lease = await leased;
      assert.deepEqual(events, ["work 1", "lease"]);
      assert.equal(pool.queued, 1, "work queued after the lease request waits for the lease");
      lease.release();
      await after;
      assert.deepEqual(events, ["work 1", "lease", "work 2"]);
    } finally {
      await pool.stop();
    }
  });

  it("release() returns the thread to the pool; later calls and a second release throw", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const lease = await pool.acquireThread();
      const id = await lease.call(whichThread);
      lease.release();
      assert.equal(lease.released, true);
      assert.throws(() => lease.call(whichThread), TypeError);
      assert.throws(() => lease.release(), /already released/);
      const [ok, other] = await run(pool, whichThread);
      assert.equal(ok, true);
      assert.equal(other, id, "the one thread serves the pool again");
    } finally {
      await pool.stop();
    }
  });

  it("fails in-flight and later calls with the crash error when its Worker dies; the pool replaces the Worker", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const lease = await pool.acquireThread();
      const before = await lease.call(whichThread);
      const died = await lease.call(exitNow, 7).then(
        () => assert.fail("exitNow returned"),
        (e: unknown) => e,
      );
      assert.ok(died instanceof WorkerCrashed);
      assert.equal(died.exitCode, 7);
      assert.equal(lease.crashed, died);
      const later = await lease.call(whichThread).then(() => null, (e: unknown) => e);
      assert.equal(later, died);
      lease.release();
      const [ok, now] = await run(pool, whichThread);
      assert.equal(ok, true);
      assert.notEqual(now, before, "a new Worker took the dead one's place");
    } finally {
      await pool.stop();
    }
  });

  it("lease requests still waiting when the pool stops fail with ThreadPoolStopped", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const first = await pool.acquireThread();
    const waiting = pool.acquireThread();
    const stopped = pool.stop();
    const outcome = await waiting.then(() => null, (e: unknown) => e);
    assert.ok(outcome instanceof ThreadPoolStopped, String(outcome));
    await stopped;
    const late = await first.call(whichThread).then(() => null, (e: unknown) => e);
    assert.ok(late instanceof ThreadPoolStopped);
    assert.equal(pool.workers, 0);
  });

  it("a call's error comes back as the thread's error, and the lease goes on", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const lease = await pool.acquireThread();
      const lookup = task<(k: string) => never>(WORK, "lookup");
      const f = await lease.call(lookup, "k").then(() => null, (e: unknown) => new Failure(e));
      assert.ok(f !== null);
      assert.equal(f.check("KeyError"), "KeyError");
      assert.equal(await lease.call(bump), 1);
      lease.release();
    } finally {
      await pool.stop();
    }
  });
});
