import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  IntNStringReceiver,
  StringTooLongError,
} from "../../../protocols/basic/int_n_string_receiver.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, chunk, concat, dec, enc, feed, fixedChunks, hex, int, rng } from "./_fuzz.ts";

type Ctor = new() => IntNStringReceiver;

function collector(Base: Ctor): new() => IntNStringReceiver & {
  strings: Uint8Array[];
  limits: number[];
} {
  return class extends Base {
    strings: Uint8Array[] = [];
    limits: number[] = [];
    override stringReceived(s: Uint8Array): void {
      this.strings.push(s);
    }
    override lengthLimitExceeded(n: number): void {
      this.limits.push(n);
      super.lengthLimitExceeded(n);
    }
  };
}

function frame(prefix: number, s: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix + s.length);
  let n = s.length;
  for (let i = prefix - 1; i >= 0; i--) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  out.set(s, prefix);
  return out;
}

const kinds: Array<[string, Ctor, number]> = [
  ["Int32StringReceiver", Int32StringReceiver as Ctor, 4],
  ["Int16StringReceiver", Int16StringReceiver as Ctor, 2],
  ["Int8StringReceiver", Int8StringReceiver as Ctor, 1],
];

for (const [name, Base, prefix] of kinds) {
  const C = collector(Base);
  const connect = (): { p: InstanceType<typeof C>; t: StringTransport; } => {
    const p = new C();
    const t = new StringTransport();
    p.makeConnection(t);
    return { p, t };
  };

  describe(`${name} (twisted.protocols.basic, IntNTestCaseMixin)`, () => {
    it("has a big-endian prefix of the right size and MAX_LENGTH 99999", () => {
      const { p } = connect();
      assert.equal(p.prefixLength, prefix);
      assert.equal(p.MAX_LENGTH, 99999);
    });

    it("test_receive: strings arrive whatever the packet size, empty ones included", () => {
      const strings = ["a", "b".repeat(16), "", "xyz".repeat(80).slice(0, 255)];
      const stream = concat(strings.map((s) => frame(prefix, enc(s))));
      for (let size = 1; size < 12; size++) {
        const { p } = connect();
        for (const c of fixedChunks(stream, size)) p.dataReceived(c);
        assert.deepEqual(p.strings.map(dec), strings, `size ${size}`);
      }
    });

    it("test_partial: an incomplete string is not delivered", () => {
      const { p } = connect();
      p.dataReceived(frame(prefix, enc("hello")).subarray(0, prefix + 3));
      assert.deepEqual(p.strings, []);
      p.dataReceived(enc("lo"));
      assert.deepEqual(p.strings.map(dec), ["hello"]);
    });

    it("test_send: sendString writes the prefix then the bytes; strings are UTF-8", () => {
      const { p, t } = connect();
      p.sendString(enc("b".repeat(16)));
      p.sendString("é");
      assert.equal(
        hex(t.value()),
        hex(concat([frame(prefix, enc("b".repeat(16))), frame(prefix, enc("é"))])),
      );
    });

    it("test_lengthLimitExceeded: called with the announced length; the default disconnects", () => {
      const { p, t } = connect();
      p.MAX_LENGTH = 10;
      p.dataReceived(concat([frame(prefix, enc("0123456789")), frame(prefix, enc("0123456789X"))]));
      assert.deepEqual(p.strings.map(dec), ["0123456789"]);
      assert.deepEqual(p.limits, [11]);
      assert.equal(t.disconnecting, true);
    });

    it("test_longStringNotDelivered even when all its bytes arrive", () => {
      const { p } = connect();
      p.MAX_LENGTH = 3;
      for (const c of fixedChunks(frame(prefix, enc("abcd")), 1)) p.dataReceived(c);
      assert.deepEqual(p.strings, []);
      assert.deepEqual(p.limits[0], 4);
    });

    it("pauseProducing holds back strings until resumeProducing", () => {
      const { p, t } = connect();
      p.pauseProducing();
      assert.equal(t.producerState, "paused");
      p.dataReceived(concat([frame(prefix, enc("x")), frame(prefix, enc("y"))]));
      assert.deepEqual(p.strings, []);
      p.resumeProducing();
      assert.equal(t.producerState, "producing");
      assert.deepEqual(p.strings.map(dec), ["x", "y"]);
      p.stopProducing();
      p.dataReceived(frame(prefix, enc("z")));
      assert.deepEqual(p.strings.map(dec), ["x", "y"]);
      assert.equal(t.producerState, "stopped");
    });

    it("fuzz: the same strings whatever the chunking", () => {
      for (let seed = 1; seed <= 120; seed++) {
        const r = rng(seed * 7 + prefix);
        const payloads: Uint8Array[] = [];
        for (let i = int(r, 0, 20); i > 0; i--) {
          payloads.push(bytes(r, int(r, 0, prefix === 1 ? 255 : 700)));
        }
        const { p } = connect();
        feed(chunk(r, concat(payloads.map((s) => frame(prefix, s)))), (c) => p.dataReceived(c));
        assert.deepEqual(p.strings.map(hex), payloads.map(hex), `seed ${seed}`);
      }
    });

    it("fuzz: garbage never throws; over-long prefixes close the connection", () => {
      for (let seed = 300; seed < 400; seed++) {
        const r = rng(seed);
        const { p, t } = connect();
        p.MAX_LENGTH = 20;
        feed(chunk(r, bytes(r, int(r, 0, 400))), (c) => p.dataReceived(c));
        for (const s of p.strings) assert.ok(s.length <= 20);
        assert.equal(t.disconnecting, p.limits.length > 0);
        for (const n of p.limits) assert.ok(n > 20);
      }
    });
  });
}

