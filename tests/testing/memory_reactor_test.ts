import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IConnector } from "../../interfaces.ts";
import { ClientFactory, DatagramProtocol, Factory, Protocol } from "../../protocols/mod.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../../reactor/address.ts";
import { CannotListenError, ConnectionRefusedError, DNSLookupError } from "../../reactor/errors.ts";
import {
  FakeConnector,
  FakeDatagramTransport,
  FakePort,
  MemoryReactor,
  MemoryReactorClock,
  RaisingMemoryReactor,
} from "../../testing/memory_reactor.ts";

describe("MemoryReactor (twisted.internet.testing.MemoryReactor)", () => {
  it("records listenTCP with Twisted's defaults and returns a fake port", () => {
    const r = new MemoryReactor();
    const f = Factory.forProtocol(Protocol);
    const p = r.listenTCP(1234, f, { interface: "127.0.0.1" });
    const p6 = r.listenTCP(80, f, { interface: "::1", backlog: 7 });
    r.listenTCP(81, f);
    assert.deepEqual(r.tcpServers, [[1234, f, 50, "127.0.0.1"], [80, f, 7, "::1"], [
      81,
      f,
      50,
      "",
    ]]);
    assert.ok(p instanceof FakePort);
    assert.ok(p.getHost() instanceof IPv4Address);
    assert.equal(p.getHost().toString(), "IPv4Address(TCP, '0.0.0.0', 1234)");
    assert.ok(p6.getHost() instanceof IPv6Address);
    let stopped = false;
    p.stopListening().addCallback(() => {
      stopped = true;
    });
    assert.equal(stopped, true);
  });

  it("records connectTCP, calls startedConnecting with the connector", () => {
    const r = new MemoryReactor();
    const seen: IConnector[] = [];
    class F extends ClientFactory {
      override startedConnecting(c: IConnector): void {
        seen.push(c);
      }
    }
    const f = new F();
    const c = r.connectTCP("example.com", 80, f, { timeout: 5, bindAddress: ["10.0.0.1", 0] });
    r.connectTCP("::1", 81, f);
    assert.deepEqual(r.tcpClients, [
      ["example.com", 80, f, 5, ["10.0.0.1", 0]],
      ["::1", 81, f, 30, null],
    ]);
    assert.deepEqual(seen, r.connectors);
    assert.equal(seen[0], c);
    assert.ok(r.connectors[1].getDestination() instanceof IPv6Address);
    assert.ok(c instanceof FakeConnector);
    const fc = c;
    fc.stopConnecting();
    fc.disconnect();
    fc.connect();
    assert.equal(fc.stoppedConnecting, true);
    assert.equal(fc.disconnected, true);
    assert.equal(fc.connectCalls, 1);
  });

  it("records listenUNIX/connectUNIX with defaults (backlog 50, mode 0o666)", () => {
    const r = new MemoryReactor();
    const f = new ClientFactory();
    const p = r.listenUNIX("/tmp/s", f);
    r.listenUNIX("/tmp/t", f, { backlog: 3, mode: 0o600, wantPID: true });
    r.connectUNIX("/tmp/s", f);
    r.connectUNIX("/tmp/t", f, { timeout: 2, checkPID: true });
    assert.deepEqual(r.unixServers, [["/tmp/s", f, 50, 0o666, false], [
      "/tmp/t",
      f,
      3,
      0o600,
      true,
    ]]);
    assert.deepEqual(r.unixClients, [["/tmp/s", f, 30, false], ["/tmp/t", f, 2, true]]);
    assert.ok(p.getHost() instanceof UNIXAddress);
    assert.ok(r.connectors[0].getDestination() instanceof UNIXAddress);
  });

  it("listenUDP records the call and connects the protocol to a fake port", () => {
    const r = new MemoryReactor();
    const calls: string[] = [];
    class D extends DatagramProtocol {
      override startProtocol(): void {
        calls.push("start");
      }
      override stopProtocol(): void {
        calls.push("stop");
      }
    }
    const d = new D();
    d.noisy = false;
    const port = r.listenUDP(53, d, { interface: "127.0.0.1" });
    assert.deepEqual(r.udpPorts, [[53, d, "127.0.0.1", 8192]]);
    assert.equal(d.transport, port);
    assert.deepEqual(calls, ["start"]);
    d.transport!.write("hi", ["127.0.0.1", 9]);
    assert.ok(port instanceof FakeDatagramTransport);
    const fake = port;
    assert.equal(new TextDecoder().decode(fake.written[0][0]), "hi");
    assert.deepEqual(fake.written[0][1], ["127.0.0.1", 9]);
    port.stopListening();
    port.stopListening();
    assert.deepEqual(calls, ["start", "stop"]);
    assert.equal(d.transport, null);
  });

  it("run() runs callWhenRunning hooks then stops; stop/crash flags", async () => {
    const r = new MemoryReactor();
    const seen: number[] = [];
    r.callWhenRunning((n: number) => seen.push(n), 1);
    assert.equal(r.running, false);
    await r.run();
    assert.deepEqual(seen, [1]);
    assert.equal(r.hasRun, true);
    assert.equal(r.hasStopped, true);
    assert.equal(r.running, false);
    r.crash();
    assert.equal(r.hasCrashed, true);
  });

  it("system event triggers are recorded, removable, and fired phase by phase", () => {
    const r = new MemoryReactor();
    const seen: string[] = [];
    r.addSystemEventTrigger("after", "shutdown", () => seen.push("after"));
    r.addSystemEventTrigger("before", "shutdown", (x: string) => seen.push(x), "before");
    const h = r.addSystemEventTrigger("during", "shutdown", () => seen.push("gone"));
    r.addSystemEventTrigger("during", "shutdown", () => seen.push("during"));
    assert.equal(r.triggers.get("during")!.get("shutdown")!.length, 2);
    r.removeSystemEventTrigger(h);
    assert.throws(() => r.removeSystemEventTrigger(h), /unknown trigger/);
    r.fireSystemEvent("shutdown");
    assert.deepEqual(seen, ["before", "during", "after"]);
  });

  it("resolve: IP literals, configured names, else DNSLookupError", async () => {
    const r = new MemoryReactor();
    r.hostnames.set("example.com", "93.184.216.34");
    assert.equal(await r.resolve("::1"), "::1");
    assert.equal(await r.resolve("example.com"), "93.184.216.34");
    await assert.rejects(r.resolve("nope.invalid").toPromise(), DNSLookupError);
  });

  it("fd sets", () => {
    const r = new MemoryReactor();
    const d = {
      fileno: (): number => 3,
      doRead: (): null => null,
      doWrite: (): null => null,
      connectionLost: (): void => {},
      logPrefix: (): string => "d",
    };
    r.addReader(d);
    r.addWriter(d);
    assert.deepEqual(r.getReaders(), [d]);
    assert.deepEqual(r.getWriters(), [d]);
    r.removeWriter(d);
    assert.deepEqual(r.getWriters(), []);
    assert.deepEqual(r.removeAll(), [d]);
    assert.deepEqual(r.getReaders(), []);
  });
});

