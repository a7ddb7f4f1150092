// `skein run --workers 2` as a real process: two workers answer on one port
// (SO_REUSEPORT), one killed with SIGKILL is started again, SIGTERM stops all.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import {
  alive,
  fileText,
  fixtureApp,
  freePort,
  readFrom,
  runSkein,
  startSkein,
  tempDir,
  waitFor,
} from "./_helpers.ts";

/** The pids the `[worker-N] … fixture started (pid P` lines name, by worker. */
function workerPids(out: string): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  for (const m of out.matchAll(/Started (worker-\d) \(pid (\d+)\)/g)) {
    pids.set(m[1], [...(pids.get(m[1]) ?? []), Number(m[2])]);
  }
  return pids;
}

/** Connect until the pids answering include every one of `want` (each connection may land on any worker). */
async function answering(port: number, want: number[], attempts = 400): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < attempts && !want.every((p) => seen.has(p)); i++) {
    seen.add(Number((await readFrom(port)).trim()));
  }
  return seen;
}

describe("skein run --workers", () => {
  it("serves one port from two workers, restarts one killed with SIGKILL, and stops all on SIGTERM", async () => {
    const port = await freePort();
    const s = startSkein(["run", "--workers", "2", "--log-format", "text", fixtureApp], {
      env: { FIXTURE_PORT: String(port) },
    });
    try {
      await waitFor(
        "both workers listening",
        () => s.out().match(/fixture listening on/g)?.length ?? 0,
        (n) => n >= 2,
      );
      const first = workerPids(s.out());
      const [one, two] = [first.get("worker-1")![0], first.get("worker-2")![0]];
      assert.notEqual(one, two);
      const seen = await answering(port, [one, two]);
      assert.deepEqual(
        [...seen].sort(),
        [one, two].sort(),
        "both workers answered on the one port",
      );

      process.kill(one, "SIGKILL");
      await waitFor(
        "worker-1 started again",
        () => workerPids(s.out()).get("worker-1") ?? [],
        (p) => p.length === 2,
      );
      const replacement = workerPids(s.out()).get("worker-1")![1];
      assert.notEqual(replacement, one);
      await waitFor(
        "three workers' worth of listening",
        () => s.out().match(/fixture listening on/g)?.length ?? 0,
        (n) => n >= 3,
      );
      const after = await answering(port, [replacement, two]);
      assert.ok(after.has(replacement) && after.has(two) && !after.has(one));
      assert.match(s.out(), /worker-1 ended \(exit code null, signal 9\)/);
    } finally {
      process.kill(s.child.pid!, "SIGTERM");
    }
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
    for (const pids of workerPids(s.out()).values()) {
      for (const pid of pids) assert.equal(alive(pid), false);
    }
    assert.match(s.out(), /\[worker-2\] .*stopped c/);
  });

  it("runs as a daemon with a relative --rundir, the workers starting where skein started", async () => {
    const port = await freePort();
    const dir = tempDir();
    const rundir = join(dir, "run");
    mkdirSync(rundir);
    const launched = await runSkein([
      "run",
      "--daemon",
      "--workers",
      "2",
      "--log-format",
      "text",
      "--rundir",
      "run",
      fixtureApp,
    ], {
      cwd: dir,
      env: { FIXTURE_PORT: String(port) },
    });
    assert.equal(launched.code, 0, launched.err);
    const pid = Number(readFileSync(join(rundir, "skein.pid"), "utf8"));
    try {
      const log = join(rundir, "skein.log");
      await waitFor(
        "both workers listening",
        () => fileText(log).match(/fixture listening on/g)?.length ?? 0,
        (n) => n >= 2,
      );
      assert.ok(Number((await readFrom(port)).trim()) > 0);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await waitFor("the supervisor to exit", () => alive(pid), (a) => !a);
  });
});
