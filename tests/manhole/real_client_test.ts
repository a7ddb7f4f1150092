// The manhole of a running app (examples/manhole_app.ts, a real process on
// this runtime) driven by Telnet clients no one here wrote: Python's stdlib
// telnetlib (its own option negotiation, which refuses every option) and
// /usr/bin/telnet (netkit) in a tmux pane, typed at with send-keys and read
// with capture-pane, as a person at a terminal would. Each logs in, reads and
// changes a variable of the app (then seen from outside, by the app's own
// greeting port), calls a method that returns a Deferred and sees it fire,
// recalls history with the up arrow, and a wrong password is refused (and
// logged by the app). Twisted's own conch.telnet client (Python Twisted)
// checks the option negotiation against the reference implementation.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCommand, runtimeArgs } from "../_runtime.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const app = join(root, "examples", "manhole_app.ts");
const driver = join(here, "_telnetlib_driver.py");
const dir = mkdtempSync(join(tmpdir(), "skein-manhole-"));
const secretFile = join(dir, "secret");
writeFileSync(secretFile, "s3cret-token\n");
chmodSync(secretFile, 0o600);
after(() => rmSync(dir, { recursive: true, force: true }));

interface App {
  readonly proc: ChildProcess;
  readonly manholePort: number;
  readonly greetingPort: number;
  /** Everything the app wrote to stderr so far (its log). */
  log(): string;
  stop(): Promise<number | null>;
}

