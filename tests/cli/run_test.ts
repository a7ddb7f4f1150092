// `skein run` in the foreground, as a real process on this runtime.
import assert from "node:assert/strict";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { eventFromJSON, eventsFromJSONLogFile, formatEvent, LogLevel } from "../../logger/mod.ts";
import { isDeno } from "../_runtime.ts";
import {
  echoFrom,
  fileText,
  fixtureApp,
  fixturePort,
  listeningPorts,
  readFrom,
  runSkein,
  startSkein,
  tempDir,
  waitFor,
  waitForText,
} from "./_helpers.ts";

/** The lines of a text log whose message matches `re`, without the timestamp prefix. */
function messages(text: string, re: RegExp): string[] {
  return text.split("\n").map((l) => l.replace(/^\S+ \[[^\]]*\] /, "")).filter((l) => re.test(l));
}

describe("skein run (foreground)", () => {
  it("runs the app, writes the pid file, and on SIGTERM stops the services in reverse order, then dies of SIGTERM", async () => {
    const dir = tempDir();
    const pidPath = join(dir, "app.pid");
    const s = startSkein(["run", "--log-format", "text", "--pidfile", pidPath, fixtureApp]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    assert.equal(readFileSync(pidPath, "utf8"), `${s.child.pid}\n`);
    const port = fixturePort(s.out());
    assert.equal((await readFrom(port)).trim(), String(s.child.pid));
    process.kill(s.child.pid!, "SIGTERM");
    const end = await s.exited;
    // twist re-delivers the signal that stopped it, so the exit status is the signal's.
    assert.deepEqual(end, { code: null, signal: "SIGTERM" });
    assert.deepEqual(
      messages(s.out(), /^(start|stop|stopped) \w$/),
      [
        "start a",
        "start b",
        "start c",
        "stop pid".replace("pid", "c"),
        "stop b",
        "stop a",
        "stopped c",
      ].filter((l) => l !== "stop pid"),
    );
    assert.match(s.out(), /Received SIGTERM, shutting down/);
    assert.match(s.out(), /fixture stopped\./);
    assert.equal(existsSync(pidPath), false, "the pid file is removed on the way out");
  });

  it("stops on SIGINT too, and exits by SIGINT", async () => {
    const s = startSkein(["run", "--log-format", "text", fixtureApp]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    process.kill(s.child.pid!, "SIGINT");
    assert.deepEqual(await s.exited, { code: null, signal: "SIGINT" });
    assert.match(s.out(), /stopped c/);
  });

  it("logs JSON when stdout is not a terminal (as twist), and the events read back", async () => {
    const s = startSkein(["run", fixtureApp]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
    const records = s.out().split("\x1e").map((r) => r.trim()).filter((r) => r !== "");
    assert.ok(records.length > 5);
    const events = records.map((r) => eventFromJSON(r));
    const texts = events.map((e) => formatEvent(e));
    assert.ok(texts.includes("start a"));
    assert.ok(texts.some((t) => /^fixture started \(pid \d+, reactor \w+\)\.$/.test(t)));
    assert.equal(events.find((e) => formatEvent(e) === "start a")?.log_namespace, "fixture");
  });

  it("--logfile with --log-format json writes records that eventsFromJSONLogFile reads back", async () => {
    const logPath = join(tempDir(), "app.json.log");
    const s = startSkein(["run", "--log-format", "json", "--logfile", logPath, fixtureApp]);
    await waitForText("the fixture to listen", () => fileText(logPath), "fixture listening on");
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
    const events = [...eventsFromJSONLogFile(readFileSync(logPath, "utf8"))];
    const texts = events.map((e) => formatEvent(e));
    assert.deepEqual(texts.filter((t) => /^(start|stop) [abc]$/.test(t ?? "")), [
      "start a",
      "start b",
      "start c",
      "stop c",
      "stop b",
      "stop a",
    ]);
    assert.equal(events.find((e) => formatEvent(e) === "start a")?.log_level, LogLevel.info);
  });

  it("--log-level warn keeps info events out", async () => {
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "--log-level",
      "warn",
      "--pidfile",
      join(tempDir(), "p"),
      fixtureApp,
    ]);
    const pidPath = s.child.spawnargs.at(-2)!;
    await waitFor(
      "the pid file",
      () => readFileSync(pidPath, "utf8"),
      (t) => t === `${s.child.pid}\n`,
    );
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
    assert.doesNotMatch(s.out(), /start a/);
  });

  it("refuses to start over a live pid file, and replaces a stale one", async () => {
    const dir = tempDir();
    const pidPath = join(dir, "app.pid");
    writeFileSync(pidPath, `${process.pid}\n`);
    const refused = await runSkein([
      "run",
      "--log-format",
      "text",
      "--pidfile",
      pidPath,
      fixtureApp,
    ]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      new RegExp(`another process \\(pid ${process.pid}\\) is running with pid file`),
    );
    assert.doesNotMatch(refused.out, /start a/, "nothing started");
    assert.equal(
      readFileSync(pidPath, "utf8"),
      `${process.pid}\n`,
      "the live process keeps its pid file",
    );

    writeFileSync(pidPath, "2147483646\n"); // no such process
    const s = startSkein(["run", "--log-format", "text", "--pidfile", pidPath, fixtureApp]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    assert.equal(readFileSync(pidPath, "utf8"), `${s.child.pid}\n`);
    assert.match(s.out(), /Replaced the stale pid file/);
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
  });

  it(`rotates the log file on ${isDeno ? "SIGUSR2 (Deno opens its inspector on SIGUSR1)" : "SIGUSR1 and SIGUSR2"} and opens no inspector port`, async () => {
    const dir = tempDir();
    const logPath = join(dir, "app.log");
    const s = startSkein(["run", "--log-format", "text", "--logfile", logPath, fixtureApp]);
    await waitForText("the fixture to listen", () => fileText(logPath), "fixture listening on");
    const port = fixturePort(fileText(logPath));
    const signals: ("SIGUSR1" | "SIGUSR2")[] = isDeno ? ["SIGUSR2"] : ["SIGUSR1", "SIGUSR2"];
    for (const [i, signal] of signals.entries()) {
      process.kill(s.child.pid!, signal);
      await waitFor(
        `${logPath}.${i + 1} after ${signal}`,
        () => existsSync(`${logPath}.${i + 1}`),
        (v) => v,
      );
      await waitForText(
        "the rotation notice",
        () => fileText(logPath),
        `Rotated the log file on ${signal}`,
      );
    }
    assert.match(fileText(`${logPath}.${signals.length}`) + fileText(`${logPath}.1`), /start a/);
    // Still serving, and listening on its own port only: no inspector (9229 or any other).
    assert.equal((await readFrom(port)).trim(), String(s.child.pid));
    assert.deepEqual(listeningPorts(s.child.pid!), [port]);
    process.kill(s.child.pid!, "SIGTERM");
    assert.deepEqual(await s.exited, { code: null, signal: "SIGTERM" });
    assert.match(fileText(logPath), /fixture stopped/);
  });

  it("runs examples/app.ts: the echo service answers, and makeService gets the app's arguments", async () => {
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "examples/app.ts",
      "--port",
      "0",
      "--heartbeat",
      "30",
    ]);
    const text = await waitForText("the echo service", s.out, /echo listening on 127\.0\.0\.1:\d+/);
    const port = Number(/echo listening on 127\.0\.0\.1:(\d+)/.exec(text)![1]);
    assert.equal(await echoFrom(port, "hello skein"), "hello skein");
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
    assert.match(s.out(), /heartbeat: 0 connections so far/);
  });

  it("exits 1 with the reason when a service cannot start (the port is taken), and removes nothing it did not write", async () => {
    const first = startSkein(["run", "--log-format", "text", fixtureApp]);
    await waitForText("the fixture to listen", first.out, "fixture listening on");
    const port = fixturePort(first.out());
    const pidPath = join(tempDir(), "second.pid");
    const second = await runSkein(
      ["run", "--log-format", "text", "--pidfile", pidPath, fixtureApp],
      {
        env: { FIXTURE_PORT: String(port) },
      },
    );
    assert.equal(second.code, 1);
    assert.match(second.err, /could not start: .*(in use|EADDRINUSE)/i);
    assert.equal(existsSync(pidPath), false);
    process.kill(first.child.pid!, "SIGTERM");
    await first.exited;
  });
});

