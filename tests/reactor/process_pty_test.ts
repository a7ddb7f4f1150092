// spawnProcess with usePTY on the FFI reactor (Linux): the child runs on a new
// pseudo-terminal as a session leader with it as its controlling terminal
// (Twisted's PTYProcess): `tty` names a /dev/pts/N, an interactive python3
// answers, the window size is set and settable, KILL ends it and nothing
// leaks. On the host reactor usePTY is refused with a clear error. PTYs are
// Linux-only so far, so the FFI cases run where libc().os is "linux".
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import type { IReactorProcess } from "../../interfaces.ts";
import { ProcessDone, type ProcessTerminated } from "../../reactor/errors.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import type { Reactor } from "../../reactor/install.ts";
import type { Process } from "../../reactor/process.ts";
import { KINDS, withReactor } from "./_helpers.ts";
import { Collecting } from "./_process_helpers.ts";

class Terminal extends Collecting {
  readonly calls: string[] = [];
  onOutput: ((self: Terminal) => void) | null = null;
  override childDataReceived(fd: number, data: Uint8Array): void {
    this.calls.push(`data ${fd}`);
    super.childDataReceived(fd, data);
  }
  override outReceived(): void {
    this.onOutput?.(this);
  }
  override childConnectionLost(fd: number): void {
    this.calls.push(`lost ${fd}`);
  }
}

function spawnPTY(r: Reactor, p: Terminal, executable: string, args: string[]): Process {
  return (r as unknown as IReactorProcess).spawnProcess(p, executable, args, {
    usePTY: true,
  }) as Process;
}

const FFI = KINDS.filter((k) => k !== "host");

for (const kind of libc().os === "linux" ? FFI : []) {
  describe(`usePTY on ${kind}`, () => {
    it("tty names a /dev/pts terminal; output arrives as fd 1 and no pipe callbacks (Twisted's PTYProcess)", () =>
      withReactor(kind, async (r) => {
        const p = new Terminal();
        spawnPTY(r, p, "tty", ["tty"]);
        assert.ok((await p.ended).check(ProcessDone));
        assert.match(p.out, /^\/dev\/pts\/\d+\r\n$/);
        assert.ok(p.calls.every((c) => c === "data 1"), p.calls.join());
      }));

    it("the child is a session leader with the terminal as its controlling terminal", () =>
      withReactor(kind, async (r) => {
        const p = new Terminal();
        spawnPTY(r, p, "python3", [
          "python3",
          "-c",
          "import os; print(os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp(), os.isatty(2))",
        ]);
        assert.ok((await p.ended).check(ProcessDone));
        assert.equal(p.out, "True True True\r\n");
      }));

    it("an interactive python3 -i answers an expression", () =>
      withReactor(kind, async (r) => {
        const p = new Terminal();
        let step = 0;
        p.onOutput = (self): void => {
          if (step === 0 && self.out.includes(">>> ")) {
            step = 1;
            self.transport!.write("6 * 7\n");
          } else if (step === 1 && self.out.includes("42\r\n")) {
            step = 2;
            self.transport!.write("exit()\n");
          }
        };
        spawnPTY(r, p, "python3", ["python3", "-i", "-q"]);
        assert.ok((await p.ended).check(ProcessDone));
        assert.equal(step, 2);
        assert.match(p.out, /6 \* 7\r\n42\r\n/);
      }));

    it("the window starts at 24 x 80 and setWindowSize changes it", () =>
      withReactor(kind, async (r) => {
        const first = new Terminal();
        spawnPTY(r, first, "stty", ["stty", "size"]);
        await first.ended;
        assert.equal(first.out, "24 80\r\n");
        const second = new Terminal();
        // The child waits for a line, so the new size is set before it asks.
        const t = spawnPTY(r, second, "sh", ["sh", "-c", "read line; stty size"]);
        t.setWindowSize(30, 100);
        t.write("\n");
        await second.ended;
        assert.match(second.out, /30 100\r\n$/);
        assert.throws(() => t.setWindowSize(-1, 80), TypeError);
      }));

    it("KILL ends it, the fd-specific calls are refused, and no fd is left open", () =>
      withReactor(kind, async (r) => {
        const before = readdirSync("/proc/self/fd").sort();
        const p = new Terminal();
        const t = spawnPTY(r, p, "sleep", ["sleep", "60"]);
        assert.throws(() => t.writeToChild(3, "x"), /pseudo-terminal/);
        assert.throws(() => t.closeChildFD(0), /pseudo-terminal/);
        t.closeStdin(); // a no-op on a terminal, as in Twisted
        t.signalProcess("KILL");
        const e = (await p.ended).value as ProcessTerminated;
        assert.equal(e.signal, 9);
        const after = readdirSync("/proc/self/fd").sort();
        assert.deepEqual(after.filter((fd) => !before.includes(fd)), []);
      }));
  });
}

describe("usePTY on host", () => {
  it("is refused with an error saying it needs the FFI reactor", () =>
    withReactor("host", (r) => {
      assert.throws(
        () =>
          (r as unknown as IReactorProcess).spawnProcess(new Terminal(), "tty", ["tty"], {
            usePTY: true,
          }),
        /usePTY needs the FFI reactor/,
      );
      return Promise.resolve();
    }));
});
