// getProcessOutput, getProcessValue and getProcessOutputAndValue against real
// programs on every reactor kind: Twisted's utils semantics (args without the
// program's name, output whatever the exit code, errortoo, stdinBytes), and
// the sharp edges fixed: a killed child fails with ProcessKilledError (not a
// tuple), UnexpectedErrorOutput.processEnded calls back (no unhandled
// ProcessDone).
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import type { IReactorProcess } from "../../interfaces.ts";
import {
  getProcessOutput,
  getProcessOutputAndValue,
  getProcessValue,
  ProcessKilledError,
  UnexpectedErrorOutput,
} from "../../process/mod.ts";
import { ProcessDone, ProcessTerminated } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/install.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const on = (r: Reactor): IReactorProcess => r as unknown as IReactorProcess;

for (const kind of KINDS) {
  describe(`process helpers on ${kind}`, () => {
    it("getProcessOutput: stdout whatever the exit code; args exclude the program's name", () =>
      withReactor(kind, async (r) => {
        // The shell's own argv: the program's name first, then args.
        const out = await getProcessOutput("sh", ["-c", "cat /proc/$$/cmdline; exit 4"], {
          reactor: on(r),
        });
        assert.deepEqual(text(out).split("\0"), ["sh", "-c", "cat /proc/$$/cmdline; exit 4", ""]);
      }));

    it("getProcessOutput errortoo mixes stderr into the result", () =>
      withReactor(kind, async (r) => {
        const out = await getProcessOutput("sh", ["-c", "echo a; echo b >&2"], {
          reactor: on(r),
          errortoo: true,
        });
        assert.deepEqual(text(out).split("\n").sort(), ["", "a", "b"]);
      }));

    it("getProcessOutput without errortoo fails on stderr with the output so far; processEnded calls back", () =>
      withReactor(kind, async (r) => {
        const d = getProcessOutput(
          "sh",
          ["-c", "echo first; sleep 0.1; echo oops >&2; echo later"],
          {
            reactor: on(r),
          },
        );
        const e = await d.then(() => null, (err: unknown) => err);
        assert.ok(e instanceof UnexpectedErrorOutput);
        assert.equal(e.message, "got stderr: \"oops\\n\"");
        // What stdout brought before stderr was read: the reactor may read
        // either pipe first, so "later" can be in it too, but nothing else.
        assert.ok(["first\n", "first\nlater\n"].includes(text(e.out)), JSON.stringify(text(e.out)));
        assert.equal(text(e.err), "oops\n");
        // Twisted errbacks this one (an unhandled ProcessDone when ignored).
        // The pipes were closed after the stderr bytes: the shell ends either
        // cleanly or by SIGPIPE from its `echo later`.
        const ended = await e.processEnded;
        assert.ok(
          ended instanceof ProcessDone || ended instanceof ProcessTerminated,
          String(ended),
        );
      }));

    it("getProcessValue: the exit code, or null when a signal killed the child", () =>
      withReactor(kind, async (r) => {
        assert.equal(await getProcessValue("sh", ["-c", "exit 7"], { reactor: on(r) }), 7);
        assert.equal(await getProcessValue("true", [], { reactor: on(r) }), 0);
        assert.equal(await getProcessValue("sh", ["-c", "kill -9 $$"], { reactor: on(r) }), null);
      }));

    it("getProcessOutputAndValue: [out, err, code], stdinBytes written and stdin closed", () =>
      withReactor(kind, async (r) => {
        const [out, err, code] = await getProcessOutputAndValue("sh", [
          "-c",
          "cat; echo e >&2; exit 2",
        ], {
          reactor: on(r),
          stdinBytes: "o\n",
        });
        assert.deepEqual([text(out), text(err), code], ["o\n", "e\n", 2]);
      }));

    it("getProcessOutputAndValue: a killed child fails with ProcessKilledError carrying out, err, signal", () =>
      withReactor(kind, async (r) => {
        const d = getProcessOutputAndValue("sh", ["-c", "echo o; echo e >&2; kill -9 $$"], {
          reactor: on(r),
        });
        const e = await d.then(() => null, (err: unknown) => err);
        assert.ok(e instanceof ProcessKilledError);
        assert.deepEqual([text(e.out), text(e.err), e.signal], ["o\n", "e\n", 9]);
      }));

    it("env: inherited by default, {} empty; path; a missing program throws at the call", () =>
      withReactor(kind, async (r) => {
        process.env.SKEIN_UTILS_TEST = "inherited";
        try {
          const inherited = await getProcessOutput("sh", ["-c", "echo $SKEIN_UTILS_TEST"], {
            reactor: on(r),
          });
          assert.equal(text(inherited), "inherited\n");
          const empty = await getProcessOutput("/usr/bin/env", [], { reactor: on(r), env: {} });
          assert.equal(text(empty), "");
          const cwd = await getProcessOutput("pwd", ["-P"], { reactor: on(r), path: "/" });
          assert.equal(text(cwd), "/\n");
        } finally {
          delete process.env.SKEIN_UTILS_TEST;
        }
        assert.throws(
          () => getProcessValue("skein-no-such-program", [], { reactor: on(r) }),
          /skein-no-such-program/,
        );
      }));
  });
}
