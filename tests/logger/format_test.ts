import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Failure } from "../../deferred/failure.ts";
import {
  eventAsText,
  formatEvent,
  formatEventAsClassicLogText,
  formatTime,
  formatWithCall,
  LogLevel,
} from "../../logger/mod.ts";
import { runScript } from "../_runtime.ts";

test("PEP 3101 fields as Twisted's formatWithCall: {key}, {obj.attr}, {list[0]}, {key!r}, keycall, {{ }}", () => {
  const fields = {
    a: "x",
    obj: { attr: 5, inner: { deep: true } },
    list: [7, 8],
    f: (): string => "called",
  };
  assert.equal(
    formatWithCall("{a}|{obj.attr}|{obj.inner.deep}|{list[1]}|{a!r}|{f()}|{{lit}}", fields),
    "x|5|true|8|\"x\"|called|{lit}",
  );
  class Point {
    x = 3;
    norm(): number {
      return this.x * 2;
    }
  }
  assert.equal(
    formatWithCall("{p.norm()}", { p: new Point() }),
    "6",
    "a keycall is a method call on its holder",
  );
});

test("format specs where JavaScript can: widths, fill, alignment, d x f e %, grouping, sign", () => {
  const cases: [string, unknown, string][] = [
    ["{v:03d}", 7, "007"],
    ["{v:>5}", "ab", "   ab"],
    ["{v:<5}|", "ab", "ab   |"],
    ["{v:*^6}", "ab", "**ab**"],
    ["{v:x}", 255, "ff"],
    ["{v:#X}", 255, "0XFF"],
    ["{v:.2f}", 3.14159, "3.14"],
    ["{v:+d}", 5, "+5"],
    ["{v:,}", 1234567, "1,234,567"],
    ["{v:.1%}", 0.256, "25.6%"],
    ["{v:e}", 12345.678, "1.234568e+04"],
    ["{v:08.3f}", -3.5, "-003.500"],
    ["{v:.3}", "abcdef", "abc"],
    ["{v:5d}", 42, "   42"],
  ];
  for (const [format, v, expected] of cases) {
    assert.equal(formatWithCall(format, { v }), expected, format);
  }
  assert.throws(() => formatWithCall("{v:d}", { v: "text" }), TypeError);
});

test("formatEvent never throws: a missing key, a bad spec, a throwing keycall give Twisted's 'Unable to format event' text", () => {
  const missing = formatEvent({ "log_format": "{nope}", other: 1 });
  assert.match(
    missing,
    /^Unable to format event \{.*"log_format": "\{nope\}".*"other": 1.*\}: .*nope/,
  );
  assert.match(
    formatEvent({ "log_format": "{v:q}", v: 1 }),
    /^Unable to format event .*Invalid format specifier/,
  );
  assert.match(
    formatEvent({
      "log_format": "{f()}",
      f: () => {
        throw new Error("inside");
      },
    }),
    /: inside$/,
  );
  assert.match(formatEvent({ "log_format": "{", x: 1 }), /^Unable to format event/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.match(formatEvent({ "log_format": "{missing}", cyclic }), /^Unable to format event/);
  assert.equal(formatEvent({}), "", "no log_format: empty text (Twisted)");
  assert.equal(formatEvent({ "log_format": null }), "");
  assert.equal(formatEvent({ "log_text": "given" }), "given");
});

test("formatEventAsClassicLogText, Twisted's examples: '- [-#-] Hello!', namespace#level, newlines become \\n\\t, null when empty", () => {
  assert.equal(formatEventAsClassicLogText({ "log_format": "Hello!" }), "- [-#-] Hello!\n");
  assert.equal(
    formatEventAsClassicLogText({
      "log_format": "Hi",
      "log_namespace": "ns",
      "log_level": LogLevel.warn,
    }),
    "- [ns#warn] Hi\n",
  );
  assert.equal(
    formatEventAsClassicLogText({ "log_format": "Hi", "log_system": "sys", "log_namespace": "ns" }),
    "- [sys] Hi\n",
  );
  assert.equal(formatEventAsClassicLogText({ "log_format": "a\nb\nc" }), "- [-#-] a\n\tb\n\tc\n");
  assert.equal(formatEventAsClassicLogText({}), null);
  assert.equal(
    formatEventAsClassicLogText({ "log_format": "t", "log_time": 5 }, (t) => `T${t}`),
    "T5 [-#-] t\n",
  );
});

test("eventAsText appends the failure's traceback (Twisted's includeTraceback)", () => {
  const failure = new Failure(new RangeError("bad range"));
  const text = eventAsText({ "log_format": "oops", "log_failure": failure }, {
    includeTimestamp: false,
    includeSystem: false,
  });
  assert.ok(text.startsWith("oops\n"), text);
  assert.match(text, /RangeError/);
  assert.match(text, /bad range/);
});

test("formatTime: '-' without a time or a format (Twisted's default)", () => {
  assert.equal(formatTime(undefined), "-");
  assert.equal(formatTime(0, null), "-");
  assert.equal(formatTime(null, "%Y", "?"), "?");
  assert.equal(formatTime(0, "%%"), "%");
});

test("text lines with a fixed time zone: UTC and +0530 (Twisted's line format, TZ set for the child)", async () => {
  const script = fileURLToPath(new URL("./_tz_script.ts", import.meta.url));
  const utc = await runScript(script, [], { env: { TZ: "UTC" } });
  assert.equal(utc.code, 0, utc.err);
  assert.equal(
    utc.out,
    "1970-01-01 00:00:00+0000 [-#-] hello world\n1970-01-01 23:59:59+0000 [HTTP] a\n\tb\n2009-02-13T23:31:30+0000\n\n",
  );
  const india = await runScript(script, [], { env: { TZ: "Asia/Kolkata" } });
  assert.equal(india.code, 0, india.err);
  assert.equal(
    india.out,
    "1970-01-01 05:30:00+0530 [-#-] hello world\n1970-01-02 05:29:59+0530 [HTTP] a\n\tb\n2009-02-14T05:01:30+0530\n\n",
  );
});

test("formatTime keeps the last second's text, and only for that second and format", () => {
  const t = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
  const first = formatTime(t, "%H:%M:%S");
  assert.equal(formatTime(t + 0.999, "%H:%M:%S"), first);
  assert.notEqual(formatTime(t + 1, "%H:%M:%S"), first);
  assert.match(formatTime(t + 1, "%H:%M:%S"), /:06$/);
  assert.equal(formatTime(t, "%M"), "04");
  assert.equal(formatTime(t - 60, "%H:%M:%S").slice(-5), "03:05");
  // %f changes within a second, so it is never kept.
  assert.equal(formatTime(t + 0.25, "%S.%f"), "05.250000");
  assert.equal(formatTime(t + 0.5, "%S.%f"), "05.500000");
});
