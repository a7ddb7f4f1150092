/**
 * react() (Twisted's `twisted.internet.task.react`): runs main(reactor, ...argv)
 * until its Deferred fires, stops the reactor once, and sets the exit code
 * (0, 1 with the error logged, or a SystemExit's code). Each test uses a
 * fresh reactor and restores `process.exitCode`.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Deferred } from "../../deferred/deferred.ts";
import type { Reactor } from "../../reactor/install.ts";
import { deferLater } from "../../task/defer_later.ts";
import { react, SystemExit } from "../../task/react.ts";
import { runScript } from "../_runtime.ts";
import { FFI_KINDS, LogCapture, make } from "../reactor/_reactor_kinds.ts";

const kind = FFI_KINDS[0];

describe("react (twisted.internet.task.react)", () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it("runs main with the reactor and argv, stops when its Deferred fires, exit code 0", async () => {
    const r = make(kind);
    const seen: unknown[] = [];
    const code = await react(
      (reactor: Reactor, a: string, b: number) => {
        seen.push(reactor === r, reactor.running, a, b);
        return deferLater(reactor, 0.01, () => "done");
      },
      ["x", 2],
      r,
    );
    assert.equal(code, 0);
    assert.equal(process.exitCode, 0);
    assert.deepEqual(seen, [true, false, "x", 2]);
    assert.equal(r.running, false);
  });

  it("a failing main gives exit code 1 and logs 'main function encountered error'", async () => {
    const r = make(kind);
    const cap = new LogCapture();
    let code: number;
    try {
      code = await react(
        () =>
          deferLater(r, 0, () => {
            throw new Error("main failed");
          }),
        [],
        r,
      );
    } finally {
      cap.close();
    }
    assert.equal(code, 1);
    assert.equal(process.exitCode, 1);
    assert.deepEqual(cap.messages(), ["main failed"]);
    assert.equal(cap.errors[0].why, "main function encountered error");
  });

  it("a SystemExit failure sets its code, unlogged", async () => {
    const r = make(kind);
    const cap = new LogCapture();
    let code: number;
    try {
      code = await react(() => Promise.reject(new SystemExit(3)), [], r);
    } finally {
      cap.close();
    }
    assert.equal(code, 3);
    assert.deepEqual(cap.errors, []);
  });

  it("a main that fires synchronously still stops the reactor once it runs", async () => {
    const r = make(kind);
    const code = await react(() => "at once", [], r);
    assert.equal(code, 0);
    assert.equal(r.running, false);
  });

  it("a main that stops the reactor itself is not stopped twice", async () => {
    const r = make(kind);
    const d = new Deferred<void>();
    const code = await react(
      (reactor: Reactor) => {
        reactor.callLater(0.01, () => {
          reactor.addSystemEventTrigger("after", "shutdown", () => d.callback(undefined));
          reactor.stop();
        });
        return d;
      },
      [],
      r,
    );
    assert.equal(code, 0);
  });

  it("an async main works", async () => {
    const r = make(kind);
    const code = await react(
      async (reactor: Reactor) => {
        await deferLater(reactor, 0.01);
        return 5;
      },
      [],
      r,
    );
    assert.equal(code, 0);
  });

  it("on the default reactor, the process exits with react's code (0, 1, SystemExit's)", async () => {
    const script = fileURLToPath(new URL("./_react_script.ts", import.meta.url));
    const run = async (mode: string): Promise<{ code: number | null; out: string; }> => {
      const { code, out, err } = await runScript(script, [mode]);
      return { code, out: out + err };
    };
    const ok = await run("ok");
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /^ok on \w+/);
    const failed = await run("fail");
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /main function encountered error[\s\S]*main failed/);
    const exit3 = await run("exit3");
    assert.equal(exit3.code, 3, exit3.out);
  });
});
