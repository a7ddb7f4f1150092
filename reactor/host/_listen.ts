/**
 * Synchronous bind-and-listen over `node:net`, which Twisted's `listenTCP` /
 * `listenUNIX` need (they return a port whose `getHost()` knows the real port,
 * and raise `CannotListenError` at once). Internal.
 *
 * TCP: `server.listen()` binds in a later tick on Deno (it looks the address
 * up first), and reports failures asynchronously everywhere. Where `node:net`
 * offers `_createServerHandle` (Node and Deno, for the cluster module), the
 * handle is bound and put in listening state right here, which also gives the
 * errno; the server then adopts the handle synchronously. Elsewhere (Bun),
 * `listen()` binds synchronously and success shows in `server.listening`; the
 * reason of a failure only arrives later, so the error says what is known.
 *
 * Unix: `listen({ path })` binds synchronously on both runtimes; the reason
 * of a failure is read from the file system.
 *
 * Accepting past the fd limit: on Deno, an `accept` that fails (EMFILE,
 * ENFILE) silently ends the handle's accept loop for good: no `error` event,
 * no later connection, even once fds are free again (Deno's own `node:net`
 * servers do the same). Nothing shows that it happened, so a listening
 * handle of ours is re-armed (`listen()` again on the same socket, which
 * keeps its queue and port and is harmless while healthy) every
 * {@linkcode ACCEPT_REARM_MS} ms: accepting resumes at most that long after
 * fds free up, as the FFI reactors' paused accept loop does. Bun keeps
 * accepting by itself.
 *
 * Deno's Unix listeners stall the same way, but their handle refuses a
 * second `listen()` (EINVAL), and a second handle on the same fd cannot be
 * polled (EEXIST). So the same timer watches them instead
 * ({@linkcode watchUnixAccepts}): where the kernel lists the connections
 * waiting on a Unix socket (Linux, `/proc/net/unix`), connections waiting at
 * two ticks in a row with none accepted in between mean the loop has ended,
 * and, once an fd is free, the port re-creates its socket on the same path
 * (the connections queued on the old one are reset). Elsewhere a stalled Unix listener on
 * Deno is not noticed.
 *
 * @module
 */

import * as fs from "node:fs";
import * as net from "node:net";
import { constants as osConstants } from "node:os";
import { clearInterval, setInterval } from "node:timers";
import { getSystemErrorName } from "node:util";
import * as log from "../../log/log.ts";
import { SystemCallError } from "../errors.ts";

type ListenHandle = { listen(backlog: number): number; close(): void; };

/**
 * How often a Deno listening handle's accept loop is re-armed, in ms (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACCEPT_REARM_MS } from "./_listen.ts";
 * assert.ok(ACCEPT_REARM_MS > 0);
 * ```
 */
export const ACCEPT_REARM_MS = 200;
type CreateServerHandle = (
  address: string | null,
  port: number,
  addressType: number,
  fd?: number | null,
  flags?: number,
) => ListenHandle | number;

const createServerHandle: CreateServerHandle | undefined =
  (net as unknown as { _createServerHandle?: CreateServerHandle; })._createServerHandle;

/**
 * Where to listen: an IP address and port, or a Unix socket path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ListenTarget } from "./_listen.ts";
 * const targets: ListenTarget[] = [{ host: "127.0.0.1", port: 0 }, { path: "/tmp/app.sock" }];
 * assert.equal(targets.length, 2);
 * ```
 */
export type ListenTarget = { host: string; port: number; } | { path: string; };

function uvError(rc: number, syscall: string, where: string): SystemCallError {
  let name: string;
  try {
    name = getSystemErrorName(rc);
  } catch {
    name = `E${-rc}`;
  }
  return new SystemCallError(syscall, -rc, name, where);
}

/**
 * Bind `server` to `target` and start listening, now. Returns null on
 * success, else the error (the server is then unusable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as net from "node:net";
 * import { listenNow } from "./_listen.ts";
 * const server = net.createServer();
 * assert.equal(listenNow(server, { host: "127.0.0.1", port: 0 }, 511), null);
 * assert.ok(server.listening); // already bound: the port is known at once
 * server.close();
 * ```
 */
