/**
 * Log files with rotation, Twisted's `twisted.python.logfile`: `LogFile`
 * (rotating by size: `name.1` is always the newest old file) and
 * `DailyLogFile` (rotating at midnight to `name.YYYY_M_D`).
 *
 * Writes are buffered and written at the end of the current turn of the
 * event loop (or at once past 64 KiB), so logging costs the reactor one
 * write per turn rather than one per line; whatever is buffered is written
 * on `flush()`, `close()`, and when the process exits (normally or on an
 * uncaught error).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { err } from "./log.ts";

/**
 * The error `LogFile` throws when it cannot open its file (a missing or
 * read-only directory, a path that is a directory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogFile, LogFileError } from "@skein/skein/log";
 * assert.throws(() => new LogFile("x.log", "/nonexistent/dir"), LogFileError);
 * ```
 */
export class LogFileError extends Error {
  /** The file's path. */
  readonly path: string;
  /**
   * The error for `path`, with what went wrong.
   *
   * @example
   * ```ts
   * import { LogFileError } from "@skein/skein/log";
   * const e = new LogFileError("/var/log/app.log", "EACCES");
   * ```
   */
  constructor(path: string, reason: string, options?: { cause?: unknown; }) {
    super(
      `cannot open log file ${path}: ${reason}; check that the directory exists and is writable`,
      options,
    );
    this.name = "LogFileError";
    this.path = path;
  }
}

/**
 * Reads a log file's lines (Twisted's `LogReader`), from `LogFile.getLog`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { LogFile } from "@skein/skein/log";
 * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
 * log.write("one\ntwo\n");
 * log.flush();
 * assert.deepEqual(log.getCurrentLog().readLines(), ["one\n", "two\n"]);
 * log.close();
 * ```
 */
export class LogReader {
  #lines: string[];
  #at = 0;

  /**
   * A reader of the file at `path` (read when made).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogReader } from "@skein/skein/log";
   * assert.throws(() => new LogReader("/nonexistent/file"));
   * ```
   */
  constructor(path: string) {
    const text = readFileSync(path, "utf8");
    this.#lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  }

  /**
   * The next `lines` lines (10 by default), each with its newline; `[]` at the end.
   *
   * @example
   * ```ts
   * import { LogReader } from "@skein/skein/log";
   * // new LogReader(path).readLines(100)
   * const read: (r: LogReader) => string[] = (r) => r.readLines(100);
   * ```
   */
  readLines(lines = 10): string[] {
    const out = this.#lines.slice(this.#at, this.#at + lines);
    this.#at += out.length;
    return out;
  }

  /**
   * Done with the reader (nothing stays open; for Twisted's API).
   *
   * @example
   * ```ts
   * import { LogReader } from "@skein/skein/log";
   * const done: (r: LogReader) => void = (r) => r.close();
   * ```
   */
  close(): void {
    this.#lines = [];
  }
}

/** Options of `LogFile`. */
export interface LogFileOptions {
  /** Rotate before a write once the file has this many bytes (default 1 000 000; 0 or null: never). */
  rotateLength?: number | null;
  /** Keep at most this many rotated files (default: all). */
  maxRotatedFiles?: number | null;
  /** The permissions set on the file when it is opened (e.g. `0o600`). */
  defaultMode?: number | null;
}

const FLUSH_AT = 64 * 1024;
const open = new Set<BaseLogFile>();
let exitHook = false;

function flushAllAtExit(): void {
  for (const file of open) file.flush();
}

/**
 * What `LogFile` and `DailyLogFile` share: the open file, the write buffer,
 * `write`, `flush`, `reopen`, `close`. Subclasses decide when to rotate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { BaseLogFile, LogFile } from "@skein/skein/log";
 * const log: BaseLogFile = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
 * assert.equal(log.closed, false);
 * log.close();
 * ```
 */
export abstract class BaseLogFile {
  /** The file name (without directory). */
  readonly name: string;
  /** The directory. */
  readonly directory: string;
  /** `directory/name`. */
  readonly path: string;
  /** The mode set on open, if any. */
  readonly defaultMode: number | null;
  /** True: a log file writes its buffer at the end of the turn, so observers need not flush it. */
  readonly flushesItself: boolean = true;
  /** Whether `close()` was called (and not undone by `reopen()`). */
  closed: boolean = false;
  #fd: number | null = null;
  #buffer: string[] = [];
  #buffered = 0;
  #scheduled = false;
  #failedOnce = false;