describe("MemoryReactorClock", () => {
  it("its methods work unbound, as a real reactor's do (reactor.callLater(1, reactor.stop))", async () => {
    const r = new MemoryReactorClock();
    const { advance, callLater, callWhenRunning, listenTCP, run } = r;
    callLater(1, r.stop);
    callWhenRunning(r.crash);
    listenTCP(80, Factory.forProtocol(Protocol));
    assert.equal(r.tcpServers.length, 1);
    await run();
    assert.equal(r.hasCrashed, true);
    r.hasStopped = false;
    advance(1);
    assert.equal(r.hasStopped, true, "the unbound stop ran on the clock");
  });

  it("callLater rejects a delay that is not a finite number >= 0 (TypeError)", () => {
    const r = new MemoryReactorClock();
    assert.throws(() => r.callLater("5" as unknown as number, () => {}), /got "5" \(a string/);
    assert.throws(() => r.callLater(null as unknown as number, () => {}), /got null/);
    assert.throws(() => r.callLater(-1, () => {}), TypeError);
    assert.equal(r.getDelayedCalls().length, 0);
  });

  it("is a MemoryReactor with a Clock", () => {
    const r = new MemoryReactorClock();
    const seen: string[] = [];
    r.callLater(2, () => seen.push("later"));
    r.callFromThread(() => seen.push("thread"));
    assert.equal(r.getDelayedCalls().length, 2);
    r.advance(0);
    assert.deepEqual(seen, ["thread"]);
    r.pump([1, 1]);
    assert.deepEqual(seen, ["thread", "later"]);
    assert.equal(r.seconds(), 2);
    assert.equal(r.rightNow, 2);
    r.listenTCP(1, new Factory());
    assert.equal(r.tcpServers.length, 1);
    assert.equal(r.kind, "memory");
  });
});

describe("RaisingMemoryReactor", () => {
  it("throws the configured errors from listen and connect calls", () => {
    const listenError = new CannotListenError("", 80, new Error("EACCES"));
    const connectError = new ConnectionRefusedError();
    const r = new RaisingMemoryReactor({ listenError, connectError });
    const f = new ClientFactory();
    assert.throws(() => r.listenTCP(80, f), (e) => e === listenError);
    assert.throws(() => r.listenUNIX("/x", f), (e) => e === listenError);
    assert.throws(() => r.connectTCP("h", 1, f), (e) => e === connectError);
    assert.throws(() => r.connectUNIX("/x", f), (e) => e === connectError);
  });
});
