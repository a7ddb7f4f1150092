/**
 * The host reactor as a whole, on Deno and Bun: its shape, shutdown
 * (Twisted's disconnectAll: every port, connection and attempt is lost with
 * ConnectionLost), processes that exit after stop()/crash(), and the point of
 * this backend: Deno without --allow-ffi runs an echo server and client.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Deferred } from "../../../deferred/deferred.ts";
import type { IReactor } from "../../../interfaces.ts";
import {
  ConnectError,
  ConnectionLost,
  ReactorNotRestartable,
  ReactorNotRunning,
} from "../../../reactor/errors.ts";
import { HostReactor } from "../../../reactor/host/host_reactor.ts";
import { type ChildOutput, runCommand, runScript } from "../../_runtime.ts";
import { EchoClients, spawnEmfileServer } from "./_emfile_child.ts";
import { ClientOf, portOf, Recorder, ServerOf, timeout, waitFor } from "./_helpers.ts";

const SCRIPT = fileURLToPath(new URL("./_echo_script.ts", import.meta.url));
const DENO = fileURLToPath(new URL("../../../node_modules/.bin/deno", import.meta.url));

/** Run `cmd args`; resolve with stdout, stderr and the exit code, or fail after 30 s. */
const run = (cmd: string, args: string[]): Promise<ChildOutput> =>
  runCommand(cmd, args, { timeoutMs: 30000 });

/** Deno's permissions for the echo script: network, files and env, no FFI. */
const NO_FFI = ["--no-prompt", "--allow-net", "--allow-read", "--allow-env"];

/** Run the echo script in MODE on this runtime (Deno: network and files only). */
function runHere(mode: string): Promise<ChildOutput> {
  return runScript(SCRIPT, [mode], { denoFlags: NO_FFI, timeoutMs: 30000 });
}

/** Run the echo script in MODE on Deno without FFI, whichever runtime runs the tests. */
function runDenoWithoutFFI(mode: string): Promise<ChildOutput> {
  return run(DENO, ["run", ...NO_FFI, SCRIPT, mode]);
}

