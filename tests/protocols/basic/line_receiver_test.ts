import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineReceiver, TextLineReceiver } from "../../../protocols/basic/line_receiver.ts";
import { Clock } from "../../../task/clock.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, chunk, concat, dec, enc, feed, fixedChunks, int, rng } from "./_fuzz.ts";

/** Twisted's LineTester (test_basic.py): `\n` lines, `len N` + empty line switches to raw for N bytes. */
class LineTester extends LineReceiver {
  override delimiter = "\n";
  override MAX_LENGTH = 64;
  received: Uint8Array[] = [];
  length = 0;
  constructor(readonly clock: Clock = new Clock()) {
    super();
  }
  override lineReceived(line: Uint8Array): void {
    this.received.push(line);
    const text = dec(line);
    if (text === "") {
      this.setRawMode();
    } else if (text === "pause") {
      this.pauseProducing();
      this.clock.callLater(0, () => this.resumeProducing());
    } else if (text === "rawpause") {
      this.pauseProducing();
      this.setRawMode();
      this.received.push(new Uint8Array(0));
      this.clock.callLater(0, () => this.resumeProducing());
    } else if (text === "stop") {
      this.stopProducing();
    } else if (text.startsWith("len ")) {
      this.length = Number(text.slice(4));
    }
  }
  override rawDataReceived(data: Uint8Array): void {
    const take = data.subarray(0, this.length);
    const rest = data.slice(this.length);
    this.length -= take.length;
    this.received[this.received.length - 1] = concat([
      this.received[this.received.length - 1],
      take,
    ]);
    if (this.length === 0) this.setLineMode(rest);
  }
}

function connect<P extends LineReceiver>(p: P): { p: P; t: StringTransport; } {
  const t = new StringTransport();
  p.makeConnection(t);
  return { p, t };
}

const texts = (bs: Uint8Array[]): string[] => bs.map(dec);

