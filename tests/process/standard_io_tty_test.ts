// StandardIO on a terminal: a child on a pseudo-terminal (usePTY) runs a
// script that connects StandardIO with `raw: true` (as Twisted's conch puts
// an interactive protocol's terminal in raw mode); `stty -a` shows raw mode
// while it is connected, and the terminal's mode exactly as before once the
// transport has closed, and also when the script calls process.exit() with
// the transport still open. On every reactor kind (the FFI reactor saves and
// restores the termios itself; the host reactor uses the runtime's
// setRawMode). PTYs are Linux-only so far, so this runs where libc().os is
// "linux".
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { IReactorProcess } from "../../interfaces.ts";
import { ProcessDone } from "../../reactor/errors.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import { runtimeArgs } from "../_runtime.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";
import { Collecting } from "../reactor/_process_helpers.ts";

const script = fileURLToPath(new URL("./standard_io_tty_child.ts", import.meta.url));

/** Drives the terminal: sends "q" once the script has printed its mode. */
class Terminal extends Collecting {
  #sent = false;
  override outReceived(): void {
    if (!this.#sent && this.out.includes("during>>")) {
      this.#sent = true;
      this.transport!.write("q");
    }
  }
  /** The text between `<<name` and `name>>`, one line per setting. */
  section(name: string): string {
    const m = new RegExp(`<<${name}\\r?\\n([\\s\\S]*?)${name}>>`).exec(this.out);
    assert.ok(m !== null, `no ${name} section in:\n${this.out}`);
    return m[1].replace(/\r/g, "");
  }
}

/** The terminal's settings as a set of words (`icanon`, `-echo`, …). */
const words = (stty: string): Set<string> => new Set(stty.split(/[\s;]+/).filter((w) => w));

const shell = [
  "stty -a; echo \"before>>\"",
  "\"$0\" \"$@\"",
  "echo \"<<after\"; stty -a; echo \"after>>\"",
].join("; ");

for (const kind of libc().os === "linux" ? KINDS : []) {
  describe(`StandardIO on a terminal, on ${kind}`, () => {
    for (const end of ["close", "exit"] as const) {
      it(`raw: true puts the terminal in raw mode and its mode is restored on ${end}`, () =>
        withReactor("epoll", async (r) => {
          const p = new Terminal();
          (r as unknown as IReactorProcess).spawnProcess(p, "sh", [
            "sh",
            "-c",
            `echo "<<before"; ${shell}`,
            process.execPath,
            ...runtimeArgs(script, [kind, "raw", end]),
          ], { usePTY: true, env: { ...process.env, NO_COLOR: "1" } as Record<string, string> });
          const reason = await p.ended;
          assert.ok(reason.check(ProcessDone), `${reason.getErrorMessage()}\n${p.out}`);
          const before = words(p.section("before"));
          const during = words(p.section("during"));
          const after = words(p.section("after"));
          // A terminal starts cooked: line editing and echo.
          assert.ok(before.has("icanon") && before.has("echo") && before.has("isig"));
          // cfmakeraw: no line editing, no echo, no signal keys, no output
          // processing; the runtime's own raw mode (host) keeps output processing.
          const raw = ["-icanon", "-echo", "-isig", ...(kind === "host" ? [] : ["-opost"])];
          for (const w of raw) {
            assert.ok(during.has(w), `${w} while connected: ${[...during].join(" ")}`);
          }
          assert.deepEqual([...after].sort(), [...before].sort());
        }, 30_000));
    }
  });
}