describe("skein run: limits and privileges", () => {
  it("exits 1 when the services do not stop within --shutdown-timeout, still removing the pid file", async () => {
    const pidPath = join(tempDir(), "hang.pid");
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "--shutdown-timeout",
      "0.5",
      "--pidfile",
      pidPath,
      fixtureApp,
    ], {
      env: { FIXTURE_HANG: "1" },
    });
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    process.kill(s.child.pid!, "SIGTERM");
    assert.deepEqual(await s.exited, { code: 1, signal: null });
    assert.match(s.out(), /The services did not stop within 0\.5 s; exiting anyway/);
    assert.equal(existsSync(pidPath), false);
  });

  it("--uid/--gid switch user after binding when run as root, and are ignored with a warning otherwise", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const s = startSkein([
      "run",
      "--log-format",
      "text",
      "-u",
      "65534",
      "-g",
      "65534",
      "--pidfile",
      join(dir, "p.pid"),
      fixtureApp,
    ]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    const status = readFileSync(`/proc/${s.child.pid}/status`, "utf8");
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
    if (process.getuid!() === 0) {
      assert.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
      assert.match(status, /^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
      assert.match(s.out(), /Switched to uid 65534, gid 65534\./);
    } else {
      assert.match(s.out(), /--uid\/--gid are ignored: the process does not run as root/);
    }
  });
});

