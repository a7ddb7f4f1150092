import assert from "node:assert/strict";
import { type FileLike, FileSender } from "../../../protocols/basic/file_sender.ts";
import { Protocol } from "../../../protocols/protocol.ts";
import { AccumulatingProtocol } from "../../../testing/accumulating_protocol.ts";
import { connectedServerAndClient } from "../../../testing/iosim.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { runTests, SynchronousTestCase } from "../../../testing/test_case.ts";
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

/**
 * twisted.protocols.basic.FileSender, as a trial-style SynchronousTestCase:
 * every transfer here completes in memory, so each Deferred is checked with
 * successResultOf / failureResultOf (it must have fired by then) rather than
 * awaited.
 */
class FileSenderTests extends SynchronousTestCase {
  t!: StringTransport;

  override setUp(): void {
    this.t = new StringTransport();
  }

  /** Pull until the sender unregisters. */
  pullAll(t: StringTransport = this.t): void {
    while (t.producer !== null) t.producer.resumeProducing();
  }

  testRegistersAsAPullProducerAndSends16KiBChunks(): void {
    const data = bytes(rng(7), 40_000);
    const file = source(data);
    const d = new FileSender().beginFileTransfer(file, this.t);
    assert.ok(this.t.producer !== null);
    assert.equal(this.t.streaming, false);
    for (let i = 0; i < 4 && this.t.producer !== null; i++) this.t.producer.resumeProducing();
    assert.equal(this.t.producer, null, "unregistered at the end");
    assert.deepEqual(file.reads, [16384, 16384, 16384, 16384]);
    assert.equal(hex(this.t.value()), hex(data));
    assert.deepEqual(Array.from(this.successResultOf(d)), [data[data.length - 1]]);
  }

  testAppliesTheTransformToEachChunk(): void {
    const parts = ["ab", "cd"];
    const d = new FileSender().beginFileTransfer(
      { read: () => parts.shift() ?? null },
      this.t,
      (chunk) => new TextDecoder().decode(chunk).toUpperCase(),
    );
    this.assertNoResult(d);
    this.pullAll();
    assert.equal(this.t.valueString(), "ABCD");
    assert.equal(new TextDecoder().decode(this.successResultOf(d)), "D");
  }

  testAnEmptyFileFiresWithNoBytes(): void {
    const e = new FileSender().beginFileTransfer({ read: () => null }, this.t);
    this.t.producer!.resumeProducing();
    assert.equal(this.successResultOf(e).length, 0);
  }

  testStopProducingFailsTheTransfer(): void {
    const sender = new FileSender();
    const d = sender.beginFileTransfer(source(new Uint8Array(100_000)), this.t);
    this.t.producer!.resumeProducing();
    sender.stopProducing();
    const f = this.failureResultOf(d, Error);
    this.assertSubstring("Consumer asked us to stop producing", f.getErrorMessage());
    sender.resumeProducing(); // harmless afterwards
    assert.equal(this.t.value().length, 16384);
  }

  testStreamsAFileThroughAnInMemoryConnection(): void {
    // iosim pulls on every pump.
    const data = bytes(rng(9), 100_000);
    class Sender extends Protocol {
      done: Uint8Array | null = null;
      override connectionMade(): void {
        const d = new FileSender().beginFileTransfer(source(data), this.transport!);
        d.addCallback((last: Uint8Array) => {
          this.done = last;
        });
      }
    }
    const [client, server, pump] = connectedServerAndClient(Sender, AccumulatingProtocol);
    pump.flush();
    assert.ok(server.done !== null, "the transfer finished within the pump");
    assert.equal(hex(client.data), hex(data));
  }
}

runTests(FileSenderTests);
