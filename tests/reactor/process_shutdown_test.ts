// Children still running when the reactor stops, on every reactor kind.
// Twisted leaves them running (not signalled, not waited for) and so does
// Skein; but a child Skein started that exits after reactor.stop() must not
// stay a zombie while this process lives (the FFI reactor hands it to a
// quiet reaper on the host loop; node:child_process reaps the host
// reactor's), and this process must still exit by itself.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Failure } from "../../deferred/failure.ts";
import type { IReactorProcess } from "../../interfaces.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";
import { constants, libc } from "../../reactor/ffi/mod.ts";
import { createReactor } from "../../reactor/install.ts";
import { runScript, RUNTIME } from "../_runtime.ts";
import { KINDS, sleep } from "./_helpers.ts";

/** Poll (5 ms apart) until `/proc/<pid>` is gone (a zombie keeps it); false after `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (existsSync(`/proc/${pid}`)) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

class Ends extends ProcessProtocol {
  ended: Failure | null = null;
  override processEnded(reason: Failure): void {
    this.ended = reason;
  }
}

for (const kind of KINDS) {
  describe(`children left at shutdown on ${kind}`, () => {
    it("a child still running at reactor.stop() is left running, then reaped once it exits (no zombie)", async () => {
      const before = new Set(readdirSync("/proc/self/fd"));
      const r = createReactor(kind);
      const fds = new Int32Array(2);
      assert.equal(libc().pipe2(fds, constants.O_CLOEXEC), 0);
      const [readEnd, writeEnd] = [fds[0], fds[1]];
      let pid = 0;
      const protocol = new Ends();
      r.callWhenRunning(() => {
        // Its stdin is a pipe this test holds: it exits only once the test closes it.
        const child = (r as unknown as IReactorProcess).spawnProcess(
          protocol,
          "sh",
          ["sh", "-c", "read line; exit 4"],
          { childFDs: { 0: readEnd, 1: "r", 2: "r" } },
        );
        pid = child.pid!;
        libc().close(readEnd);
        r.stop();
      });
      await r.run({ installSignalHandlers: false });
      try {
        assert.ok(pid > 0);
        assert.ok(existsSync(`/proc/${pid}`), "still running after stop: Twisted leaves it");
        assert.equal(protocol.ended, null, "it has not ended");
      } finally {
        libc().close(writeEnd); // EOF: `read` returns and the child exits
      }
      assert.ok(await goneWithin(pid, 10_000), `pid ${pid} was reaped, not left a zombie`);
      // No pipe and no pidfd of it is left open.
      const opened = (): string[] => readdirSync("/proc/self/fd").filter((fd) => !before.has(fd));
      if (kind === "host" && RUNTIME === "bun") {
        // Bun's node:child_process closes a pipe's fd some tasks after its stream's "close".
        const deadline = performance.now() + 2000;
        while (opened().length > 0 && performance.now() < deadline) await sleep(5);
      }
      assert.deepEqual(opened(), []);
    });

    it("the process exits by itself with a child still running, and the child is not signalled", async () => {
      const script = fileURLToPath(new URL("./process_shutdown_child.ts", import.meta.url));
      const run = await runScript(script, [kind], { timeoutMs: 20_000 });
      const pid = Number(/pid (\d+)/.exec(run.out)?.[1]);
      try {
        assert.equal(run.code, 0, run.out + run.err);
        assert.match(run.out, /stopped/);
        assert.ok(pid > 0 && existsSync(`/proc/${pid}`), "sleep 30 still runs");
      } finally {
        if (pid > 0) process.kill(pid, "SIGKILL");
      }
    });
  });
}
