/**
 * `PIDFile`: the process id of a running `skein run`, kept in a file, as
 * Twisted's `twisted.application.runner._pidfile.PIDFile`.
 *
 * @module
 */

import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import process from "node:process";

/**
 * Another process that is still alive holds the pid file: `skein run` refuses
 * to start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { AlreadyRunningError, PIDFile } from "@skein/skein/cli";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "skein-")), "app.pid");
 * writeFileSync(path, `${process.ppid}\n`); // the process that started this one: alive
 * assert.throws(() => new PIDFile(path).claim(), AlreadyRunningError);
 * ```
 */
export class AlreadyRunningError extends Error {
  /** Always `"AlreadyRunningError"`. */
  override name = "AlreadyRunningError";
  /** The pid of the running process. */
  readonly pid: number;
  /** The pid file. */
  readonly path: string;

  /** The process `pid` named in `path` is alive. */
  constructor(path: string, pid: number) {
    super(
      `another process (pid ${pid}) is running with pid file ${path}; stop it first, or use another --pidfile`,
    );
    this.path = path;
    this.pid = pid;
  }
}

/**
 * The pid file does not hold a process id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { InvalidPIDFileError, PIDFile } from "@skein/skein/cli";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "skein-")), "app.pid");
 * writeFileSync(path, "not a pid\n");
 * assert.throws(() => new PIDFile(path).read(), InvalidPIDFileError);
 * ```
 */
export class InvalidPIDFileError extends Error {
  /** Always `"InvalidPIDFileError"`. */
  override name = "InvalidPIDFileError";
}

/**
 * A pid file at `path`. `claim()` refuses when a live process holds it,
 * replaces a stale one (its process is gone), and writes this process's pid;
 * `remove()` deletes it on the way out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { PIDFile } from "@skein/skein/cli";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "skein-")), "app.pid");
 * writeFileSync(path, "2147483646\n"); // no such process: stale
 * const pidFile = new PIDFile(path);
 * assert.equal(pidFile.claim(), "replaced a stale pid file");
 * assert.equal(pidFile.read(), process.pid);
 * pidFile.remove();
 * assert.equal(existsSync(path), false);
 * ```
 */
export class PIDFile {
  /** The file's path. */
  readonly path: string;

  /** A pid file at `path` (nothing is read or written yet). */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * The pid in the file, or null when there is no file. Throws an
   * `InvalidPIDFileError` when the file holds something else.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { PIDFile } from "@skein/skein/cli";
   * assert.equal(new PIDFile(join(mkdtempSync(join(tmpdir(), "skein-")), "none.pid")).read(), null);
   * ```
   */
  read(): number | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as { code?: string; }).code === "ENOENT") return null;
      throw e;
    }
    const pid = Number(text.trim());
    if (!Number.isSafeInteger(pid) || pid <= 0 || !/^\d+$/.test(text.trim())) {
      throw new InvalidPIDFileError(
        `pid file ${this.path} holds ${JSON.stringify(text.trim())}, not a process id; remove it`,
      );
    }
    return pid;
  }

  /**
   * Whether the process named in the file is alive (a signal 0 reaches it,
   * or it exists but belongs to another user).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import process from "node:process";
   * import { mkdtempSync, writeFileSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { PIDFile } from "@skein/skein/cli";
   * const path = join(mkdtempSync(join(tmpdir(), "skein-")), "me.pid");
   * writeFileSync(path, `${process.pid}`);
   * assert.equal(new PIDFile(path).isRunning(), true);
   * ```
   */
  isRunning(): boolean {
    const pid = this.read();
    if (pid === null) return false;
    return processAlive(pid);
  }

  /**
   * Take the file for this process: throws an `AlreadyRunningError` when a
   * live process holds it (an invalid file is an `InvalidPIDFileError`), and
   * writes this pid (through a temporary file and a rename, so a reader never
   * sees half a pid). Says what it did.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { PIDFile } from "@skein/skein/cli";
   * const pidFile = new PIDFile(join(mkdtempSync(join(tmpdir(), "skein-")), "new.pid"));
   * assert.equal(pidFile.claim(), "wrote a new pid file");
   * pidFile.remove();
   * ```
   */
  claim(pid: number = process.pid): "wrote a new pid file" | "replaced a stale pid file" {
    const old = this.read();
    if (old !== null && old !== pid && processAlive(old)) {
      throw new AlreadyRunningError(this.path, old);
    }
    const temporary = `${this.path}.${pid}.tmp`;
    const fd = openSync(temporary, "w", 0o644);
    try {
      writeSync(fd, `${pid}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    return old === null ? "wrote a new pid file" : "replaced a stale pid file";
  }

  /**
   * Delete the file if it still names `pid` (this process by default), so a
   * process never removes another's pid file.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { PIDFile } from "@skein/skein/cli";
   * const path = join(mkdtempSync(join(tmpdir(), "skein-")), "other.pid");
   * writeFileSync(path, "1\n");
   * new PIDFile(path).remove();
   * assert.equal(existsSync(path), true); // pid 1 is not this process
   * ```
   */
  remove(pid: number = process.pid): void {
    try {
      if (this.read() !== pid) return;
      unlinkSync(this.path);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  }
}

/**
 * Whether process `pid` exists (signal 0 reaches it, or it exists but
 * belongs to another user).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { processAlive } from "@skein/skein/cli";
 * assert.equal(processAlive(process.pid), true);
 * assert.equal(processAlive(2147483646), false);
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string; }).code === "EPERM";
  }
}
