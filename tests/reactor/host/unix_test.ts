/**
 * Unix-domain sockets on the host reactor (node:net paths), on Deno and Bun:
 * Twisted's unix.Port / unix.Connector, the socket file's mode and removal,
 * and lock files (`wantPID` / `checkPID`: PATH.lock is a symlink naming the
 * owner's PID; a dead PID makes it stale).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import type { ITCPTransport } from "../../../interfaces.ts";
import { UNIXAddress } from "../../../reactor/address.ts";
import {
  BadFileError,
  CannotListenError,
  ConnectError,
  ConnectionAborted,
  ConnectionClosed,
  ConnectionDone,
  ConnectionRefusedError,
  SystemCallError,
} from "../../../reactor/errors.ts";
import { evalArgs } from "../../_runtime.ts";
import { ClientOf, echoFactory, Recorder, ServerOf, waitFor, withHost } from "./_helpers.ts";

const dir = fs.mkdtempSync(join(tmpdir(), "skein-host-unix-"));
let seq = 0;
const sockPath = (): string => join(dir, `s${seq++}.sock`);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PID above any pid_max: signalling it gives ESRCH. */
const DEAD_PID = 999_999_999;

/**
 * Leave a socket file behind as a crashed process would: a child process of
 * this runtime binds and listens on `path`, then exits without closing it.
 */
function leaveStaleSocket(path: string): void {
  const code = `import * as net from "node:net"; import process from "node:process";`
    + `net.createServer().listen(${JSON.stringify(path)}, () => process.exit(0));`;
  const r = spawnSync(process.execPath, evalArgs(code), { stdio: "ignore", timeout: 20000 });
  assert.equal(r.status, 0, "the helper process ran");
  assert.ok(fs.lstatSync(path).isSocket(), "a stale socket file is left");
}

