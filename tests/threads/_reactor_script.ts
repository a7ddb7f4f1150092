/**
 * A child process for the threads' clean-exit tests:
 * `_reactor_script.ts KIND MODE`. It prints one JSON line of what happened;
 * the parent checks it and that the process exits by itself.
 */
import process from "node:process";
import { installReactor, type ReactorKind } from "../../reactor/install.ts";
import { callMultipleInThread, deferToThread } from "../../threads/defer_to_thread.ts";
import { task } from "../../threads/task.ts";
import { ThreadPool } from "../../threads/thread_pool.ts";

const [kind, mode] = process.argv.slice(-2) as [ReactorKind, string];
const reactor = installReactor(kind);
const work = new URL("./_work.ts", import.meta.url);
const out: Record<string, unknown> = {};

reactor.addSystemEventTrigger("after", "shutdown", () => {
  out.workersAfterStop = reactor.getThreadPool().workers;
  console.log(JSON.stringify(out));
});

switch (mode) {
  case "defer":
    // deferToThread in every form, then stop with idle threads alive.
    reactor.callWhenRunning(async () => {
      out.module = await deferToThread(work, "add", 2, 3);
      out.task = await deferToThread(task<(a: number, b: number) => number>(work, "add"), 4, 5);
      out.source = await deferToThread((s: string) => s.toUpperCase(), "abc");
      out.workersBeforeStop = reactor.getThreadPool().workers;
      reactor.stop();
    });
    break;
  case "multiple": {
    // callMultipleInThread: all in one thread, in order; callFromThread reports each.
    const seen: number[] = [];
    const pool = reactor.getThreadPool();
    pool.expose({
      record: (i: number): void => {
        seen.push(i);
        if (seen.length === 5) {
          out.order = seen;
          reactor.stop();
        }
      },
    });
    reactor.callWhenRunning(() => {
      const report = task<(i: number) => void>(work, "report");
      callMultipleInThread([0, 1, 2, 3, 4].map((i) => [report, [i]] as const));
    });
    break;
  }
  case "queued": {
    // Work still queued when the reactor stops is failed, not dropped.
    reactor.suggestThreadPoolSize(1);
    const gate = new SharedArrayBuffer(8);
    const waitGate = task<(g: SharedArrayBuffer, v: unknown) => unknown>(work, "waitGate");
    reactor.callWhenRunning(() => {
      const running = deferToThread(waitGate, gate, "ran");
      running.addBoth((r) => {
        out.running = r instanceof Error ? r.name : r;
      });
      deferToThread((n: number) => n, 1).addErrback((f) => {
        out.queued = f.getErrorMessage();
      });
      // Let the first call reach the gate, then stop with the second queued.
      const i32 = new Int32Array(gate);
      const check = (): void => {
        if (Atomics.load(i32, 1) === 0) {
          reactor.callLater(0.005, check);
          return;
        }
        reactor.stop();
        Atomics.store(i32, 0, 1);
        Atomics.notify(i32, 0);
      };
      check();
    });
    break;
  }
}
if (mode === "idle") {
  // A pool nobody stops: once its work is done, its idle Worker must not hold the process.
  const pool = new ThreadPool({ minThreads: 1, maxThreads: 1 });
  pool.start();
  pool.callInThreadWithCallback(
    (_ok, result) => {
      // The thread turns idle right after this callback returns.
      queueMicrotask(() =>
        console.log(JSON.stringify({ result, workers: pool.workers, waiters: pool.waiters }))
      );
    },
    (a: number, b: number) => a + b,
    1,
    2,
  );
} else reactor.run({ installSignalHandlers: false });
