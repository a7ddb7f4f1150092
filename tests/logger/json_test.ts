import assert from "node:assert/strict";
import { test } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import {
  eventAsJSON,
  eventFromJSON,
  eventsFromJSONLogFile,
  formatEvent,
  jsonFileLogObserver,
  type LogEvent,
  Logger,
  LogLevel,
} from "../../logger/mod.ts";

function quiet(): { logger: Logger; problems: LogEvent[]; } {
  const problems: LogEvent[] = [];
  return {
    problems,
    logger: new Logger({
      observer: (e) => {
        problems.push(e);
      },
    }),
  };
}

test("jsonFileLogObserver writes RS + JSON + newline per event (Twisted's record format)", () => {
  const out: string[] = [];
  const observer = jsonFileLogObserver({ write: (t) => out.push(t) });
  observer.observe({ "log_format": "x", n: 1 });
  assert.equal(out.length, 1);
  assert.ok(out[0].startsWith("\x1e{") && out[0].endsWith("}\n"), out[0]);
  const custom: string[] = [];
  jsonFileLogObserver({ write: (t) => custom.push(t) }, "").observe({ a: 1 });
  assert.match(custom[0], /^\{.*\}\n$/);
});

test("JSON round trip: levels, failures, fields, and the text formats the same after (Twisted's eventAsJSON/eventFromJSON)", () => {
  const out: string[] = [];
  const log = new Logger({
    namespace: "app",
    observer: jsonFileLogObserver({ write: (t) => out.push(t) }),
  });
  log.warn("{count:03d} of {obj.name}", { count: 7, obj: { name: "ann" }, list: [1, "two", null] });
  log.failure("went wrong", new RangeError("out of range"));
  const { logger, problems } = quiet();
  const events = [...eventsFromJSONLogFile(out.join(""), { logger })];
  assert.equal(problems.length, 0);
  assert.equal(events.length, 2);
  assert.equal(events[0].log_level, LogLevel.warn);
  assert.equal(events[0].log_namespace, "app");
  assert.equal(events[0].count, 7);
  assert.deepEqual(events[0].list, [1, "two", null]);
  assert.equal(formatEvent(events[0]), "007 of ann");
  assert.equal("log_logger" in events[0], false, "the logger object is not persisted");
  const failure = events[1].log_failure;
  assert.ok(failure instanceof Failure, "a Failure comes back as a Failure");
  assert.equal(failure.getErrorMessage(), "out of range");
  assert.equal((failure.value as Error).name, "RangeError");
  assert.match(failure.getTraceback(), /RangeError/);
  assert.equal(events[1].log_level, LogLevel.critical);
});

test("values JSON cannot hold become { unpersistable: true }; their format fields were flattened first", () => {
  class Opaque {
    toString(): string {
      return "<opaque>";
    }
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const event = eventFromJSON(eventAsJSON({
    "log_format": "{thing} and {big}",
    thing: new Opaque(),
    big: 10n,
    fn: () => 1,
    sym: Symbol("s"),
    nan: NaN,
    cyclic,
  }));
  for (const key of ["thing", "big", "fn", "sym", "nan"]) {
    assert.deepEqual(event[key], { unpersistable: true }, key);
  }
  assert.deepEqual(event.cyclic, { a: 1, self: { unpersistable: true } });
  assert.equal(formatEvent(event), "<opaque> and 10", "flattened text survives");
  assert.match(
    formatEvent(eventFromJSON(eventAsJSON({ "log_format": "{missing}" }))),
    /^Unable to format event/,
  );
});

test("eventsFromJSONLogFile skips a truncated record and a broken one, and logs each (Twisted)", () => {
  const good1 = `\x1e${eventAsJSON({ "log_format": "one" })}\n`;
  const good2 = `\x1e${eventAsJSON({ "log_format": "two" })}\n`;
  const truncated = `\x1e${eventAsJSON({ "log_format": "cut" }).slice(0, 10)}`;
  const broken = "\x1e{not json}\n";
  const { logger, problems } = quiet();
  const events = [...eventsFromJSONLogFile(good1 + truncated + good2 + broken, { logger })];
  assert.deepEqual(events.map((e) => e.log_format), ["one", "two"]);
  assert.equal(problems.length, 2);
  assert.match(formatEvent(problems[0]), /^Unable to read truncated JSON record: /);
  assert.match(formatEvent(problems[1]), /^Unable to read JSON record: /);
  assert.equal(problems[0].log_level, LogLevel.error);
});

test("eventsFromJSONLogFile reads chunks split anywhere, bytes with UTF-8 split across chunks, and newline-separated records", () => {
  const text = [
    `\x1e${eventAsJSON({ "log_format": "héllo ✓" })}\n`,
    `\x1e${eventAsJSON({ n: 2 })}\n`,
  ].join("");
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
  const events = [...eventsFromJSONLogFile(chunks)];
  assert.equal(events.length, 2);
  assert.equal(events[0].log_format, "héllo ✓");
  assert.equal(events[1].n, 2);
  const lines = `${eventAsJSON({ n: 1 })}\n${eventAsJSON({ n: 2 })}\n`;
  assert.deepEqual([...eventsFromJSONLogFile(lines)].map((e) => e.n), [1, 2]);
  assert.deepEqual([...eventsFromJSONLogFile("")], []);
});
