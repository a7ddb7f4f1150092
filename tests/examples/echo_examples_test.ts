// The seed's programs, run as a user runs them: the echo server as a real process on
// Deno and on Bun, the clients as real processes on both runtimes, over loopback.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "node_modules", ".bin");
const RUNTIMES: Record<string, (file: string, ...args: string[]) => string[]> = {
  deno: (file, ...args) => [join(bin, "deno"), "run", "-A", file, ...args],
  bun: (file, ...args) => [join(bin, "bun"), file, ...args],
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolveRun, reject) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "", stderr = "";
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`timed out: ${argv.join(" ")}\n${stdout}\n${stderr}`));
    }, timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function startServer(runtime: string): Promise<{ proc: ChildProcess; port: number; }> {
  const argv = RUNTIMES[runtime](join(root, "examples", "echo_server.ts"), "0");
  const proc = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  return new Promise((ok, fail) => {
    let err = "";
    const timer = setTimeout(() => fail(new Error(`server did not start: ${err}`)), 20_000);
    proc.stderr!.on("data", (d) => {
      err += d;
      const m = err.match(/'127\.0\.0\.1', (\d+)\)/);
      if (m) {
        clearTimeout(timer);
        ok({ proc, port: Number(m[1]) });
      }
    });
    proc.on("exit", () => fail(new Error(`server exited early: ${err}`)));
  });
}

for (const serverRuntime of Object.keys(RUNTIMES)) {
  describe(`echo server on ${serverRuntime}`, () => {
    let server: { proc: ChildProcess; port: number; };
    before(async () => {
      server = await startServer(serverRuntime);
    });
    after(() => {
      server?.proc.kill("SIGKILL");
    });

    for (const clientRuntime of Object.keys(RUNTIMES)) {
      it(`take 1 on ${clientRuntime}: collects the reply until the connection closes`, async () => {
        const r = await run(RUNTIMES[clientRuntime](
          join(root, "examples", "echo_client_1.ts"),
          String(server.port),
          "héllo wörld",
        ));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Got 11 bytes back: "héllo wörld"/);
      });

      it(`take 2 on ${clientRuntime}: a refused connection is an error, not a reply`, async () => {
        const ok = await run(RUNTIMES[clientRuntime](
          join(root, "examples", "echo_client_2.ts"),
          String(server.port),
          "twistier",
        ));
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /Reply: "twistier"/);
        const refused = await run(RUNTIMES[clientRuntime](
          join(root, "examples", "echo_client_2.ts"),
          "1",
          "nobody listens on port 1",
        ));
        assert.equal(refused.code, 0, refused.stderr);
        assert.match(refused.stdout, /Error: .*refused/i);
      });

      it(`take 3 on ${clientRuntime}: a Deferred fires with the reply`, async () => {
        const r = await run(RUNTIMES[clientRuntime](
          join(root, "examples", "echo_client_3.ts"),
          String(server.port),
          "deferred",
        ));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Reply: "deferred"/);
      });

      it(`DeferredList client on ${clientRuntime}: answers from several servers, one down`, async () => {
        const p = String(server.port);
        const r = await run(RUNTIMES[clientRuntime](
          join(root, "examples", "echo_client_multi.ts"),
          p,
          "1",
          p,
        ));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`server ${p}: "message 1"`));
        assert.match(r.stdout, /server 1: failed: .*refused/i);
        assert.match(r.stdout, new RegExp(`server ${p}: "message 3"`));
      });
    }

    it("stops on SIGTERM: shutdown triggers run and the process exits", async () => {
      const { proc } = server;
      let stderr = "";
      proc.stderr!.on("data", (d) => (stderr += d));
      const exited = new Promise<[number | null, string | null]>((ok) =>
        proc.on("exit", (code, signal) => ok([code, signal]))
      );
      proc.kill("SIGTERM");
      const outcome = await Promise.race([
        exited,
        new Promise<string>((ok) => setTimeout(() => ok("timeout"), 10_000)),
      ]);
      assert.notEqual(outcome, "timeout", "the server did not exit on SIGTERM");
      // The "after shutdown" trigger ran, so the reactor stopped cleanly.
      assert.match(stderr, /echo server stopped/);
      const [code, signal] = outcome as [number | null, string | null];
      // Deno's node:child_process reports a child that handled SIGTERM and exited 0 as
      // (null, "SIGTERM"); Bun reports (0, null). Either way it was not killed uncleanly.
      assert.ok(code === 0 || (code === null && signal === "SIGTERM"), `exit ${code} ${signal}`);
    });
  });
}
