import assert from "node:assert/strict";
import { test } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import {
  type ConsoleLike,
  consoleLogObserver,
  consoleStyleLogger,
  formatEvent,
  type LogEvent,
  Logger,
  LogLevel,
} from "../../logger/mod.ts";

function recorder(withCritical: boolean): { calls: [string, unknown[]][]; target: ConsoleLike; } {
  const calls: [string, unknown[]][] = [];
  const method = (name: string) => (...args: unknown[]): void => {
    calls.push([name, args]);
  };
  const target: ConsoleLike = {
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
  };
  if (withCritical) target.critical = method("critical");
  return { calls, target };
}

test("consoleLogObserver calls the method of each level; critical falls back to error; no level is info; legacy isError is error", () => {
  const plain = recorder(false);
  const observer = consoleLogObserver({ console: plain.target });
  const log = new Logger({ namespace: "ns", observer });
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  log.critical("c");
  observer({ "log_format": "none" });
  observer({ "log_text": "legacy err", isError: true });
  assert.deepEqual(plain.calls.map(([m]) => m), [
    "debug",
    "info",
    "warn",
    "error",
    "error",
    "info",
    "error",
  ]);
  assert.deepEqual(plain.calls[0][1], ["[ns#debug] d"]);
  const withCritical = recorder(true);
  new Logger({ observer: consoleLogObserver({ console: withCritical.target }) }).critical("c");
  assert.equal(withCritical.calls[0][0], "critical");
});

test("consoleLogObserver includes the failure's traceback and takes a format", () => {
  const r = recorder(false);
  const log = new Logger({ namespace: "x", observer: consoleLogObserver({ console: r.target }) });
  log.failure("broke", new TypeError("tt"), LogLevel.error);
  assert.match(String(r.calls[0][1][0]), /^\[x#error\] broke\nTypeError: tt/);
  const custom = recorder(false);
  new Logger({
    observer: consoleLogObserver({
      console: custom.target,
      format: (e: LogEvent) => `<${formatEvent(e)}>`,
    }),
  }).info(
    "hi",
  );
  assert.deepEqual(custom.calls[0][1], ["<hi>"]);
});

test("consoleStyleLogger: console-style calls become events of the logger at their level, an Error kept as the failure", () => {
  const seen: LogEvent[] = [];
  const app = consoleStyleLogger(
    new Logger({
      namespace: "lib",
      observer: (e) => {
        seen.push(e);
      },
    }),
  );
  app.debug("a");
  app.info("b", 1);
  app.log("c", [1, 2]);
  app.warn("d");
  app.error("e", new RangeError("r"));
  app.critical?.("f {not a field}");
  assert.deepEqual(seen.map((e) => e.log_level), [
    LogLevel.debug,
    LogLevel.info,
    LogLevel.info,
    LogLevel.warn,
    LogLevel.error,
    LogLevel.critical,
  ]);
  assert.deepEqual(seen.map((e) => formatEvent(e)), [
    "a",
    "b 1",
    "c [1,2]",
    "d",
    "e RangeError: r",
    "f {not a field}",
  ]);
  assert.ok(seen[4].log_failure instanceof Failure);
  assert.equal(seen[4].log_failure.check(RangeError), RangeError);
  assert.equal(seen[0].log_namespace, "lib");
});