  /**
   * Set up `directory/name`; the subclass's constructor then opens it with
   * `openFile()` (after its own fields are set).
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("x\\n");
   * log.close();
   * ```
   */
  constructor(name: string, directory: string, defaultMode: number | null) {
    this.name = name;
    this.directory = resolve(directory);
    this.path = join(this.directory, name);
    this.defaultMode = defaultMode;
    if (!exitHook) {
      exitHook = true;
      process.on("exit", flushAllAtExit);
    }
  }

  // protected: LogFile and DailyLogFile reopen through it
  /** Open (or create) the file for appending; throws `LogFileError` if it cannot. */
  protected openFile(): void {
    try {
      this.#fd = openSync(this.path, "a", this.defaultMode ?? 0o666);
      if (this.defaultMode !== null) chmodSync(this.path, this.defaultMode);
      this.onOpen(fstatSync(this.#fd).size);
    } catch (e) {
      this.#fd = null;
      throw new LogFileError(this.path, e instanceof Error ? e.message : String(e), { cause: e });
    }
    this.closed = false;
    open.add(this);
  }

  // protected: the rotation policy hooks the subclasses implement
  /** Called with the file's size each time it is opened. */
  protected abstract onOpen(size: number): void;
  /** Whether to rotate before writing `bytes` more. */
  protected abstract shouldRotate(): boolean;
  /** Count a write of `bytes`. */
  protected abstract counted(bytes: number): void;
  /**
   * Rotate now.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.rotate();
   * log.close();
   * ```
   */
  abstract rotate(): void;

  /**
   * Append `data`, rotating first if the file has reached its limit. A write
   * is never split across files. Throws only if the file was closed.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("started\\n");
   * log.close();
   * ```
   */
  write(data: string): void {
    if (this.closed) throw new Error(`LogFile ${this.path} is closed: reopen() it before writing`);
    if (this.shouldRotate()) {
      this.flush();
      this.rotate();
    }
    const bytes = Buffer.byteLength(data);
    this.#buffer.push(data);
    this.#buffered += bytes;
    this.counted(bytes);
    if (this.#buffered >= FLUSH_AT) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
  }

  /**
   * Write what is buffered to the file. Never throws: a failure is logged once.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("now\\n");
   * log.flush();
   * log.close();
   * ```
   */
  flush(): void {
    if (this.#buffer.length === 0 || this.#fd === null) return;
    const text = this.#buffer.length === 1 ? this.#buffer[0] : this.#buffer.join("");
    this.#buffer = [];
    this.#buffered = 0;
    try {
      const data = Buffer.from(text);
      let off = 0;
      while (off < data.length) off += writeSync(this.#fd, data, off, data.length - off);
    } catch (e) {
      this.reportOnce(e, `writing log file ${this.path} failed; later writes are tried again`);
    }
  }

  // protected: the subclasses' rotation reports through it
  /** Log `error` the first time something fails, then stay quiet (the log may be this file). */
  protected reportOnce(error: unknown, why: string): void {
    if (this.#failedOnce) return;
    this.#failedOnce = true;
    err(error, why);
  }

  /**
   * Close the file (flushing first) and open it again, e.g. after something else moved it.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.reopen();
   * log.close();
   * ```
   */
  reopen(): void {
    this.close();
    this.openFile();
  }

  /**
   * Flush and close the file; `write` throws until `reopen()`.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("last\\n");
   * log.close();
   * ```
   */
  close(): void {
    this.flush();
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch {
        // already gone: nothing to release
      }
    }
    this.#fd = null;
    this.closed = true;
    open.delete(this);
  }

  // protected: the subclasses' rotate() uses it
  /** Close the current file, run `move` (renames), and open a fresh file at `path`. */
  protected cycle(move: () => void): void {
    this.flush();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    try {
      move();
    } catch (e) {
      this.reportOnce(e, `rotating log file ${this.path} failed; writing goes on to the same file`);
    }
    this.openFile();
  }

  /**
   * A reader of the current file (flushed first).
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.getCurrentLog().readLines();
   * log.close();
   * ```
   */
  getCurrentLog(): LogReader {
    this.flush();
    return new LogReader(this.path);
  }
}

/**
 * A log file that rotates by size, as Twisted's `LogFile`: before a write,
 * if the file holds `rotateLength` bytes or more, `name.N` become
 * `name.N+1` (from the highest down; those at or past `maxRotatedFiles` are
 * deleted), `name` becomes `name.1`, and a new `name` is started. An
 * existing file's size counts. A directory that cannot be written is a
 * `LogFileError` here; a rotation that fails later is logged once and
 * writing goes on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, readFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { LogFile } from "@skein/skein/log";
 * const dir = mkdtempSync(join(tmpdir(), "skein-"));
 * const log = new LogFile("app.log", dir, { rotateLength: 10 });
 * log.write("a".repeat(10));
 * log.write("b");
 * log.close();
 * assert.equal(readFileSync(join(dir, "app.log.1"), "utf8"), "aaaaaaaaaa");
 * assert.equal(readFileSync(join(dir, "app.log"), "utf8"), "b");
 * ```
 */
export class LogFile extends BaseLogFile {
  /** The size limit in bytes (0 or null: no rotation). */
  readonly rotateLength: number | null;
  /** How many rotated files to keep (null: all). */
  readonly maxRotatedFiles: number | null;
  /** Bytes in the current file, counting what is buffered. */
  size = 0;

  /**
   * Open (or create) `directory/name`.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")), { maxRotatedFiles: 5, defaultMode: 0o600 });
   * log.close();
   * ```
   */
  constructor(name: string, directory: string, options: LogFileOptions = {}) {
    const rotateLength = options.rotateLength === undefined ? 1_000_000 : options.rotateLength;
    const max = options.maxRotatedFiles ?? null;
    if (rotateLength !== null && (!Number.isFinite(rotateLength) || rotateLength < 0)) {
      throw new RangeError(`rotateLength must be a byte count >= 0 or null, got ${rotateLength}`);
    }
    if (max !== null && (!Number.isInteger(max) || max < 1)) {
      throw new RangeError(`maxRotatedFiles must be an integer >= 1 or null, got ${max}`);
    }
    super(name, directory, options.defaultMode ?? null);
    this.rotateLength = rotateLength;
    this.maxRotatedFiles = max;
    this.openFile();
  }

  /**
   * A `LogFile` for the full `path` (Twisted's `LogFile.fromFullPath`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = LogFile.fromFullPath(join(mkdtempSync(join(tmpdir(), "skein-")), "x.log"));
   * assert.equal(log.name, "x.log");
   * log.close();
   * ```
   */
  static fromFullPath(path: string, options: LogFileOptions = {}): LogFile {
    return new LogFile(basename(path), dirname(path), options);
  }

  /** The rotation policy hook (see the class). */
  protected override onOpen(size: number): void {
    this.size = size;
  }

  /** The rotation policy hook (see the class). */
  protected override shouldRotate(): boolean {
    return !!this.rotateLength && this.size >= this.rotateLength;
  }

  /** The rotation policy hook (see the class). */
  protected override counted(bytes: number): void {
    this.size += bytes;
  }

  /**
   * The numbers of the rotated files that exist, ascending (`[1, 2, 3]`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("a.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.rotate();
   * assert.deepEqual(log.listLogs(), [1]);
   * log.close();
   * ```
   */
  listLogs(): number[] {
    const prefix = `${this.name}.`;
    const out: number[] = [];
    for (const entry of readdirSync(this.directory)) {
      if (!entry.startsWith(prefix)) continue;
      const rest = entry.slice(prefix.length);
      if (/^[1-9]\d*$/.test(rest)) out.push(Number(rest));
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * A reader of rotated file `i`; `RangeError` if there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("a.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("old\n");
   * log.rotate();
   * assert.deepEqual(log.getLog(1).readLines(), ["old\n"]);
   * assert.throws(() => log.getLog(2), RangeError);
   * log.close();
   * ```
   */
  getLog(i: number): LogReader {
    const path = `${this.path}.${i}`;
    if (!Number.isInteger(i) || i < 1 || !existsSync(path)) {
      throw new RangeError(`no rotated log ${path}`);
    }
    return new LogReader(path);
  }

  /**
   * Rotate now (see the class). A failure (an unwritable directory) is
   * logged once and writing goes on to the current file.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { LogFile } from "@skein/skein/log";
   * const log = new LogFile("a.log", mkdtempSync(join(tmpdir(), "skein-")));
   * log.write("x");
   * log.rotate();
   * assert.equal(log.size, 0);
   * log.close();
   * ```
   */
  override rotate(): void {
    this.cycle(() => {
      const logs = this.listLogs().reverse();
      for (const i of logs) {
        if (this.maxRotatedFiles !== null && i >= this.maxRotatedFiles) {
          unlinkSync(`${this.path}.${i}`);
        } else renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    });
  }
}

/**
 * A log file that rotates on the first write of each new local day, to
 * `name.YYYY_M_D` of the day it held (no zero padding, Twisted's suffix); a
 * rotation whose target exists is skipped. Override `toDate` to change the
 * clock (tests, UTC days).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { DailyLogFile } from "@skein/skein/log";
 * const log = new DailyLogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")));
 * assert.equal(log.suffix([2024, 1, 5]), "2024_1_5");
 * log.close();
 * ```
 */
export class DailyLogFile extends BaseLogFile {
  /** The day the current file holds, `[year, month, day]`. */
  lastDate: [number, number, number] = [0, 0, 0];

  /**
   * Open (or create) `directory/name`; its day is its modification day.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { DailyLogFile } from "@skein/skein/log";
   * new DailyLogFile("app.log", mkdtempSync(join(tmpdir(), "skein-")), { defaultMode: 0o640 }).close();
   * ```
   */
  constructor(name: string, directory: string, options: { defaultMode?: number | null; } = {}) {
    super(name, directory, options.defaultMode ?? null);
    this.openFile();
  }

  /**
   * A `DailyLogFile` for the full `path`.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { DailyLogFile } from "@skein/skein/log";
   * DailyLogFile.fromFullPath(join(mkdtempSync(join(tmpdir(), "skein-")), "d.log")).close();
   * ```
   */
  static fromFullPath(path: string, options: { defaultMode?: number | null; } = {}): DailyLogFile {
    return new DailyLogFile(basename(path), dirname(path), options);
  }

  /** The rotation policy hook (see the class). */
  protected override onOpen(_size: number): void {
    this.lastDate = this.toDate(statSync(this.path).mtimeMs / 1000);
  }

  /**
   * The local `[year, month, day]` of `seconds` since the epoch (now by default).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { DailyLogFile } from "@skein/skein/log";
   * const log = new DailyLogFile("d.log", mkdtempSync(join(tmpdir(), "skein-")));
   * assert.equal(log.toDate(0)[0] >= 1969, true);
   * log.close();
   * ```
   */
  toDate(seconds: number = Date.now() / 1000): [number, number, number] {
    const d = new Date(seconds * 1000);
    return [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  }

  /**
   * The rotated file's suffix for a day: `YYYY_M_D`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { DailyLogFile } from "@skein/skein/log";
   * const log = new DailyLogFile("d.log", mkdtempSync(join(tmpdir(), "skein-")));
   * assert.equal(log.suffix([2026, 12, 3]), "2026_12_3");
   * log.close();
   * ```
   */
  suffix(date: [number, number, number]): string {
    return date.join("_");
  }

  /** The rotation policy hook (see the class). */
  protected override shouldRotate(): boolean {
    const today = this.toDate();
    const last = this.lastDate;
    for (let i = 0; i < 3; i++) if (today[i] !== last[i]) return today[i] > last[i];
    return false;
  }

  /** The rotation policy hook (see the class). */
  protected override counted(_bytes: number): void {}

  /**
   * Rotate now to `name.<suffix of lastDate>`, unless that file exists.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { existsSync, mkdtempSync } from "node:fs";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { DailyLogFile } from "@skein/skein/log";
   * const dir = mkdtempSync(join(tmpdir(), "skein-"));
   * const log = new DailyLogFile("d.log", dir);
   * log.rotate();
   * assert.ok(existsSync(join(dir, `d.log.${log.suffix(log.toDate())}`)));
   * log.close();
   * ```
   */
  override rotate(): void {
    const target = `${this.path}.${this.suffix(this.lastDate)}`;
    if (existsSync(target)) {
      this.lastDate = this.toDate();
      return;
    }
    this.cycle(() => renameSync(this.path, target));
    this.lastDate = this.toDate();
  }
}
