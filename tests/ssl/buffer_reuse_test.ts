/**
 * The TLS wrapper's buffer reuse over loopback TCP, both engines: the
 * OpenSSL engine reuses one ciphertext-out buffer while the transport sends
 * it at once, and lends its SSL_read buffer to a wrapped protocol that
 * borrows (`IBorrowingProtocol`). A wrapped protocol that keeps `data`
 * without borrowing still owns it, and a reader that stops reading until
 * the sender's socket buffer is full gets every byte intact.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IBorrowingProtocol, IPushProducer } from "../../interfaces.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import type { TLSMemoryBIOProtocol } from "../../protocols/tls.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import type { ReactorKind } from "../../reactor/install.ts";
import type { Reactor } from "../../reactor/install.ts";
import { defaultPollerKind } from "../../reactor/pollers/mod.ts";
import { CertificateOptions, optionsForClientTLS, type TLSEngineName } from "../../ssl/mod.ts";
import { waitFor, withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { ENGINES } from "./_helpers.ts";

const TOTAL = 6 * 1024 * 1024;
const CHUNK = 16 * 1024;

function checksum(sum: number, data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) sum = (sum * 31 + data[i]) % 1_000_003;
  return sum;
}

/** Fill chunk number `n` so that no two chunks are alike. */
function fill(chunk: Uint8Array, n: number): void {
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + n * 13 + (i >> 8)) & 0xff;
}

/**
 * Send TOTAL bytes from a client through a push producer that reuses one
 * chunk, to the `server` protocol; resolves with the checksum the client
 * computed, once the client is closed. `sender.paused` tells whether the
 * client's producer is paused (its socket buffer is full).
 */
async function sendAll(
  reactor: Reactor,
  engine: TLSEngineName,
  server: Protocol,
  sender: { paused: boolean; } = { paused: false },
): Promise<number> {
  const certs = testCertificates();
  const f = new Factory();
  f.noisy = false;
  f.buildProtocol = () => server;
  const port = reactor.listenSSL(0, f, new CertificateOptions({ certificate: certs.server.pc }), {
    interface: "127.0.0.1",
    engine,
  });
  let expected = 0;
  let lost = false;
  const client = new (class extends Protocol implements IPushProducer {
    sent = 0;
    paused = false;
    chunk = new Uint8Array(CHUNK);
    override connectionMade(): void {
      this.transport!.registerProducer(this, true);
      this.resumeProducing();
    }
    pauseProducing(): void {
      this.paused = sender.paused = true;
    }
    resumeProducing(): void {
      this.paused = sender.paused = false;
      const t = this.transport!;
      while (!this.paused && this.sent < TOTAL) {
        fill(this.chunk, this.sent / CHUNK);
        expected = checksum(expected, this.chunk);
        t.write(this.chunk); // the same buffer every time: TLS must not keep it
        this.sent += CHUNK;
      }
      if (this.sent >= TOTAL && !this.paused) {
        t.unregisterProducer();
        t.loseConnection();
      }
    }
    stopProducing(): void {}
    override connectionLost(): void {
      lost = true;
    }
  })();
  const cf = new ClientFactory();
  cf.noisy = false;
  cf.buildProtocol = () => client;
  reactor.connectSSL(
    "127.0.0.1",
    port.getHost().port,
    cf,
    optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
    { engine },
  );
  await waitFor(() => lost, 30000, "the client's close");
  await port.stopListening();
  return expected;
}

/** Keeps every `data` it is given, without borrowing: it owns them. */
class Keeper extends Protocol {
  kept: Uint8Array[] = [];
  lost = false;
  override dataReceived(data: Uint8Array): void {
    this.kept.push(data);
  }
  override connectionLost(): void {
    this.lost = true;
  }
}

/**
 * Borrows: checksums during the call. Stops reading at its first data
 * until the sender's producer is paused (the sender's socket buffer is
 * full, so its ciphertext waits in its queue), then reads on.
 */
class SlowBorrower extends Protocol implements IBorrowingProtocol {
  readonly borrowsReceivedData = true;
  sum = 0;
  received = 0;
  reads = 0;
  buffers = new Set<ArrayBufferLike>();
  stopped = false;
  resumed = false;
  lost: unknown = null;
  constructor(readonly reactor: Reactor, readonly sender: { paused: boolean; }) {
    super();
  }
  override dataReceived(data: Uint8Array): void {
    this.sum = checksum(this.sum, data);
    this.received += data.length;
    this.reads++;
    this.buffers.add(data.buffer);
    if (!this.stopped) {
      this.stopped = true;
      this.#tls().pauseProducing();
      this.#resumeOnceSenderPaused();
    }
  }
  #resumeOnceSenderPaused(): void {
    if (!this.sender.paused) {
      this.reactor.callLater(0.001, () => this.#resumeOnceSenderPaused());
      return;
    }
    this.resumed = true;
    this.#tls().resumeProducing();
  }
  #tls(): TLSMemoryBIOProtocol {
    return this.transport as unknown as TLSMemoryBIOProtocol;
  }
  override connectionLost(reason: { value: unknown; }): void {
    this.lost = reason.value;
  }
}

const KIND = defaultPollerKind() as ReactorKind;

for (const engine of ENGINES) {
  describe(`TLS buffer reuse (${engine} engine, ${KIND} reactor)`, () => {
    it("a wrapped protocol that keeps data without borrowing still owns every chunk", async () => {
      await withReactor(KIND, async (reactor) => {
        const keeper = new Keeper();
        const expected = await sendAll(reactor, engine, keeper);
        await waitFor(() => keeper.lost, 10000, "the server's close");
        let sum = 0;
        let total = 0;
        for (const d of keeper.kept) {
          sum = checksum(sum, d);
          total += d.length;
        }
        assert.equal(total, TOTAL);
        assert.equal(sum, expected);
      }, 60000);
    });

    it("a reader that stops until the sender's buffer is full gets every byte intact", async () => {
      await withReactor(KIND, async (reactor) => {
        const sender = { paused: false };
        const reader = new SlowBorrower(reactor, sender);
        const expected = await sendAll(reactor, engine, reader, sender);
        await waitFor(() => reader.lost !== null, 10000, "the server's close");
        assert.ok(reader.resumed, "the sender was never paused while the reader stopped");
        assert.equal(reader.received, TOTAL);
        assert.equal(reader.sum, expected);
        assert.ok(reader.lost instanceof ConnectionDone, String(reader.lost));
        if (engine === "openssl") {
          // Lent views of one buffer, not a fresh copy per record.
          assert.ok(reader.reads > 10);
          assert.equal(reader.buffers.size, 1);
        }
      }, 60000);
    });
  });
}
