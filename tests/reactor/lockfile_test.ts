/**
 * The one lock-file implementation behind `wantPID` / `checkPID`
 * (reactor/_lockfile.ts), used by the FFI reactors' and the host backend's
 * Unix ports alike: Twisted's `twisted.python.lockfile` (`FilesystemLock`,
 * `isLocked`), whose lock is a symbolic link naming the owner's PID.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterEach, describe, it } from "node:test";
import {
  FilesystemLock,
  heldByLiveProcess,
  isLocked,
  releaseLock,
} from "../../reactor/_lockfile.ts";
import { LogCapture } from "../_log_capture.ts";

/** A PID above Linux's default pid_max: no such process. */
const DEAD_PID = 4_194_000;

let n = 0;
const made: string[] = [];
function lockName(): string {
  const name = join(tmpdir(), `skein-lockfile-${process.pid}-${Date.now()}-${n++}.lock`);
  made.push(name);
  return name;
}

afterEach(() => {
  for (const name of made.splice(0)) fs.rmSync(name, { force: true });
});

describe("lock files (Twisted's lockfile)", () => {
  it("lock() makes a symlink naming our PID; a second lock() fails while we hold it", () => {
    const name = lockName();
    const lock = new FilesystemLock(name);
    assert.equal(lock.lock(), true);
    assert.equal(lock.clean, true);
    assert.equal(fs.readlinkSync(name), String(process.pid));
    assert.equal(new FilesystemLock(name).lock(), false, "a live process (us) holds it");
    lock.unlock();
    assert.equal(fs.existsSync(name), false);
  });

  it("a stale lock (dead PID) is taken over, and clean says so", () => {
    const name = lockName();
    fs.symlinkSync(String(DEAD_PID), name);
    const lock = new FilesystemLock(name);
    assert.equal(lock.lock(), true);
    assert.equal(lock.clean, false);
    assert.equal(fs.readlinkSync(name), String(process.pid));
    lock.unlock();
  });

  it("isLocked takes a stale lock over and releases it, as Twisted's does: the lock is gone", () => {
    const name = lockName();
    fs.symlinkSync(String(DEAD_PID), name);
    assert.equal(isLocked(name), false);
    assert.equal(fs.existsSync(name), false);
    const held = new FilesystemLock(name);
    held.lock();
    assert.equal(isLocked(name), true);
    assert.equal(fs.readlinkSync(name), String(process.pid), "the check left our lock in place");
    held.unlock();
  });

  it("a lock that is a plain file cannot be read: lock() throws, checkPID counts it as not held", () => {
    const name = lockName();
    fs.writeFileSync(name, String(process.pid));
    assert.throws(() => new FilesystemLock(name).lock(), /EINVAL|invalid argument/i);
    assert.equal(heldByLiveProcess(name), false);
    assert.equal(fs.readFileSync(name, "utf8"), String(process.pid), "left as it was");
  });

  it("releaseLock logs (does not throw) when the lock is no longer ours, and ignores null", () => {
    const name = lockName();
    const lock = new FilesystemLock(name);
    assert.equal(lock.lock(), true);
    fs.rmSync(name);
    fs.symlinkSync(String(DEAD_PID), name); // someone else's now
    const logs = new LogCapture();
    try {
      releaseLock(lock);
      releaseLock(null);
    } finally {
      logs.close();
    }
    assert.equal(logs.errors.length, 1);
    assert.match(String(logs.errors[0].why), /Could not release the Unix socket lock/);
    assert.equal(fs.readlinkSync(name), String(DEAD_PID), "the other owner's lock stays");
  });
});
