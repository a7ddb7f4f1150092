// Producers and consumers on the FFI transports: Twisted's abstract.FileDescriptor
// semantics (pause a streaming producer above bufferSize, resume it when the
// buffer drains; ask a pull producer for each chunk; stopProducing on loss).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IPullProducer, IPushProducer, ITCPTransport } from "../../interfaces.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/install.ts";
import { accepted, tcpPair, whenMade } from "./_connect.ts";
import { Checksum, KINDS, pattern, Recorder, sleep, waitFor, withReactor } from "./_helpers.ts";

/** A push producer writing `total` bytes in `chunk`-sized writes, one batch per reactor turn. */
class Streamer implements IPushProducer {
  paused = false;
  pauses = 0;
  resumes = 0;
  stopped = false;
  sent = 0;
  maxBuffered = 0;
  sum = new Checksum();
  constructor(
    private r: Reactor,
    private t: ITCPTransport & { bufferedAmount?: number; },
    private total: number,
    private chunk: number,
  ) {}
  start(): void {
    this.t.registerProducer(this, true);
    this.pump();
  }
  private pump(): void {
    if (this.stopped) return;
    let batch = 0;
    while (!this.paused && this.sent < this.total && batch < 32) {
      const n = Math.min(this.chunk, this.total - this.sent);
      const data = pattern(n, (this.sent / this.chunk) | 0);
      this.sum.update(data);
      this.t.write(data);
      this.sent += n;
      batch++;
      this.maxBuffered = Math.max(this.maxBuffered, this.t.bufferedAmount ?? 0);
    }
    if (this.sent >= this.total) {
      this.t.unregisterProducer();
      this.t.loseConnection();
      return;
    }
    if (!this.paused) this.r.callLater(0, () => this.pump());
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.resumes++;
    if (!this.paused) return;
    this.paused = false;
    this.r.callLater(0, () => this.pump());
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

class SummingRecorder extends Recorder {
  sum = new Checksum();
  override dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
    this.sum.update(data);
  }
}

for (const kind of KINDS) {
  describe(`producers and consumers on ${kind}`, () => {
    it("pauses a streaming producer for a slow reader and resumes it; memory stays bounded", () =>
      withReactor(kind, async (r) => {
        const total = 8 * 1024 * 1024;
        const chunk = 16 * 1024;
        let streamer: Streamer | null = null;
        const { port, client } = await tcpPair(r, {
          server: whenMade((p) => {
            streamer = new Streamer(r, p.transport as ITCPTransport, total, chunk);
            streamer.start();
          }),
          client: () => new SummingRecorder(),
        });
        // The reader stalls: the kernel buffers fill, then our buffer, then the producer pauses.
        (client.transport as ITCPTransport).pauseProducing();
        await waitFor(() => streamer !== null && streamer.paused, 10000, "producer paused");
        const atPause = client.received;
        await sleep(150);
        assert.equal(client.received, atPause, "a paused transport reads nothing");
        assert.ok(streamer!.paused);
        (client.transport as ITCPTransport).resumeProducing();
        const reason = await client.lost;
        assert.ok(reason.value instanceof ConnectionDone);
        const s = streamer!;
        assert.equal(client.received, total);
        assert.equal(client.sum.h, s.sum.h, "checksums match");
        assert.ok(s.pauses >= 1 && s.resumes >= 1, `pauses=${s.pauses} resumes=${s.resumes}`);
        // Twisted's rule: pause once the buffer passes bufferSize (64 KiB); one batch may overshoot.
        assert.ok(s.maxBuffered <= 65536 + 32 * chunk, `buffered up to ${s.maxBuffered}`);
        await port.stopListening();
      }));

    it("asks a pull producer for one chunk at a time", () =>
      withReactor(kind, async (r) => {
        const chunks = 200;
        const size = 10000;
        let calls = 0;
        const { port, client } = await tcpPair(r, {
          server: whenMade((p) => {
            const t = p.transport!;
            const producer: IPullProducer = {
              resumeProducing(): void {
                calls++;
                if (calls > chunks) {
                  t.unregisterProducer();
                  t.loseConnection();
                  return;
                }
                t.write(pattern(size, calls));
              },
              stopProducing(): void {},
            };
            t.registerProducer(producer, false);
            assert.equal(calls, 1, "resumeProducing is called at registration");
          }),
        });
        await client.lost;
        assert.equal(client.received, chunks * size);
        const data = client.data();
        for (let i = 0; i < chunks; i++) {
          assert.deepEqual(data.subarray(i * size, (i + 1) * size), pattern(size, i + 1));
        }
        await port.stopListening();
      }));

    it("a second registerProducer throws; connection loss calls stopProducing", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client } = await tcpPair(r);
        const t = client.transport!;
        let stops = 0;
        const p: IPushProducer = {
          pauseProducing(): void {},
          resumeProducing(): void {},
          stopProducing(): void {
            stops++;
          },
        };
        t.registerProducer(p, true);
        assert.throws(() => t.registerProducer(p, true), /producer/);
        (await accepted(sf)).transport!.loseConnection();
        await client.lost;
        assert.equal(stops, 1);
        // Registering on a closed transport stops the producer at once.
        t.registerProducer(p, true);
        assert.equal(stops, 2);
        await port.stopListening();
      }));

    it("transport.pauseProducing stops reads until resumeProducing", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client } = await tcpPair(r);
        const server = await accepted(sf);
        (server.transport as ITCPTransport).pauseProducing();
        client.transport!.write("while paused");
        await sleep(100);
        assert.equal(server.received, 0);
        (server.transport as ITCPTransport).resumeProducing();
        await waitFor(() => server.received === 12, 5000, "read after resume");
        client.transport!.loseConnection();
        await server.lost;
        await port.stopListening();
      }));
  });
}