export function listenNow(server: net.Server, target: ListenTarget, backlog: number): Error | null {
  const where = "path" in target ? target.path : `${target.host}:${target.port}`;
  if ("path" in target) return listenUnixNow(server, target.path, backlog);
  if (typeof createServerHandle === "function") {
    let handle: ListenHandle | number;
    try {
      handle = createServerHandle(target.host, target.port, net.isIPv6(target.host) ? 6 : 4);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    if (typeof handle === "number") return uvError(handle, "bind", where);
    const rc = handle.listen(backlog);
    if (typeof rc === "number" && rc < 0) {
      try {
        handle.close();
      } catch {
        // already gone
      }
      return uvError(rc, "listen", where);
    }
    server.on("error", onLateError);
    server.listen(handle as unknown as net.ListenOptions);
    if (server.listening) {
      rearmAccepts(server, handle, backlog);
      return null;
    }
    // The runtime did not adopt the handle synchronously: fall through is not
    // possible (the address is taken by our own handle), so give up cleanly.
    try {
      server.close();
    } catch {
      // not listening
    }
    return new Error(`listen on ${where}: the runtime did not adopt the bound socket`);
  }
  server.on("error", onLateError);
  server.listen({ host: target.host, port: target.port, backlog, ipv6Only: false });
  if (server.listening) return null;
  server.off("error", onLateError);
  server.on("error", (e: Error) => log.msg(`(listen on ${where} failed: ${e.message})`));
  server.once("listening", () => server.close());
  return new Error(
    `listen on ${where} failed (address in use, not available, or not permitted); `
      + "this runtime reports the exact reason only asynchronously",
  );
}

/** A listening handle to re-arm, with its server and backlog. */
interface Rearm {
  server: net.Server;
  handle: ListenHandle;
  backlog: number;
}

/** A Unix listening server watched for a stalled accept loop. */
interface UnixWatch {
  server: net.Server;
  /** The path as `/proc/net/unix` shows it (`@` for the abstract namespace's NULs). */
  shown: string;
  recover: () => void;
  /** Connections accepted so far, and at the last tick. */
  accepted: number;
  acceptedThen: number;
  /** Connections waiting at the last tick. */
  waitingThen: number;
}

/** The handles being re-armed and the Unix servers watched, all by one timer. */
const rearming = new Set<Rearm>();
const watching = new Set<UnixWatch>();
let rearmTimer: ReturnType<typeof setInterval> | null = null;

/** The kernel's table of Unix sockets, or null where there is none to read. */
const UNIX_TABLE = "/proc/net/unix";

function rearmAll(): void {
  for (const r of rearming) {
    if (r.server.listening) r.handle.listen(r.backlog);
    else rearming.delete(r);
  }
  if (watching.size > 0) checkUnixWatches();
  if (rearming.size === 0 && watching.size === 0 && rearmTimer !== null) {
    clearInterval(rearmTimer);
    rearmTimer = null;
  }
}

function startTimer(): void {
  if (rearmTimer === null) {
    rearmTimer = setInterval(rearmAll, ACCEPT_REARM_MS);
    rearmTimer.unref();
  }
}

/**
 * Re-arm `handle`'s accept loop every {@linkcode ACCEPT_REARM_MS} ms while
 * `server` listens (see the module notes). One timer serves every handle; it
 * never holds the process open and stops once no server listens.
 */
function rearmAccepts(server: net.Server, handle: ListenHandle, backlog: number): void {
  rearming.add({ server, handle, backlog });
  startTimer();
}

/**
 * Watch the Unix listening `server` on `path` for an accept loop that has
 * ended (Deno, after accept failed with EMFILE or ENFILE; see the module
 * notes): `recover` is called once when it has, and should replace the
 * server. Does nothing where the runtime keeps accepting by itself (no
 * `_createServerHandle`: Bun) or the kernel does not list waiting
 * connections. The watch ends when `server` stops listening.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as net from "node:net";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { listenNow, watchUnixAccepts } from "./_listen.ts";
 * const path = join(tmpdir(), `skein-watch-${crypto.randomUUID()}.sock`);
 * const server = net.createServer();
 * assert.equal(listenNow(server, { path }, 511), null);
 * let stalled = false;
 * watchUnixAccepts(server, path, () => (stalled = true));
 * server.close(); // the watch ends with the server
 * assert.equal(stalled, false);
 * ```
 */
export function watchUnixAccepts(server: net.Server, path: string, recover: () => void): void {
  if (typeof createServerHandle !== "function" || !fs.existsSync(UNIX_TABLE)) return;
  const w: UnixWatch = {
    server,
    shown: path.replaceAll("\0", "@"),
    recover,
    accepted: 0,
    acceptedThen: 0,
    waitingThen: 0,
  };
  server.on("connection", () => w.accepted++);
  watching.add(w);
  startTimer();
}

function checkUnixWatches(): void {
  let waiting: Map<string, number>;
  try {
    waiting = waitingConnections(fs.readFileSync(UNIX_TABLE, "utf8"));
  } catch {
    return; // not readable this time: the next tick tries again
  }
  for (const w of watching) {
    if (!w.server.listening) {
      watching.delete(w);
      continue;
    }
    const now = waiting.get(w.shown) ?? 0;
    const stalled = now > 0 && w.waitingThen > 0 && w.accepted === w.acceptedThen;
    w.waitingThen = now;
    w.acceptedThen = w.accepted;
    // Re-created only once an fd is free for the new socket; until then the
    // next tick looks again.
    if (stalled && fdFree()) {
      watching.delete(w);
      try {
        w.recover();
      } catch (e) {
        log.err(e, "Error re-creating a stalled Unix listening socket");
      }
    }
  }
}

/** Whether this process can open one more file now. */
function fdFree(): boolean {
  try {
    fs.closeSync(fs.openSync("/dev/null", "r"));
    return true;
  } catch {
    return false;
  }
}

/**
 * How many connections wait to be accepted on each Unix socket path, from
 * the kernel's table: a connection not yet accepted is listed with the
 * listener's path, state 02 (connecting) and no inode.
 */
function waitingConnections(table: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of table.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || fields[5] !== "02" || fields[6] !== "0") continue;
    const path = fields.slice(7).join(" ");
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  return counts;
}

