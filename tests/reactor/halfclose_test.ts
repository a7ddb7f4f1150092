// Half-close on the FFI transports: Twisted's IHalfCloseableProtocol semantics.
// loseWriteConnection sends FIN after the buffer drains and calls
// writeConnectionLost; a peer's FIN calls readConnectionLost on a protocol that
// has it (the connection stays open for writing), else closes with ConnectionDone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ITCPTransport } from "../../interfaces.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { tcpPair, whenMade } from "./_connect.ts";
import { HalfCloseRecorder, KINDS, pattern, text, waitFor, withReactor } from "./_helpers.ts";

for (const kind of KINDS) {
  describe(`half-close on ${kind}`, () => {
    it("client half-closes: the server reads to FIN, answers, closes; the client gets the answer", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r, {
          server: () => {
            const p = new HalfCloseRecorder();
            p.onReadLost = (self): void => {
              // Twisted pins: after readConnectionLost the server can still write.
              self.transport!.write(`got ${self.received} bytes`);
              self.transport!.loseConnection();
            };
            return p;
          },
          client: () => new HalfCloseRecorder(),
        });
        const big = pattern(500_000, 5);
        c.transport!.write(big);
        (c.transport as ITCPTransport).loseWriteConnection();
        // Writes after the write side is shut are ignored.
        await waitFor(() => c.writeLost === 1, 5000, "writeConnectionLost");
        c.transport!.write("ignored");
        const reason = await c.lost;
        assert.ok(reason.value instanceof ConnectionDone);
        assert.equal(text(c.data()), "got 500000 bytes");
        const s = sf.built[0];
        assert.equal(s.readLost, 1);
        assert.deepEqual(s.data(), big);
        const sreason = await s.lost;
        assert.ok(sreason.value instanceof ConnectionDone);
        await port.stopListening();
      }));

    it("server half-closes: the client gets readConnectionLost and can still send", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r, {
          server: whenMade((p) => {
            p.transport!.write("server done");
            (p.transport as ITCPTransport).loseWriteConnection();
          }, () => new HalfCloseRecorder()),
          client: () => {
            const p = new HalfCloseRecorder();
            p.onReadLost = (self): void => {
              self.transport!.write("client still talking");
              self.transport!.loseConnection();
            };
            return p;
          },
        });
        const reason = await c.lost;
        assert.ok(reason.value instanceof ConnectionDone);
        assert.equal(c.readLost, 1);
        assert.equal(text(c.data()), "server done");
        const s = sf.built[0];
        await waitFor(() => s.readLost === 1, 5000, "server sees client FIN");
        assert.equal(s.writeLost, 1);
        assert.equal(text(s.data()), "client still talking");
        // Both directions are shut now: the connection closes by itself.
        const sreason = await s.lost;
        assert.ok(sreason.value instanceof ConnectionDone);
        await port.stopListening();
      }));
  });
}
