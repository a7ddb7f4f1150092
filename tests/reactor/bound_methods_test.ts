/**
 * Every public reactor method works without its object, on every reactor
 * kind, as Python's bound methods do: Twisted code passes them around
 * (`reactor.callLater(10, reactor.stop)`, `d.addBoth(reactor.stop)`,
 * `addSystemEventTrigger("after", "startup", reactor.stop)`), and a straight
 * port used to fail with "Cannot read properties of undefined" and hang.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Deferred } from "../../deferred/deferred.ts";
import { ClientFactory, Factory, Protocol } from "../../protocols/mod.ts";
import { ReactorNotRunning } from "../../reactor/errors.ts";
import { HostReactor } from "../../reactor/host/host_reactor.ts";
import { PosixReactor } from "../../reactor/posix_reactor.ts";
import { runScript } from "../_runtime.ts";
import { close, FdDescriptor, socketpair } from "./_fds.ts";
import { ALL_KINDS, FFI_KINDS, LogCapture, make, makePosix, runFor } from "./_reactor_kinds.ts";

for (const kind of ALL_KINDS) {
  describe(`the ${kind} reactor's methods work unbound`, () => {
    it("reactor.callLater(0.01, reactor.stop)", async () => {
      const r = make(kind);
      r.callLater(0.01, r.stop);
      await runFor(r, 5000);
      assert.equal(r.running, false);
    });

    it("reactor.callWhenRunning(reactor.stop) and an after-startup trigger", async () => {
      const r = make(kind);
      r.callWhenRunning(r.stop);
      await runFor(r, 5000);
      const r2 = make(kind);
      r2.addSystemEventTrigger("after", "startup", r2.stop);
      await runFor(r2, 5000);
    });

    it("d.addBoth(reactor.stop)", async () => {
      const r = make(kind);
      const d = new Deferred<string>();
      d.addBoth(r.stop);
      r.callLater(0, () => d.callback("done"));
      await runFor(r, 5000);
      assert.equal(d.called, true);
    });

    it("shutdown triggers that are unbound methods with their arguments", async () => {
      const r = make(kind);
      const seen: string[] = [];
      const unwanted = r.addSystemEventTrigger("after", "shutdown", () => seen.push("removed"));
      r.addSystemEventTrigger("before", "shutdown", r.removeSystemEventTrigger, unwanted);
      r.addSystemEventTrigger("after", "shutdown", r.fireSystemEvent, "flushed");
      r.addSystemEventTrigger("during", "flushed", () => seen.push("flushed"));
      r.callLater(0, r.stop);
      await runFor(r, 5000);
      assert.deepEqual(seen, ["flushed"]);
    });

    it("addSystemEventTrigger('before', 'shutdown', reactor.stop) logs ReactorNotRunning and shutdown goes on (Twisted)", async () => {
      // Twisted: stop() while already stopping raises ReactorNotRunning; the
      // trigger's error is logged and the shutdown completes. Unbound, it used
      // to log a TypeError about `this` instead.
      const r = make(kind);
      const cap = new LogCapture();
      let after = false;
      try {
        r.addSystemEventTrigger("before", "shutdown", r.stop);
        r.addSystemEventTrigger("after", "shutdown", () => (after = true));
        r.callLater(0, r.stop);
        await runFor(r, 5000);
      } finally {
        cap.close();
      }
      assert.equal(after, true);
      assert.deepEqual(cap.errors.map((e) => e.failure?.value?.constructor), [ReactorNotRunning]);
    });

    it("every core method destructured from the reactor", async () => {
      const r = make(kind);
      const {
        addSystemEventTrigger,
        callFromThread,
        callLater,
        callWhenRunning,
        crash,
        getDelayedCalls,
        removeSystemEventTrigger,
        resolve,
        run,
        seconds,
        stop,
      } = r;
      const seen: string[] = [];
      const handle = addSystemEventTrigger("before", "shutdown", () => seen.push("removed"));
      removeSystemEventTrigger(handle);
      callWhenRunning(() => seen.push(`running at ${seconds() >= 0}`));
      callFromThread(() => seen.push("thread"));
      const never = callLater(60, () => seen.push("never"));
      assert.deepEqual(getDelayedCalls(), [never]);
      never.cancel();
      callLater(0.01, stop);
      assert.equal(await resolve("127.0.0.1"), "127.0.0.1");
      await Promise.race([
        run({ installSignalHandlers: false }),
        new Promise((_, reject) => setTimeout(() => reject(new Error("run() did not end")), 5000)),
      ]);
      crash(); // a no-op once stopped
      assert.deepEqual(seen.sort(), ["running at true", "thread"]);
    });

    it("listenTCP and connectTCP destructured from the reactor", async () => {
      const r = make(kind);
      const { listenTCP, connectTCP } = r;
      const server = Factory.forProtocol(Protocol);
      server.noisy = false;
      const port = listenTCP(0, server, { interface: "127.0.0.1" });
      let made = false;
      class Client extends Protocol {
        override connectionMade(): void {
          made = true;
          this.transport!.loseConnection();
          port.stopListening().addBoth(r.stop);
        }
      }
      const f = ClientFactory.forProtocol(Client);
      f.noisy = false;
      connectTCP("127.0.0.1", port.getHost().port, f);
      await runFor(r, 5000);
      assert.equal(made, true);
    });
  });
}

for (const kind of FFI_KINDS) {
  describe(`the ${kind} reactor's descriptor methods work unbound`, () => {
    it("addReader/removeReader/getReaders/addWriter/removeWriter/getWriters/removeAll", () => {
      const r = makePosix(kind);
      const {
        addReader,
        removeReader,
        getReaders,
        addWriter,
        removeWriter,
        getWriters,
        removeAll,
      } = r;
      const [a, b] = socketpair();
      const d = new FdDescriptor(a);
      try {
        addReader(d);
        addWriter(d);
        assert.deepEqual(getReaders(), [d]);
        assert.deepEqual(getWriters(), [d]);
        removeWriter(d);
        removeReader(d);
        assert.deepEqual(removeAll(), []);
      } finally {
        close(a);
        close(b);
      }
    });
  });
}

describe("unbound methods and subclasses", () => {
  it("the most-derived override is the one bound (host and FFI reactors)", async () => {
    const seen: string[] = [];
    class LoudHost extends HostReactor {
      override stop(): void {
        seen.push("host stop");
        super.stop();
      }
    }
    class LoudPosix extends PosixReactor {
      override stop(): void {
        seen.push(`${this.kind} stop`);
        super.stop();
      }
    }
    const reactors = [new LoudHost(), new LoudPosix(FFI_KINDS[0] as "poll")];
    for (const r of reactors) {
      r.callLater(0, r.stop);
      await runFor(r, 5000);
    }
    assert.deepEqual(seen, ["host stop", `${FFI_KINDS[0]} stop`]);
  });
});

describe("the process-wide reactor", () => {
  const script = fileURLToPath(new URL("./_exit_script.ts", import.meta.url));
  for (const kind of ALL_KINDS) {
    it(`reactor.callLater(0.05, reactor.stop); await reactor.run() on ${kind}`, async () => {
      const { out, err, code } = await runScript(script, [kind, "unbound"], { timeoutMs: 15000 });
      assert.equal(code, 0, out + err);
      assert.match(out, /^stopped after \d+ ms\nrun returned$/m, out + err);
    });
  }
});
