import assert from "node:assert/strict";
import { test } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import { flattenFields } from "../../logger/_format_string.ts";
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

/**
 * The straightforward definition of `eventAsJSON` (a persistable deep copy,
 * then JSON.stringify), which the one-pass writer and its JSON.stringify fast
 * path must match byte for byte.
 */
function referenceEventAsJSON(event: LogEvent): string {
  const LEVEL = "02E59486-F24D-46AD-8224-3ACDF2A5732A";
  const persistable = (value: unknown, ancestors: unknown[]): unknown => {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        return Number.isFinite(value) ? value : { unpersistable: true };
      case "undefined":
        return null;
      case "object":
        break;
      default:
        return { unpersistable: true };
    }
    if (value === null) return null;
    if (value instanceof LogLevel) return { name: value.name, __class_uuid__: LEVEL };
    if (value instanceof Failure) return JSON.parse(eventAsJSON({ f: value })).f;
    if (ancestors.includes(value)) return { unpersistable: true };
    if (Array.isArray(value)) {
      ancestors.push(value);
      const out = value.map((v) => persistable(v, ancestors));
      ancestors.pop();
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { unpersistable: true };
    ancestors.push(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      try {
        const field = (value as Record<string, unknown>)[key];
        if (field !== undefined) out[key] = persistable(field, ancestors);
      } catch {
        out[key] = { unpersistable: true };
      }
    }
    ancestors.pop();
    return out;
  };
  const copy: Record<string, unknown> = { ...event };
  delete copy.log_logger;
  if (typeof event.log_format === "string") {
    copy.log_flattened = { ...event.log_flattened, ...flattenFields(event.log_format, event) };
  }
  return JSON.stringify(persistable(copy, []));
}

test("eventAsJSON writes exactly what a persistable copy would (its fast path and its one-pass writer)", () => {
  const cycle: Record<string, unknown> = { name: "loop" };
  cycle.self = cycle;
  const throwing = {
    get bad(): never {
      throw new Error("no");
    },
    ok: 1,
  };
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: "x" });
  const logger = new Logger({ namespace: "ns" });
  const events: LogEvent[] = [
    {},
    { log_format: "plain" },
    { log_format: "{a} and {b!r} and {c:>5}", a: 1, b: "two", c: "x", log_level: LogLevel.info },
    { log_format: "x", log_flattened: { "old!:": "kept" }, n: 1.5, t: true, z: null },
    { log_flattened: { a: "b" }, log_format: "{q}", q: -0, log_logger: logger },
    { log_logger: logger, log_namespace: "ns", log_level: LogLevel.critical, u: undefined },
    { arr: [1, "a", null, undefined, true], nested: { x: 1, y: undefined, z: "s" } },
    { deep: { a: { b: { c: [1, [2, { d: 3 }]] } } } },
    { nan: NaN, inf: Infinity, big: 10n, fn: () => 1, sym: Symbol("s") },
    { when: new Date(0), map: new Map(), err: new RangeError("r"), arrFn: [() => 1, NaN] },
    { cycle, list: [cycle, cycle] },
    { throwing, nullProto, levelInside: { level: LogLevel.warn }, levels: [LogLevel.debug] },
    { log_failure: new Failure(new TypeError("tf")), log_format: "{log_failure}", why: "x" },
    { "quote\"key": "line\nbreak\u0001\u2028", "": "empty key", "1": "numeric key first" },
    { log_format: 42 as unknown as string, x: 1 },
    { log_format: "{missing} and {x.y}", x: {} },
  ];
  for (const event of events) {
    assert.equal(
      eventAsJSON(event),
      referenceEventAsJSON(event),
      JSON.stringify(Object.keys(event)),
    );
  }
});
