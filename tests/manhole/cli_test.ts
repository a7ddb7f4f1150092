// The manhole on the command line, as a user runs it: `skein manhole` (a
// process serving only a manhole) and `skein run --manhole … APP` (the app's
// services with a manhole beside them), each logged into with Python's
// telnetlib; and the refusals (no password file, a non-loopback address).
import assert from "node:assert/strict";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCommand } from "../_runtime.ts";
import {
  fixtureApp,
  runSkein,
  type Skein,
  startSkein,
  tempDir,
  waitForText,
} from "../cli/_helpers.ts";

const driver = fileURLToPath(new URL("./_telnetlib_driver.py", import.meta.url));
const dir = tempDir();
const secret = join(dir, "manhole.secret");
writeFileSync(secret, "cli-token\n");
chmodSync(secret, 0o600);
after(() => rmSync(dir, { recursive: true, force: true }));

// The manhole's log line, in text or JSON (the log format when stdout is not a terminal).
const LISTENING = /^(?=.*manhole listening on).*IPv4Address\(TCP, '127\.0\.0\.1', (\d+)\)/m;

/** One step of the telnetlib driver: send this, then expect that (a regular expression), or the end. */
interface Step {
  send?: string;
  expect?: string;
  eof?: boolean;
}

async function session(port: number, steps: Step[]): Promise<void> {
  const result = await runCommand("/usr/bin/python3", [
    driver,
    "127.0.0.1",
    String(port),
    JSON.stringify(steps),
  ], {
    timeoutMs: 60_000,
  });
  const report = JSON.parse(result.out) as {
    ok: boolean;
    step?: number;
    error?: string;
    tail?: string;
  };
  assert.ok(
    report.ok,
    `step ${report.step}: ${report.error}; unmatched: ${JSON.stringify(report.tail)}`,
  );
}

/**
 * Once `s` logs that its manhole listens, log into it with the test's
 * password, run `steps`, and log out with ^D; then stop `s` with SIGTERM,
 * whatever happened. `ready` waits for more output first (the workers).
 */
async function loginThenStop(
  s: Skein,
  steps: Step[],
  ready: { what: string; pattern: RegExp; check?: (text: string) => void; } = {
    what: "the manhole to listen",
    pattern: LISTENING,
  },
): Promise<void> {
  try {
    const text = await waitForText(ready.what, () => s.out() + s.err(), ready.pattern);
    ready.check?.(text);
    await session(Number(LISTENING.exec(text)![1]), [
      { expect: "Password: " },
      { send: "cli-token\r\n", expect: ">>> " },
      ...steps,
      { send: "\x04", eof: true },
    ]);
  } finally {
    process.kill(s.child.pid!, "SIGTERM");
  }
}

/** `s` stopped its services, then re-delivered the SIGTERM that stopped it. */
async function assertStoppedBySigterm(s: Skein): Promise<void> {
  assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
  assert.match(s.out() + s.err(), /stopped\./);
}

describe("skein manhole", () => {
  it("--help names the options; without --password-file it is a usage error", async () => {
    const help = await runSkein(["manhole", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: skein manhole \[--listen DESCRIPTION\] --password-file PATH/);
    const bare = await runSkein(["manhole"]);
    assert.equal(bare.code, 2);
    assert.match(bare.err, /skein manhole needs --password-file PATH/);
  });

  it("refuses a non-loopback address before serving anything", async () => {
    const run = await runSkein(["manhole", "--listen", "tcp:0.0.0.0:0", "--password-file", secret]);
    assert.notEqual(run.code, 0);
    assert.match(run.out + run.err, /0\.0\.0\.0 is not a loopback address/);
  });

  it("serves a manhole whose namespace holds the reactor; it stops cleanly on SIGTERM", async () => {
    const s = startSkein(["manhole", "--listen", "tcp:127.0.0.1:0", "--passwd", secret]);
    await loginThenStop(s, [{ send: "typeof reactor.callLater\r\n", expect: "'function'" }]);
    await assertStoppedBySigterm(s);
  });
});

describe("skein run --manhole", () => {
  it("without --manhole-password-file it is a usage error", async () => {
    const run = await runSkein(["run", "--manhole", "tcp:127.0.0.1:0", fixtureApp]);
    assert.equal(run.code, 2);
    assert.match(run.err, /--manhole needs --manhole-password-file PATH/);
  });

  it("serves a manhole beside the app: its services are in the namespace, and live", async () => {
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "--manhole",
      "tcp:127.0.0.1:0",
      "--manhole-password-file",
      secret,
      fixtureApp,
    ]);
    await loginThenStop(s, [
      {
        send: "service.services().map((s) => s.name)\r\n",
        expect: "\\[ 'a', 'b', 'c', 'pid' \\]",
      },
      { send: "service.getServiceNamed('a').running\r\n", expect: "true" },
      { send: "status()\r\n", expect: "TCPConnection" },
    ]);
    await assertStoppedBySigterm(s);
  });

  it("with --workers, serves one manhole, in the supervisor (whose status() counts the workers)", async () => {
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "--workers",
      "2",
      "--manhole",
      "tcp:127.0.0.1:0",
      "--manhole-password-file",
      secret,
      fixtureApp,
    ]);
    await loginThenStop(s, [{ send: "status().processes\r\n", expect: "\r\n2\r\n" }], {
      what: "two workers to listen",
      pattern: /fixture listening on[^]*fixture listening on/,
      check: (text) => assert.equal(text.match(/manhole listening on/g)?.length, 1, text),
    });
    await s.exited;
  });
});