describe("host reactor", () => {
  it("is a whole IReactor of kind 'host'", () => {
    const r: IReactor = new HostReactor();
    assert.equal(r.kind, "host");
    for (
      const m of [
        "listenTCP",
        "connectTCP",
        "listenUNIX",
        "connectUNIX",
        "listenUDP",
        "callLater",
        "callFromThread",
        "resolve",
        "run",
        "stop",
        "crash",
      ] as const
    ) {
      assert.equal(typeof r[m], "function", m);
    }
    assert.throws(() => r.stop(), ReactorNotRunning);
  });

  it("runs timers and stops; it cannot be restarted (ReactorBase rules)", async () => {
    const r = new HostReactor();
    const order: string[] = [];
    r.callLater(0.02, () => order.push("b"));
    r.callLater(0, () => order.push("a"));
    r.callLater(0.04, () => r.stop());
    await timeout(r.run({ installSignalHandlers: false }), 5000, "run");
    assert.deepEqual(order, ["a", "b"]);
    assert.throws(() => r.run(), ReactorNotRestartable);
  });

  it("stop() loses every port, connection and attempt with ConnectionLost (disconnectAll)", async () => {
    const r = new HostReactor();
    const done = r.run({ installSignalHandlers: false });
    const sf = new ServerOf(() => new Recorder());
    const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
    const cf = new ClientOf(() => new Recorder());
    r.connectTCP("127.0.0.1", portOf(port), cf);
    const c = await timeout(cf.built.then((p) => p.made), 5000, "connected");
    await waitFor(() => sf.built.length === 1, 5000, "accept");
    // An attempt that is still resolving.
    r.resolve = (): Deferred<string> => new Deferred<string>();
    const pending = new ClientOf(() => new Recorder());
    r.connectTCP("pending.example", 80, pending);
    assert.equal(r.getSelectables().length, 4, "port, two connections, one attempt");
    r.stop();
    await timeout(done, 5000, "stop");
    assert.ok(c.reason!.value instanceof ConnectionLost, String(c.reason?.value));
    assert.ok(sf.built[0].reason!.value instanceof ConnectionLost);
    assert.ok(cf.reason!.value instanceof ConnectionLost, "clientConnectionLost(ConnectionLost)");
    assert.ok(pending.reason!.value instanceof ConnectError, String(pending.reason?.value));
    assert.equal(sf.stopped, 1, "the port stopped its factory");
    assert.equal(r.getSelectables().length, 0);
  });

  it("a script exits by itself after stop(), with a port and a connection still open", async () => {
    const { out, code, err } = await runHere("stop");
    assert.equal(code, 0, err);
    assert.match(out, /^kind host /m);
    assert.match(out, /^echo ok IPv4Address\(TCP, '127\.0\.0\.1', \d+\)$/m);
    assert.match(out, /^server lost ConnectionLost$/m);
    assert.match(out, /^run returned \(stop\)$/m);
  });

  it("a script exits after crash(): the runtime's sockets never hold the process open", async () => {
    const { out, code, err } = await runHere("crash");
    assert.equal(code, 0, err);
    assert.match(out, /^echo ok /m);
    assert.match(out, /^run returned \(crash\)$/m);
    assert.doesNotMatch(out, /server lost/, "crash() runs no shutdown");
  });

  it("a reactor that never runs does not hold the process open", async () => {
    const { out, code, err } = await runHere("never-run");
    assert.equal(code, 0, err);
    assert.match(out, /^not running$/m);
  });

  // The point of this backend. Runs from both runtimes: Bun spawns Deno too.
  it("Deno without --allow-ffi runs an echo server and client on the host reactor", async () => {
    const { out, code, err } = await runDenoWithoutFFI("stop");
    assert.equal(code, 0, err);
    assert.match(out, /^kind host ffi (prompt|denied)$/m, "FFI is really not allowed");
    assert.match(out, /^echo ok IPv4Address\(TCP, '127\.0\.0\.1', \d+\)$/m);
    assert.match(out, /^run returned \(stop\)$/m);
  });

  it("Deno without --allow-ffi: createReactor() picks the host reactor by itself", async () => {
    const { out, code, err } = await runDenoWithoutFFI("install");
    assert.equal(code, 0, err);
    assert.match(out, /^kind host ffi (prompt|denied)$/m);
    assert.match(out, /^echo ok /m);
    assert.match(out, /^run returned \(install\)$/m);
  });

  it("accepts again once fds are free after accept failed with EMFILE (as the FFI reactors do)", {
    timeout: 30000,
  }, async () => {
    // Deno's node:net silently ends a server's accept loop on EMFILE; the
    // host reactor must notice nothing and still recover. The server runs
    // with a 64-fd limit and fills it itself.
    const { server, send, next, stderr } = spawnEmfileServer();
    let clients: EchoClients | null = null;
    try {
      const port = Number(await next("the port"));
      assert.ok(port > 0, `port ${port}`);
      const { connect, echo } = clients = new EchoClients({ port, host: "127.0.0.1" });
      assert.equal(await timeout(echo(await connect("before"), "before"), 5000, "echo"), "before");
      send("fill");
      assert.match(await next("filled"), /^filled \d+$/);
      // The kernel completes this connection; the server's accept fails (EMFILE).
      const stuck = await connect("stuck");
      send("tick");
      assert.equal(await next("ticked"), "ticked");
      send("free");
      assert.equal(await next("freed"), "freed");
      assert.equal(
        await timeout(echo(stuck, "queued"), 10000, "the queued connection accepted after EMFILE"),
        "queued",
      );
      assert.equal(
        await timeout(echo(await connect("after"), "after"), 10000, "a new connection accepted"),
        "after",
      );
      send("quit");
      await timeout(new Promise((r) => server.once("close", r)), 10000, "server exit");
      assert.equal(server.exitCode, 0, stderr());
    } finally {
      clients?.destroyAll();
      server.kill("SIGKILL");
    }
  });
});
