import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  addObserver,
  DailyLogFile,
  type LogEvent,
  LogFile,
  LogFileError,
  removeObserver,
  setDefaultObserver,
  startLogging,
  textFromEvent,
} from "../../log/mod.ts";
import { runScript } from "../_runtime.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "skein-logfile-"));
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), "utf8");
}

test("rotateLength 10: 'a'*10 then 'b' gives log.1 = a*10 and log = 'b' (Twisted's test_rotation: rotate before a write past the limit)", () => {
  const dir = tempDir();
  const log = new LogFile("log", dir, { rotateLength: 10 });
  log.write("a".repeat(10));
  log.flush();
  assert.deepEqual(readdirSync(dir), ["log"]);
  log.write("b");
  log.close();
  assert.equal(read(dir, "log.1"), "a".repeat(10));
  assert.equal(read(dir, "log"), "b");
  assert.deepEqual(log.listLogs(), [1]);
});

test("a write is never split: 12 bytes into a 5-byte limit is one 12-byte file; the next write rotates", () => {
  const dir = tempDir();
  const log = new LogFile("log", dir, { rotateLength: 5 });
  log.write("x".repeat(12));
  log.flush();
  assert.equal(read(dir, "log"), "x".repeat(12));
  assert.deepEqual(log.listLogs(), []);
  log.write("y");
  log.close();
  assert.equal(read(dir, "log.1"), "x".repeat(12));
  assert.equal(read(dir, "log"), "y");
});

test("maxRotatedFiles 2 with writes a..e leaves log=e, log.1=d, log.2=c (Twisted: .1 is the newest, older ones deleted)", () => {
  const dir = tempDir();
  const log = new LogFile("log", dir, { rotateLength: 1, maxRotatedFiles: 2 });
  for (const c of "abcde") log.write(c);
  log.close();
  assert.equal(read(dir, "log"), "e");
  assert.equal(read(dir, "log.1"), "d");
  assert.equal(read(dir, "log.2"), "c");
  assert.deepEqual(log.listLogs(), [1, 2]);
  assert.deepEqual(readdirSync(dir).sort(), ["log", "log.1", "log.2"]);
});

test("without maxRotatedFiles every rotated file is kept, shifted up: log.3 is the oldest", () => {
  const dir = tempDir();
  const log = new LogFile("log", dir, { rotateLength: 1 });
  for (const c of "abcd") log.write(c);
  log.close();
  assert.deepEqual([read(dir, "log.3"), read(dir, "log.2"), read(dir, "log.1"), read(dir, "log")], [
    "a",
    "b",
    "c",
    "d",
  ]);
  assert.deepEqual(log.getLog(3).readLines(), ["a"]);
  assert.throws(() => log.getLog(4), RangeError);
});

test("an existing file's size counts towards the limit (Twisted: size starts at the file's length)", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "log"), "12345678");
  const log = new LogFile("log", dir, { rotateLength: 10 });
  assert.equal(log.size, 8);
  log.write("90");
  assert.equal(log.size, 10);
  log.write("z");
  log.close();
  assert.equal(read(dir, "log.1"), "1234567890", "appended to, not truncated, then rotated");
  assert.equal(read(dir, "log"), "z");
});

test("rotateLength 0 or null never rotates; the size counts UTF-8 bytes", () => {
  for (const rotateLength of [0, null]) {
    const dir = tempDir();
    const log = new LogFile("log", dir, { rotateLength });
    for (let i = 0; i < 50; i++) log.write("line\n");
    log.write("éé");
    assert.equal(log.size, 254);
    log.close();
    assert.deepEqual(log.listLogs(), []);
  }
});

test("writes are buffered until the end of the turn, then in the file; close flushes", async () => {
  const dir = tempDir();
  const log = new LogFile("log", dir);
  log.write("one\n");
  log.write("two\n");
  assert.equal(read(dir, "log"), "", "nothing written yet in this turn");
  await Promise.resolve(); // the flush was queued first, so it has run
  assert.equal(read(dir, "log"), "one\ntwo\n");
  log.write("three\n");
  log.close();
  assert.equal(read(dir, "log"), "one\ntwo\nthree\n");
  assert.throws(() => log.write("x"), /closed: reopen\(\) it/);
  log.reopen();
  log.write("four\n");
  log.close();
  assert.equal(read(dir, "log"), "one\ntwo\nthree\nfour\n");
});

test("reopen() after something else moved the file starts a new one (Twisted's reopen, for external rotation)", () => {
  const dir = tempDir();
  const log = LogFile.fromFullPath(join(dir, "app.log"));
  log.write("old\n");
  log.flush();
  renameSync(join(dir, "app.log"), join(dir, "moved.log"));
  log.reopen();
  log.write("new\n");
  log.close();
  assert.equal(read(dir, "moved.log"), "old\n");
  assert.equal(read(dir, "app.log"), "new\n");
  assert.equal(log.size, 4);
});

