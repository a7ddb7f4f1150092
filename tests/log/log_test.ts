import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { flushUnhandledFailures } from "../../deferred/debug.ts";
import { fail } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import {
  addObserver,
  callWithContext,
  callWithLogger,
  err,
  FileLogObserver,
  type LogEvent,
  msg,
  msgWith,
  removeObserver,
  setDefaultObserver,
  textFromEvent,
} from "../../log/mod.ts";
import {
  formatEvent,
  globalLogPublisher,
  type LogEvent as ModernEvent,
  Logger,
  LogLevel,
} from "../../logger/mod.ts";
import { runScript } from "../_runtime.ts";

function legacyCollector(): {
  events: LogEvent[];
  observer: (e: LogEvent) => void;
  stop: () => void;
} {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    events.push(e);
  };
  addObserver(observer);
  return { events, observer, stop: () => removeObserver(observer) };
}

function modernCollector(): { events: ModernEvent[]; stop: () => void; } {
  const events: ModernEvent[] = [];
  const observer = (e: ModernEvent): void => {
    events.push(e);
  };
  globalLogPublisher.addObserver(observer);
  return { events, stop: () => globalLogPublisher.removeObserver(observer) };
}

test("a legacy msg is a modern event: log_level info, log_namespace log_legacy, log_system, log_time, text (Twisted's publishToNewObserver)", () => {
  const modern = modernCollector();
  const legacy = legacyCollector();
  try {
    msgWith({ system: "HTTP", extra: 5 }, "hello", 42, { a: 1 });
  } finally {
    modern.stop();
    legacy.stop();
  }
  const e = modern.events[0];
  assert.equal(e.log_level, LogLevel.info);
  assert.equal(e.log_namespace, "log_legacy");
  assert.equal(e.log_system, "HTTP");
  assert.equal(e.log_time, e.time);
  assert.equal(e.extra, 5);
  assert.equal(formatEvent(e), "hello 42 {\"a\":1}");
  assert.equal(legacy.events[0], e, "both faces see the same event");
  assert.deepEqual(legacy.events[0].message, ["hello", 42, { a: 1 }]);
});

test("log.err is a critical event with the Failure as log_failure; the text is why + traceback on both faces", () => {
  setDefaultObserver(false);
  const modern = modernCollector();
  const legacy = legacyCollector();
  try {
    err(new TypeError("wrong type"), "while parsing");
    err(new Failure(new RangeError("r")));
  } finally {
    modern.stop();
    legacy.stop();
    setDefaultObserver(true);
  }
  const e = modern.events[0];
  assert.equal(e.log_level, LogLevel.critical);
  assert.ok(e.log_failure instanceof Failure);
  assert.equal(e.log_failure.check(TypeError), TypeError);
  assert.equal(formatEvent(e), "while parsing");
  assert.equal(legacy.events[0].isError, true);
  assert.match(textFromEvent(legacy.events[0]), /^while parsing\nTypeError: wrong type/);
  assert.match(textFromEvent(legacy.events[1]), /^Unhandled Error\nRangeError: r/);
});

test("a modern event reaches legacy observers with message, time, system, isError, failure, why (Twisted's LegacyLogObserverWrapper)", () => {
  const legacy = legacyCollector();
  const modern = modernCollector();
  try {
    const log = new Logger({ namespace: "app" });
    log.info("{n} done", { n: 3 });
    log.error("bad {x}", { x: "y" });
    log.failure("crashed", new Error("c"), LogLevel.warn);
  } finally {
    legacy.stop();
    modern.stop();
  }
  const [info, error, failure] = legacy.events;
  assert.deepEqual(info.message, []);
  assert.equal(info.system, "-");
  assert.equal(info.time, info.log_time);
  assert.equal(info.isError, false);
  assert.equal(textFromEvent(info), "3 done");
  assert.equal(error.isError, true, "level error is isError");
  assert.equal(failure.isError, true, "a log_failure is isError whatever the level");
  assert.ok(failure.failure instanceof Failure);
  assert.equal(failure.why, "crashed");
  assert.match(textFromEvent(failure), /^crashed\nError: c/);
  assert.notEqual(
    info,
    modern.events[0],
    "legacy observers get a copy; the modern event is not changed",
  );
  assert.equal("isError" in modern.events[0], false);
});

test("a legacy observer that throws is reported to the others and not removed (one publisher)", () => {
  setDefaultObserver(false);
  let calls = 0;
  function broken(): void {
    calls++;
    throw new Error("observer bug");
  }
  addObserver(broken);
  const legacy = legacyCollector();
  try {
    msg("one");
    msg("two");
  } finally {
    removeObserver(broken);
    legacy.stop();
    setDefaultObserver(true);
  }
  assert.equal(calls, 2);
  const texts = legacy.events.map((e) => textFromEvent(e));
  assert.equal(texts[0], "one");
  assert.match(
    texts[1],
    /^Temporarily disabling observer <observer broken> due to exception\nError: observer bug/,
  );
  assert.equal(legacy.events[1].isError, true);
  assert.equal(texts[2], "two");
});

