import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FileLike, FileSender } from "../../../protocols/basic/file_sender.ts";
import { Protocol } from "../../../protocols/protocol.ts";
import { AccumulatingProtocol } from "../../../testing/accumulating_protocol.ts";
import { connectedServerAndClient } from "../../../testing/iosim.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { bytes, hex, rng } from "./_fuzz.ts";

function source(data: Uint8Array): FileLike & { reads: number[]; } {
  let pos = 0;
  const reads: number[] = [];
  return {
    reads,
    read(size: number): Uint8Array {
      reads.push(size);
      const out = data.subarray(pos, pos + size);
      pos += out.length;
      return out;
    },
  };
}

describe("FileSender (twisted.protocols.basic.FileSender)", () => {
  it("registers as a pull producer and sends 16 KiB chunks until the end", async () => {
    const data = bytes(rng(7), 40_000);
    const t = new StringTransport();
    const file = source(data);
    const d = new FileSender().beginFileTransfer(file, t);
    assert.ok(t.producer !== null);
    assert.equal(t.streaming, false);
    for (let i = 0; i < 4 && t.producer !== null; i++) t.producer.resumeProducing();
    assert.equal(t.producer, null, "unregistered at the end");
    assert.deepEqual(file.reads, [16384, 16384, 16384, 16384]);
    assert.equal(hex(t.value()), hex(data));
    const last = await d;
    assert.deepEqual(Array.from(last), [data[data.length - 1]]);
  });

  it("applies the transform to each chunk; an empty file fires with no bytes", async () => {
    const t = new StringTransport();
    const parts = ["ab", "cd"];
    const d = new FileSender().beginFileTransfer(
      { read: () => parts.shift() ?? null },
      t,
      (chunk) => new TextDecoder().decode(chunk).toUpperCase(),
    );
    while (t.producer !== null) t.producer.resumeProducing();
    assert.equal(t.valueString(), "ABCD");
    assert.equal(new TextDecoder().decode(await d), "D");
    const u = new StringTransport();
    const e = new FileSender().beginFileTransfer({ read: () => null }, u);
    u.producer!.resumeProducing();
    assert.equal((await e).length, 0);
  });

  it("stopProducing fails the transfer", async () => {
    const t = new StringTransport();
    const sender = new FileSender();
    const d = sender.beginFileTransfer(source(new Uint8Array(100_000)), t);
    t.producer!.resumeProducing();
    sender.stopProducing();
    await assert.rejects(d.toPromise(), /Consumer asked us to stop producing/);
    sender.resumeProducing(); // harmless afterwards
    assert.equal(t.value().length, 16384);
  });

  it("streams a file through an in-memory connection (iosim pulls on every pump)", async () => {
    const data = bytes(rng(9), 100_000);
    class Sender extends Protocol {
      done: Promise<Uint8Array> | null = null;
      override connectionMade(): void {
        this.done = new FileSender().beginFileTransfer(source(data), this.transport!).toPromise();
      }
    }
    const [client, server, pump] = connectedServerAndClient(Sender, AccumulatingProtocol);
    pump.flush();
    await server.done;
    assert.equal(hex(client.data), hex(data));
  });
});
