import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseCommandLine, runnerOptionsHelp, UsageError } from "../../cli/mod.ts";
import { root, runSkein } from "./_helpers.ts";

describe("parseCommandLine", () => {
  it("takes runner options before and right after the command, the rest is the command's", () => {
    const p = parseCommandLine([
      "-r",
      "poll",
      "run",
      "--log-level=warn",
      "-l",
      "app.log",
      "--umask",
      "022",
      "-u",
      "1000",
      "--workers",
      "2",
      "app.ts",
      "--pidfile",
      "not-ours",
    ]);
    assert.equal(p.command, "run");
    assert.deepEqual(p.args, ["app.ts", "--pidfile", "not-ours"]);
    assert.equal(p.options.reactor, "poll");
    assert.equal(p.options.logLevel, "warn");
    assert.equal(p.options.logfile, "app.log");
    assert.equal(p.options.umask, 0o22);
    assert.equal(p.options.uid, 1000);
    assert.equal(p.options.workers, 2);
    assert.equal(p.options.pidfile, null);
  });

  it("stops at the first option it does not know after the command (a plugin's), and at --", () => {
    assert.deepEqual(parseCommandLine(["procmon", "--threshold", "2", "sh"]).args, [
      "--threshold",
      "2",
      "sh",
    ]);
    assert.deepEqual(parseCommandLine(["run", "--", "--daemon"]).args, ["--daemon"]);
    assert.equal(parseCommandLine(["run", "--", "--daemon"]).options.daemon, false);
  });

  it("-n keeps the foreground; --daemon detaches; --inspect takes an optional address", () => {
    assert.equal(parseCommandLine(["--daemon", "-n", "run", "a.ts"]).options.daemon, false);
    assert.equal(parseCommandLine(["-n", "--daemon", "run", "a.ts"]).options.daemon, true);
    assert.equal(parseCommandLine(["run", "--inspect", "a.ts"]).options.inspect, "127.0.0.1:9229");
    assert.equal(
      parseCommandLine(["run", "--inspect=0.0.0.0:9333", "a.ts"]).options.inspect,
      "0.0.0.0:9333",
    );
    assert.equal(parseCommandLine(["run", "-b", "a.ts"]).options.debug, true);
  });

  it("refuses bad values and unknown runner options with a UsageError that says what to do", () => {
    const cases: [string[], RegExp][] = [
      [["--bogus", "run"], /unknown option --bogus; see skein --help/],
      [["run", "--pidfile"], /--pidfile needs a value \(PATH\)/],
      [["run", "--umask", "999", "a.ts"], /--umask takes an octal mask/],
      [["run", "--workers", "0", "a.ts"], /--workers takes a whole number >= 1/],
      [
        ["run", "--reactor", "uring", "a.ts"],
        /--reactor takes one of epoll, poll, select, kqueue, host/,
      ],
      [["run", "--log-format", "xml", "a.ts"], /--log-format takes text or json/],
      [
        ["run", "--shutdown-timeout", "-1", "a.ts"],
        /--shutdown-timeout takes a number of seconds > 0/,
      ],
      [["run", "--daemon=yes", "a.ts"], /--daemon takes no value/],
      [["run", "--daemon", "-l", "-", "a.ts"], /a daemon cannot log to stdout/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseCommandLine(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    }
  });

  it("no command gives null; help lists every option", () => {
    assert.equal(parseCommandLine(["--help"]).command, null);
    for (
      const name of [
        "--nodaemon",
        "--daemon",
        "--pidfile",
        "--logfile",
        "--log-level",
        "--log-format",
        "--reactor",
        "--help-reactors",
        "--rundir",
        "--umask",
        "--uid",
        "--gid",
        "--workers",
        "--debug",
        "--inspect",
        "--plugin",
        "--manhole",
      ]
    ) {
      assert.ok(runnerOptionsHelp().includes(name), name);
    }
  });
});

describe("the ./cli export as a program", () => {
  // `deno run -A jsr:@skein/skein/cli run app.ts` runs the module that the
  // `./cli` export names, so that module (not only cli/main.ts) must run the
  // command line when it is the main module, and only then.
  it("cli/mod.ts run as the main module is skein; imported, it runs nothing", async () => {
    const cliExport = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports["./cli"];
    const asProgram = await runSkein(["--help"], { entry: join(root, cliExport) });
    assert.equal(asProgram.code, 0, asProgram.err);
    assert.match(asProgram.out, /^usage: skein /);
    const viaMain = await runSkein(["--help"]);
    assert.equal(asProgram.out, viaMain.out);
    const unknown = await runSkein(["--bogus"], { entry: join(root, cliExport) });
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown option --bogus/);
  });
});