test("defaultMode is set on the file", () => {
  const dir = tempDir();
  const log = new LogFile("log", dir, { defaultMode: 0o600 });
  log.close();
  assert.equal(statSync(join(dir, "log")).mode & 0o777, 0o600);
});

test("a directory that cannot be written is a LogFileError at creation, saying what to check", () => {
  const dir = tempDir();
  assert.throws(() => new LogFile("log", join(dir, "missing")), (e: unknown) => {
    assert.ok(e instanceof LogFileError);
    assert.match(
      e.message,
      /cannot open log file .*missing\/log: .*check that the directory exists and is writable/,
    );
    return true;
  });
  mkdirSync(join(dir, "adir"));
  assert.throws(() => new LogFile("adir", dir), LogFileError);
  assert.throws(() => new LogFile("log", dir, { rotateLength: -1 }), RangeError);
  assert.throws(() => new LogFile("log", dir, { maxRotatedFiles: 0 }), RangeError);
});

test("a rotation that fails is logged once and writing goes on to the same file", () => {
  const dir = tempDir();
  mkdirSync(join(dir, "log.1"));
  writeFileSync(join(dir, "log.1", "blocker"), "x"); // with maxRotatedFiles 1 it must be deleted: unlink fails on a directory, even for root
  const seen: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    seen.push(e);
  };
  setDefaultObserver(false);
  addObserver(observer);
  try {
    const log = new LogFile("log", dir, { rotateLength: 1, maxRotatedFiles: 1 });
    log.write("a");
    log.write("b");
    log.write("c");
    log.close();
  } finally {
    removeObserver(observer);
    setDefaultObserver(true);
  }
  assert.equal(read(dir, "log"), "abc");
  const errors = seen.filter((e) => e.isError);
  assert.equal(errors.length, 1, "logged once");
  assert.match(
    textFromEvent(errors[0]),
    /^rotating log file .*log failed; writing goes on to the same file/,
  );
});

test("startLogging to a LogFile writes Twisted's lines into it and rotates", async () => {
  const dir = tempDir();
  const file = new LogFile("app.log", dir, { rotateLength: 1 });
  // startLogging begins logging for the whole process: check the file, then stop the observer
  const observer = startLogging(file, { setStdout: false, timeFormat: "T" });
  try {
    const { msg } = await import("../../log/mod.ts");
    msg("first");
    msg("second");
  } finally {
    observer.stop();
    file.close();
  }
  const all = [read(dir, "app.log"), ...file.listLogs().map((i) => read(dir, `app.log.${i}`))].join(
    "",
  );
  assert.match(all, /T \[-\] first\n/);
  assert.match(all, /T \[-\] second\n/);
  assert.ok(file.listLogs().length >= 1);
});

test("DailyLogFile rotates on the first write of a new day to name.YYYY_M_D, no zero padding; an existing target is not overwritten (Twisted)", () => {
  const dir = tempDir();
  let today: [number, number, number] = [2024, 1, 5];
  class TestDaily extends DailyLogFile {
    override toDate(seconds?: number): [number, number, number] {
      return seconds === undefined ? today : today;
    }
  }
  const log = new TestDaily("d.log", dir);
  assert.deepEqual(log.lastDate, [2024, 1, 5]);
  log.write("day one\n");
  today = [2024, 1, 6];
  log.write("day two\n");
  log.flush();
  assert.equal(read(dir, "d.log.2024_1_5"), "day one\n");
  assert.equal(read(dir, "d.log"), "day two\n");
  writeFileSync(join(dir, "d.log.2024_1_6"), "someone else's\n");
  today = [2024, 1, 7];
  log.write("day three\n");
  log.close();
  assert.equal(read(dir, "d.log.2024_1_6"), "someone else's\n", "kept");
  assert.equal(read(dir, "d.log"), "day two\nday three\n");
  assert.ok(!existsSync(join(dir, "d.log.2024_1_7")));
});

const script = fileURLToPath(new URL("./_log_file_script.ts", import.meta.url));

for (
  const [mode, expected] of [
    ["exit", "before exit\n"],
    ["throw", "before throw\n"],
    ["reactor", "in the reactor\nafter stop\n"],
  ] as const
) {
  test(`nothing buffered is lost: ${mode}`, async () => {
    const dir = tempDir();
    const r = await runScript(script, [dir, mode]);
    if (mode === "throw") assert.notEqual(r.code, 0);
    else assert.equal(r.code, 0, r.err);
    assert.equal(read(dir, "app.log"), expected);
  });
}
