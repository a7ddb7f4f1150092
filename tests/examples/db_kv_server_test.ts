// The database-backed key-value server (examples/db_kv_server.ts) run as a
// user runs it: a real process on Deno and on Bun, talked to over loopback,
// stopped with SIGTERM (it closes its pool and exits 0) and started again on
// the same database (what it stored is still there). On SQLite, and on
// PostgreSQL with --postgres (needs the server: see tests/adbapi/_postgres.ts).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  postgresServer,
  releasePostgres,
  requireConninfo,
  skipWithout,
} from "../adbapi/_postgres.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(root, "examples", "db_kv_server.ts");
const bin = join(root, "node_modules", ".bin");
const RUNTIMES: Record<string, (...args: string[]) => string[]> = {
  deno: (...args) => [join(bin, "deno"), "run", "-A", script, ...args],
  bun: (...args) => [join(bin, "bun"), script, ...args],
};

const dir = mkdtempSync(join(tmpdir(), "skein-kv-"));
const pg = postgresServer();
const pgSkip = skipWithout(pg);
after(() => {
  rmSync(dir, { recursive: true, force: true });
  releasePostgres(pg);
});

interface Server {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; stderr: string; }>;
}

function startServer(argv: string[]): Promise<Server> {
  const proc = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
  let stderr = "";
  const exited = new Promise<{ code: number | null; stderr: string; }>((done) => {
    proc.on("close", (code) => done({ code, stderr }));
  });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start: ${stderr}`)), 30_000);
    proc.stderr!.on("data", (d) => {
      stderr += d;
      const m = stderr.match(/kv server on 127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        ok({ proc, port: Number(m[1]), exited });
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      fail(new Error(`server exited early (${code}): ${stderr}`));
    });
  });
}

/** A line client: `send(line)` resolves with the reply line. */
async function client(
  port: number,
): Promise<{ send: (line: string) => Promise<string>; socket: Socket; }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
  let buffer = "";
  const waiting: ((line: string) => void)[] = [];
  socket.on("data", (d) => {
    buffer += d.toString("utf8");
    let at: number;
    while ((at = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      waiting.shift()?.(line);
    }
  });
  return {
    socket,
    send: (line) =>
      new Promise((ok) => {
        waiting.push(ok);
        socket.write(`${line}\r\n`);
      }),
  };
}

async function stop(server: Server): Promise<void> {
  // process.kill, not proc.kill: Deno's ChildProcess reports a signal it sent
  // itself as the exit reason (code null) even when the child exits cleanly.
  process.kill(server.proc.pid!, "SIGTERM");
  const { code, stderr } = await server.exited;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /kv server stopped/);
}

for (const runtime of Object.keys(RUNTIMES)) {
  describe(`db_kv_server on ${runtime}`, () => {
    it("stores, reads, increments in a transaction, deletes; keeps the data across a restart (SQLite)", async () => {
      const path = join(dir, `${runtime}.db`);
      const first = await startServer(RUNTIMES[runtime](`--port=0`, `--sqlite=${path}`));
      try {
        const c = await client(first.port);
        assert.equal(await c.send("GET greeting"), "NOTFOUND");
        assert.equal(await c.send("SET greeting hello world"), "OK");
        assert.equal(await c.send("GET greeting"), "VALUE hello world");
        assert.equal(await c.send("INCR hits"), "INTEGER 1");
        assert.equal(await c.send("INCR hits"), "INTEGER 2");
        assert.match(await c.send("INCR greeting"), /^ERR the value of greeting is not an integer/);
        assert.equal(
          await c.send("GET greeting"),
          "VALUE hello world",
          "the failed INCR rolled back",
        );
        assert.equal(await c.send("SET gone soon"), "OK");
        assert.equal(await c.send("DEL gone"), "DELETED 1");
        assert.equal(await c.send("DEL gone"), "DELETED 0");
        assert.equal(await c.send("KEYS"), "KEYS greeting hits");
        assert.match(await c.send("FROB x"), /^ERR unknown command/);
        // Pipelined commands are answered in order.
        const replies = await Promise.all([
          c.send("SET a 1"),
          c.send("GET a"),
          c.send("INCR a"),
          c.send("GET a"),
        ]);
        assert.deepEqual(replies, ["OK", "VALUE 1", "INTEGER 2", "VALUE 2"]);
        c.socket.destroy();
      } finally {
        await stop(first);
      }
      const second = await startServer(RUNTIMES[runtime](`--port=0`, `--sqlite=${path}`));
      try {
        const c = await client(second.port);
        assert.equal(await c.send("GET greeting"), "VALUE hello world");
        assert.equal(await c.send("GET hits"), "VALUE 2");
        c.socket.destroy();
      } finally {
        await stop(second);
      }
    });

    it("runs on PostgreSQL with --postgres (needs the server)", { skip: pgSkip }, async () => {
      const server = await startServer(
        RUNTIMES[runtime](`--port=0`, `--postgres=${requireConninfo(pg)}`),
      );
      try {
        const c = await client(server.port);
        const key = `k_${runtime}_${process.pid}`;
        assert.equal(await c.send(`SET ${key} 41`), "OK");
        assert.equal(await c.send(`INCR ${key}`), "INTEGER 42");
        assert.equal(await c.send(`GET ${key}`), "VALUE 42");
        assert.equal(await c.send(`DEL ${key}`), "DELETED 1");
        c.socket.destroy();
      } finally {
        await stop(server);
      }
    });
  });
}
