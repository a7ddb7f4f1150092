import assert from "node:assert/strict";
import { test } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import {
  FilteringLogObserver,
  formatEvent,
  InvalidLogLevelError,
  LimitedHistoryLogObserver,
  LogBeginner,
  type LogEvent,
  Logger,
  LogLevel,
  LogLevelFilterPredicate,
  LogPublisher,
  PredicateResult,
} from "../../logger/mod.ts";

function collector(): { events: LogEvent[]; observer: (e: LogEvent) => void; } {
  const events: LogEvent[] = [];
  return {
    events,
    observer: (e) => {
      events.push(e);
    },
  };
}

test("LogLevel ordering debug < info < warn < error < critical; levelWithName (Twisted's LogLevel)", () => {
  const levels = LogLevel.levels();
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i - 1].compare(levels[i]) < 0);
  assert.equal(LogLevel.levelWithName("critical"), LogLevel.critical);
  assert.throws(() => LogLevel.levelWithName("fatal"), InvalidLogLevelError);
});

test("Logger events carry Twisted's keys: log_logger, log_level, log_namespace, log_source, log_format, log_time, fields", () => {
  const { events, observer } = collector();
  const source = { name: "src" };
  const log = new Logger({ namespace: "app.web", source, observer });
  const before = Date.now() / 1000;
  log.info("hello {who}", { who: "world" });
  const e = events[0];
  assert.equal(e.log_logger, log);
  assert.equal(e.log_level, LogLevel.info);
  assert.equal(e.log_namespace, "app.web");
  assert.equal(e.log_source, source);
  assert.equal(e.log_format, "hello {who}");
  assert.ok(
    typeof e.log_time === "number" && e.log_time >= before - 1
      && e.log_time <= Date.now() / 1000 + 1,
  );
  assert.equal(e.who, "world");
  assert.equal(formatEvent(e), "hello world");
  for (
    const [method, level] of [["debug", LogLevel.debug], ["warn", LogLevel.warn], [
      "error",
      LogLevel.error,
    ], ["critical", LogLevel.critical]] as const
  ) {
    log[method]("m");
    assert.equal(events.at(-1)!.log_level, level, method);
  }
  log.info();
  assert.equal(events.at(-1)!.log_format, null, "no format: log_format is None as in Twisted");
});

test("Logger.failure puts a Failure in log_failure at critical by default; a thrown value is wrapped", () => {
  const { events, observer } = collector();
  const log = new Logger({ observer });
  log.failure("it broke", new TypeError("t"));
  assert.ok(events[0].log_failure instanceof Failure);
  assert.equal(events[0].log_failure.check(TypeError), TypeError);
  assert.equal(events[0].log_level, LogLevel.critical);
  const f = new Failure(new Error("e"));
  log.failure("again", f, LogLevel.warn, { extra: 1 });
  assert.equal(events[1].log_failure, f);
  assert.equal(events[1].log_level, LogLevel.warn);
  assert.equal(events[1].extra, 1);
});

test("an invalid level given to emit is logged as a critical failure, not thrown (Twisted)", () => {
  const { events, observer } = collector();
  const log = new Logger({ namespace: "x", observer });
  log.emit("loud" as unknown as LogLevel, "msg");
  assert.equal(events.length, 1);
  assert.equal(events[0].log_level, LogLevel.critical);
  assert.equal(events[0].log_failure?.check(InvalidLogLevelError), InvalidLogLevelError);
  assert.match(formatEvent(events[0]), /Got invalid log level loud in <Logger x>\.emit\(\)/);
});

test("LogPublisher: a throwing observer is reported to the others and kept, and nothing reaches the caller (Twisted)", () => {
  const good = collector();
  let brokenCalls = 0;
  function broken(): void {
    brokenCalls++;
    throw new Error("observer bug");
  }
  const publisher = new LogPublisher(broken, good.observer);
  publisher.observe({ "log_format": "first" });
  assert.equal(good.events[0].log_format, "first", "the others still get the event");
  const report = good.events[1];
  assert.match(
    formatEvent(report),
    /^Temporarily disabling observer <observer broken> due to exception$/,
  );
  assert.equal(report.log_level, LogLevel.critical);
  assert.match(report.log_failure!.getErrorMessage(), /observer bug/);
  assert.equal(brokenCalls, 1, "the broken observer is not sent its own error report");
  publisher.observe({ "log_format": "second" });
  assert.equal(brokenCalls, 2, "it is not removed");
  assert.equal(publisher.observers.length, 2);
});

test("LogPublisher: two broken observers; each one's report goes to everyone but itself", () => {
  const good = collector();
  const seenByA: LogEvent[] = [];
  function a(e: LogEvent): void {
    seenByA.push(e);
    throw new Error("a");
  }
  function b(): void {
    throw new Error("b");
  }
  const publisher = new LogPublisher(a, b, good.observer);
  publisher.observe({ "log_format": "x" });
  // good gets: the event; a's report; b's failure on a's report (reported in
  // turn to the rest); b's report; a's failure on b's report. Nothing throws.
  assert.equal(good.events.length, 5);
  assert.equal(good.events[0].log_format, "x");
  assert.equal(
    seenByA.length,
    2,
    "a sees the event and b's report, never a report of its own failure",
  );
  assert.match(String(seenByA[1].observer), /<observer b>/);
});

