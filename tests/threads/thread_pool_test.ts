/**
 * ThreadPool: Twisted's `twisted.python.threadpool.ThreadPool` semantics
 * (`src/twisted/test/test_threadpool.py`), over Workers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import * as log from "../../log/log.ts";
import type { LogEvent } from "../../log/log.ts";
import { ThreadPoolStopped, WorkerCrashed } from "../../threads/errors.ts";
import { task } from "../../threads/task.ts";
import { ThreadPool } from "../../threads/thread_pool.ts";
import { Gate, run, until, WORK } from "./_helpers.ts";

const waitGate = task<(g: SharedArrayBuffer, v: unknown) => unknown>(WORK, "waitGate");
const whichThread = task<() => number>(WORK, "whichThread");

function failureOf(outcome: [boolean, unknown]): Failure {
  assert.equal(outcome[0], false, `expected a failure, got ${String(outcome[1])}`);
  return outcome[1] as Failure;
}

describe("ThreadPool sizes", () => {
  it("defaults to Twisted's 5 and 20 threads", () => {
    const pool = new ThreadPool();
    assert.equal(pool.minThreads, 5);
    assert.equal(pool.maxThreads, 20);
    assert.equal(pool.workers, 0, "no thread before start()");
  });

  it("refuses bad sizes with a RangeError that names them (Twisted asserts min <= max)", () => {
    assert.throws(
      () => new ThreadPool({ minThreads: 3, maxThreads: 2 }),
      /minThreads \(3\) must not exceed maxThreads \(2\)/,
    );
    assert.throws(() => new ThreadPool({ minThreads: -1 }), RangeError);
    assert.throws(() => new ThreadPool({ maxThreads: 0 }), RangeError);
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 2 });
    assert.throws(() => pool.adjustPoolsize(1.5, 2), RangeError);
  });

  it("starts threads lazily when work arrives, never more than maxThreads; the rest waits", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 2 });
    pool.start();
    assert.equal(pool.workers, 0, "minThreads 0: nothing starts until work arrives");
    const gate = new Gate();
    try {
      const outcomes = [1, 2, 3].map((i) => run(pool, waitGate, gate.sab, i));
      assert.equal(pool.workers, 2);
      await gate.arrivals(2);
      assert.equal(pool.working, 2);
      assert.equal(pool.queued, 1);
      assert.equal(pool.waiters, 0);
      gate.open();
      assert.deepEqual((await Promise.all(outcomes)).map((o) => o[1]), [1, 2, 3]);
      assert.equal(pool.workers, 2);
      assert.equal(pool.working, 0);
      assert.equal(pool.waiters, 2);
    } finally {
      await pool.stop();
    }
  });

  it("start() starts minThreads threads at once (Twisted's start() adjusts to the minimum)", async () => {
    const pool = new ThreadPool({ minThreads: 2, maxThreads: 4 });
    pool.start();
    assert.equal(pool.workers, 2);
    const gate = new Gate();
    try {
      const outcomes = [1, 2].map((i) => run(pool, waitGate, gate.sab, i));
      await gate.arrivals(2);
      assert.equal(pool.workers, 2, "the two started threads took the work; none more");
      gate.open();
      await Promise.all(outcomes);
    } finally {
      await pool.stop();
    }
  });

  it("runs work in submission order on one thread (FIFO queue)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    const order: number[] = [];
    const all = [0, 1, 2, 3, 4, 5].map((i) =>
      new Promise<void>((done) =>
        pool.callInThreadWithCallback(() => {
          order.push(i);
          done();
        }, (n: number) =>
          n, i)
      )
    );
    assert.equal(pool.queued, 6, "work submitted before start() waits (Twisted queues it)");
    pool.start();
    try {
      await Promise.all(all);
      assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    } finally {
      await pool.stop();
    }
  });

  it("sends queued quick calls several to a message, yet each is answered in order as if it came alone, a callFromThread between them where it was made", async () => {
    const reportAndReturn = task<(i: number) => number>(WORK, "reportAndReturn");
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    const events: string[] = [];
    pool.expose({ record: (i: number) => void events.push(`record ${i}`) });
    pool.start();
    try {
      // Once the job is known to be quick, queued calls of it share messages.
      for (const i of [1, 2]) await run(pool, reportAndReturn, i);
      events.length = 0;
      const all = Array.from(
        { length: 60 },
        (_, i) =>
          run(pool, reportAndReturn, i).then(([ok, v]) => {
            events.push(ok ? `ok ${v}` : `failed ${((v as Failure).value as Error).message}`);
          }),
      );
      await Promise.all(all);
      const expected = Array.from({ length: 60 }, (_, i) => [
        `record ${i}`,
        i === 13 ? "failed no such key: 13" : `ok ${i}`,
      ]).flat();
      assert.deepEqual(events, expected);
    } finally {
      await pool.stop();
    }
  });

  it("runs quick calls on no more threads than the CPU cores, though more are idle", async () => {
    const pool = new ThreadPool({ minThreads: 4, maxThreads: 4 });
    pool.start();
    try {
      await until(() => pool.waiters === 4, "four idle threads");
      // The second call, on the thread that imported its module, shows whichThread is quick.
      for (let i = 0; i < 2; i++) await run(pool, whichThread);
      const all = await Promise.all(Array.from({ length: 40 }, () => run(pool, whichThread)));
      assert.ok(all.every(([ok]) => ok));
      const cores = Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
      assert.equal(new Set(all.map(([, id]) => id)).size, Math.min(4, cores));
    } finally {
      await pool.stop();
    }
  });

  it("quick calls do not wait behind threads busy with slow work: idle threads take them", async () => {
    const pool = new ThreadPool({ minThreads: 4, maxThreads: 4 });
    pool.start();
    const gate = new Gate();
    try {
      await until(() => pool.waiters === 4, "four idle threads");
      for (let i = 0; i < 2; i++) await run(pool, whichThread);
      const cores = Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
      const busy = Math.min(cores, 3); // leaves an idle thread
      const slow = Array.from({ length: busy }, (_, i) => run(pool, waitGate, gate.sab, i));
      await gate.arrivals(busy);
      // The gate is still closed: the quick calls answer all the same.
      const quick = await Promise.all(Array.from({ length: 10 }, () => run(pool, whichThread)));
      assert.ok(quick.every(([ok]) => ok));
      assert.equal(gate.arrived, busy, "the slow calls are still waiting");
      gate.open();
      assert.deepEqual((await Promise.all(slow)).map(([, v]) => v), [...Array(busy).keys()]);
    } finally {
      gate.open();
      await pool.stop();
    }
  });

  it("ends idle threads above minThreads after idleTimeout", async () => {
    const pool = new ThreadPool({ minThreads: 1, maxThreads: 3, idleTimeout: 0.05 });
    pool.start();
    const gate = new Gate();
    try {
      const outcomes = [1, 2, 3].map((i) => run(pool, waitGate, gate.sab, i));
      await gate.arrivals(3);
      gate.open();
      await Promise.all(outcomes);
      assert.equal(pool.workers, 3);
      await until(() => pool.workers === 1, "idle threads to end");
      assert.equal(pool.waiters, 1, "the minimum stays");
    } finally {
      await pool.stop();
    }
  });

  it("adjustPoolsize grows to the new minimum and ends idle threads above the new maximum", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 4 });
    pool.start();
    try {
      pool.adjustPoolsize(3, 4);
      assert.equal(pool.workers, 3);
      await until(() => pool.waiters === 3, "three threads ready");
      pool.adjustPoolsize(0, 1);
      assert.equal(pool.workers, 1);
      assert.equal(pool.maxThreads, 1);
      assert.deepEqual(await run(pool, (x: string) => x + "!", "ok"), [true, "ok!"]);
    } finally {
      await pool.stop();
    }
  });
});

describe("ThreadPool results", () => {
  it("logs an error thrown by onResult and goes on (Twisted's test_callInThreadWithCallbackExceptionInOnResult)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const logged: string[] = [];
    const observer = (e: LogEvent): void => {
      if (e.isError && e.failure !== undefined) logged.push(e.failure.getErrorMessage());
    };
    log.addObserver(observer);
    try {
      pool.callInThreadWithCallback(
        () => {
          throw new Error("onResult blew up");
        },
        (n: number) => n,
        1,
      );
      assert.deepEqual(await run(pool, (n: number) => n + 1, 1), [true, 2]);
      assert.deepEqual(logged, ["onResult blew up"]);
    } finally {
      log.removeObserver(observer);
      await pool.stop();
    }
  });

  it("calls onResult(false, failure) for an error and (true, value) otherwise (Twisted's test_callInThreadWithCallback)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      assert.deepEqual(await run(pool, (s: string) => s.repeat(2), "ab"), [true, "abab"]);
      const f = failureOf(
        await run(pool, () => {
          throw new SyntaxError("bad");
        }),
      );
      assert.ok(f.value instanceof SyntaxError);
      assert.equal(f.getErrorMessage(), "bad");
    } finally {
      await pool.stop();
    }
  });
});

describe("ThreadPool.stop", () => {
  it("waits for running work, fails queued work with ThreadPoolStopped, then ends every Worker", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const gate = new Gate();
    const running = run(pool, waitGate, gate.sab, "finished");
    const queued = run(pool, (n: number) => n, 1);
    await gate.arrivals(1);
    let stoppedFired = false;
    const stopped = pool.stop().addCallback(() => {
      stoppedFired = true;
    });
    const f = failureOf(await queued);
    assert.ok(f.value instanceof ThreadPoolStopped);
    assert.match(f.getErrorMessage(), /stopped before this work started/);
    assert.equal(stoppedFired, false, "stop() waits for the running work");
    gate.open();
    assert.deepEqual(await running, [true, "finished"]);
    await stopped;
    assert.equal(pool.workers, 0);
  });

  it("stop({ timeout }) ends a thread stuck in its work, which fails with WorkerCrashed", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const gate = new Gate(); // never opened
    const stuck = run(pool, waitGate, gate.sab, "never");
    await gate.arrivals(1);
    await pool.stop({ timeout: 0.05 });
    const f = failureOf(await stuck);
    assert.ok(f.value instanceof WorkerCrashed);
    assert.match(f.getErrorMessage(), /stop\(\{ timeout: 0\.05 \}\)/);
    assert.equal(pool.workers, 0);
  });

  it("refuses work after stop() with ThreadPoolStopped (Twisted drops it silently) and may start again", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    await pool.stop();
    assert.throws(() => pool.callInThread((n: number) => n, 1), ThreadPoolStopped);
    assert.throws(() => pool.acquireThread(), ThreadPoolStopped);
    pool.start();
    try {
      assert.deepEqual(await run(pool, (n: number) => n + 1, 1), [true, 2]);
    } finally {
      await pool.stop();
    }
  });
});

describe("ThreadPool crashes", () => {
  const crashes: Array<[string, string, unknown[], RegExp]> = [
    ["process.exit() in the thread", "exitNow", [3], /process\.exit\(3\)/],
    ["an uncaught error thrown from a timer", "throwLater", ["boom"], /uncaught Error: boom/],
    ["an unhandled rejection", "rejectLater", ["nobody caught me"], /nobody caught me/],
  ];
  for (const [kind, name, args, message] of crashes) {
    it(`${kind} fails the work it held with WorkerCrashed; the pool replaces the Worker and queued work runs`, async () => {
      const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
      pool.start();
      try {
        const first = await run(pool, whichThread);
        const crashed = run(pool, task(WORK, name), ...args);
        const after = run(pool, whichThread);
        const f = failureOf(await crashed);
        assert.ok(f.value instanceof WorkerCrashed, String(f.value));
        assert.match(f.getErrorMessage(), message);
        const next = await after;
        assert.equal(next[0], true, "work queued behind the crash still runs");
        assert.notEqual(next[1], first[1], "on a new Worker");
        assert.equal(pool.workers, 1);
      } finally {
        await pool.stop();
      }
    });
  }

  it("keeps the exit code and the uncaught error as cause", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const exited = failureOf(await run(pool, task(WORK, "exitNow"), 9)).value as WorkerCrashed;
      assert.equal(exited.exitCode, 9);
      const thrown = failureOf(await run(pool, task(WORK, "throwLater"), "why"))
        .value as WorkerCrashed;
      assert.equal((thrown.cause as Error).message, "why");
    } finally {
      await pool.stop();
    }
  });
});
