// ClientCreator (Twisted's twisted.internet.protocol.ClientCreator and its
// _InstanceFactory), on a MemoryReactorClock and over real loopback sockets.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancelledError } from "../../deferred/errors.ts";
import { Failure } from "../../deferred/failure.ts";
import { ClientCreator } from "../../protocols/client_creator.ts";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { defaultReactorKind, type ReactorKind } from "../../reactor/install.ts";
import { MemoryReactorClock } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { withReactor } from "../reactor/_helpers.ts";

class Named extends Protocol {
  made = 0;
  constructor(readonly name: string, readonly n: number) {
    super();
  }
  override connectionMade(): void {
    this.made++;
  }
}

/** Observe a Deferred synchronously. */
function watch<T>(d: { addCallbacks(ok: (v: T) => null, bad: (f: Failure) => null): unknown; }): {
  value: T | null;
  error: unknown;
} {
  const o: { value: T | null; error: unknown; } = { value: null, error: null };
  d.addCallbacks((v) => {
    o.value = v;
    return null;
  }, (f) => {
    o.error = f.value;
    return null;
  });
  return o;
}

const ADDR = new IPv4Address("TCP", "127.0.0.1", 1234);

describe("ClientCreator (Twisted's ClientCreator)", () => {
  it("connectTCP passes host, port and options to the reactor and builds the class with the arguments", () => {
    const r = new MemoryReactorClock();
    new ClientCreator(r, Named, "a", 1).connectTCP("example.com", 80, {
      timeout: 7,
      bindAddress: ["127.0.0.1", 0],
    });
    const [host, port, factory, timeout, bind] = r.tcpClients[0];
    assert.deepEqual([host, port, timeout, bind], ["example.com", 80, 7, ["127.0.0.1", 0]]);
    const p = factory.buildProtocol(ADDR) as Named;
    assert.ok(p instanceof Named);
    assert.deepEqual([p.name, p.n], ["a", 1]);
  });

  it("fires with the instance a reactor turn after it connected (after connectionMade), as _InstanceFactory does", () => {
    const r = new MemoryReactorClock();
    const seen = watch(new ClientCreator(r, Named, "b", 2).connectTCP("127.0.0.1", 80));
    const p = r.tcpClients[0][2].buildProtocol(ADDR)!;
    p.makeConnection(new StringTransport());
    assert.equal(seen.value, null, "not before the reactor turns");
    r.advance(0);
    assert.equal(seen.value, p);
    assert.equal((seen.value as Named | null)?.made, 1);
  });

  it("a failed attempt fails the Deferred with its reason, a reactor turn later", () => {
    const r = new MemoryReactorClock();
    const seen = watch(new ClientCreator(r, Named, "c", 3).connectTCP("127.0.0.1", 80));
    const reason = new Failure(new ConnectionRefusedError());
    r.tcpClients[0][2].clientConnectionFailed(r.connectors[0], reason);
    assert.equal(r.getDelayedCalls().length, 1, "reported a reactor turn later");
    r.advance(0);
    assert.ok(seen.error instanceof ConnectionRefusedError);
  });

  it("cancelling before the connection disconnects the connector and fails with CancelledError", () => {
    const r = new MemoryReactorClock();
    const d = new ClientCreator(r, Named, "d", 4).connectTCP("127.0.0.1", 80);
    const seen = watch(d);
    d.cancel();
    assert.ok(seen.error instanceof CancelledError);
    assert.equal(r.connectors[0].disconnected, true);
    // A connection completing afterwards is refused.
    assert.equal(r.tcpClients[0][2].buildProtocol(ADDR), null);
    assert.equal(r.getDelayedCalls().length, 0);
  });

  it("cancelling between connecting and firing drops the pending call and disconnects", () => {
    const r = new MemoryReactorClock();
    const d = new ClientCreator(r, Named, "e", 5).connectTCP("127.0.0.1", 80);
    const seen = watch(d);
    r.tcpClients[0][2].buildProtocol(ADDR)!.makeConnection(new StringTransport());
    assert.equal(r.getDelayedCalls().length, 1);
    d.cancel();
    assert.equal(r.getDelayedCalls().length, 0, "the pending firing is cancelled");
    assert.equal(r.connectors[0].disconnected, true);
    assert.ok(seen.error instanceof CancelledError);
    r.advance(0);
    assert.equal(seen.value, null);
  });

  it("cancelling between a failure and its report fails with CancelledError only", () => {
    const r = new MemoryReactorClock();
    const d = new ClientCreator(r, Named, "f", 6).connectTCP("127.0.0.1", 80);
    const seen = watch(d);
    r.tcpClients[0][2].clientConnectionFailed(
      r.connectors[0],
      new Failure(new ConnectionRefusedError()),
    );
    d.cancel();
    r.advance(0);
    assert.ok(seen.error instanceof CancelledError);
    assert.equal(r.getDelayedCalls().length, 0);
  });

  it("connectUNIX passes the path and options; each attempt gets a fresh instance", () => {
    const r = new MemoryReactorClock();
    const creator = new ClientCreator(r, Named, "g", 7);
    const one = watch(creator.connectUNIX("/tmp/skein.sock", { timeout: 3, checkPID: true }));
    const two = watch(creator.connectUNIX("/tmp/other.sock"));
    assert.deepEqual(
      r.unixClients.map(([path, , timeout, checkPID]) => [path, timeout, checkPID]),
      [
        ["/tmp/skein.sock", 3, true],
        ["/tmp/other.sock", 30, false],
      ],
    );
    const p1 = r.unixClients[0][1].buildProtocol(ADDR)!;
    const p2 = r.unixClients[1][1].buildProtocol(ADDR)!;
    assert.notEqual(p1, p2);
    r.advance(0);
    assert.equal(one.value, p1);
    assert.equal(two.value, p2);
  });

  it("a non-class protocolClass is a TypeError at the call", () => {
    const r = new MemoryReactorClock();
    assert.throws(
      () => new ClientCreator(r, null as unknown as new() => Protocol),
      /protocolClass must be a protocol class/,
    );
  });
});

