/**
 * The reactor life cycle on every reactor kind (Twisted's `ReactorBase`
 * rules): stop/crash/restart, the run() promise, callFromThread wake-ups (from
 * a host timer and from a Worker's message handler), resolve, and a clean
 * process exit on both runtimes.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  DNSLookupError,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
} from "../../reactor/errors.ts";
import type { PosixReactor } from "../../reactor/posix_reactor.ts";
import { isDeno, runScript } from "../_runtime.ts";
import { close, FdDescriptor, socketpair } from "./_fds.ts";
import { ALL_KINDS, FFI_KINDS, LogCapture, make, runFor } from "./_reactor_kinds.ts";

/** Run `_exit_script.ts kind mode` on this runtime; resolve with its output, exit code and time. */
async function runChild(
  kind: string,
  mode: string,
  opts: { killAfterMs?: number; deadlineMs?: number; } = {},
): Promise<{ out: string; code: number | null; ms: number; }> {
  const script = fileURLToPath(new URL("./_exit_script.ts", import.meta.url));
  let killAfterMs = opts.killAfterMs;
  const r = await runScript(script, [kind, mode], {
    timeoutMs: opts.deadlineMs ?? 15000,
    onStdout: (out, child) => {
      if (killAfterMs !== undefined && out.includes("running")) {
        setTimeout(() => child.kill("SIGTERM"), killAfterMs);
        killAfterMs = undefined;
      }
    },
  });
  return { out: r.out + r.err, code: r.code, ms: r.ms };
}

