import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import { WrappingProtocol } from "../../endpoints/_wrapping.ts";
import { connectProtocol } from "../../endpoints/connect_protocol.ts";
import { NoProtocol } from "../../endpoints/errors.ts";
import {
  TCP4ClientEndpoint,
  TCP4ServerEndpoint,
  TCP6ClientEndpoint,
  TCP6ServerEndpoint,
} from "../../endpoints/tcp.ts";
import { UNIXClientEndpoint, UNIXServerEndpoint } from "../../endpoints/unix.ts";
import type { IAddress, IListeningPort, IProtocol } from "../../interfaces.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { UNIXAddress } from "../../reactor/address.ts";
import {
  CannotListenError,
  ConnectingCancelledError,
  ConnectionDone,
  ConnectionRefusedError,
  DNSLookupError,
} from "../../reactor/errors.ts";
import { FakePort, MemoryReactor, RaisingMemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { completeTCP, failTCP, tick } from "./_helpers.ts";

/** Records what happens to it, like Twisted's AccumulatingProtocol. */
class Recorder extends Protocol {
  events: string[] = [];
  override connectionMade(): void {
    this.events.push("made");
  }
  override dataReceived(d: Uint8Array): void {
    this.events.push(`data:${new TextDecoder().decode(d)}`);
  }
  override connectionLost(r: Failure): void {
    this.events.push(`lost:${r.value instanceof Error ? r.value.name : "?"}`);
  }
}

function outcome<T>(d: { addCallback: unknown; addErrback: unknown; } & PromiseLike<T>): {
  value?: T;
  error?: unknown;
} {
  const o: { value?: T; error?: unknown; } = {};
  d.then((v) => {
    o.value = v;
  }, (e) => {
    o.error = e;
  });
  return o;
}

describe("TCP server endpoints", () => {
  it("listen calls listenTCP with backlog 50 and interface '' and fires with the port (Twisted [R])", async () => {
    const r = new MemoryReactor();
    const f = Factory.forProtocol(Protocol);
    const port: IListeningPort = await new TCP4ServerEndpoint(r, 1234, { interface: "127.0.0.1" })
      .listen(f);
    assert.deepEqual(r.tcpServers, [[1234, f, 50, "127.0.0.1"]]);
    assert.ok(port instanceof FakePort);
    await new TCP6ServerEndpoint(r, 1235).listen(f);
    assert.deepEqual(r.tcpServers[1], [1235, f, 50, "::"]);
  });

  it("listen fails (not throws) with the reactor's error", async () => {
    const err = new CannotListenError("", 80, new Error("EACCES"));
    const r = new RaisingMemoryReactor({ listenError: err });
    const d = new TCP4ServerEndpoint(r, 80).listen(new Factory());
    await assert.rejects(d.toPromise(), (e) => e === err);
    const u = new UNIXServerEndpoint(r, "/x").listen(new Factory());
    await assert.rejects(u.toPromise(), (e) => e === err);
  });

  it("constructors reject bad ports clearly", () => {
    const r = new MemoryReactor();
    assert.throws(
      () => new TCP4ServerEndpoint(r, 70000),
      /port must be an integer from 0 to 65535/,
    );
    assert.throws(() => new TCP4ClientEndpoint(r, "h", -1), RangeError);
    assert.throws(() => new TCP4ClientEndpoint(r, "", 1), /host must be a non-empty string/);
    assert.throws(() => new TCP4ClientEndpoint(r, "h", 1, { timeout: 0 }), /timeout/);
    assert.throws(
      () => new TCP4ClientEndpoint(r, "h", 1, { bindAddress: ["x", 99999] }),
      /bindAddress: port must be/,
    );
    assert.throws(() => new UNIXServerEndpoint(r, ""), /socket path/);
  });
});

describe("TCP client endpoints (Twisted's _WrappingFactory)", () => {
  it("connect records connectTCP and fires with the protocol after its connectionMade", () => {
    const r = new MemoryReactor();
    const f = Factory.forProtocol(Recorder);
    const d = new TCP4ClientEndpoint(r, "example.com", 80, {
      timeout: 9,
      bindAddress: "127.0.0.1",
    }).connect<Recorder>(f);
    const [host, port, , timeout, bind] = r.tcpClients[0];
    assert.deepEqual([host, port, timeout, bind], ["example.com", 80, 9, ["127.0.0.1", 0]]);
    const o = outcome(d);
    assert.equal(d.called, false);
    const { proto: wrapper, transport } = completeTCP(r, 0);
    assert.ok(d.called);
    const p = d.result as Recorder;
    assert.ok(p instanceof Recorder);
    assert.equal(p.factory, f);
    assert.deepEqual(p.events, ["made"]);
    assert.equal(p.transport, transport);
    // Events pass through the wrapper.
    wrapper.dataReceived(new TextEncoder().encode("hi"));
    wrapper.connectionLost(new Failure(new ConnectionDone()));
    assert.deepEqual(p.events, ["made", "data:hi", "lost:ConnectionDone"]);
    assert.ok(wrapper instanceof WrappingProtocol);
    assert.equal(wrapper.logPrefix(), "Recorder");
    assert.equal(o.error, undefined);
  });

  it("a failed attempt fails the Deferred with the reason (ConnectionRefusedError)", async () => {
    const r = new MemoryReactor();
    const d = new TCP4ClientEndpoint(r, "127.0.0.1", 1).connect(new ClientFactory());
    failTCP(r, 0);
    await assert.rejects(d.toPromise(), ConnectionRefusedError);
  });

  it("cancelling stops connecting and fails with ConnectingCancelledError", async () => {
    const r = new MemoryReactor();
    const d = new TCP4ClientEndpoint(r, "127.0.0.1", 1).connect(Factory.forProtocol(Recorder));
    d.cancel();
    await assert.rejects(d.toPromise(), (e: Error) => {
      assert.ok(e instanceof ConnectingCancelledError);
      assert.match(e.message, /127\.0\.0\.1/);
      return true;
    });
    assert.equal(r.connectors[0].stoppedConnecting, true);
    // The connector's later report is ignored; a late connection is refused.
    failTCP(r, 0);
    assert.equal(r.tcpClients[0][2].buildProtocol(r.connectors[0].getDestination()), null);
  });

  it("buildProtocol returning null fails with NoProtocol; throwing fails with the error", async () => {
    const r = new MemoryReactor();
    class Refuse extends Factory {
      override buildProtocol(_a: IAddress): IProtocol | null {
        return null;
      }
    }
    const d1 = new TCP4ClientEndpoint(r, "h", 1).connect(new Refuse());
    assert.equal(r.tcpClients[0][2].buildProtocol(r.connectors[0].getDestination()), null);
    await assert.rejects(d1.toPromise(), NoProtocol);
    class Boom extends Factory {
      override buildProtocol(_a: IAddress): IProtocol | null {
        throw new RangeError("boom");
      }
    }
    const d2 = new TCP4ClientEndpoint(r, "h", 1).connect(new Boom());
    assert.equal(r.tcpClients[1][2].buildProtocol(r.connectors[1].getDestination()), null);
    await assert.rejects(d2.toPromise(), RangeError);
  });

  it("doStart/doStop pass through to the user's factory", () => {
    const r = new MemoryReactor();
    const f = new Factory();
    f.noisy = false;
    new TCP4ClientEndpoint(r, "h", 1).connect(f);
    const wf = r.tcpClients[0][2];
    wf.doStart();
    assert.equal(f.numPorts, 1);
    wf.doStop();
    assert.equal(f.numPorts, 0);
  });

  it("the wrapper has half-close methods exactly when the protocol has them", () => {
    const r = new MemoryReactor();
    const calls: string[] = [];
    class Half extends Protocol {
      readConnectionLost(): void {
        calls.push("read");
      }
      writeConnectionLost(): void {
        calls.push("write");
      }
    }
    new TCP4ClientEndpoint(r, "h", 1).connect(Factory.forProtocol(Half));
    new TCP4ClientEndpoint(r, "h", 1).connect(Factory.forProtocol(Protocol));
    const half = completeTCP(r, 0).proto;
    assert.ok(half instanceof WrappingProtocol);
    assert.equal(typeof half.readConnectionLost, "function");
    half.readConnectionLost?.();
    half.writeConnectionLost?.();
    assert.deepEqual(calls, ["read", "write"]);
    const plain = completeTCP(r, 1).proto;
    assert.ok(plain instanceof WrappingProtocol);
    assert.equal(plain.readConnectionLost, undefined);
    assert.equal(plain.writeConnectionLost, undefined);
  });

  it("a connect call that throws gives a failed Deferred", async () => {
    const r = new RaisingMemoryReactor({ connectError: new ConnectionRefusedError("nope") });
    await assert.rejects(
      new TCP4ClientEndpoint(r, "h", 1).connect(new Factory()).toPromise(),
      /nope/,
    );
    await assert.rejects(
      new UNIXClientEndpoint(r, "/s").connect(new Factory()).toPromise(),
      /nope/,
    );
  });

  it("TCP6ClientEndpoint connects an IPv6 literal at once", () => {
    const r = new MemoryReactor();
    new TCP6ClientEndpoint(r, "::1", 80).connect(new Factory());
    assert.equal(r.tcpClients[0][0], "::1");
  });

  it("TCP6ClientEndpoint resolves a name through the reactor first", async () => {
    const r = new MemoryReactor();
    r.hostnames.set("six.example", "2001:db8::6");
    const d = new TCP6ClientEndpoint(r, "six.example", 80).connect<Recorder>(
      Factory.forProtocol(Recorder),
    );
    await tick();
    assert.equal(r.tcpClients[0][0], "2001:db8::6");
    completeTCP(r, 0);
    assert.ok((await d) instanceof Recorder);
    await assert.rejects(
      new TCP6ClientEndpoint(r, "unknown.example", 80).connect(new Factory()).toPromise(),
      DNSLookupError,
    );
  });

  it("TCP6ClientEndpoint: cancelling during resolution, and during the attempt", async () => {
    const r = new MemoryReactor();
    r.hostnames.set("six.example", "2001:db8::6");
    const early = new TCP6ClientEndpoint(r, "six.example", 80).connect(new Factory());
    early.cancel();
    await assert.rejects(early.toPromise(), ConnectingCancelledError);
    await tick();
    assert.equal(r.tcpClients.length, 0, "no attempt after a cancelled resolution");
    const late = new TCP6ClientEndpoint(r, "six.example", 80).connect(new Factory());
    await tick();
    late.cancel();
    await assert.rejects(late.toPromise(), ConnectingCancelledError);
    assert.equal(r.connectors[0].stoppedConnecting, true);
  });
});

describe("UNIX endpoints", () => {
  it("listen and connect pass mode/backlog/wantPID and timeout/checkPID", async () => {
    const r = new MemoryReactor();
    const f = Factory.forProtocol(Recorder);
    const port = await new UNIXServerEndpoint(r, "/tmp/s", {
      mode: 0o600,
      wantPID: true,
      backlog: 4,
    })
      .listen(f);
    assert.deepEqual(r.unixServers, [["/tmp/s", f, 4, 0o600, true]]);
    assert.ok(port.getHost() instanceof UNIXAddress);
    const d = new UNIXClientEndpoint(r, "/tmp/s", { timeout: 3, checkPID: true }).connect<Recorder>(
      f,
    );
    const [path, wf, timeout, checkPID] = r.unixClients[0];
    assert.deepEqual([path, timeout, checkPID], ["/tmp/s", 3, true]);
    const proto = wf.buildProtocol(new UNIXAddress("/tmp/s"))!;
    proto.makeConnection(new StringTransport());
    const p = await d;
    assert.deepEqual(p.events, ["made"]);
  });
});

describe("connectProtocol (Twisted's connectProtocol)", () => {
  it("connects the given instance and fires with it", async () => {
    const r = new MemoryReactor();
    const mine = new Recorder();
    const d = connectProtocol(new TCP4ClientEndpoint(r, "h", 1), mine);
    completeTCP(r, 0);
    assert.equal(await d, mine);
    assert.deepEqual(mine.events, ["made"]);
  });
});
