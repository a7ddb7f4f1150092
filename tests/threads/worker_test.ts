/**
 * The worker-side API: `callFromThread` and `blockingCallFromThread` reach
 * functions the reactor thread exposed (Twisted's `reactor.callFromThread`
 * and `threads.blockingCallFromThread`, `src/twisted/test/test_threads.py`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { createReactor } from "../../reactor/install.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { deferToThreadPool } from "../../threads/defer_to_thread.ts";
import { NotInThread } from "../../threads/errors.ts";
import { task } from "../../threads/task.ts";
import { ThreadPool } from "../../threads/thread_pool.ts";
import { blockingCallFromThread, callFromThread, isInThread } from "../../threads/worker.ts";
import { runFor } from "../reactor/_reactor_kinds.ts";
import { run, WORK } from "./_helpers.ts";

const askUser = task<(id: number) => unknown>(WORK, "askUser");
const askAndCatch = task<(name: string, arg: unknown) => string>(WORK, "askAndCatch");

class NoSuchUser extends Error {
  override name = "NoSuchUser";
}

describe("blockingCallFromThread", () => {
  it("returns the result once the exposed function's Deferred fired (Twisted waits on the Deferred)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    const pending: Array<Deferred<unknown>> = [];
    pool.expose({
      getUser: (id: number): Deferred<unknown> => {
        const d = new Deferred<unknown>();
        pending.push(d);
        // Fire later, from a timer: the thread must wait for it.
        setTimeout(() => d.callback({ id, name: "alice", tags: new Set(["a"]) }), 20);
        return d;
      },
    });
    pool.start();
    try {
      const [ok, user] = await run(pool, askUser, 1);
      assert.equal(ok, true);
      assert.deepEqual(user, { id: 1, name: "alice", tags: new Set(["a"]) });
      assert.equal(pending.length, 1);
    } finally {
      await pool.stop();
    }
  });

  it("throws the exposed function's error in the thread, with its class name (Twisted re-raises the Failure there)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.expose({
      getUser: (id: number): never => {
        throw new NoSuchUser(`no user ${id}`);
      },
      later: (): Promise<never> => Promise.reject(new RangeError("rejected later")),
    });
    pool.start();
    try {
      assert.deepEqual(await run(pool, askAndCatch, "getUser", 5), [true, "NoSuchUser: no user 5"]);
      assert.deepEqual(await run(pool, askAndCatch, "later", 0), [
        true,
        "RangeError: rejected later",
      ]);
    } finally {
      await pool.stop();
    }
  });

  it("throws a TypeError naming expose() for a name nobody exposed", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1, name: "db" });
    pool.start();
    try {
      const [, said] = await run(pool, askAndCatch, "missing", 0);
      assert.match(
        String(said),
        /^TypeError: No function named "missing" is exposed.*pool\.expose\(\{ missing \}\)/,
      );
    } finally {
      await pool.stop();
    }
  });

  it("runs the exposed function in a reactor iteration when the pool has a reactor", async () => {
    const reactor = createReactor("host");
    const pool = reactor.getThreadPool();
    let inIteration = false;
    pool.expose({
      getUser: (id: number): number => {
        inIteration = reactor.running;
        return id * 2;
      },
    });
    let got: unknown;
    reactor.callWhenRunning(async () => {
      got = await deferToThreadPool(reactor, pool, askUser, 21);
      reactor.stop();
    });
    await runFor(reactor, 20_000);
    assert.equal(got, 42);
    assert.equal(inIteration, true);
  });

  it("throws NotInThread at once on the reactor thread, saying why (Twisted deadlocks)", () => {
    assert.equal(isInThread(), false);
    assert.throws(
      () => blockingCallFromThread("getUser", 1),
      (e: unknown) =>
        e instanceof NotInThread && /would wait for the reactor.*deadlocks/s.test(e.message),
    );
    assert.throws(() => callFromThread("record", 1), NotInThread);
  });
});

describe("callFromThread (from a thread)", () => {
  it("runs the exposed function on the reactor thread without blocking the thread, in call order", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    const seen: number[] = [];
    const all = new Deferred<void>();
    pool.expose({
      record: (i: number): void => {
        seen.push(i);
        if (seen.length === 3) all.callback(undefined);
      },
    });
    pool.start();
    try {
      await deferToThreadPool(new MemoryReactor(), pool, WORK, "reportMany", 3);
      await all;
      assert.deepEqual(seen, [0, 1, 2]);
    } finally {
      await pool.stop();
    }
  });
});
