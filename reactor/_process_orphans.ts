/**
 * Children still running when their reactor stopped. Twisted leaves them
 * running (it neither signals nor waits for them), and so does Skein; but a
 * child that Skein started and that exits later must not stay a zombie while
 * this process lives. `adoptOrphan` hands such a pid to a timer on the host
 * loop that tries `waitpid(pid, WNOHANG)` now and then (every 5 ms at first,
 * backing off to once a second). The timer is unreferenced: it never keeps
 * this process alive, and children left at exit are inherited by init as
 * usual.
 *
 * @module
 */

import { clearTimeout, setTimeout } from "node:timers";
import { waitNoHang } from "./ffi/spawn.ts";

/** Seconds between checks: first, and at most. */
const FIRST_MS = 5;
const MAX_MS = 1000;

const orphans = new Map<number, (status: number | null) => void>();
let timer: ReturnType<typeof setTimeout> | null = null;
let delay = FIRST_MS;

function sweep(): void {
  timer = null;
  for (const [pid, onReaped] of [...orphans]) {
    const status = waitNoHang(pid);
    if (status === null) continue;
    orphans.delete(pid);
    onReaped(status === -1 ? null : status);
  }
  if (orphans.size === 0) return;
  delay = Math.min(delay * 2, MAX_MS);
  schedule();
}

function schedule(): void {
  timer = setTimeout(sweep, delay);
  timer.unref();
}

/**
 * Reap `pid` (a child this process started, whose reactor has stopped) once
 * it exits, then call `onReaped` with its wait status (`null` if someone
 * else reaped it). Never keeps the process alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adoptOrphan } from "./_process_orphans.ts";
 * import { ffiAvailable } from "./ffi/mod.ts";
 * import { posixSpawn } from "./ffi/spawn.ts";
 *
 * if (ffiAvailable()) {
 *   const pid = posixSpawn({ file: "/bin/sh", argv: ["sh", "-c", "exit 5"], envp: [], fds: [], cwd: null });
 *   let status: number | null | undefined;
 *   adoptOrphan(pid, (s) => (status = s));
 *   // The reaper's timer never holds the process open: wait on one of ours.
 *   while (status === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
 *   assert.equal(status, 5 << 8);
 * }
 * ```
 */
export function adoptOrphan(pid: number, onReaped: (status: number | null) => void): void {
  orphans.set(pid, onReaped);
  delay = FIRST_MS;
  if (timer !== null) clearTimeout(timer);
  schedule();
}

/**
 * How many adopted children have not exited yet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orphanCount } from "./_process_orphans.ts";
 *
 * assert.ok(orphanCount() >= 0);
 * ```
 */
export function orphanCount(): number {
  return orphans.size;
}
