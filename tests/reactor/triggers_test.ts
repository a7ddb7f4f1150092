/**
 * System event triggers on every reactor kind: Twisted's `_ThreePhaseEvent`
 * (before / during / after), a `before` trigger returning a Deferred delaying
 * the `during` phase, removal, and errors in triggers.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { ALL_KINDS, LogCapture, make, runFor } from "./_reactor_kinds.ts";

for (const kind of ALL_KINDS) {
  describe(`system event triggers on the ${kind} reactor`, () => {
    it("startup: before, during (running becomes true), after, then callWhenRunning", async () => {
      // Twisted: before-startup, during-startup (where running becomes true),
      // then after-startup triggers in registration order; callWhenRunning
      // hooks are after-startup triggers.
      const r = make(kind);
      const seen: string[] = [];
      r.callWhenRunning(() => seen.push(`cwr running=${r.running}`));
      r.addSystemEventTrigger("after", "startup", () => seen.push(`after running=${r.running}`));
      r.addSystemEventTrigger("during", "startup", () => seen.push(`during running=${r.running}`));
      r.addSystemEventTrigger("before", "startup", () => seen.push(`before running=${r.running}`));
      r.callWhenRunning(() => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, [
        "before running=false",
        "during running=true",
        "cwr running=true",
        "after running=true",
      ]);
    });

    it("callWhenRunning on a running reactor calls at once and returns null", async () => {
      const r = make(kind);
      let inner: unknown = "unset";
      let ran = false;
      r.callWhenRunning(() => {
        inner = r.callWhenRunning(() => {
          ran = true;
        });
        r.stop();
      });
      await runFor(r, 5000);
      assert.equal(inner, null);
      assert.equal(ran, true);
    });

    it("shutdown: before, during, after; running is false after the during phase", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.addSystemEventTrigger("before", "shutdown", () => seen.push(`before running=${r.running}`));
      r.addSystemEventTrigger("during", "shutdown", () => seen.push(`during running=${r.running}`));
      r.addSystemEventTrigger("after", "shutdown", () => seen.push(`after running=${r.running}`));
      r.callWhenRunning(() => {
        r.stop();
        seen.push(`stop returned running=${r.running}`);
      });
      await runFor(r, 5000);
      seen.push("run resolved");
      assert.deepEqual(seen, [
        "stop returned running=true",
        "before running=true",
        "during running=false",
        "after running=false",
        "run resolved",
      ]);
    });

    it("a before-shutdown trigger returning a Deferred delays the during phase; the loop keeps running", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.addSystemEventTrigger("before", "shutdown", () => {
        const d = new Deferred<void>();
        r.callLater(0.05, () => {
          seen.push("deferred fired");
          d.callback(undefined);
        });
        return d;
      });
      r.addSystemEventTrigger(
        "before",
        "shutdown",
        () => Promise.resolve().then(() => seen.push("promise")),
      );
      r.addSystemEventTrigger("during", "shutdown", () => seen.push("during"));
      r.addSystemEventTrigger("after", "shutdown", () => seen.push("after"));
      let t0 = 0;
      r.callWhenRunning(() => {
        t0 = r.seconds();
        r.stop();
      });
      let duringAt = 0;
      r.addSystemEventTrigger("during", "shutdown", () => {
        duringAt = r.seconds() - t0;
      });
      await runFor(r, 5000);
      assert.deepEqual(seen, ["promise", "deferred fired", "during", "after"]);
      assert.ok(duringAt >= 0.05, `during ran after ${duringAt}s`);
    });

    it("a before-startup Deferred delays running; timers run meanwhile", async () => {
      const r = make(kind);
      const seen: string[] = [];
      r.addSystemEventTrigger("before", "startup", () => {
        const d = new Deferred<void>();
        r.callLater(0.02, () => {
          seen.push(`timer running=${r.running}`);
          d.callback(undefined);
        });
        return d;
      });
      r.callWhenRunning(() => {
        seen.push(`cwr running=${r.running}`);
        r.stop();
      });
      await runFor(r, 5000);
      assert.deepEqual(seen, ["timer running=false", "cwr running=true"]);
    });

    it("removeSystemEventTrigger removes; a second removal throws", async () => {
      const r = make(kind);
      const seen: string[] = [];
      const h = r.addSystemEventTrigger("after", "startup", () => seen.push("removed one"));
      r.addSystemEventTrigger("after", "startup", () => seen.push("kept"));
      r.removeSystemEventTrigger(h);
      assert.throws(() => r.removeSystemEventTrigger(h), RangeError);
      assert.throws(
        () => r.removeSystemEventTrigger({ phase: "before", event: "startup" }),
        TypeError,
      );
      assert.throws(
        () => r.addSystemEventTrigger("sometime" as "before", "startup", () => {}),
        TypeError,
      );
      r.callWhenRunning(() => r.stop());
      await runFor(r, 5000);
      assert.deepEqual(seen, ["kept"]);
    });

    it("fireSystemEvent fires custom events; triggers fire once; arguments are passed", () => {
      const r = make(kind);
      const seen: string[] = [];
      r.addSystemEventTrigger(
        "after",
        "reload",
        (a: string, b: number) => seen.push(`after ${a} ${b}`),
        "x",
        1,
      );
      r.addSystemEventTrigger("before", "reload", () => seen.push("before"));
      r.fireSystemEvent("reload");
      r.fireSystemEvent("reload");
      r.fireSystemEvent("nothing registered");
      assert.deepEqual(seen, ["before", "after x 1"]);
    });

    it("an exception in a trigger is logged; the other triggers still run", () => {
      const r = make(kind);
      const cap = new LogCapture();
      const seen: string[] = [];
      try {
        r.addSystemEventTrigger("before", "ev", () => {
          throw new Error("bad before");
        });
        r.addSystemEventTrigger("before", "ev", () => seen.push("before 2"));
        r.addSystemEventTrigger("during", "ev", () => {
          throw new Error("bad during");
        });
        r.addSystemEventTrigger("after", "ev", () => seen.push("after"));
        r.fireSystemEvent("ev");
      } finally {
        cap.close();
      }
      assert.deepEqual(seen, ["before 2", "after"]);
      assert.deepEqual(cap.messages(), ["bad before", "bad during"]);
    });
  });
}
