/**
 * Choosing the reactor (reactor/install.ts): createReactor for each kind, the
 * lazy process-wide `reactor`, installReactor before and after first use
 * (Twisted's ReactorAlreadyInstalledError), and SKEIN_REACTOR. Cases that
 * touch the process-wide reactor run in child processes.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createReactor, defaultReactorKind, REACTOR_KINDS } from "../../reactor/install.ts";
import { defaultPollerKind, POLLER_KINDS } from "../../reactor/pollers/mod.ts";
import { PosixReactor } from "../../reactor/posix_reactor.ts";
import { isDeno, runScript } from "../_runtime.ts";
import { ALL_KINDS } from "./_reactor_kinds.ts";

async function child(
  mode: string,
  env: Record<string, string> = {},
  denoFlags: string[] = ["-A"],
): Promise<{ out: string; err: string; code: number | null; }> {
  const script = fileURLToPath(new URL("./_install_script.ts", import.meta.url));
  const r = await runScript(script, [mode], { denoFlags, env: { SKEIN_REACTOR: "", ...env } });
  return { ...r, out: r.out.trim() };
}

describe("reactor/install", () => {
  it("createReactor(kind) makes a fresh reactor of each kind", () => {
    for (const kind of ALL_KINDS) {
      const a = createReactor(kind);
      const b = createReactor(kind);
      assert.equal(a.kind, kind);
      assert.notEqual(a, b);
      assert.equal(a instanceof PosixReactor, kind !== "host");
    }
  });

  it("createReactor rejects an unknown kind with a TypeError", () => {
    assert.throws(() => createReactor("iocp" as "epoll"), TypeError);
  });

  it("the default is epoll on Linux (kqueue on macOS/BSD)", () => {
    const expected = process.platform === "linux" ? "epoll" : "kqueue";
    if (!process.env.SKEIN_REACTOR) assert.equal(defaultReactorKind(), expected);
    assert.equal(createReactor().kind, process.env.SKEIN_REACTOR || expected);
  });

  it("the default reactor is the default poller (one answer, pollersFor), and the kinds are the pollers' plus host", () => {
    if (!process.env.SKEIN_REACTOR) {
      assert.equal(defaultReactorKind(), defaultPollerKind() ?? "host");
    }
    assert.deepEqual(REACTOR_KINDS, [...POLLER_KINDS, "host"]);
    assert.throws(() => createReactor("iocp" as "epoll"), new RegExp(REACTOR_KINDS.join(", ")));
  });

  it("the lazy reactor binds to the platform default on first use", async () => {
    const { out } = await child("kind");
    assert.equal(out, `kind=${process.platform === "linux" ? "epoll" : "kqueue"}`);
  });

  it("installReactor before first use picks the reactor", async () => {
    const { out } = await child("install-then-use");
    assert.equal(out, "kind=poll same=true");
  });

  it("installReactor after first use throws ReactorAlreadyInstalledError", async () => {
    const { out } = await child("install-after-use");
    assert.match(out, /^error=ReactorAlreadyInstalledError: /);
  });

  it("SKEIN_REACTOR picks the reactor; an unknown value is a TypeError naming the choices", async () => {
    assert.equal((await child("kind", { SKEIN_REACTOR: "select" })).out, "kind=select");
    assert.equal((await child("kind", { SKEIN_REACTOR: "host" })).out, "kind=host");
    const bad = await child("kind", { SKEIN_REACTOR: "bogus" });
    assert.match(
      bad.out,
      /^error=TypeError: SKEIN_REACTOR="bogus" .*epoll, poll, select, kqueue, host/,
    );
  });

  it("the lazy reactor runs and stops", async () => {
    const { out, code } = await child("run", { SKEIN_REACTOR: "poll" });
    assert.equal(code, 0);
    assert.equal(out, "stopped kind=poll");
  });

  it("the lazy reactor forwards callInThread, getThreadPool and suggestThreadPoolSize", async () => {
    const { out, code } = await child("threads", { SKEIN_REACTOR: "poll" });
    assert.equal(code, 0);
    assert.equal(out, "ok=true value=42 max=3");
  });

  it("without FFI the default is the host reactor, with a notice (Deno without --allow-ffi; Bun always has FFI)", async () => {
    if (isDeno) {
      const { out, err } = await child("kind", {}, [
        "--allow-read",
        "--allow-env",
        "--allow-net",
        "--allow-sys",
      ]);
      assert.equal(out, "kind=host");
      assert.match(err, /FFI is not available.*host reactor/);
      // Asking for an FFI reactor explicitly is an error that says what to do.
      const explicit = await child("kind", { SKEIN_REACTOR: "epoll" }, [
        "--allow-read",
        "--allow-env",
        "--allow-net",
        "--allow-sys",
      ]);
      assert.match(explicit.out, /^error=Error: The epoll reactor needs FFI.*--allow-ffi/);
    } else {
      // Bun cannot be denied FFI: the default stays the FFI reactor.
      const { out, err } = await child("kind");
      assert.notEqual(out, "kind=host");
      assert.doesNotMatch(err, /FFI is not available/);
    }
  });
});