for (const kind of ALL_KINDS) {
  describe(`the ${kind} reactor's life cycle`, () => {
    it("stop() when not running throws ReactorNotRunning; so does a second stop()", async () => {
      const r = make(kind);
      assert.throws(() => r.stop(), ReactorNotRunning);
      let second: unknown = null;
      r.callWhenRunning(() => {
        r.stop();
        try {
          r.stop();
        } catch (e) {
          second = e;
        }
      });
      await runFor(r, 5000);
      assert.ok(second instanceof ReactorNotRunning);
      assert.throws(() => r.stop(), ReactorNotRunning);
    });

    it("run() after stop() throws ReactorNotRestartable; run() while running throws ReactorAlreadyRunning", async () => {
      const r = make(kind);
      let again: unknown = null;
      r.callWhenRunning(() => {
        try {
          r.run({ installSignalHandlers: false });
        } catch (e) {
          again = e;
        }
        r.stop();
      });
      await runFor(r, 5000);
      assert.ok(again instanceof ReactorAlreadyRunning);
      assert.throws(() => r.run({ installSignalHandlers: false }), ReactorNotRestartable);
    });

    it("crash() leaves without shutdown triggers, and the reactor may run again", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.addSystemEventTrigger("before", "shutdown", () => seen.push("shutdown"));
      r.callLater(0.01, () => r.crash());
      await runFor(r, 5000);
      assert.equal(r.running, false);
      assert.equal(seen.length, 0);
      // Twisted: only stop() makes a reactor unrestartable.
      r.callLater(0.01, () => {
        seen.push(`second run running=${r.running}`);
        r.stop();
      });
      await runFor(r, 5000);
      assert.deepEqual(seen, ["second run running=true", "shutdown"]);
      r.crash(); // a no-op when not running
    });

    it("timed calls wait for run(); nothing runs before", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.callLater(0, () => seen.push("timer"));
      r.callFromThread(() => seen.push("thread"));
      await new Promise((res) => setTimeout(res, 30));
      assert.deepEqual(seen, []);
      r.callLater(0.01, () => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["thread", "timer"]);
    });

    it("callFromThread from a host callback wakes the reactor and runs in FIFO order", async () => {
      const r = make(kind);
      const seen: number[] = [];
      r.callWhenRunning(() => {
        setTimeout(() => {
          for (let i = 0; i < 5; i++) r.callFromThread((n: number) => seen.push(n), i);
          r.callFromThread(() => r.stop());
        }, 20);
      });
      await runFor(r, 5000);
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    });

    it("callFromThread from a Worker's message handler wakes an idle reactor", async () => {
      const r = make(kind);
      const worker = new Worker(new URL("./_wake_worker.ts", import.meta.url).href, {
        type: "module",
      });
      let woke = -1;
      let t0 = 0;
      try {
        worker.onmessage = (): void => {
          r.callFromThread(() => {
            woke = r.seconds() - t0;
            r.stop();
          });
        };
        r.callWhenRunning(() => {
          t0 = r.seconds();
          worker.postMessage(30);
        });
        await runFor(r, 10000, "worker wake-up");
      } finally {
        worker.terminate();
      }
      assert.ok(woke >= 0.025, `woke after ${woke}s`);
    });

    it("an exception in a callFromThread call is logged; the rest run", async () => {
      const r = make(kind);
      const cap = new LogCapture();
      const seen: string[] = [];
      try {
        r.callFromThread(() => {
          throw new Error("thread call failed");
        });
        r.callFromThread(() => seen.push("next"));
        r.callLater(0.01, () => r.stop());
        await runFor(r, 5000);
      } finally {
        cap.close();
      }
      assert.deepEqual(seen, ["next"]);
      assert.deepEqual(cap.messages(), ["thread call failed"]);
    });

    it("resolve: IP literals and '' at once, localhost through getaddrinfo, failures as DNSLookupError", async () => {
      const r = make(kind);
      assert.equal(await r.resolve("10.1.2.3"), "10.1.2.3");
      assert.equal(await r.resolve("::1"), "::1");
      assert.equal(await r.resolve(""), "0.0.0.0");
      assert.equal(await r.resolve("localhost"), "127.0.0.1");
      await assert.rejects(r.resolve("no such host!").toPromise(), DNSLookupError);
    });

    it("a script that calls run() without awaiting runs until stop(), then exits", async () => {
      const { out, code, ms } = await runChild(kind, "stop");
      assert.equal(code, 0, out);
      assert.match(out, /stopped after (\d+) ms/);
      const stoppedAfter = Number(/stopped after (\d+) ms/.exec(out)![1]);
      assert.ok(stoppedAfter >= 190, out);
      assert.ok(ms < 10000, `exit took ${ms} ms`);
    });

    it("a reactor that never runs does not hold the process open", async () => {
      const { out, code } = await runChild(kind, "never-run");
      assert.equal(code, 0, out);
      assert.equal(out.trim(), "not running");
    });

    it("SIGTERM stops a running reactor (shutdown triggers run) and the process exits", async () => {
      const { out, code } = await runChild(kind, "signal", { killAfterMs: 50 });
      // Deno's node:child_process reports the signal it sent (code null) even
      // when the child handled it and exited 0; the "stopped after" line, printed
      // by an after-shutdown trigger, proves the handler stopped the reactor.
      if (!isDeno) assert.equal(code, 0, out);
      assert.match(out, /running\n[\s\S]*stopped after/);
    });

    it("run() adds a SIGTERM handler, and a SIGINT one only if none exists; stop() removes them", async () => {
      const { out, code } = await runChild(kind, "listeners");
      assert.equal(code, 0, out);
      assert.match(out, /running SIGINT=1 SIGTERM=1\n/);
      assert.match(out, /after SIGINT=1 SIGTERM=0\n/);
    });

    it("crash() ends run() and lets the process exit", async () => {
      const { out, code } = await runChild(kind, "crash");
      assert.equal(code, 0, out);
      assert.match(out, /crashed/);
      assert.doesNotMatch(out, /stopped/);
    });
  });
}

for (const kind of FFI_KINDS) {
  describe(`the ${kind} reactor with descriptors`, () => {
    it("exits promptly after stop() with a reader registered (the parker is closed)", async () => {
      const { out, code } = await runChild(kind, "reader");
      assert.equal(code, 0, out);
      assert.match(out, /stopped after/);
    });

    it("runBlocking(): exits promptly after stop()", async () => {
      const { out, code } = await runChild(kind, "blocking");
      assert.equal(code, 0, out);
      assert.match(out, /stopped after/);
    });

    it("stop() disconnects every descriptor with ConnectionLost (during shutdown)", async () => {
      const r = make(kind) as PosixReactor;
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      r.addReader(d);
      r.addWriter(d);
      d.onWrite = (self) => {
        r.removeWriter(self);
      };
      r.callLater(0.02, () => r.stop());
      await runFor(r, 5000);
      assert.equal(d.lost?.value instanceof Error && d.lost.value.name, "ConnectionLost");
      assert.deepEqual(r.getReaders(), []);
      close(a);
      close(b);
    });
  });
}
