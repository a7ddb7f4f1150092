import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatefulProtocol, type StatefulState } from "../../../protocols/basic/stateful.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, chunk, concat, dec, enc, feed, fixedChunks, hex, int, rng } from "./_fuzz.ts";

/** Twisted's test_stateful MyInt32StringReceiver shape: a 2-digit ASCII header, then the body. */
class Records extends StatefulProtocol {
  pairs: Array<[string, string]> = [];
  #header = "";
  override getInitialState(): StatefulState {
    return [this.header, 2];
  }
  header(data: Uint8Array): StatefulState {
    this.#header = dec(data);
    return [this.body, Number(this.#header)];
  }
  body(data: Uint8Array): StatefulState {
    this.pairs.push([this.#header, dec(data)]);
    return [this.header, 2];
  }
}

function connect<P extends StatefulProtocol>(p: P): { p: P; t: StringTransport; } {
  const t = new StringTransport();
  p.makeConnection(t);
  return { p, t };
}

describe("StatefulProtocol (twisted.protocols.stateful)", () => {
  it("03abc02xy parses into header/body pairs (Twisted [R]), for every packet size", () => {
    for (let size = 1; size < 10; size++) {
      const { p } = connect(new Records());
      for (const c of fixedChunks(enc("03abc02xy00"), size)) p.dataReceived(c);
      assert.deepEqual(p.pairs, [["03", "abc"], ["02", "xy"], ["00", ""]], `size ${size}`);
    }
  });

  it("a handler returning null keeps the state; handlers run with this = the protocol", () => {
    class Fixed extends StatefulProtocol {
      got: string[] = [];
      override getInitialState(): StatefulState {
        return [this.rec, 3];
      }
      rec(data: Uint8Array): null {
        this.got.push(dec(data));
        return null;
      }
    }
    const { p } = connect(new Fixed());
    p.dataReceived(enc("abcdefg"));
    p.dataReceived(enc("hi"));
    assert.deepEqual(p.got, ["abc", "def", "ghi"]);
  });

  it("getInitialState runs after connectionMade", () => {
    const order: string[] = [];
    class P extends StatefulProtocol {
      override connectionMade(): void {
        order.push("made");
      }
      override getInitialState(): StatefulState {
        order.push("initial");
        return [() => null, 1];
      }
    }
    connect(new P());
    assert.deepEqual(order, ["made", "initial"]);
    assert.throws(() => connect(new StatefulProtocol()), /getInitialState/);
  });

  it("stops processing once the transport is disconnecting", () => {
    class P extends StatefulProtocol {
      got: string[] = [];
      override getInitialState(): StatefulState {
        return [this.rec, 1];
      }
      rec(data: Uint8Array): null {
        this.got.push(dec(data));
        if (dec(data) === "q") this.transport!.loseConnection();
        return null;
      }
    }
    const { p } = connect(new P());
    p.dataReceived(enc("abqcd"));
    assert.deepEqual(p.got, ["a", "b", "q"]);
  });

  it("a 0-byte state must move on (instead of looping forever)", () => {
    class P extends StatefulProtocol {
      override getInitialState(): StatefulState {
        return [() => null, 0];
      }
    }
    const { p } = connect(new P());
    assert.throws(() => p.dataReceived(enc("x")), /0 bytes must return the next state/);
    const early = new Records();
    assert.throws(() => early.dataReceived(enc("x")), /before makeConnection/);
  });

  it("fuzz: random records survive any chunking", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      class Binary extends StatefulProtocol {
        bodies: string[] = [];
        override getInitialState(): StatefulState {
          return [this.head, 1];
        }
        head(d: Uint8Array): StatefulState {
          return [this.body, d[0]];
        }
        body(d: Uint8Array): StatefulState {
          this.bodies.push(hex(d));
          return [this.head, 1];
        }
      }
      const bodies: Uint8Array[] = [];
      for (let i = int(r, 0, 30); i > 0; i--) bodies.push(bytes(r, int(r, 0, 255)));
      const stream = concat(bodies.map((b) => concat([new Uint8Array([b.length]), b])));
      const { p } = connect(new Binary());
      feed(chunk(r, stream), (c) => p.dataReceived(c));
      assert.deepEqual(p.bodies, bodies.map(hex), `seed ${seed}`);
    }
  });
});