const KINDS: ReactorKind[] = [defaultReactorKind(), "host"];

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}

class Talker extends Protocol {
  heard = "";
  #lost: (() => void) | null = null;
  readonly lost: Promise<void> = new Promise((resolve) => (this.#lost = resolve));
  constructor(readonly greeting: string) {
    super();
  }
  override dataReceived(data: Uint8Array): void {
    this.heard += new TextDecoder().decode(data);
    if (this.heard === this.greeting) this.transport!.loseConnection();
  }
  override connectionLost(): void {
    this.#lost?.();
  }
}

for (const kind of KINDS) {
  describe(`ClientCreator over loopback TCP (${kind} reactor)`, () => {
    it("connectTCP fires with the connected instance, which talks to the server", () =>
      withReactor(kind, async (r) => {
        const sf = Factory.forProtocol(Echo);
        sf.noisy = false;
        const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
        try {
          const p = await new ClientCreator(r, Talker, "over the wire").connectTCP(
            "127.0.0.1",
            port.getHost().port,
            { timeout: 5 },
          );
          assert.ok(p instanceof Talker);
          assert.equal(p.connected, true);
          p.transport!.write(p.greeting);
          await p.lost;
          assert.equal(p.heard, "over the wire");
        } finally {
          await port.stopListening();
        }
      }));

    it("a refused connection fails with ConnectionRefusedError", () =>
      withReactor(kind, async (r) => {
        const sf = Factory.forProtocol(Echo);
        sf.noisy = false;
        const probe = r.listenTCP(0, sf, { interface: "127.0.0.1" });
        const free = probe.getHost().port;
        await probe.stopListening();
        const attempt = new ClientCreator(r, Talker, "x").connectTCP("127.0.0.1", free, {
          timeout: 5,
        });
        await assert.rejects(async () => await attempt, ConnectionRefusedError);
      }));
  });
}