test("callWithContext adds system to events and nests; callWithLogger logs what fn throws with the prefix (Twisted)", () => {
  setDefaultObserver(false);
  const legacy = legacyCollector();
  let result: number | undefined;
  try {
    callWithContext({ system: "outer" }, () => {
      msg("a");
      callWithContext({ system: "inner", other: 1 }, () => msg("b"));
      msg("c");
    });
    msg("d");
    result = callWithLogger({ logPrefix: () => "Echo,0,1.2.3.4" }, (x: number) => x + 1, 1);
    callWithLogger({ logPrefix: () => "P" }, () => {
      throw new Error("protocol bug");
    });
    callWithLogger({
      logPrefix: (): string => {
        throw new Error("prefix bug");
      },
    }, () => msg("e"));
  } finally {
    legacy.stop();
    setDefaultObserver(true);
  }
  assert.equal(result, 2);
  assert.deepEqual(legacy.events.slice(0, 4).map((e) => e.system), [
    "outer",
    "inner",
    "outer",
    "-",
  ]);
  assert.equal(legacy.events[1].other, 1);
  const bug = legacy.events[4];
  assert.equal(bug.system, "P");
  assert.equal(bug.isError, true);
  assert.match(textFromEvent(bug), /protocol bug/);
  assert.equal(legacy.events[5].system, "(buggy logPrefix method)");
  assert.match(textFromEvent(legacy.events[5]), /prefix bug/);
  assert.equal(legacy.events[6].system, "(buggy logPrefix method)");
});

test("FileLogObserver: Twisted's line '%Y-%m-%d %H:%M:%S%z [system] text', extra lines tab-indented, timeFormat, empty text skipped", () => {
  const out: string[] = [];
  const observer = new FileLogObserver({ write: (t) => out.push(t) });
  observer.emit({ message: ["hello", "world"], isError: false, time: 0, system: "-" });
  assert.match(out[0], /^19(69|70)-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} \[-\] hello world\n$/);
  observer.timeFormat = "%H!";
  observer.emit({ message: ["a\nb"], isError: false, time: 0, system: "HTTP" });
  assert.match(out[1], /^\d\d! \[HTTP\] a\n\tb\n$/);
  observer.emit({ message: [], isError: false, time: 0, system: "-" });
  assert.equal(out.length, 2, "an event without text writes nothing");
  let flushed = 0;
  const flushing = new FileLogObserver({ write: () => {}, flush: () => flushed++ });
  flushing.emit({ message: ["x"], isError: false, time: 0, system: "-" });
  assert.equal(flushed, 1);
});

test("Deferred unhandled errors arrive as events with a Failure on both faces", () => {
  setDefaultObserver(false);
  const modern = modernCollector();
  try {
    fail(new Error("nobody handled me"));
    flushUnhandledFailures();
  } finally {
    modern.stop();
    setDefaultObserver(true);
  }
  const e = modern.events.find((ev) => ev.log_failure?.getErrorMessage() === "nobody handled me");
  assert.ok(e, "an event with the failure was published");
  assert.equal(e.log_level, LogLevel.critical);
});

const script = fileURLToPath(new URL("./_start_logging_script.ts", import.meta.url));

test("startLogging: earlier events replayed, 'Log opened.', console output in the log at info/error, err's traceback tab-indented (Twisted)", async () => {
  const r = await runScript(script, ["start"], { env: { TZ: "UTC" } });
  assert.equal(r.code, 0, r.err);
  const stamp = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000`;
  const lines = r.out.split("\n");
  assert.match(lines[0], new RegExp(`^${stamp} \\[-\\] before start$`));
  assert.match(lines[1], new RegExp(`^${stamp} \\[-\\] modern 1$`));
  assert.match(lines[2], new RegExp(`^${stamp} \\[-\\] Log opened\\.$`));
  assert.match(lines[3], new RegExp(`^${stamp} \\[-\\] printed 2$`));
  assert.match(lines[4], new RegExp(`^${stamp} \\[-\\] complained$`));
  assert.match(lines[5], new RegExp(`^${stamp} \\[-\\] while testing$`));
  assert.match(lines[6], /^\tRangeError: bad thing$/);
  const two = lines.findIndex((l) => l.endsWith("] two"));
  assert.ok(two > 6, r.out);
  assert.equal(lines[two + 1], "\tlines");
  assert.equal(r.err, "", "nothing printed to stderr once logging has begun");
});

test("startLogging with setStdout false leaves console alone; timeFormat applies", async () => {
  const r = await runScript(script, ["no-stdout"], { env: { TZ: "UTC" } });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.ok(lines.includes("to the real stdout"), r.out);
  assert.ok(lines.some((l) => /^\[\d\d\] \[-\] logged$/.test(l)), r.out);
});

test("before logging begins errors go to stderr; discardLogs drops them from then on", async () => {
  const r = await runScript(script, ["discard"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /kept then dropped/);
  assert.doesNotMatch(r.err, /after discard/);
  assert.equal(r.out, "done\n");
});
