/**
 * deferToThread, deferToThreadPool, callMultipleInThread and the reactor's
 * thread pool (Twisted's `twisted.internet.threads` and `IReactorThreads`,
 * `src/twisted/test/test_threads.py`).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Failure } from "../../deferred/failure.ts";
import * as log from "../../log/log.ts";
import type { LogEvent } from "../../log/log.ts";
import { createReactor } from "../../reactor/install.ts";
import { MemoryReactor, MemoryReactorClock } from "../../testing/memory_reactor.ts";
import { deferToThreadPool } from "../../threads/defer_to_thread.ts";
import { CapturedVariableError } from "../../threads/errors.ts";
import { task, taskModule } from "../../threads/task.ts";
import { ThreadPool } from "../../threads/thread_pool.ts";
import { runScript } from "../_runtime.ts";
import { ALL_KINDS, runFor } from "../reactor/_reactor_kinds.ts";
import { until, WORK } from "./_helpers.ts";
import type * as Work from "./_work.ts";

const SCRIPT = fileURLToPath(new URL("./_reactor_script.ts", import.meta.url));

async function child(
  kind: string,
  mode: string,
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const r = await runScript(SCRIPT, [kind, mode], { timeoutMs: 30_000, env });
  assert.equal(r.code, 0, `the child failed:\n${r.out}\n${r.err}`);
  const line = r.out.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as Record<string, unknown>;
}

for (const kind of ALL_KINDS) {
  describe(`the ${kind} reactor's threads (IReactorThreads)`, () => {
    it("getThreadPool() is Twisted's lazy (0, 10) pool, started when the reactor runs, stopped during shutdown", async () => {
      const reactor = createReactor(kind);
      const pool = reactor.getThreadPool();
      assert.equal(reactor.getThreadPool(), pool, "one pool per reactor");
      assert.deepEqual([pool.minThreads, pool.maxThreads, pool.started], [0, 10, false]);
      let startedWhileRunning = false;
      let result: unknown;
      reactor.callWhenRunning(async () => {
        startedWhileRunning = pool.started;
        result = await deferToThreadPool(reactor, pool, (a: number, b: number) => a + b, 20, 22);
        reactor.stop();
      });
      await runFor(reactor, 20_000);
      assert.equal(startedWhileRunning, true);
      assert.equal(result, 42);
      assert.equal(pool.started, false, "stopped in the shutdown's during phase");
      await until(() => pool.workers === 0, "the pool's Workers to end");
    });

    it("suggestThreadPoolSize(n) sets the maximum; callInThread runs work, logging its error (Twisted logs it)", async () => {
      const reactor = createReactor(kind);
      reactor.suggestThreadPoolSize(3);
      assert.equal(reactor.getThreadPool().maxThreads, 3);
      reactor.suggestThreadPoolSize(1); // one thread: the failing call is done before the report
      const got: unknown[] = [];
      const logged: string[] = [];
      const observer = (e: LogEvent): void => {
        if (e.isError && e.failure !== undefined) logged.push(e.failure.getErrorMessage());
      };
      log.addObserver(observer);
      reactor.getThreadPool().expose({
        record: (v: unknown): void => {
          got.push(v);
          reactor.stop();
        },
      });
      reactor.callWhenRunning(() => {
        reactor.callInThread(() => {
          throw new Error("thrown in the thread");
        });
        reactor.callInThread(WORK, "report", 7);
      });
      try {
        await runFor(reactor, 20_000);
      } finally {
        log.removeObserver(observer);
      }
      assert.deepEqual(got, [7]);
      assert.deepEqual(logged, ["thrown in the thread"]);
    });
  });
}

describe("deferToThreadPool", () => {
  it("fires on the reactor thread once the answer arrives, never synchronously (Twisted fires in the reactor thread)", async () => {
    const reactor = new MemoryReactorClock();
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const d = deferToThreadPool(reactor, pool, (n: number) => n * 3, 5);
      assert.equal(d.called, false, "not before the thread answered");
      assert.equal(await d, 15);
      assert.equal(reactor.getDelayedCalls().length, 0, "no hop through the reactor's queue");
    } finally {
      await pool.stop();
    }
  });

  it("turns an error in the thread into an errback keeping class name, message, stack and cause (Twisted: an exception becomes an errback)", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      const f = await deferToThreadPool(new MemoryReactor(), pool, task(WORK, "lookup"), "alice")
        .then(() => null, (e: unknown) => new Failure(e));
      assert.ok(f !== null);
      const e = f.value as Error & { key: string; };
      assert.equal(f.check("KeyError"), "KeyError");
      assert.equal(f.check(RangeError), RangeError, "the built-in ancestor is the real one");
      assert.equal(e.constructor.name, "KeyError");
      assert.equal(e.message, "no such key: alice");
      assert.equal(e.key, "alice", "own properties cross too");
      assert.match(e.stack ?? "", /_work\.ts/, "the thread's stack");
      assert.ok(e.cause instanceof TypeError);
      assert.equal((e.cause as Error).message, "the inner reason");
    } finally {
      await pool.stop();
    }
  });

  it("a function that captures an outer variable fails with CapturedVariableError naming it and the remedy", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const factor = 3;
    try {
      const f = await deferToThreadPool(new MemoryReactor(), pool, (n: number) => n * factor, 2)
        .then(() => null, (e: unknown) => new Failure(e));
      assert.ok(f !== null);
      assert.ok(f.value instanceof CapturedVariableError, String(f.value));
      assert.equal(f.value.variable, "factor");
      assert.match(f.value.message, /uses `factor`, which does not exist inside the thread/);
      assert.match(f.value.message, /task module/);
      assert.ok(f.value.cause instanceof ReferenceError);
    } finally {
      await pool.stop();
    }
  });

  it("refuses native or bound functions at the call, naming the remedy", () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    assert.throws(() => pool.callInThread(Math.max, 1, 2), /native or bound.*task module/s);
    assert.throws(
      () => pool.callInThread("./work.ts" as unknown as URL, "add"),
      /a task \(task\(url, name\)\)/,
    );
    assert.throws(() => task("./work.ts" as unknown as URL, "x"), /must be a URL/);
  });

  it("moves buffers on request (transferArgs / transferResult); copies them by default", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const reactor = new MemoryReactor();
    try {
      const copied = new Uint8Array([1, 2, 3]);
      const back = await deferToThreadPool(
        reactor,
        pool,
        task<(b: Uint8Array) => Uint8Array>(WORK, "echoBytes"),
        copied,
      );
      assert.deepEqual([...back], [1, 2, 3]);
      assert.equal(copied.byteLength, 3, "copied: the caller keeps its bytes");
      const moved = new Uint8Array(1024).fill(7);
      const echo = task<(b: Uint8Array) => Uint8Array>(WORK, "echoBytes", {
        transferArgs: true,
        transferResult: true,
      });
      const r = await deferToThreadPool(reactor, pool, echo, moved);
      assert.equal(moved.byteLength, 0, "moved: the caller's buffer is detached");
      assert.equal(r.byteLength, 1024);
      assert.equal(r[1023], 7);
    } finally {
      await pool.stop();
    }
  });

  it("fails with a clear error when arguments or results cannot cross", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const reactor = new MemoryReactor();
    try {
      const args = await deferToThreadPool(reactor, pool, (x: unknown) => x, () => 1)
        .then(() => null, (e: unknown) => e as Error);
      assert.match(String(args?.message), /arguments of .* could not be sent to the thread/);
      const result = await deferToThreadPool(reactor, pool, () => () => 1)
        .then(() => null, (e: unknown) => e as Error);
      assert.match(String(result?.message), /result of the work could not be sent back/);
      const missing = await deferToThreadPool(reactor, pool, WORK, "notAFunction")
        .then(() => null, (e: unknown) => e as Error);
      assert.match(String(missing?.message), /no exported function "notAFunction"/);
    } finally {
      await pool.stop();
    }
  });

  it("taskModule types each export's arguments and result from the module's type", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const work = taskModule<typeof Work>(WORK);
    try {
      const sum: number = await deferToThreadPool(new MemoryReactor(), pool, work.add, 2, 3);
      assert.equal(sum, 5);
      // @ts-expect-error add takes numbers: the type checker refuses a string
      const wrong = deferToThreadPool(new MemoryReactor(), pool, work.add, "2", 3);
      assert.equal(await wrong, "23", "at run time the thread just adds what it got");
      assert.equal(work.add, work.add, "one Task per export");
    } finally {
      await pool.stop();
    }
  });

  it("a job the thread already has (every call after its first) answers, fails, awaits and keeps order as the first call does", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    const reactor = new MemoryReactor();
    const factor = 3;
    const failure = (e: unknown): Failure => new Failure(e);
    try {
      for (let round = 0; round < 2; round++) {
        assert.equal(
          await deferToThreadPool(reactor, pool, task(WORK, "add"), 2, round),
          2 + round,
        );
        const f = await deferToThreadPool(reactor, pool, task(WORK, "lookup"), "bob")
          .then(() => null, failure);
        assert.equal(f?.check("KeyError"), "KeyError", `round ${round}`);
        assert.equal((f?.value as Error).message, "no such key: bob");
        const c = await deferToThreadPool(reactor, pool, (n: number) => n * factor, 2)
          .then(() => null, failure);
        assert.ok(c?.value instanceof CapturedVariableError, `round ${round}: ${String(c?.value)}`);
        const r = await deferToThreadPool(reactor, pool, async (m: string) => {
          await null;
          throw new Error(m);
        }, "late").then(() => null, failure);
        assert.equal((r?.value as Error).message, "late");
      }
      // One thread, FIFO: an async call of a known job finishes before the calls queued after it.
      const order: string[] = [];
      await Promise.all([
        deferToThreadPool(reactor, pool, task(WORK, "addLater"), 1, 1).then((v) =>
          order.push(`later ${v}`)
        ),
        deferToThreadPool(reactor, pool, task(WORK, "add"), 1, 2).then((v) =>
          order.push(`add ${v}`)
        ),
        deferToThreadPool(reactor, pool, task(WORK, "addLater"), 2, 2).then((v) =>
          order.push(`later ${v}`)
        ),
      ]);
      assert.deepEqual(order, ["later 2", "add 3", "later 4"]);
    } finally {
      await pool.stop();
    }
  });

  it("awaits an async task in the thread", async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
    pool.start();
    try {
      assert.equal(await deferToThreadPool(new MemoryReactor(), pool, WORK, "addLater", 1, 2), 3);
    } finally {
      await pool.stop();
    }
  });
});

describe("MemoryReactor threads", () => {
  it("has the same lazy pool, started by run() and stopped by the shutdown event", async () => {
    const reactor = new MemoryReactor();
    const pool = reactor.getThreadPool();
    reactor.suggestThreadPoolSize(2);
    assert.equal(pool.maxThreads, 2);
    await reactor.run();
    assert.equal(pool.started, true);
    reactor.fireSystemEvent("shutdown");
    assert.equal(pool.started, false);
  });
});

describe("the process-wide reactor's threads (child processes)", () => {
  for (const kind of ALL_KINDS) {
    it(`${kind}: deferToThread in every form; the process exits after reactor.stop() with no Worker left`, async () => {
      const out = await child(kind, "defer");
      assert.deepEqual(
        [out.module, out.task, out.source, out.workersAfterStop],
        [5, 9, "ABC", 0],
      );
      assert.ok((out.workersBeforeStop as number) >= 1);
    });
  }

  it("a thread slow to load its entry module still starts: the pool sends its start message only once the thread listens", async () => {
    // Deno's node:worker_threads drops a message that reaches a thread
    // before it listens on parentPort (Node queues it). With an empty module
    // cache (DENO_DIR) Deno transpiles the thread's modules first, so a start
    // message posted with the Worker was lost and the first call hung. Bun
    // has no such cache: there the same run checks the same path.
    const dir = await mkdtemp(join(tmpdir(), "skein-cold-cache-"));
    try {
      const out = await child("host", "defer", { DENO_DIR: dir });
      assert.deepEqual([out.module, out.task, out.source], [5, 9, "ABC"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("callMultipleInThread runs every call in one thread, in order (Twisted's callMultipleInThread)", async () => {
    const out = await child("host", "multiple");
    assert.deepEqual(out.order, [0, 1, 2, 3, 4]);
  });

  it("an idle Worker of a pool nobody stopped does not keep the process alive (it is unref'd)", async () => {
    const out = await child("host", "idle");
    assert.deepEqual([out.result, out.workers, out.waiters], [3, 1, 1]);
  });

  it("work queued when the reactor stops fails with ThreadPoolStopped; running work finishes", async () => {
    const out = await child("host", "queued");
    assert.match(String(out.queued), /stopped before this work started/);
    assert.equal(
      out.workersAfterStop,
      1,
      "the running thread is still finishing at 'after shutdown'",
    );
  });
});