/**
 * Unix sockets: `listen({ path })` binds synchronously on Deno and Bun, but
 * its errors arrive later; the likely ones are told apart here by looking at
 * the file system (bind fails with EADDRINUSE whenever the path exists).
 */
function listenUnixNow(server: net.Server, path: string, backlog: number): Error | null {
  if (pathExists(path)) return errnoError("EADDRINUSE", path);
  server.on("error", onLateError);
  server.listen({ path, backlog });
  if (server.listening) return null;
  server.off("error", onLateError);
  server.on("error", (e: Error) => log.msg(`(listen on ${path} failed: ${e.message})`));
  server.once("listening", () => server.close());
  if (!path.startsWith("\0")) {
    const dir = dirname(path);
    if (!pathExists(dir)) return errnoError("ENOENT", path);
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    } catch {
      return errnoError("EACCES", path);
    }
  }
  return new Error(
    `listen on ${path} failed; this runtime reports the exact reason only asynchronously`,
  );
}

function errnoError(code: "EADDRINUSE" | "ENOENT" | "EACCES", path: string): SystemCallError {
  const n = (osConstants.errno as Record<string, number | undefined>)[code] ?? 0;
  return new SystemCallError("bind", n, code, path);
}

function pathExists(path: string): boolean {
  if (path.startsWith("\0")) return false;
  try {
    fs.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Errors a listening server reports later (rare): log them. */
function onLateError(e: Error): void {
  log.err(e, "Listening socket error");
}
