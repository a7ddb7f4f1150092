// examples/stdio_shout.ts run as a real process on every reactor kind
// (SKEIN_REACTOR): StandardIO carries a LineReceiver over the process's own
// stdin and stdout, from a pipe and from a regular file (read a chunk per
// turn on the FFI reactor: files cannot be polled). The end of stdin ends a
// protocol that is not half-closeable (Twisted's rule); `quit` makes it
// loseConnection after its answer is written; either way the tool exits 0.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { runtimeArgs } from "../_runtime.ts";
import { KINDS } from "../reactor/_helpers.ts";

const SCRIPT = new URL("../../examples/stdio_shout.ts", import.meta.url).pathname;

function run(
  kind: string,
  stdin: string | number,
  slowReaderMs = 0,
): Promise<{ out: string; err: string; code: number | null; }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, runtimeArgs(SCRIPT), {
      stdio: [typeof stdin === "number" ? stdin : "pipe", "pipe", "pipe"],
      env: { ...process.env, SKEIN_REACTOR: kind, NO_COLOR: "1" },
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (b: Uint8Array) => (out += new TextDecoder().decode(b)));
    if (slowReaderMs > 0) {
      // A reader that does not read yet: the pipe fills, so the tool's
      // writes queue while it reaches the end of its input.
      child.stdout!.pause();
      setTimeout(() => child.stdout!.resume(), slowReaderMs);
    }
    child.stderr!.on("data", (b: Uint8Array) => (err += new TextDecoder().decode(b)));
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`stdio_shout on ${kind} did not exit: ${out} ${err}`));
    }, 20_000);
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ out, err, code });
    });
    if (typeof stdin === "string") child.stdin!.end(stdin);
  });
}

for (const kind of KINDS) {
  describe(`examples/stdio_shout.ts on ${kind}`, () => {
    it("answers each line from a pipe; the end of stdin ends it", async () => {
      const { out, err, code } = await run(kind, "hello\nworld\n");
      assert.equal(err, "");
      assert.equal(out, "HELLO\nWORLD\n");
      assert.equal(code, 0);
    });

    it("quit: the answer is written before the connection closes; later input is not read", async () => {
      const { out, code } = await run(kind, "one\nquit\nnever\n");
      assert.equal(out, "ONE\nBYE\n");
      assert.equal(code, 0);
    });

    it("the end of a regular file's input while stdout is full loses nothing written (stdout drains first)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "skein-stdio-"));
      const file = join(dir, "input.txt");
      // About 400 KB of answers: several times a pipe's 64 KiB buffer.
      const lines = Array.from({ length: 40000 }, (_, i) => `line ${i}`);
      writeFileSync(file, lines.join("\n") + "\n");
      const fd = openSync(file, "r");
      try {
        const { out, code } = await run(kind, fd, 1500);
        assert.equal(code, 0);
        const got = out.split("\n").length - 1;
        assert.equal(got, lines.length, `${got} of ${lines.length} answers arrived`);
        assert.equal(out, lines.map((l) => l.toUpperCase()).join("\n") + "\n");
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true });
      }
    });

    it("reads stdin from a regular file", async () => {
      const dir = mkdtempSync(join(tmpdir(), "skein-stdio-"));
      const file = join(dir, "input.txt");
      const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
      writeFileSync(file, lines.join("\n") + "\n");
      const fd = openSync(file, "r");
      try {
        const { out, code } = await run(kind, fd);
        assert.equal(code, 0);
        assert.equal(out, lines.map((l) => l.toUpperCase()).join("\n") + "\n");
      } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true });
      }
    });
  });
}
