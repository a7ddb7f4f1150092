import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  LineOnlyReceiver,
  TextLineOnlyReceiver,
} from "../../../protocols/basic/line_only_receiver.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, chunk, dec, enc, feed, fixedChunks, int, rng } from "./_fuzz.ts";

class Collector extends LineOnlyReceiver {
  lines: string[] = [];
  exceeded: string[] = [];
  override lineReceived(l: Uint8Array): void {
    this.lines.push(dec(l));
  }
  override lineLengthExceeded(l: Uint8Array): void {
    this.exceeded.push(dec(l));
    super.lineLengthExceeded(l);
  }
}

function connect<P extends LineOnlyReceiver>(p: P): { p: P; t: StringTransport; } {
  const t = new StringTransport();
  p.makeConnection(t);
  return { p, t };
}

describe("LineOnlyReceiver (twisted.protocols.basic.LineOnlyReceiver)", () => {
  it("test_buffer: the same lines for every packet size", () => {
    const input = "foo\r\nbleakness\r\ndesolation\r\nfoo\r\nbar\r\n";
    for (let size = 1; size < 10; size++) {
      const { p } = connect(new Collector());
      for (const c of fixedChunks(enc(input), size)) p.dataReceived(c);
      assert.deepEqual(p.lines, ["foo", "bleakness", "desolation", "foo", "bar"]);
    }
  });

  it("drops the lines after the one during which the transport began disconnecting", () => {
    class R extends Collector {
      override lineReceived(l: Uint8Array): void {
        super.lineReceived(l);
        if (dec(l) === "quit") this.transport!.loseConnection();
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("a\r\nquit\r\nb\r\nc\r\ntail"));
    assert.deepEqual(p.lines, ["a", "quit"]);
  });

  it("a line over MAX_LENGTH calls lineLengthExceeded with just that line (Twisted [R])", () => {
    class R extends Collector {
      override MAX_LENGTH = 5;
    }
    const { p, t } = connect(new R());
    p.dataReceived(enc("12345\r\n123456\r\nxyz\r\n"));
    assert.deepEqual(p.lines, ["12345"]);
    assert.deepEqual(p.exceeded, ["123456"]);
    assert.equal(t.disconnecting, true);
  });

  it("an unterminated remainder over MAX_LENGTH (>, not >=) triggers it too (Twisted [R])", () => {
    class R extends Collector {
      override MAX_LENGTH = 5;
    }
    const five = connect(new R());
    five.p.dataReceived(enc("12345"));
    assert.deepEqual(five.p.exceeded, []);
    const six = connect(new R());
    six.p.dataReceived(enc("ok\r\n123456"));
    assert.deepEqual(six.p.lines, ["ok"]);
    assert.deepEqual(six.p.exceeded, ["123456"]);
  });

  it("a custom lineLengthExceeded that keeps the connection sees the following lines", () => {
    class R extends LineOnlyReceiver {
      override MAX_LENGTH = 3;
      lines: string[] = [];
      long: string[] = [];
      override lineReceived(l: Uint8Array): void {
        this.lines.push(dec(l));
      }
      override lineLengthExceeded(l: Uint8Array): void {
        this.long.push(dec(l));
      }
    }
    const { p } = connect(new R());
    // Twisted split the whole chunk up front: lines after the long one in the
    // same chunk are dropped, the unterminated tail is kept.
    p.dataReceived(enc("a\r\ntoolong\r\nb\r\nc"));
    p.dataReceived(enc("d\r\n"));
    assert.deepEqual(p.long, ["toolong"]);
    assert.deepEqual(p.lines, ["a", "cd"]);
  });

  it("sendLine uses writeSequence(line, delimiter); strings are UTF-8", () => {
    const { p, t } = connect(new Collector());
    const seqs: number[] = [];
    const orig = t.writeSequence.bind(t);
    t.writeSequence = (d): void => {
      const arr = [...d];
      seqs.push(arr.length);
      orig(arr);
    };
    p.sendLine("héllo");
    p.sendLine(enc("x"));
    assert.equal(t.valueString(), "héllo\r\nx\r\n");
    assert.deepEqual(seqs, [2, 2]);
  });

  it("lineReceived must be overridden", () => {
    const { p } = connect(new LineOnlyReceiver());
    assert.throws(() => p.dataReceived(enc("x\r\n")), /lineReceived/);
    p.delimiter = "";
    assert.throws(() => p.dataReceived(enc("x")), /must not be empty/);
    // Still refused on the next call (the empty delimiter is never taken as current).
    assert.throws(() => p.dataReceived(enc("y")), /must not be empty/);
    assert.throws(() => p.sendLine("z"), /must not be empty/);
  });

  it("TextLineOnlyReceiver decodes UTF-8", () => {
    const got: string[] = [];
    class R extends TextLineOnlyReceiver {
      override textLineReceived(l: string): void {
        got.push(l);
      }
    }
    const { p } = connect(new R());
    p.dataReceived(enc("ünï\r\ncode\r\n"));
    assert.deepEqual(got, ["ünï", "code"]);
    assert.throws(() => connect(new TextLineOnlyReceiver()).p.dataReceived(enc("x\r\n")));
  });

  it("fuzz: the same lines whatever the chunking; garbage never throws", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      const lines: string[] = [];
      for (let i = int(r, 0, 40); i > 0; i--) {
        let s = "";
        for (let k = int(r, 0, 25); k > 0; k--) s += "ab\r\n c"[int(r, 0, 5)];
        while (s.includes("\r\n") || s.endsWith("\r")) s = s.replace("\r\n", "").replace(/\r$/, "");
        lines.push(s);
      }
      const { p } = connect(new Collector());
      feed(chunk(r, enc(lines.map((l) => `${l}\r\n`).join(""))), (c) => p.dataReceived(c));
      assert.deepEqual(p.lines, lines, `seed ${seed}`);

      class Small extends Collector {
        override MAX_LENGTH = 16;
      }
      const g = connect(new Small());
      feed(chunk(r, bytes(r, int(r, 50, 500))), (c) => g.p.dataReceived(c));
      for (const l of g.p.lines) assert.ok(enc(l).length <= 16 * 3);
      assert.equal(g.t.disconnecting, true, `seed ${seed}: random bytes make an over-long line`);
    }
  });

  it("is linear on a long line fed one byte at a time", () => {
    class R extends Collector {
      override MAX_LENGTH = 1 << 20;
    }
    const { p } = connect(new R());
    const start = performance.now();
    const one = new Uint8Array([0x61]);
    for (let i = 0; i < 400_000; i++) p.dataReceived(one);
    p.dataReceived(enc("\r\n"));
    assert.equal(p.lines[0].length, 400_000);
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 4_000, `took ${elapsed} ms`);
  });
});
