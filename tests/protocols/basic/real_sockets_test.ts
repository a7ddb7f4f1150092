// The framing protocols over real loopback TCP (127.0.0.1), on the default FFI
// reactor and on the host reactor: many messages in whatever chunks the
// kernel makes, and LineReceiver's pauseProducing holding lines back.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FileSender } from "../../../protocols/basic/file_sender.ts";
import { Int32StringReceiver } from "../../../protocols/basic/int_n_string_receiver.ts";
import { LineReceiver } from "../../../protocols/basic/line_receiver.ts";
import { ClientFactory, Factory } from "../../../protocols/factory.ts";
import { Protocol } from "../../../protocols/protocol.ts";
import { defaultReactorKind, type Reactor, type ReactorKind } from "../../../reactor/install.ts";
import { waitFor as until, withReactor } from "../../reactor/_helpers.ts";

const KINDS: ReactorKind[] = [defaultReactorKind(), "host"];

/** Connect a client of class C to a listening server of class S on 127.0.0.1. */
async function pair<S extends Protocol, C extends Protocol>(
  r: Reactor,
  S: new() => S,
  C: new() => C,
): Promise<{ server: () => S | null; client: () => C | null; close: () => Promise<void>; }> {
  let server: S | null = null;
  let client: C | null = null;
  class SF extends Factory {
    override buildProtocol(): S {
      server = new S();
      return server;
    }
  }
  class CF extends ClientFactory {
    override buildProtocol(): C {
      client = new C();
      return client;
    }
  }
  const sf = new SF();
  sf.noisy = false;
  const cf = new CF();
  cf.noisy = false;
  const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
  r.connectTCP("127.0.0.1", port.getHost().port, cf, { timeout: 5 });
  await until(() => server !== null && client !== null, 10_000, "the connection");
  return {
    server: () => server,
    client: () => client,
    close: async () => {
      client?.transport?.loseConnection();
      await port.stopListening();
    },
  };
}

class Lines extends LineReceiver {
  count = 0;
  bad = 0;
  override MAX_LENGTH = 1 << 20;
  override lineReceived(line: Uint8Array): void {
    // Line i is "i:" followed by i % 97 'x's.
    const text = new TextDecoder().decode(line);
    const [n, pad] = text.split(":");
    if (Number(n) !== this.count || pad.length !== this.count % 97) this.bad++;
    this.count++;
  }
}

class Strings extends Int32StringReceiver {
  count = 0;
  bytes = 0;
  override MAX_LENGTH = 1 << 20;
  override stringReceived(s: Uint8Array): void {
    if (s.length !== (this.count * 7919) % 70000) throw new Error(`bad length at ${this.count}`);
    this.count++;
    this.bytes += s.length;
  }
}

for (const kind of KINDS) {
  describe(`framing protocols on real sockets (${kind} reactor)`, () => {
    it("20000 lines arrive intact and in order", async () => {
      await withReactor(kind, async (r) => {
        const c = await pair(r, Lines, Lines);
        const N = 20_000;
        const parts: string[] = [];
        for (let i = 0; i < N; i++) parts.push(`${i}:${"x".repeat(i % 97)}\r\n`);
        c.client()!.transport!.write(parts.join(""));
        await until(() => c.server()!.count === N, 15_000, "all lines");
        assert.equal(c.server()!.bad, 0);
        await c.close();
      });
    });

    it("Int32 strings up to 70 KB arrive intact", async () => {
      await withReactor(kind, async (r) => {
        const c = await pair(r, Strings, Strings);
        const N = 300;
        let total = 0;
        for (let i = 0; i < N; i++) {
          const len = (i * 7919) % 70000;
          total += len;
          c.client()!.sendString(new Uint8Array(len).fill(i & 0xff));
        }
        await until(() => c.server()!.count === N, 15_000, "all strings");
        assert.equal(c.server()!.bytes, total);
        await c.close();
      });
    });

    it("FileSender streams 2 MB through a real transport (pull producer)", async () => {
      await withReactor(kind, async (r) => {
        class Sink extends Protocol {
          received = 0;
          sum = 0;
          override dataReceived(d: Uint8Array): void {
            for (let i = 0; i < d.length; i++) {
              this.sum = (this.sum + d[i] * ((this.received + i) % 251)) % 1_000_003;
            }
            this.received += d.length;
          }
        }
        const c = await pair(r, Sink, Sink);
        const data = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
        let expected = 0;
        for (let i = 0; i < data.length; i++) {
          expected = (expected + data[i] * (i % 251)) % 1_000_003;
        }
        let pos = 0;
        const last = await new FileSender().beginFileTransfer({
          read(size: number): Uint8Array {
            const out = data.subarray(pos, pos + size);
            pos += out.length;
            return out;
          },
        }, c.client()!.transport!);
        assert.equal(last[0], data[data.length - 1]);
        await until(() => c.server()!.received === data.length, 15_000, "all bytes");
        assert.equal(c.server()!.sum, expected);
        await c.close();
      });
    });

    it("pauseProducing stops delivery until resumeProducing, then all lines follow in order", async () => {
      await withReactor(kind, async (r) => {
        class Pausing extends Lines {
          override lineReceived(line: Uint8Array): void {
            super.lineReceived(line);
            if (this.count === 1) this.pauseProducing();
          }
        }
        const c = await pair(r, Pausing, Lines);
        const N = 5_000;
        const parts: string[] = [];
        for (let i = 0; i < N; i++) parts.push(`${i}:${"x".repeat(i % 97)}\r\n`);
        c.client()!.transport!.write(parts.join(""));
        await until(() => c.server()!.count >= 1, 10_000, "the first line");
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(c.server()!.count, 1, "nothing delivered while paused");
        c.server()!.resumeProducing();
        await until(() => c.server()!.count === N, 15_000, "the rest after resuming");
        assert.equal(c.server()!.bad, 0);
        await c.close();
      });
    });
  });
}
