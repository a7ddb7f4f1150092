// `skein run -b` / `--inspect` as real processes: the runtime is started
// again under its inspector; -b stops before the first line until a debugger
// attaches, and turns on Deferred and DelayedCall debugging.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import {
  fixtureApp,
  fixturePort,
  freePort,
  readFrom,
  startSkein,
  waitForText,
} from "./_helpers.ts";

/**
 * Attach to the inspector at `url` as a debugger would and let the program
 * run: the Chrome DevTools protocol (Deno) and WebKit's (Bun) both take
 * Debugger.enable; Deno's waits for Runtime.runIfWaitingForDebugger, Bun's for
 * Inspector.initialized; a pause at the first line is resumed.
 */
function attachAndRun(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let id = 0;
    const send = (method: string): void =>
      ws.send(JSON.stringify({ id: ++id, method, params: {} }));
    ws.onerror = () => reject(new Error(`could not attach to ${url}`));
    ws.onopen = () => {
      for (
        const m of [
          "Inspector.enable",
          "Runtime.enable",
          "Debugger.enable",
          "Runtime.runIfWaitingForDebugger",
          "Inspector.initialized",
        ]
      ) send(m);
      resolve(ws);
    };
    ws.onmessage = (e) => {
      if ((JSON.parse(String(e.data)) as { method?: string; }).method === "Debugger.paused") {
        send("Debugger.resume");
      }
    };
  });
}

describe("skein run under the inspector", () => {
  it("-b waits for a debugger before the first line, prints how to attach, and runs once attached with debug mode on", async () => {
    const inspectPort = await freePort();
    const s = startSkein([
      "run",
      "-b",
      `--inspect=127.0.0.1:${inspectPort}`,
      "--log-format",
      "text",
      fixtureApp,
    ]);
    try {
      const err = await waitForText(
        "the inspector's URL",
        s.err,
        new RegExp(`ws://127\\.0\\.0\\.1:${inspectPort}/\\S+`),
      );
      assert.match(err, /stopped before the first line until a debugger attaches/);
      assert.match(err, /chrome:\/\/inspect/);
      assert.doesNotMatch(s.out(), /start a/, "nothing ran before a debugger attached");
      const url = new RegExp(`ws://127\\.0\\.0\\.1:${inspectPort}/\\S+`).exec(err)![0];
      // Deno may let a session opened in the first moment after "waiting for
      // debugger" go without releasing the program: then attach again.
      let ws: WebSocket | null = null;
      for (let attempt = 1; attempt <= 5 && !s.out().includes("fixture listening on"); attempt++) {
        ws?.close();
        ws = await attachAndRun(url);
        await waitForText("the app", s.out, "fixture listening on", 3000).catch(() => "");
      }
      await waitForText("the app", s.out, "fixture listening on", 1);
      assert.match(s.out(), /Debug mode: Deferred and DelayedCall creation stacks are recorded/);
      assert.ok(Number((await readFrom(fixturePort(s.out()))).trim()) > 0);
      ws!.close();
    } finally {
      process.kill(s.child.pid!, "SIGTERM");
    }
    // The launcher passes SIGTERM on and ends as its child did.
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
    assert.match(s.out(), /stopped c/);
  });

  it("--inspect runs at once with the inspector listening", async () => {
    const inspectPort = await freePort();
    const s = startSkein([
      "run",
      `--inspect=127.0.0.1:${inspectPort}`,
      "--log-format",
      "text",
      fixtureApp,
    ]);
    try {
      await waitForText("the app", s.out, "fixture listening on");
      assert.match(
        s.err(),
        new RegExp(`running under the inspector on 127\\.0\\.0\\.1:${inspectPort}\\.`),
      );
      const url = new RegExp(`ws://127\\.0\\.0\\.1:${inspectPort}/\\S+`).exec(s.err())![0];
      (await attachAndRun(url)).close();
      assert.doesNotMatch(s.out(), /Debug mode/, "--inspect alone leaves debug mode off");
    } finally {
      process.kill(s.child.pid!, "SIGTERM");
    }
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
  });
});