describe("skein usage", () => {
  it("prints usage with the commands, the runner options and the signals", async () => {
    const r = await runSkein(["--help"]);
    assert.equal(r.code, 0);
    for (const word of ["run", "procmon", "web", "manhole", "--pidfile", "--workers", "SIGUSR2"]) {
      assert.ok(r.out.includes(word), word);
    }
  });

  it("bad usage exits 2 with a message saying what to do", async () => {
    const unknown = await runSkein(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.err,
      /unknown command "frobnicate"; the commands are run, procmon, web, manhole/,
    );
    const badLevel = await runSkein(["run", "--log-level", "loud", fixtureApp]);
    assert.equal(badLevel.code, 2);
    assert.match(badLevel.err, /--log-level takes one of debug, info, warn, error, critical/);
    const noApp = await runSkein(["run"]);
    assert.equal(noApp.code, 2);
    assert.match(noApp.err, /skein run needs the app module/);
    const daemonStdout = await runSkein(["run", "--daemon", "--logfile", "-", fixtureApp]);
    assert.equal(daemonStdout.code, 2);
    assert.match(daemonStdout.err, /a daemon cannot log to stdout/);
  });

  it("an app module without an application or makeService is refused", async () => {
    const dir = tempDir();
    const empty = join(dir, "empty_app.ts");
    writeFileSync(empty, "export const nothing = 1;\n");
    const r = await runSkein(["run", empty]);
    assert.equal(r.code, 2);
    assert.match(r.err, /exports neither an application .* nor a makeService function/);
  });

  it("--help-reactors lists the reactors and marks the default", async () => {
    const r = await runSkein(["--help-reactors"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /epoll/);
    assert.match(r.out, /host/);
    assert.match(r.out, /The default here: \w+\./);
  });

  it("--reactor picks the reactor the app runs on", async () => {
    const s = startSkein(["run", "--log-format", "text", "--reactor", "poll", fixtureApp]);
    await waitForText("the fixture to listen", s.out, "fixture listening on");
    assert.match(s.out(), /reactor poll\)/);
    process.kill(s.child.pid!, "SIGTERM");
    await s.exited;
  });

  it("web says it is not available yet, in --help and when run", async () => {
    for (const name of ["web"]) {
      const help = await runSkein([name, "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.out, /Not available yet/);
      const run = await runSkein([name]);
      assert.equal(run.code, 2);
      assert.match(run.err, new RegExp(`skein ${name} is not available yet`));
    }
  });

  it("loads a user plugin from --plugin and from package.json's skein.plugins, each with --help", async () => {
    const dir = tempDir();
    const plugin = join(dir, "hello_plugin.ts");
    writeFileSync(
      plugin,
      `import { Service } from ${JSON.stringify(join(process.cwd(), "application", "mod.ts"))};
class Hello extends Service {
  constructor(readonly who: string) { super(); }
  override startService(): void { super.startService(); console.log("hello " + this.who); }
}
export const plugin = {
  name: "hello",
  description: "say hello",
  help: "usage: skein hello NAME",
  makeService: ({ argv }: { argv: string[] }) => new Hello(argv[0] ?? "world"),
};
`,
    );
    const help = await runSkein(["--plugin", plugin, "hello", "--help"]);
    assert.equal(help.code, 0, help.err);
    assert.match(help.out, /usage: skein hello NAME/);
    const listed = await runSkein(["--plugin", plugin, "--help"]);
    assert.match(listed.out, /hello\s+say hello/);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ skein: { plugins: ["./hello_plugin.ts"] } }),
    );
    const s = startSkein(["hello", "--log-format", "text", "there"], { cwd: dir });
    await waitForText("the plugin's service", s.out, "hello there");
    process.kill(s.child.pid!, "SIGTERM");
    assert.equal((await s.exited).signal, "SIGTERM");
  });
});
