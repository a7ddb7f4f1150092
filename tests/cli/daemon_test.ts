// `skein run --daemon` as a real process: the launcher returns once the
// daemon is up; the daemon has a session of its own and no terminal stdio.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import {
  alive,
  fileText,
  fixtureApp,
  fixturePort,
  readFrom,
  runSkein,
  tempDir,
  waitFor,
  waitForText,
} from "./_helpers.ts";

/** Field 6 of /proc/PID/stat: the session id. */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

describe("skein run --daemon", () => {
  it("detaches (new session, stdio on /dev/null), writes the pid file and the log, and stops on SIGTERM", async () => {
    const dir = tempDir();
    // The app path is relative to where skein starts; the pid and log files to --rundir.
    const launched = await runSkein(
      ["run", "--daemon", "--log-format", "text", "--rundir", dir, "tests/cli/_fixture_app.ts"],
      { env: { FIXTURE_PORT: "0" } },
    );
    assert.equal(launched.code, 0, launched.err);
    const pidPath = join(dir, "skein.pid");
    const logPath = join(dir, "skein.log");
    const pid = Number(readFileSync(pidPath, "utf8"));
    assert.match(
      launched.err,
      new RegExp(`daemon started, pid ${pid} \\(pid file ${pidPath}, log ${logPath}\\)`),
    );
    try {
      assert.ok(alive(pid));
      assert.equal(sessionOf(pid), pid, "the daemon leads a session of its own (setsid)");
      assert.notEqual(sessionOf(pid), sessionOf(process.pid));
      for (const fd of [0, 1, 2]) assert.equal(readlinkSync(`/proc/${pid}/fd/${fd}`), "/dev/null");
      assert.match(
        readFileSync(`/proc/${pid}/status`, "utf8"),
        /^Umask:\s+0077$/m,
        "twistd's daemon umask",
      );
      const log = await waitForText(
        "the daemon's log",
        () => fileText(logPath),
        "fixture listening on",
      );
      assert.equal((await readFrom(fixturePort(log))).trim(), String(pid));
      // A second daemon with the same pid file is refused before it starts.
      const again = await runSkein(["run", "--daemon", "--rundir", dir, fixtureApp]);
      assert.equal(again.code, 1);
      assert.match(
        again.err,
        new RegExp(`another process \\(pid ${pid}\\) is running with pid file`),
      );
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await waitFor("the daemon to exit", () => alive(pid), (a) => !a);
    assert.equal(existsSync(pidPath), false, "the pid file is gone");
    assert.match(fileText(logPath), /stop a/);
    assert.match(fileText(logPath), /fixture stopped\./);
  });

  it("--umask replaces the daemon's 077", async () => {
    const dir = tempDir();
    const launched = await runSkein([
      "run",
      "--daemon",
      "--rundir",
      dir,
      "--umask",
      "027",
      fixtureApp,
    ]);
    assert.equal(launched.code, 0, launched.err);
    const pid = Number(readFileSync(join(dir, "skein.pid"), "utf8"));
    const mask = /^Umask:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1];
    process.kill(pid, "SIGTERM");
    await waitFor("the daemon to exit", () => alive(pid), (a) => !a);
    assert.equal(mask, "0027");
  });

  it("reports a daemon that dies during startup (its port is taken) with status 1", async () => {
    const dir = tempDir();
    const first = await runSkein([
      "run",
      "--daemon",
      "--log-format",
      "text",
      "--rundir",
      dir,
      "--pidfile",
      "one.pid",
      "--logfile",
      "one.log",
      fixtureApp,
    ]);
    assert.equal(first.code, 0, first.err);
    const pid = Number(readFileSync(join(dir, "one.pid"), "utf8"));
    try {
      const port = fixturePort(
        await waitForText(
          "the first daemon's port",
          () => fileText(join(dir, "one.log")),
          "fixture listening on",
        ),
      );
      const second = await runSkein([
        "run",
        "--daemon",
        "--rundir",
        dir,
        "--pidfile",
        "two.pid",
        "--logfile",
        "two.log",
        fixtureApp,
      ], {
        env: { FIXTURE_PORT: String(port) },
      });
      assert.equal(second.code, 1);
      assert.match(second.err, /the daemon exited during startup/);
      assert.equal(existsSync(join(dir, "two.pid")), false);
    } finally {
      process.kill(pid, "SIGTERM");
    }
    await waitFor("the daemon to exit", () => alive(pid), (a) => !a);
  });
});