function startApp(): Promise<App> {
  const proc = spawn(
    process.execPath,
    runtimeArgs(app, [secretFile, "tcp:127.0.0.1:0", "0"]),
    { cwd: root, env: { ...process.env, NO_COLOR: "1" } },
  );
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((done) => proc.on("close", (code) => done(code)));
  proc.stderr!.on("data", (d) => {
    err += d;
  });
  return new Promise((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the app did not start: ${out}\n${err}`)),
      30_000,
    );
    proc.stdout!.on("data", (d) => {
      out += d;
      const manhole = out.match(/manhole on IPv4Address\(TCP, '127\.0\.0\.1', (\d+)\)/);
      const greeting = out.match(/greeting on IPv4Address\(TCP, '127\.0\.0\.1', (\d+)\)/);
      if (manhole && greeting) {
        clearTimeout(timer);
        ok({
          proc,
          manholePort: Number(manhole[1]),
          greetingPort: Number(greeting[1]),
          log: () => err,
          stop: () => {
            // process.kill, not proc.kill: Deno's ChildProcess reports a signal it
            // sent itself as the exit reason (code null) even on a clean exit.
            process.kill(proc.pid!, "SIGTERM");
            return exited;
          },
        });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`the app exited early (${code}): ${out}\n${err}`));
    });
  });
}

/** What the app's greeting port says to a new client. */
function greet(port: number): Promise<string> {
  return new Promise((ok, fail) => {
    let text = "";
    const socket = connect(port, "127.0.0.1");
    socket.on("data", (d) => {
      text += d.toString("utf8");
    });
    socket.on("error", fail);
    socket.on("close", () => ok(text));
  });
}

/** Run `body` against a fresh app; the app must then stop cleanly on SIGTERM. */
async function withApp(body: (running: App) => Promise<void>): Promise<void> {
  const running = await startApp();
  let code: number | null = null;
  try {
    await body(running);
  } finally {
    code = await running.stop();
  }
  assert.equal(code, 0, `the app did not exit cleanly on SIGTERM:\n${running.log()}`);
}

type Step = { send?: string; expect?: string; eof?: boolean; timeout?: number; };

async function telnetlib(port: number, steps: Step[]): Promise<string[]> {
  const result = await runCommand(
    "/usr/bin/python3",
    [driver, "127.0.0.1", String(port), JSON.stringify(steps)],
    { timeoutMs: 60_000 },
  );
  assert.equal(result.code, 0, result.err);
  const report = JSON.parse(result.out) as {
    ok: boolean;
    seen: string[];
    step?: number;
    error?: string;
    tail?: string;
  };
  assert.ok(
    report.ok,
    `step ${report.step}: ${report.error}\nseen: ${JSON.stringify(report.seen)}\n`
      + `unmatched: ${JSON.stringify(report.tail)}`,
  );
  return report.seen;
}

describe("manhole driven by Python's telnetlib", () => {
  it("logs in after a refused password, changes the app, shows a Deferred firing, recalls history, logs out on ^D", async () => {
    await withApp(async (running) => {
      assert.equal(await greet(running.greetingPort), "hello #1\r\n");
      const seen = await telnetlib(running.manholePort, [
        { expect: "Password: " },
        { send: "not-the-token\r\n", expect: "Login incorrect\\." },
        { expect: "Password: " },
        { send: "s3cret-token\r\n", expect: "Logged in\\." },
        { expect: ">>> " },
        { send: "factory.greeting\r\n", expect: "'hello'\r\n" },
        { send: "factory.greeting = 'bonjour'\r\n", expect: "'bonjour'\r\n" },
        { send: "db.get('answer')\r\n", expect: "<Deferred #1>\r\n" },
        { expect: "Deferred #1 called back: 42\r\n" },
        // Up arrow: the last line again, run again: a second Deferred.
        { send: "\x1b[A", expect: ">>> db\\.get\\('answer'\\)" },
        { send: "\r\n", expect: "<Deferred #2>\r\n" },
        { expect: "Deferred #2 called back: 42\r\n" },
        { send: "await db.get('answer') + 1\r\n", expect: "\r\n43\r\n" },
        {
          send: "status()\r\n",
          expect: "TCPConnection  127\\.0\\.0\\.1:\\d+ <-> 127\\.0\\.0\\.1:\\d+",
        },
        { send: "\x04", eof: true },
      ]);
      assert.equal(seen.length, 15);
      // The change is the running app's: its next client is greeted anew.
      assert.equal(await greet(running.greetingPort), "bonjour #2\r\n");
      assert.match(running.log(), /refused a manhole login from 127\.0\.0\.1: wrong password/);
      assert.match(running.log(), /manhole login from 127\.0\.0\.1/);
    });
  });

  it("closes the connection after three wrong passwords, and never runs what they typed", async () => {
    await withApp(async (running) => {
      await telnetlib(running.manholePort, [
        { send: "factory.greeting = 'pwned'\r\n", expect: "Login incorrect\\." },
        { send: "guess2\r\n", expect: "Login incorrect\\." },
        { send: "guess3\r\n", expect: "Login incorrect\\.\r\nToo many failed logins\\." },
        { eof: true },
      ]);
      assert.equal(await greet(running.greetingPort), "hello #1\r\n");
      assert.equal(running.log().match(/refused a manhole login/g)?.length, 3);
    });
  });
});

describe("manhole negotiating with Twisted's own conch.telnet client", () => {
  it("agrees ECHO, SGA and NAWS by the Q method with Twisted's, then serves the session", async () => {
    await withApp(async (running) => {
      const result = await runCommand(
        "/usr/bin/python3",
        [
          join(here, "_twisted_telnet_client.py"),
          "127.0.0.1",
          String(running.manholePort),
          "s3cret-token",
          "db.get('answer')",
          "factory.greeted",
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(result.code, 0, result.err);
      const report = JSON.parse(result.out) as {
        received: string;
        closed: boolean;
        options: Record<string, { us: string; him: string; }>;
      };
      // Twisted's side of each option: the server echoes and suppresses
      // go-ahead (him), the client suppresses go-ahead and sends its size (us).
      assert.deepEqual(report.options, {
        ECHO: { us: "no", him: "yes" },
        SGA: { us: "yes", him: "yes" },
        NAWS: { us: "yes", him: "no" },
      });
      // Twisted's parser hands CR LF on as LF.
      assert.match(report.received, /Logged in\./);
      assert.match(report.received, /\n<Deferred #1>\n[^]*Deferred #1 called back: 42\n/);
      assert.match(report.received, /\n0\n/);
      assert.equal(report.closed, true, "^D logged out");
    });
  });
});

const tmuxSocket = `skein-manhole-${process.pid}`;

async function tmux(...args: string[]): Promise<string> {
  const result = await runCommand("/usr/bin/tmux", ["-L", tmuxSocket, ...args]);
  assert.equal(result.code, 0, `tmux ${args.join(" ")}: ${result.err}`);
  return result.out;
}

/**
 * Poll the pane until `pattern` shows (the terminal's own screen, each row's
 * trailing blanks dropped as capture-pane does), or fail after 15 s.
 */
async function screenShows(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const screen = (await tmux("capture-pane", "-p", "-t", "manhole")).replace(/ +$/gm, "");
    if (pattern.test(screen)) return screen;
    if (Date.now() > deadline) {
      assert.fail(`the terminal never showed ${pattern}; it shows:\n${screen}`);
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/**
 * Run `body` against the app with /usr/bin/telnet connected to its manhole
 * in a detached 100x30 tmux pane named "manhole"; the tmux server is killed
 * afterwards, whatever happened.
 */
async function withTelnetPane(body: (running: App) => Promise<void>): Promise<void> {
  await withApp(async (running) => {
    try {
      await tmux(
        "new-session",
        "-d",
        "-s",
        "manhole",
        "-x",
        "100",
        "-y",
        "30",
        `/usr/bin/telnet 127.0.0.1 ${running.manholePort}`,
      );
      await body(running);
    } finally {
      await runCommand("/usr/bin/tmux", ["-L", tmuxSocket, "kill-server"]);
    }
  });
}

describe("manhole driven by /usr/bin/telnet in tmux", () => {
  it("edits with the arrow keys, also a wrapped line, recalls history with Up, ^C abandons a line, ^L redraws, ^D logs out", async () => {
    await withTelnetPane(async (running) => {
      // Keep the pane (and its last screen) when telnet exits on ^D.
      await tmux("set-option", "-t", "manhole", "remain-on-exit", "on");
      await screenShows(/Password:$/m);
      await tmux("send-keys", "-t", "manhole", "-l", "s3cret-token");
      // The password is not echoed, by the manhole or by telnet (it agreed to our ECHO).
      await tmux("send-keys", "-t", "manhole", "Enter");
      const welcome = await screenShows(/^>>>$/m);
      assert.doesNotMatch(welcome, /s3cret-token/);
      await tmux("send-keys", "-t", "manhole", "-l", "hits = 1");
      await tmux("send-keys", "-t", "manhole", "Enter");
      await tmux("send-keys", "-t", "manhole", "-l", "hits += 1");
      await tmux("send-keys", "-t", "manhole", "Enter");
      await screenShows(/^>>> hits \+= 1\n2\n>>>$/m);
      await tmux("send-keys", "-t", "manhole", "Up", "Enter");
      await screenShows(/^>>> hits \+= 1\n3\n>>>$/m);
      // Left arrow, then insert: "hits * 1" becomes "hits * 21".
      await tmux("send-keys", "-t", "manhole", "-l", "hits * 1");
      await tmux("send-keys", "-t", "manhole", "Left", "2", "Enter");
      await screenShows(/^>>> hits \* 21\n63\n>>>$/m);
      // A line longer than the 100-column pane wraps; Home goes back to its first row.
      const long = `'${"a".repeat(120)}'.length`;
      await tmux("send-keys", "-t", "manhole", "-l", long);
      await tmux("send-keys", "-t", "manhole", "Home");
      await tmux("send-keys", "-t", "manhole", "-l", "1 + ");
      await tmux("send-keys", "-t", "manhole", "Enter");
      // Exactly one copy of the line, over two rows, then the value.
      const wrapped = await screenShows(/^121\n>>>$/m);
      assert.match(wrapped, new RegExp(`^>>> 1 \\+ 'a{91}\na{29}'\\.length\n121\n>>>$`, "m"));
      assert.equal(wrapped.split("1 + 'a").length, 2);
      await tmux("send-keys", "-t", "manhole", "-l", "factory.greeting = 'hi from tmux'");

      await tmux("send-keys", "-t", "manhole", "Enter");
      await screenShows(/^'hi from tmux'\n>>>$/m);
      await tmux("send-keys", "-t", "manhole", "-l", "db.get('answer')");
      await tmux("send-keys", "-t", "manhole", "Enter");
      await screenShows(/^<Deferred #1>\n(?:>>>\n)?Deferred #1 called back: 42\n>>>$/m);
      await tmux("send-keys", "-t", "manhole", "-l", "never run");
      await tmux("send-keys", "-t", "manhole", "C-c");
      await screenShows(/^>>> never run\^C\n>>>$/m);
      await tmux("send-keys", "-t", "manhole", "-l", "hits");
      await tmux("send-keys", "-t", "manhole", "C-l");
      // ^L: the whole screen is cleared and only the line, redrawn, is left at the top.
      await screenShows(/^>>> hits\n*$/);
      await tmux("send-keys", "-t", "manhole", "C-u", "C-d");
      await screenShows(/Connection closed by foreign host/);
      assert.equal(await greet(running.greetingPort), "hi from tmux #1\r\n");
    });
  });

  it("refuses a wrong password typed at telnet", async () => {
    await withTelnetPane(async (running) => {
      await screenShows(/Password:$/m);
      await tmux("send-keys", "-t", "manhole", "-l", "wrong");
      await tmux("send-keys", "-t", "manhole", "Enter");
      await screenShows(/^Login incorrect\.\nPassword:$/m);
      assert.match(running.log(), /refused a manhole login from 127\.0\.0\.1/);
    });
  });
});
