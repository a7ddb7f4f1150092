import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  NetstringParseError,
  NetstringReceiver,
} from "../../../protocols/basic/netstring_receiver.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, chunk, concat, dec, enc, feed, fixedChunks, hex, int, rng } from "./_fuzz.ts";

class Collector extends NetstringReceiver {
  strings: Uint8Array[] = [];
  override stringReceived(s: Uint8Array): void {
    this.strings.push(s);
  }
}

function connect(max?: number): { p: Collector; t: StringTransport; } {
  const p = new Collector();
  if (max !== undefined) p.MAX_LENGTH = max;
  const t = new StringTransport();
  p.makeConnection(t);
  return { p, t };
}

function netstring(s: Uint8Array): Uint8Array {
  return concat([enc(`${s.length}:`), s, enc(",")]);
}

describe("NetstringReceiver (twisted.protocols.basic.NetstringReceiver)", () => {
  it("test_buffer: Twisted's strings, for every packet size", () => {
    const strings = ["hello", "world", "how", "are", "you123", ":today", "a".repeat(515)];
    const stream = concat(strings.map((s) => netstring(enc(s))));
    for (let size = 1; size < 20; size++) {
      const { p, t } = connect();
      for (const c of fixedChunks(stream, size)) p.dataReceived(c);
      assert.deepEqual(p.strings.map(dec), strings);
      assert.equal(t.disconnecting, false);
    }
  });

  it("sendString writes <len>:<data>, (Twisted [R]); strings are UTF-8", () => {
    const { p, t } = connect();
    p.sendString(enc("foo"));
    p.sendString("é");
    p.sendString(new Uint8Array(0));
    assert.equal(t.valueString(), "3:foo,2:é,0:,");
  });

  it("is a push producer like the other receivers: strings wait while paused, flow on resume", () => {
    for (let size = 1; size < 8; size++) {
      const { p, t } = connect();
      p.pauseProducing();
      assert.equal(p.paused, true);
      assert.equal(t.producerState, "paused");
      for (const c of fixedChunks(enc("3:one,3:two,"), size)) p.dataReceived(c);
      assert.deepEqual(p.strings.map(dec), [], `size ${size}`);
      p.resumeProducing();
      assert.equal(t.producerState, "producing");
      assert.deepEqual(p.strings.map(dec), ["one", "two"], `size ${size}`);
    }
    const { p, t } = connect();
    p.stopProducing();
    p.dataReceived(enc("1:x,"));
    assert.deepEqual(p.strings, []);
    assert.equal(t.producerState, "stopped");
  });

  it("the empty netstring 0:, is valid", () => {
    const { p } = connect();
    p.dataReceived(enc("0:,0:,"));
    assert.deepEqual(p.strings.map(dec), ["", ""]);
  });

  const illegal: Array<[string, string]> = [
    ["9999999999999999999999", "too long a length"],
    ["abc", "not a number"],
    ["4:abcde", "no comma after the payload"],
    ["51:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZab,", "no comma after 51 bytes"],
    ["01:a,", "leading zero"],
    ["00:", "leading zeros"],
    ["-1:", "negative length"],
    [" 1:a,", "leading whitespace"],
    ["1 :a,", "space before the colon"],
    ["100000", "a partial length over MAX_LENGTH"],
    ["100000:", "a length over MAX_LENGTH"],
    ["3:abc;", "a semicolon for the comma"],
  ];
  for (const [input, why] of illegal) {
    it(`rejects ${JSON.stringify(input)} (${why}): brokenPeer, parseError, connection closed`, () => {
      for (let size = 1; size <= input.length; size++) {
        const { p, t } = connect();
        for (const c of fixedChunks(enc(input), size)) p.dataReceived(c);
        assert.equal(p.brokenPeer, true, `size ${size}`);
        assert.ok(p.parseError instanceof NetstringParseError);
        assert.ok(p.parseError instanceof Error);
        assert.equal(t.disconnecting, true);
        assert.deepEqual(p.strings, []);
      }
    });
  }

  it("explains each error", () => {
    const cases: Array<[string, RegExp]> = [
      ["x", /does not start with a length/],
      ["100000", /longer than the maximum 99999/],
      ["2:abc", /not terminated by a comma/],
    ];
    for (const [input, re] of cases) {
      const { p } = connect();
      p.dataReceived(enc(input));
      assert.match(p.parseError!.message, re);
    }
  });

  it("delivers the strings before the error, then ignores everything (Twisted [R])", () => {
    const { p, t } = connect();
    p.dataReceived(enc("3:abc,2:de,x:3:fgh,"));
    assert.deepEqual(p.strings.map(dec), ["abc", "de"]);
    assert.equal(t.disconnecting, true);
    p.dataReceived(enc("1:z,"));
    assert.deepEqual(p.strings.map(dec), ["abc", "de"]);
  });

  it("a partial length is validated early: 6 digits over MAX_LENGTH fail before the colon", () => {
    const { p } = connect();
    p.dataReceived(enc("99999"));
    assert.equal(p.brokenPeer, false, "99999 may still become 99999:");
    p.dataReceived(enc("9"));
    assert.equal(p.brokenPeer, true);
  });

  it("honours a custom MAX_LENGTH", () => {
    const { p } = connect(10);
    p.dataReceived(enc("10:0123456789,"));
    assert.deepEqual(p.strings.map(dec), ["0123456789"]);
    p.dataReceived(enc("11:"));
    assert.equal(p.brokenPeer, true);
  });

  it("a custom handleParseError may keep the connection open", () => {
    class Lenient extends Collector {
      errors: string[] = [];
      override handleParseError(e: NetstringParseError): void {
        this.errors.push(e.message);
      }
    }
    const p = new Lenient();
    const t = new StringTransport();
    p.makeConnection(t);
    p.dataReceived(enc("x"));
    assert.equal(p.errors.length, 1);
    assert.equal(t.disconnecting, false);
    p.dataReceived(enc("1:a,"));
    assert.deepEqual(p.strings.map(dec), ["a"]);
  });

  it("stringReceived must be overridden", () => {
    const p = new NetstringReceiver();
    p.makeConnection(new StringTransport());
    assert.throws(() => p.dataReceived(enc("1:a,")), /stringReceived/);
  });

  it("fuzz: random payloads give the same strings whatever the chunking", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const payloads: Uint8Array[] = [];
      for (let i = int(r, 0, 20); i > 0; i--) {
        payloads.push(bytes(r, int(r, 0, int(r, 0, 1) ? 10 : 3000)));
      }
      const { p, t } = connect();
      feed(chunk(r, concat(payloads.map(netstring))), (c) => p.dataReceived(c));
      assert.deepEqual(p.strings.map(hex), payloads.map(hex), `seed ${seed}`);
      assert.equal(t.disconnecting, false);
    }
  });

  it("fuzz: corrupted streams never throw, and the outcome does not depend on chunking", () => {
    for (let seed = 500; seed < 700; seed++) {
      const r = rng(seed);
      const payloads: Uint8Array[] = [];
      for (let i = int(r, 1, 10); i > 0; i--) payloads.push(bytes(r, int(r, 0, 50)));
      const stream = concat(payloads.map(netstring));
      // Corrupt one to three bytes, or splice in garbage.
      for (let k = int(r, 1, 3); k > 0; k--) stream[int(r, 0, stream.length - 1)] = int(r, 0, 255);
      const outcomes = new Set<string>();
      for (let run = 0; run < 4; run++) {
        const { p, t } = connect(200);
        const chunks = run === 0 ? [stream.slice()] : chunk(r, stream);
        feed(chunks, (c) => p.dataReceived(c));
        outcomes.add(`${p.strings.map(hex).join("|")}/${p.brokenPeer}/${t.disconnecting}`);
        if (p.brokenPeer) assert.ok(p.parseError instanceof NetstringParseError);
      }
      assert.equal(outcomes.size, 1, `seed ${seed}: ${[...outcomes].join(" vs ")}`);
    }
  });

  it("is linear on a big netstring fed one byte at a time", () => {
    const { p } = connect(1 << 20);
    const payload = new Uint8Array(300_000).fill(0x61);
    const stream = netstring(payload);
    const start = performance.now();
    for (let i = 0; i < stream.length; i++) p.dataReceived(stream.subarray(i, i + 1));
    assert.equal(p.strings[0].length, 300_000);
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 4_000, `took ${elapsed} ms`);
  });
});
