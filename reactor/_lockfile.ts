/**
 * Twisted's `twisted.python.lockfile` over `node:fs`: a lock is a symbolic
 * link named `PATH.lock` whose target is the owner's PID. A lock whose PID is
 * no longer alive is stale and is taken over (`clean` is then false).
 * Internal to the Unix listening ports and connectors (`wantPID` /
 * `checkPID`) of the FFI reactors and the host backend alike.
 *
 * @module
 */

import * as fs from "node:fs";
import process from "node:process";
import * as log from "../log/log.ts";

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string; } | null)?.code;
}

/** True unless signalling `pid` says it does not exist (ESRCH). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else. Anything but ESRCH
    // (e.g. a sandbox refusing the call) counts as alive: never steal a lock
    // we cannot prove stale.
    return codeOf(e) !== "ESRCH";
  }
}

/**
 * A lock on a file name, held by this process while `locked`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { FilesystemLock, isLocked } from "./_lockfile.ts";
 * const name = join(tmpdir(), `skein-lock-example-${Date.now()}.lock`);
 * const lock = new FilesystemLock(name);
 * assert.equal(lock.lock(), true);
 * assert.equal(isLocked(name), true);
 * lock.unlock();
 * assert.equal(isLocked(name), false);
 * ```
 */
export class FilesystemLock {
  /** The lock's path (`<socket path>.lock`). */
  readonly name: string;
  /** True while we hold it. */
  locked: boolean = false;
  /** After `lock()` succeeded: false if a stale lock was taken over. */
  clean: boolean | null = null;

  /** A lock named `name` (not acquired yet). */
  constructor(name: string) {
    this.name = name;
  }

  /**
   * Acquire the lock: true on success, false if a live process holds it.
   * Other file-system errors are thrown.
   */
  lock(): boolean {
    let clean = true;
    for (let attempt = 0; attempt < 64; attempt++) {
      try {
        fs.symlinkSync(String(process.pid), this.name);
      } catch (e) {
        if (codeOf(e) !== "EEXIST") throw e;
        let pid: string;
        try {
          pid = fs.readlinkSync(this.name);
        } catch (e2) {
          if (codeOf(e2) === "ENOENT") continue; // released meanwhile: try again
          throw e2;
        }
        if (isAlive(Number(pid))) return false;
        try {
          fs.unlinkSync(this.name);
        } catch (e3) {
          if (codeOf(e3) !== "ENOENT") throw e3;
        }
        clean = false;
        continue;
      }
      this.locked = true;
      this.clean = clean;
      return true;
    }
    return false;
  }

  /** Release the lock. Throws if this process does not own it. */
  unlock(): void {
    const pid = fs.readlinkSync(this.name);
    if (Number(pid) !== process.pid) {
      throw new Error(`Lock ${JSON.stringify(this.name)} is not owned by this process`);
    }
    fs.unlinkSync(this.name);
    this.locked = false;
  }
}

/**
 * True if a live process (possibly this one) holds the lock `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { isLocked } from "./_lockfile.ts";
 * assert.equal(isLocked(join(tmpdir(), `skein-nobody-${Date.now()}.lock`)), false);
 * ```
 */
export function isLocked(name: string): boolean {
  const l = new FilesystemLock(name);
  let got = false;
  try {
    got = l.lock();
  } finally {
    if (got) l.unlock();
  }
  return !got;
}

/**
 * `checkPID`'s question: does a live process hold the lock `name`? As
 * {@linkcode isLocked}, but a lock that cannot be read (not a symbolic link,
 * no permission) counts as not held.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { heldByLiveProcess } from "./_lockfile.ts";
 * const name = join(tmpdir(), `skein-plain-${Date.now()}.lock`);
 * writeFileSync(name, "1"); // a plain file, not a lock
 * assert.equal(heldByLiveProcess(name), false);
 * rmSync(name);
 * ```
 */
export function heldByLiveProcess(name: string): boolean {
  try {
    return isLocked(name);
  } catch {
    return false;
  }
}

/**
 * Release `lock` if it is held, logging (not throwing) a failure: a port
 * that is closing carries on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { FilesystemLock, isLocked, releaseLock } from "./_lockfile.ts";
 * const lock = new FilesystemLock(join(tmpdir(), `skein-release-${Date.now()}.lock`));
 * assert.equal(lock.lock(), true);
 * releaseLock(lock);
 * releaseLock(lock); // not held any more: nothing to do
 * assert.equal(isLocked(lock.name), false);
 * ```
 */
export function releaseLock(lock: FilesystemLock | null): void {
  if (lock === null || !lock.locked) return;
  try {
    lock.unlock();
  } catch (e) {
    log.err(e, "Could not release the Unix socket lock");
  }
}
