/**
 * The after-test janitor (testing/_dirty_reactor.ts) for what outlives a
 * test besides delayed calls and ports: processes still running, on either
 * reactor kind (Twisted's janitor sends them KILL), and the reactor's thread
 * pool with work running or queued (Twisted's janitor stops the pool; the
 * kit reports it too, in a `Threads:` section of the
 * DirtyReactorAggregateError, and ends the threads so nothing outlives the
 * test).
 */

import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import type { Deferred } from "../../deferred/mod.ts";
import { ProcessProtocol } from "../../protocols/mod.ts";
import { defaultReactorKind } from "../../reactor/mod.ts";
import { DirtyReactorAggregateError, TestCase } from "../../testing/mod.ts";
import { deferToThreadPool, ThreadPoolStopped, WorkerCrashed } from "../../threads/mod.ts";

/** Work for a pool thread: say it arrived (gate[1]), then block until gate[0] is set. */
function blockOnGate(gate: SharedArrayBuffer): number {
  const i32 = new Int32Array(gate);
  Atomics.store(i32, 1, 1);
  Atomics.notify(i32, 1);
  Atomics.wait(i32, 0, 0, 60_000);
  return 1;
}

/** Resolve once a thread has arrived at `gate` (a condition checked each turn of `reactor`, not a sleep). */
function arrived(
  reactor: { callLater(s: number, f: () => void): unknown; },
  gate: SharedArrayBuffer,
): Promise<void> {
  const i32 = new Int32Array(gate);
  return new Promise((resolve) => {
    const check = (): void => {
      if (Atomics.load(i32, 1) !== 0) resolve();
      else reactor.callLater(0.005, check);
    };
    check();
  });
}

describe("busy pool threads make the reactor dirty (the kit's Threads: section)", () => {
  it("work still running is reported, its thread ended, its Deferred failed with WorkerCrashed, and no logged error", async () => {
    let result: Deferred<number> | null = null;
    let outcome: unknown = null;
    const gate = new SharedArrayBuffer(8);
    class T extends TestCase {
      async testBusy(): Promise<void> {
        const r = this.reactor;
        result = deferToThreadPool(r, r.getThreadPool(), blockOnGate, gate);
        result.addErrback((f) => {
          outcome = f.value;
        });
        await arrived(r, gate);
      }
    }
    await assert.rejects(new T("testBusy").run(30), (e: unknown) => {
      assert.ok(e instanceof DirtyReactorAggregateError, String(e));
      assert.equal(
        e.message,
        "Reactor was unclean.\nThreads:\n<ThreadPool \"skein.reactor\": 1 working, 0 queued>",
      );
      assert.deepEqual(e.threads, ["<ThreadPool \"skein.reactor\": 1 working, 0 queued>"]);
      return true;
    });
    assert.ok(outcome instanceof WorkerCrashed, String(outcome));
  });

  it("work still queued is reported and failed with ThreadPoolStopped, never dropped", async () => {
    const outcomes: unknown[] = [];
    class T extends TestCase {
      testQueued(): void {
        const r = this.reactor;
        r.getThreadPool().adjustPoolsize(0, 1);
        const gate = new SharedArrayBuffer(8);
        for (let i = 0; i < 3; i++) {
          deferToThreadPool(r, r.getThreadPool(), blockOnGate, gate).addErrback((f) => {
            outcomes.push(f.value);
          });
        }
      }
    }
    await assert.rejects(new T("testQueued").run(30), (e: unknown) => {
      assert.ok(e instanceof DirtyReactorAggregateError, String(e));
      // One thread at most: the first call may have reached it, the others wait.
      assert.match(
        e.message,
        /^Reactor was unclean\.\nThreads:\n<ThreadPool "skein\.reactor": [01] working, [23] queued>$/,
      );
      return true;
    });
    assert.equal(outcomes.length, 3);
    assert.ok(outcomes.some((o) => o instanceof ThreadPoolStopped), outcomes.map(String).join());
    assert.ok(outcomes.every((o) => o instanceof ThreadPoolStopped || o instanceof WorkerCrashed));
  });

  it("a test whose thread work finished is clean, though the pool keeps idle threads", async () => {
    class T extends TestCase {
      async testDone(): Promise<void> {
        const r = this.reactor;
        const n = await deferToThreadPool(r, r.getThreadPool(), (a: number) => a + 1, 41);
        assert.equal(n, 42);
      }
    }
    await new T("testDone").run(30);
  });
});

describe("processes still running make the reactor dirty on both kinds (Twisted's janitor kills IProcessTransports)", () => {
  for (const kind of [...new Set([defaultReactorKind(), "host" as const])]) {
    it(`${kind} reactor: reported as <Process pid=N>, sent KILL and reaped`, async () => {
      let pid: number | null = null;
      let ended: unknown = null;
      class T extends TestCase {
        override reactorKind = kind;
        testLeaves(): void {
          const p = new (class extends ProcessProtocol {
            override processEnded(reason: { value: unknown; }): void {
              ended = reason.value;
            }
          })();
          pid = this.reactor.spawnProcess(p, "sleep", ["sleep", "60"]).pid;
        }
      }
      await assert.rejects(new T("testLeaves").run(30), (e: unknown) => {
        assert.ok(e instanceof DirtyReactorAggregateError, String(e));
        assert.equal(e.message, `Reactor was unclean.\nSelectables:\n<Process pid=${pid}>`);
        return true;
      });
      assert.ok(ended !== null, "the process was reaped before the reactor stopped");
      assert.throws(() => process.kill(pid!, 0), { code: "ESRCH" });
    });
  }
});
