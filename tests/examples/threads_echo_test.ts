// examples/threads_echo.ts run as a user runs it, on Deno and on Bun: the
// prime count is computed in a thread while the echo server keeps answering.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "node_modules", ".bin");
const example = join(root, "examples", "threads_echo.ts");
const RUNTIMES: Record<string, string[]> = {
  deno: [join(bin, "deno"), "run", "-A", example, "2000000"],
  bun: [join(bin, "bun"), example, "2000000"],
};

function run(argv: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string; }> {
  return new Promise((ok, fail) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    p.stdout!.on("data", (d) => (out += d));
    p.stderr!.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      fail(new Error(`timed out (the process did not exit by itself):\n${out}`));
    }, timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      ok({ code, out });
    });
  });
}

describe("examples/threads_echo.ts", () => {
  for (const [runtime, argv] of Object.entries(RUNTIMES)) {
    it(`on ${runtime}: the thread computes while the echo server keeps answering, then the process exits`, async () => {
      const { code, out } = await run(argv);
      assert.equal(code, 0, out);
      assert.match(out, /primes below 2000000: 148933 /);
      const m = out.match(/answered (\d+) pings: p50 ([\d.]+) ms/);
      assert.ok(m, out);
      // Had the computation run on the reactor thread, at most one ping
      // would have been answered while it ran.
      assert.ok(Number(m[1]) >= 10, `only ${m[1]} pings answered:\n${out}`);
    });
  }
});
