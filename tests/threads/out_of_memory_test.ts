/**
 * A Worker that runs out of memory, on each runtime: what the runtime does
 * and reports bounds what a `ThreadPool` can do about it. A pool fails the
 * work a thread held with `WorkerCrashed` when the Worker ends with an
 * `exit` event (an uncaught error, `process.exit`: thread_pool_test.ts);
 * neither runtime gives one for a Worker out of memory, as pinned here, so
 * the pool cannot fail that work (`stop({ timeout })` ends such a thread).
 *
 * Each test runs on one runtime only: they pin that runtime's behaviour.
 * The Worker allocates at most 256 MB, in 1 MB steps it reports, under a
 * 16 MB heap limit (`resourceLimits.maxOldGenerationSizeMb`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";

const RUNTIME = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "other";

const ALLOCATOR = "data:text/javascript," + encodeURIComponent(`
import { parentPort } from "node:worker_threads";
parentPort.postMessage("up");
parentPort.on("message", (m) => {
  if (m === "ping") { parentPort.postMessage("pong"); return; }
  const keep = [];
  for (let mb = 1; mb <= 256; mb++) {
    for (let j = 0; j < 100; j++) keep.push(new Array(1250).fill(mb)); // about 1 MB
    parentPort.postMessage(mb);
  }
  parentPort.postMessage("done");
});`);

/** A Worker under a 16 MB heap limit, and everything it said or emitted. */
async function allocator(): Promise<{ worker: Worker; said: unknown[]; events: string[]; }> {
  const worker = new Worker(new URL(ALLOCATOR), { resourceLimits: { maxOldGenerationSizeMb: 16 } });
  const said: unknown[] = [];
  const events: string[] = [];
  worker.on("message", (m: unknown) => said.push(m));
  worker.on("error", (e: unknown) => events.push(`error ${String(e)}`));
  worker.on("exit", (code: number) => events.push(`exit ${code}`));
  await until(() => said.includes("up"));
  return { worker, said, events };
}

/** Poll `cond` every 20 ms, up to `ms`; whether it came true. */
async function until(cond: () => boolean, ms = 30_000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe("a Worker out of memory", () => {
  it(
    "Deno stops a Worker at its resourceLimits heap limit but tells the parent nothing (no error, no exit event; later messages go unanswered): the work it held cannot be failed with WorkerCrashed",
    { skip: RUNTIME !== "deno" && "pins Deno's behaviour" },
    async () => {
      const { worker, said, events } = await allocator();
      try {
        worker.postMessage("go");
        // The Worker stops part-way: its reports end well short of 256 MB.
        // There is no event to wait for (that is the point), so the test
        // watches the reports until none has come for a second.
        let seen = -1;
        let quietSince = performance.now();
        await until(() => {
          if (said.length !== seen) {
            seen = said.length;
            quietSince = performance.now();
          }
          return said.includes("done") || performance.now() - quietSince > 1000;
        });
        assert.ok(!said.includes("done"), "the heap limit stopped the Worker");
        const reached = said.filter((m) => typeof m === "number").length;
        assert.ok(reached >= 4 && reached < 64, `it stopped after ${reached} MB, near its 16 MB`);
        // It no longer answers, and still nothing is reported.
        worker.postMessage("ping");
        assert.equal(await until(() => said.includes("pong"), 1500), false, "no answer");
        assert.deepEqual(events, [], "no error or exit event");
      } finally {
        await worker.terminate();
      }
    },
  );

  it(
    "Bun does not enforce a Worker's resourceLimits: it allocates past its heap limit, so a Worker out of memory is the whole process out of memory (no WorkerCrashed)",
    { skip: RUNTIME !== "bun" && "pins Bun's behaviour" },
    async () => {
      const { worker, said, events } = await allocator();
      try {
        assert.equal(worker.resourceLimits, undefined, "Bun keeps no limits for the Worker");
        worker.postMessage("go");
        assert.ok(await until(() => said.includes("done")), "it allocated all 256 MB");
        worker.postMessage("ping");
        assert.ok(await until(() => said.includes("pong")), "and still answers");
        assert.deepEqual(events, []);
      } finally {
        await worker.terminate();
      }
    },
  );
});
