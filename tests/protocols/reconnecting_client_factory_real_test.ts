// ReconnectingClientFactory against real connectors on loopback (127.0.0.1),
// on the default FFI reactor and on the host reactor: refused attempts are
// retried with back-off until a server appears; a lost connection is
// re-established; stopTrying ends it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IAddress, IConnector, IListeningPort, IProtocol } from "../../interfaces.ts";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { ReconnectingClientFactory } from "../../protocols/reconnecting_client_factory.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { createReactor, defaultReactorKind, type ReactorKind } from "../../reactor/install.ts";
import { waitFor as until } from "../reactor/_helpers.ts";
import { quickRetry } from "./_quick_retry.ts";

const KINDS: ReactorKind[] = [defaultReactorKind(), "host"];

/** A server protocol that hangs up right after connecting. */
class HangUp extends Protocol {
  override connectionMade(): void {
    this.transport!.write("bye");
    this.transport!.loseConnection();
  }
}

class Persistent extends ReconnectingClientFactory {
  failures: Failure[] = [];
  lost = 0;
  connections = 0;
  override protocol = Protocol;
  override buildProtocol(addr: IAddress): IProtocol | null {
    this.connections++;
    this.resetDelay();
    return super.buildProtocol(addr);
  }
  override clientConnectionFailed(c: IConnector, reason: Failure): void {
    this.failures.push(reason);
    super.clientConnectionFailed(c, reason);
  }
  override clientConnectionLost(c: IConnector, reason: Failure): void {
    this.lost++;
    super.clientConnectionLost(c, reason);
  }
}

for (const kind of KINDS) {
  describe(`ReconnectingClientFactory on real sockets (${kind} reactor)`, () => {
    it("retries refused attempts until a server listens, and reconnects when dropped", async () => {
      const r = createReactor(kind);
      const done = r.run({ installSignalHandlers: false });
      let server: IListeningPort | null = null;
      const f = quickRetry(new Persistent());
      f.clock = r;
      try {
        const probe = r.listenTCP(0, new Factory(), { interface: "127.0.0.1" });
        const port = probe.getHost().port;
        await probe.stopListening();

        r.connectTCP("127.0.0.1", port, f, { timeout: 5 });
        await until(() => f.failures.length >= 3, 10_000, "three refused attempts");
        assert.ok(f.failures.every((x) => x.check(ConnectionRefusedError)));
        assert.ok(f.retries >= 3);
        assert.equal(f.connections, 0);

        server = r.listenTCP(port, Factory.forProtocol(HangUp), { interface: "127.0.0.1" });
        await until(() => f.connections >= 2, 10_000, "connect, drop, and reconnect");
        assert.ok(f.lost >= 1, "the dropped connection was reported");
        assert.ok(f.retries <= 1, "resetDelay ran on connecting");

        f.stopTrying();
        const seen = f.connections;
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.ok(f.connections <= seen + 1, "no reconnect loop after stopTrying");
        assert.equal(f.continueTrying, false);
      } finally {
        f.stopTrying();
        if (server) await server.stopListening();
        if (r.running) r.stop();
        await done;
      }
    });
  });
}
