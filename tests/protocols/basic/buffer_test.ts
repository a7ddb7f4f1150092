// The framing protocols' receive buffer (protocols/basic/_buffer.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteBuffer } from "../../../protocols/basic/_buffer.ts";
import { bytes, chunk, int, rng } from "./_fuzz.ts";

function naiveIndexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

describe("ByteBuffer", () => {
  it("indexOf agrees with a naive search (short and long distances, any chunking)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      // A small alphabet so needles occur; lengths well past the 64-byte JS scan.
      const hay = bytes(r, int(r, 0, 400)).map((b) => b % 3);
      const needle = bytes(r, int(r, 1, 3)).map((b) => b % 3);
      const buf = new ByteBuffer();
      for (const c of chunk(r, hay)) buf.append(c);
      const skip = int(r, 0, hay.length);
      buf.skip(skip);
      const rest = hay.subarray(skip);
      const from = int(r, 0, rest.length);
      assert.equal(buf.indexOf(needle, from), naiveIndexOf(rest, needle, from), `seed ${seed}`);
    }
  });

  it("views handed out never change, however much is appended or consumed afterwards", () => {
    const r = rng(42);
    const buf = new ByteBuffer();
    const kept: Array<[Uint8Array, number[]]> = [];
    for (let round = 0; round < 2000; round++) {
      buf.append(bytes(r, int(r, 1, 300)));
      while (buf.length > 0 && int(r, 0, 2) > 0) {
        const v = buf.take(int(r, 0, buf.length));
        kept.push([v, Array.from(v)]);
      }
      if (int(r, 0, 50) === 0) buf.clear();
    }
    for (const [view, copy] of kept) assert.deepEqual(Array.from(view), copy);
  });

  it("the input array is copied: the caller may reuse it", () => {
    const buf = new ByteBuffer();
    const input = new Uint8Array([1, 2, 3]);
    buf.append(input);
    input.fill(9);
    assert.deepEqual(Array.from(buf.takeAll()), [1, 2, 3]);
    buf.append(new Uint8Array([4, 5]));
    assert.deepEqual(Array.from(buf.copyAll()), [4, 5]);
    assert.equal(buf.length, 2, "copyAll leaves the bytes unread");
    assert.equal(buf.at(1), 5);
  });
});