describe("IntNStringReceiver.sendString limits (Twisted [R])", () => {
  it("Int8 accepts 255 bytes but not 256", () => {
    const p = new Int8StringReceiver();
    p.makeConnection(new StringTransport());
    p.sendString(new Uint8Array(255));
    assert.throws(() => p.sendString(new Uint8Array(256)), StringTooLongError);
    assert.throws(() => p.sendString(new Uint8Array(256)), /256 bytes.*maximum.*255/);
  });

  it("Int16 accepts 65535 bytes but not 65536", () => {
    const p = new Int16StringReceiver();
    const t = new StringTransport();
    p.makeConnection(t);
    p.sendString(new Uint8Array(65535));
    assert.equal(t.value().length, 65537);
    assert.throws(() => p.sendString(new Uint8Array(65536)), StringTooLongError);
  });

  it("a custom prefix length works both ways (3 bytes)", () => {
    class Int24 extends IntNStringReceiver {
      override prefixLength = 3;
      got: string[] = [];
      override stringReceived(s: Uint8Array): void {
        this.got.push(dec(s));
      }
    }
    const p = new Int24();
    const t = new StringTransport();
    p.makeConnection(t);
    p.sendString("hello");
    assert.equal(hex(t.value()), "00000568656c6c6f");
    p.dataReceived(t.value());
    assert.deepEqual(p.got, ["hello"]);
  });

  it("Int32 reads lengths above 2^31 as unsigned (and refuses them by MAX_LENGTH)", () => {
    const C = collector(Int32StringReceiver as Ctor);
    const p = new C();
    p.makeConnection(new StringTransport());
    p.dataReceived(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(p.limits, [0xffffffff]);
  });

  it("stringReceived must be overridden", () => {
    const p = new Int8StringReceiver();
    p.makeConnection(new StringTransport());
    assert.throws(() => p.dataReceived(new Uint8Array([1, 65])), /stringReceived/);
  });

  it("is linear on a big string fed one byte at a time", () => {
    const C = collector(Int32StringReceiver as Ctor);
    const p = new C();
    p.MAX_LENGTH = 1 << 20;
    p.makeConnection(new StringTransport());
    const stream = frame(4, new Uint8Array(300_000).fill(7));
    const start = performance.now();
    for (let i = 0; i < stream.length; i++) p.dataReceived(stream.subarray(i, i + 1));
    assert.equal(p.strings[0].length, 300_000);
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 4_000, `took ${elapsed} ms`);
  });
});