test("LimitedHistoryLogObserver keeps the last N, oldest first", () => {
  const h = new LimitedHistoryLogObserver(3);
  for (let n = 0; n < 7; n++) h.observe({ n });
  const { events, observer } = collector();
  h.replayTo(observer);
  assert.deepEqual(events.map((e) => e.n), [4, 5, 6]);
  assert.throws(() => new LimitedHistoryLogObserver(0), RangeError);
});

test("LogBeginner: events before beginLoggingTo are buffered (200 by default) and replayed, then live (Twisted)", () => {
  const publisher = new LogPublisher();
  const beginner = new LogBeginner(publisher);
  beginner.errorsToStderr = false;
  const log = new Logger({ observer: publisher });
  for (let n = 0; n < 250; n++) log.info("early {n}", { n });
  const { events, observer } = collector();
  beginner.beginLoggingTo([observer], { redirectStandardIO: false });
  assert.equal(events.length, 200);
  assert.equal(events[0].n, 50);
  assert.equal(events[199].n, 249);
  log.info("late");
  assert.equal(events.length, 201);
  assert.equal(beginner.begun, true);
  assert.equal(publisher.observers.length, 1, "the temporary observer is gone");
});

test("LogBeginner: discardBuffer drops the kept events; a second beginLoggingTo warns", () => {
  const publisher = new LogPublisher();
  const beginner = new LogBeginner(publisher, 5);
  beginner.errorsToStderr = false;
  publisher.observe({ "log_format": "early" });
  const { events, observer } = collector();
  beginner.beginLoggingTo([observer], { discardBuffer: true, redirectStandardIO: false });
  assert.equal(events.length, 0);
  beginner.beginLoggingTo([], { redirectStandardIO: false });
  assert.equal(events.length, 1);
  assert.equal(events[0].log_level, LogLevel.warn);
  assert.match(formatEvent(events[0]), /primary log target selected twice/);
});

test("LogBeginner with redirectStandardIO: console.log goes in at info (stdout), console.error at error (stderr); restore undoes it", () => {
  const publisher = new LogPublisher();
  const beginner = new LogBeginner(publisher);
  const { events, observer } = collector();
  const originalLog = console.log;
  beginner.beginLoggingTo([observer]);
  try {
    console.log("to", "stdout", 1);
    console.error("to stderr");
  } finally {
    beginner.restoreStandardIO();
  }
  assert.equal(console.log, originalLog);
  assert.equal(formatEvent(events[0]), "to stdout 1");
  assert.equal(events[0].log_level, LogLevel.info);
  assert.equal(events[0].log_namespace, "stdout");
  assert.equal(formatEvent(events[1]), "to stderr");
  assert.equal(events[1].log_level, LogLevel.error);
});

test("LogLevelFilterPredicate: per-namespace levels apply to dotted descendants; no level or namespace means no (Twisted)", () => {
  const p = new LogLevelFilterPredicate(LogLevel.info);
  p.setLogLevelForNamespace("twext.web2", LogLevel.debug);
  p.setLogLevelForNamespace("twext.web2.dav", LogLevel.warn);
  const check = (ns: string, level: LogLevel): PredicateResult =>
    p.filter({ "log_namespace": ns, "log_level": level });
  assert.equal(p.logLevelForNamespace("twext.web2.dav.test"), LogLevel.warn);
  assert.equal(p.logLevelForNamespace("twext.web2.other"), LogLevel.debug);
  assert.equal(
    p.logLevelForNamespace("twext.web2x"),
    LogLevel.info,
    "a prefix that is not a dotted ancestor does not count",
  );
  assert.equal(check("twext.web2.dav.x", LogLevel.info), PredicateResult.no);
  assert.equal(check("twext.web2.dav.x", LogLevel.warn), PredicateResult.maybe);
  assert.equal(check("twext.web2", LogLevel.debug), PredicateResult.maybe);
  assert.equal(check("other", LogLevel.debug), PredicateResult.no);
  assert.equal(p.filter({ "log_level": LogLevel.critical }), PredicateResult.no);
  assert.equal(p.filter({ "log_namespace": "other" }), PredicateResult.no);
  assert.throws(
    () => p.setLogLevelForNamespace("x", "debug" as unknown as LogLevel),
    InvalidLogLevelError,
  );
  p.clearLogLevels();
  assert.equal(p.logLevelForNamespace("twext.web2"), LogLevel.info);
});

test("FilteringLogObserver: the first yes or no decides, all maybe logs, refused events go to the negative observer", () => {
  const yes = collector();
  const no = collector();
  const seen: string[] = [];
  const predicates = [
    (e: LogEvent): PredicateResult => {
      seen.push("first");
      return e.tag === "y"
        ? PredicateResult.yes
        : e.tag === "n"
        ? PredicateResult.no
        : PredicateResult.maybe;
    },
    {
      filter: (_e: LogEvent): PredicateResult => {
        seen.push("second");
        return PredicateResult.maybe;
      },
    },
  ];
  const f = new FilteringLogObserver(yes.observer, predicates, no.observer);
  f.observe({ tag: "y" });
  f.observe({ tag: "n" });
  f.observe({ tag: "m" });
  assert.deepEqual(yes.events.map((e) => e.tag), ["y", "m"]);
  assert.deepEqual(no.events.map((e) => e.tag), ["n"]);
  assert.deepEqual(seen, ["first", "first", "first", "second"]);
});