describe("host reactor: Unix sockets", () => {
  it("echoes; addresses are UNIXAddress; mode 0o666; the file is removed on stopListening", () =>
    withHost(async (r) => {
      const path = sockPath();
      const sf = new ServerOf(() => new Recorder());
      const port = r.listenUNIX(path, sf);
      assert.deepEqual(port.getHost(), new UNIXAddress(path));
      assert.equal(fs.statSync(path).mode & 0o777, 0o666);
      const cf = new ClientOf(() => new Recorder());
      const conn = r.connectUNIX(path, cf);
      assert.deepEqual(conn.getDestination(), new UNIXAddress(path));
      const c = await cf.built;
      await c.made;
      assert.deepEqual(c.transport!.getPeer(), new UNIXAddress(path));
      assert.deepEqual(c.transport!.getHost(), new UNIXAddress(null));
      c.transport!.write("over unix");
      await waitFor(() => sf.built.length === 1 && sf.built[0].received === 9, 5000, "data");
      const s = sf.built[0];
      assert.deepEqual(s.transport!.getHost(), new UNIXAddress(path));
      assert.deepEqual(s.transport!.getPeer(), new UNIXAddress(null));
      s.transport!.write("back");
      await waitFor(() => c.received === 4, 5000, "reply");
      c.transport!.loseConnection();
      assert.ok((await c.lost).value instanceof ConnectionDone);
      assert.ok((await s.lost).value instanceof ConnectionDone);
      assert.deepEqual(cf.events, [
        "startedConnecting",
        `buildProtocol UNIXAddress('${path}')`,
        "lost ConnectionDone",
      ]);
      await port.stopListening();
      assert.equal(fs.existsSync(path), false);
      assert.equal(sf.stopped, 1);
    }));

  it("honours mode", () =>
    withHost(async (r) => {
      const path = sockPath();
      const port = r.listenUNIX(path, echoFactory(), { mode: 0o600 });
      assert.equal(fs.statSync(path).mode & 0o777, 0o600);
      await port.stopListening();
    }));

  it("an existing path fails with CannotListenError (EADDRINUSE); Twisted does not remove it", () =>
    withHost((r) => {
      const path = sockPath();
      fs.writeFileSync(path, "not a socket");
      assert.throws(
        () => r.listenUNIX(path, echoFactory()),
        (e: unknown) =>
          e instanceof CannotListenError && e.socketError instanceof SystemCallError
          && e.socketError.code === "EADDRINUSE",
      );
      assert.equal(fs.readFileSync(path, "utf8"), "not a socket");
      return Promise.resolve();
    }));

  it("wantPID keeps PATH.lock naming our PID; a second listener cannot start", () =>
    withHost(async (r) => {
      const path = sockPath();
      const port = r.listenUNIX(path, echoFactory(), { wantPID: true });
      assert.equal(fs.readlinkSync(`${path}.lock`), String(process.pid));
      assert.throws(
        () => r.listenUNIX(path, echoFactory(), { wantPID: true }),
        (e: unknown) => e instanceof CannotListenError && /lock/.test(e.message),
      );
      // The failed attempt left the live lock alone.
      assert.equal(fs.readlinkSync(`${path}.lock`), String(process.pid));
      await port.stopListening();
      assert.equal(fs.existsSync(`${path}.lock`), false);
      assert.equal(fs.existsSync(path), false);
    }));

  it("a stale lock (dead PID) is taken over and the stale socket file replaced", () =>
    withHost(async (r) => {
      const path = sockPath();
      leaveStaleSocket(path);
      fs.symlinkSync(String(DEAD_PID), `${path}.lock`);
      // Without wantPID nothing is cleaned up: the bind fails.
      assert.throws(() => r.listenUNIX(path, echoFactory()), CannotListenError);
      // A connect to the stale file is refused.
      const cf0 = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf0);
      assert.ok((await cf0.finished).value instanceof ConnectionRefusedError);
      const port = r.listenUNIX(path, echoFactory(), { wantPID: true });
      assert.equal(fs.readlinkSync(`${path}.lock`), String(process.pid));
      const cf = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf);
      const c = await cf.built;
      await c.made;
      c.transport!.loseConnection();
      await c.lost;
      await port.stopListening();
    }));

  it("checkPID: BadFileError without a live lock; connects when the listener holds one", () =>
    withHost(async (r) => {
      const path = sockPath();
      const plain = r.listenUNIX(path, echoFactory());
      const cf1 = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf1, { checkPID: true });
      assert.ok((await cf1.finished).value instanceof BadFileError);
      fs.symlinkSync(String(DEAD_PID), `${path}.lock`);
      const cf2 = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf2, { checkPID: true });
      assert.ok((await cf2.finished).value instanceof BadFileError);
      // Twisted's isLocked takes a stale lock over and releases it: it is gone.
      assert.throws(() => fs.lstatSync(`${path}.lock`), /ENOENT|no such file/i);
      await plain.stopListening();

      const port = r.listenUNIX(path, echoFactory(), { wantPID: true });
      const cf3 = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf3, { checkPID: true });
      const c = await cf3.built;
      await c.made;
      c.transport!.loseConnection();
      await c.lost;
      // The check left the listener's lock in place.
      assert.equal(fs.readlinkSync(`${path}.lock`), String(process.pid));
      await port.stopListening();
    }));

  it("abortConnection on a Unix socket: ConnectionAborted here, a lost connection there", () =>
    withHost(async (r) => {
      const path = sockPath();
      const sf = new ServerOf(() => new Recorder());
      const port = r.listenUNIX(path, sf);
      const cf = new ClientOf(() => new Recorder());
      r.connectUNIX(path, cf);
      const c = await cf.built;
      await c.made;
      c.transport!.write("x");
      await waitFor(() => sf.built.length === 1 && sf.built[0].received === 1, 5000, "data");
      (c.transport as ITCPTransport).abortConnection();
      assert.ok((await c.lost).value instanceof ConnectionAborted);
      const sreason = await sf.built[0].lost;
      assert.ok(sreason.value instanceof ConnectionClosed, String(sreason.value));
      await port.stopListening();
    }));

  it("connecting to a path nobody listens on fails with a ConnectError", () =>
    withHost(async (r) => {
      const cf = new ClientOf(() => new Recorder());
      r.connectUNIX(join(dir, "missing.sock"), cf);
      const reason = await cf.finished;
      assert.ok(reason.value instanceof ConnectError, String(reason.value));
      assert.deepEqual(cf.events, ["startedConnecting", `failed ${(reason.value as Error).name}`]);
    }));
});
