// The FFI transports' receive path: a protocol owns the bytes it is given
// unless it opts in to borrowing them (IBorrowingProtocol), and then gets a
// view of the transport's receive buffer. FFI reactors only: the host
// reactor hands over what its runtime's sockets give it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IBorrowingProtocol, ITCPTransport } from "../../interfaces.ts";
import { Protocol } from "../../protocols/mod.ts";
import { READ_BUFFER_SIZE } from "../../reactor/stream_connection.ts";
import { accepted, hangUp, tcpPair } from "./_connect.ts";
import { concat, pattern, Recorder, waitFor, withReactor } from "./_helpers.ts";
import { FFI_KINDS } from "./_reactor_kinds.ts";
import { firstDifference } from "./ffi/_bytes.ts";

/** Copies what it borrows, and notes which buffer each `data` was a view of. */
class Borrower extends Recorder implements IBorrowingProtocol {
  readonly borrowsReceivedData = true;
  buffers: ArrayBufferLike[] = [];
  override dataReceived(data: Uint8Array): void {
    this.buffers.push(data.buffer);
    super.dataReceived(data.slice());
  }
}

/** Echoes what it borrows (writing `data` to its own transport is allowed). */
class BorrowingEcho extends Protocol implements IBorrowingProtocol {
  readonly borrowsReceivedData = true;
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

/** Write each of `sent` from `c` and wait until `s` has it, so each is its own read; check the bytes. */
async function sendOneByOne(
  c: Recorder,
  s: Recorder,
  sent: Uint8Array[],
): Promise<void> {
  let total = 0;
  for (const m of sent) {
    c.transport!.write(m);
    total += m.byteLength;
    await waitFor(() => s.received === total, 5000, "message arrives");
  }
  assert.deepEqual(s.data(), concat(sent));
}

for (const kind of FFI_KINDS) {
  describe(`receive buffer on ${kind}`, () => {
    it("a protocol that keeps `data` after dataReceived without opting in still owns its bytes", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        const s = await accepted(sf);
        // A short read (copied), a long one (the buffer handed over), a short one:
        // each later read would overwrite a chunk that were only lent.
        const sent = [pattern(100, 1), pattern(40_000, 2), pattern(300, 3)];
        await sendOneByOne(c, s, sent);
        await hangUp(c, port);
      }));

    it("an opted-in protocol gets a view of the one receive buffer, read after read", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r, { server: () => new Borrower() });
        const s = await accepted(sf);
        const sent = [pattern(100, 4), pattern(50_000, 5), pattern(200, 6)];
        await sendOneByOne(c, s, sent);
        assert.ok(s.buffers.length >= 3);
        for (const b of s.buffers) {
          assert.equal(b, s.buffers[0], "every read lends the same buffer");
          assert.equal(b.byteLength, READ_BUFFER_SIZE);
        }
        await hangUp(c, port);
      }));

    it("an opted-in echo whose writes the kernel cannot take at once still echoes every byte in order", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r, { server: () => new BorrowingEcho() });
        const s = await accepted(sf);
        const client = c.transport as ITCPTransport;
        // The client does not read: the server's echoes back up in its write
        // queue, which then holds what it was lent.
        client.pauseProducing();
        const payload = pattern(24 * 1024 * 1024, 7);
        client.write(payload);
        const server = s.transport as unknown as { bufferedAmount: number; };
        await waitFor(
          () => server.bufferedAmount > 1024 * 1024,
          10000,
          "server write queue backs up",
        );
        client.resumeProducing();
        await waitFor(() => c.received === payload.byteLength, 20000, "the whole echo");
        assert.equal(firstDifference(c.data(), payload), -1, "first byte that differs");
        await hangUp(c, port);
      }));
  });
}
