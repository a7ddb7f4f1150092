// A streaming producer paused by writes made inside dataReceived (the
// transport is corked then) must be resumed once the buffer drains, also
// when the uncork sends everything at once: Twisted's FileDescriptor resumes
// a paused producer whenever its buffer empties.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IPushProducer } from "../../interfaces.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { KINDS, waitFor, withReactor } from "./_helpers.ts";

class ProducerInDataReceived extends Protocol implements IPushProducer {
  pauses = 0;
  resumes = 0;
  override dataReceived(_data: Uint8Array): void {
    if (this.pauses > 0) return;
    this.transport!.registerProducer(this, true);
    // Above the 64 KiB buffer size: pauses the producer while corked; the
    // loopback kernel buffer takes all of it when the transport uncorks.
    this.transport!.write(new Uint8Array(96 * 1024));
  }
  pauseProducing(): void {
    this.pauses++;
  }
  resumeProducing(): void {
    this.resumes++;
  }
  stopProducing(): void {}
}

// FFI transports only: they cork writes made inside dataReceived; the host
// reactor has no cork (its pausing follows the host socket's own buffer).
for (const kind of KINDS.filter((k) => k !== "host")) {
  describe(`a producer paused inside dataReceived (${kind})`, () => {
    it("is resumed when the uncorked buffer drains at once", async () => {
      await withReactor(kind, async (r) => {
        const server = new ProducerInDataReceived();
        const sf = new Factory();
        sf.noisy = false;
        sf.buildProtocol = () => server;
        const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
        const client = new Protocol();
        const cf = new ClientFactory();
        cf.noisy = false;
        cf.buildProtocol = () => client;
        r.connectTCP("127.0.0.1", port.getHost().port, cf);
        await waitFor(() => client.transport !== null, 5000, "the client connected");
        client.transport!.write("go");
        await waitFor(() => server.pauses > 0, 5000, "the producer paused");
        await waitFor(() => server.resumes > 0, 5000, "the producer resumed");
        assert.equal(server.resumes, 1);
        client.transport!.loseConnection();
        await port.stopListening();
      });
    });
  });
}