describe("LineReceiver (twisted.protocols.basic.LineReceiver)", () => {
  it("splits on \\r\\n; a bare \\n is not a delimiter (Twisted [R])", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("a\r\nb\nc\r\n\r\nd"));
    assert.deepEqual(lines, ["a", "b\nc", ""]);
    p.dataReceived(enc("\r"));
    p.dataReceived(enc("\n"));
    assert.deepEqual(lines, ["a", "b\nc", "", "d"]);
  });

  it("with delimiter \\n a \\r stays at the end of each line (Twisted [R])", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override delimiter = enc("\n");
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
      }
    }
    connect(new R()).p.dataReceived(enc("x\r\ny\n"));
    assert.deepEqual(lines, ["x\r", "y"]);
  });

  it("test_buffer: Twisted's raw/line switching output, for every packet size 1..9", () => {
    const input = "len 10\n\n0123456789len 5\n\n1234\nlen 3\n\nabcrest\nlen 0\n\nafter\n";
    const expected = [
      "len 10",
      "0123456789",
      "len 5",
      "1234\n",
      "len 3",
      "abc",
      "rest",
      "len 0",
      "",
      "after",
    ];
    for (let size = 1; size < 10; size++) {
      const { p } = connect(new LineTester());
      for (const c of fixedChunks(enc(input), size)) p.dataReceived(c);
      assert.deepEqual(texts(p.received), expected, `packet size ${size}`);
    }
  });

  it("setRawMode inside lineReceived sends the rest of the same chunk to rawDataReceived", () => {
    const events: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        events.push(`line:${dec(l)}`);
        this.setRawMode();
      }
      override rawDataReceived(d: Uint8Array): void {
        events.push(`raw:${dec(d)}`);
      }
    }
    connect(new R()).p.dataReceived(enc("hdr\r\nbody\r\nmore"));
    assert.deepEqual(events, ["line:hdr", "raw:body\r\nmore"]);
  });

  it("setLineMode(extra) outside a callback parses extra for lines at once", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
      }
      override rawDataReceived(_d: Uint8Array): void {}
    }
    const { p } = connect(new R());
    p.setRawMode();
    p.dataReceived(enc("ignored\r\n"));
    p.setLineMode("one\r\ntwo\r\npart");
    assert.deepEqual(lines, ["one", "two"]);
    p.dataReceived(enc("ial\r\n"));
    assert.deepEqual(lines, ["one", "two", "partial"]);
  });

  it("raw mode without rawDataReceived throws a clear error", () => {
    const { p } = connect(new LineReceiver());
    p.setRawMode();
    assert.throws(() => p.dataReceived(enc("x")), /rawDataReceived/);
    assert.throws(() => new LineReceiver().lineReceived(enc("x")), /lineReceived/);
  });

  it("MAX_LENGTH=5: 12345 is delivered, 123456 exceeds with the rest of the buffer (Twisted [R])", () => {
    const lines: string[] = [];
    const exceeded: string[] = [];
    class R extends LineReceiver {
      override MAX_LENGTH = 5;
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
      }
      override lineLengthExceeded(l: Uint8Array): void {
        exceeded.push(dec(l));
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("12345\r\n"));
    p.dataReceived(enc("123456\r\nxyz"));
    assert.deepEqual(lines, ["12345"]);
    assert.deepEqual(exceeded, ["123456\r\nxyz"]);
    assert.equal(p.clearLineBuffer().length, 0, "the buffer is cleared");
  });

  it("without a delimiter the limit triggers at MAX_LENGTH + len(delimiter) bytes (Twisted [R])", () => {
    class R extends LineReceiver {
      override MAX_LENGTH = 5;
      override lineReceived(_l: Uint8Array): void {}
    }
    const six = connect(new R());
    six.p.dataReceived(enc("123456"));
    assert.equal(six.t.disconnecting, false, "6 bytes do not trigger");
    const seven = connect(new R());
    seven.p.dataReceived(enc("1234567"));
    assert.equal(seven.t.disconnecting, true, "7 bytes do");
    // MAX_LENGTH bytes plus a partial delimiter is still fine.
    const partial = connect(new R());
    partial.p.dataReceived(enc("12345\r"));
    assert.equal(partial.t.disconnecting, false);
    partial.p.dataReceived(enc("\n"));
    assert.equal(partial.t.disconnecting, false);
  });

  it("the default lineLengthExceeded closes the connection", () => {
    const { p, t } = connect(new LineReceiver());
    p.dataReceived(concat([new Uint8Array(p.MAX_LENGTH + 1).fill(120), enc("\r\nr")]));
    assert.equal(t.disconnecting, true);
  });

  it("a truthy lineReceived result stops the chunk; the rest stays buffered", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): unknown {
        lines.push(dec(l));
        return dec(l) === "stop" ? "why" : undefined;
      }
    }
    const { p } = connect(new R());
    assert.equal(p.dataReceived(enc("a\r\nstop\r\nb\r\n")), "why");
    assert.deepEqual(lines, ["a", "stop"]);
    p.dataReceived(new Uint8Array(0));
    assert.deepEqual(lines, ["a", "stop", "b"]);
  });

  it("stops delivering once the transport is disconnecting", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
        if (dec(l) === "quit") this.transport!.loseConnection();
      }
    }
    connect(new R()).p.dataReceived(enc("a\r\nquit\r\nb\r\nc\r\n"));
    assert.deepEqual(lines, ["a", "quit"]);
  });

  it("re-entrant dataReceived only queues bytes behind the current ones", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
        if (dec(l) === "a") this.dataReceived(enc("x\r\n"));
      }
    }
    connect(new R()).p.dataReceived(enc("a\r\nb\r\n"));
    assert.deepEqual(lines, ["a", "b", "x"]);
  });

  it("test_clearLineBuffer: clearing inside lineReceived drops the rest", () => {
    class R extends LineReceiver {
      line = "";
      rest = "";
      override lineReceived(l: Uint8Array): void {
        this.line = dec(l);
        this.rest = dec(this.clearLineBuffer());
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("foo\r\nbar\r\nbaz"));
    assert.equal(p.line, "foo");
    assert.equal(p.rest, "bar\r\nbaz");
    p.dataReceived(enc("quux\r\n"));
    assert.equal(p.line, "quux");
    assert.equal(p.rest, "");
  });

  it("test_pausing: lines wait while paused and flow on resume; the transport is paused too", () => {
    for (let size = 1; size < 10; size++) {
      const clock = new Clock();
      const { p, t } = connect(new LineTester(clock));
      for (const c of fixedChunks(enc("twiddle1\ntwiddle2\npause\ntwiddle3\n"), size)) {
        p.dataReceived(c);
      }
      assert.deepEqual(texts(p.received), ["twiddle1", "twiddle2", "pause"], `size ${size}`);
      assert.equal(t.producerState, "paused");
      clock.advance(0);
      assert.deepEqual(texts(p.received), ["twiddle1", "twiddle2", "pause", "twiddle3"]);
      assert.equal(t.producerState, "producing");
    }
  });

  it("test_rawPausing: pausing while switching to raw mode", () => {
    for (let size = 1; size < 10; size++) {
      const clock = new Clock();
      const { p } = connect(new LineTester(clock));
      for (
        const c of fixedChunks(enc("twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n"), size)
      ) {
        p.dataReceived(c);
      }
      assert.deepEqual(texts(p.received), ["twiddle1", "twiddle2", "len 5", "rawpause", ""]);
      clock.advance(0);
      assert.deepEqual(texts(p.received), [
        "twiddle1",
        "twiddle2",
        "len 5",
        "rawpause",
        "12345",
        "twiddle3",
      ]);
    }
  });

  it("test_stopProducing: nothing is delivered after stopProducing; the transport is stopped", () => {
    for (let size = 1; size < 10; size++) {
      const { p, t } = connect(new LineTester());
      for (const c of fixedChunks(enc("twiddle1\ntwiddle2\nstop\nmore\nstuff\n"), size)) {
        p.dataReceived(c);
      }
      assert.deepEqual(texts(p.received), ["twiddle1", "twiddle2", "stop"]);
      assert.equal(t.producerState, "stopped");
    }
  });

  it("sendLine writes line + delimiter in one write; strings are UTF-8", () => {
    const { p, t } = connect(new LineReceiver());
    p.sendLine(enc("abc"));
    p.sendLine("é");
    assert.equal(t.valueString(), "abc\r\né\r\n");
    p.delimiter = "\n";
    p.sendLine("x");
    assert.equal(t.valueString(), "abc\r\né\r\nx\n");
  });

  it("the delimiter may change between lines, even inside lineReceived", () => {
    const lines: string[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(dec(l));
        if (dec(l) === "switch") this.delimiter = "|";
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("a\r\nswitch\r\nb|c\r\n"));
    p.dataReceived(enc("d|"));
    assert.deepEqual(lines, ["a", "switch", "b", "c\r\nd"]);
    p.delimiter = "";
    assert.throws(() => p.dataReceived(enc("x")), /must not be empty/);
    // Still refused on the next call (the empty delimiter is never taken as current).
    assert.throws(() => p.dataReceived(enc("y")), /must not be empty/);
    assert.throws(() => p.sendLine("z"), /must not be empty/);
  });

  it("delivered lines are copies: later input does not change them", () => {
    const lines: Uint8Array[] = [];
    class R extends LineReceiver {
      override lineReceived(l: Uint8Array): void {
        lines.push(l);
      }
    }
    const { p } = connect(new R());
    const chunkA = enc("one\r\ntw");
    p.dataReceived(chunkA);
    chunkA.fill(0);
    p.dataReceived(enc("o\r\n"));
    assert.deepEqual(texts(lines), ["one", "two"]);
  });

  it("fuzz: random lines and raw blocks give the same output whatever the chunking", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      const parts: Uint8Array[] = [];
      const expected: string[] = [];
      const items = int(r, 1, 30);
      for (let i = 0; i < items; i++) {
        if (int(r, 0, 3) === 0) {
          const raw = bytes(r, int(r, 0, 40));
          parts.push(enc(`len ${raw.length}\n\n`), raw);
          expected.push(Array.from(enc(`len ${raw.length}`)).join(","), Array.from(raw).join(","));
        } else {
          const line = new Uint8Array(int(r, 1, 60)).map(() => int(r, 0, 255));
          line[0] = 0x78; // 'x': never "" nor "len ..."
          for (let k = 0; k < line.length; k++) if (line[k] === 10) line[k] = 11;
          parts.push(line, enc("\n"));
          expected.push(Array.from(line).join(","));
        }
      }
      const stream = concat(parts);
      const { p } = connect(new LineTester());
      feed(chunk(r, stream), (c) => p.dataReceived(c));
      assert.deepEqual(p.received.map((b) => Array.from(b).join(",")), expected, `seed ${seed}`);
    }
  });

  it("fuzz: CRLF lines with stray \\r and \\n survive any chunking", () => {
    for (let seed = 1000; seed < 1150; seed++) {
      const r = rng(seed);
      const lines: string[] = [];
      const alphabet = ["a", "b", "\r", "\n", "é", " "];
      for (let i = int(r, 0, 40); i > 0; i--) {
        let s = "";
        for (let k = int(r, 0, 30); k > 0; k--) s += alphabet[int(r, 0, alphabet.length - 1)];
        while (s.includes("\r\n") || s.endsWith("\r")) s = s.replace("\r\n", "").replace(/\r$/, "");
        lines.push(s);
      }
      const got: string[] = [];
      class R extends TextLineReceiver {
        override textLineReceived(l: string): void {
          got.push(l);
        }
      }
      const { p } = connect(new R());
      feed(chunk(r, enc(lines.map((l) => l + "\r\n").join(""))), (c) => p.dataReceived(c));
      assert.deepEqual(got, lines, `seed ${seed}`);
    }
  });

  it("fuzz: garbage with over-long lines never throws and closes the connection", () => {
    for (let seed = 2000; seed < 2100; seed++) {
      const r = rng(seed);
      class R extends LineReceiver {
        override MAX_LENGTH = 32;
        count = 0;
        override lineReceived(l: Uint8Array): void {
          assert.ok(l.length <= 32);
          this.count++;
        }
      }
      const { p, t } = connect(new R());
      const data = bytes(r, int(r, 100, 2000));
      feed(chunk(r, data), (c) => {
        if (!t.disconnecting) p.dataReceived(c);
      });
      // Random bytes hit "\r\n" rarely, so some line is always too long.
      assert.equal(t.disconnecting, true, `seed ${seed}`);
    }
  });

  it("is linear: one huge chunk of many lines, and a long line in 1-byte chunks", () => {
    let count = 0;
    class R extends LineReceiver {
      override MAX_LENGTH = 1 << 20;
      override lineReceived(_l: Uint8Array): void {
        count++;
      }
    }
    const start = performance.now();
    const many = connect(new R()).p;
    many.dataReceived(enc("0123456789abcdef\r\n".repeat(100_000)));
    assert.equal(count, 100_000);
    const slow = connect(new R()).p;
    const one = new Uint8Array([0x61]);
    for (let i = 0; i < 400_000; i++) slow.dataReceived(one);
    slow.dataReceived(enc("\r\n"));
    assert.equal(count, 100_001);
    const elapsed = performance.now() - start;
    // Linear takes well under a second; a quadratic scan or copy takes 10+ s here.
    assert.ok(elapsed < 4_000, `took ${elapsed} ms`);
  });
});

describe("TextLineReceiver", () => {
  it("decodes lines as UTF-8, replacing invalid sequences by default", () => {
    const got: string[] = [];
    class R extends TextLineReceiver {
      override textLineReceived(l: string): void {
        got.push(l);
      }
    }
    const { p } = connect(new R());
    p.dataReceived(concat([enc("héllo\r\n"), new Uint8Array([0xff, 0x41]), enc("\r\n")]));
    assert.deepEqual(got, ["héllo", "\uFFFDA"]);
  });

  it("with fatal, an invalid line goes to lineDecodingFailed, which closes by default", () => {
    const got: string[] = [];
    class R extends TextLineReceiver {
      override fatal = true;
      override textLineReceived(l: string): void {
        got.push(l);
      }
    }
    const { p, t } = connect(new R());
    p.dataReceived(concat([enc("ok\r\n"), new Uint8Array([0xc3]), enc("\r\nnot delivered\r\n")]));
    assert.deepEqual(got, ["ok"]);
    assert.equal(t.disconnecting, true);
  });

  it("textLineReceived must be overridden", () => {
    const { p } = connect(new TextLineReceiver());
    assert.throws(() => p.dataReceived(enc("x\r\n")), /textLineReceived/);
  });
});
