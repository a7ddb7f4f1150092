import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { TCP4ClientEndpoint } from "../../endpoints/tcp.ts";
import { connectionDone } from "../../protocols/protocol.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { AccumulatingFactory, AccumulatingProtocol } from "../../testing/accumulating_protocol.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";

describe("AccumulatingProtocol (twisted.internet.testing)", () => {
  it("records made, data (copied), closed and closedReason", () => {
    const p = new AccumulatingProtocol();
    assert.equal(p.made, false);
    p.makeConnection(new StringTransport());
    assert.equal(p.made, true);
    const chunk = new TextEncoder().encode("hel");
    p.dataReceived(chunk);
    chunk.fill(0);
    p.dataReceived(new Uint8Array(0));
    p.dataReceived(new TextEncoder().encode("lo"));
    assert.equal(p.dataString(), "hello");
    assert.equal(p.data.length, 5);
    p.connectionLost(connectionDone);
    assert.equal(p.closed, true);
    assert.ok(p.closedReason?.check(ConnectionDone));
  });

  it("closedDeferred fires once on connectionLost", () => {
    const p = new AccumulatingProtocol();
    const d = new Deferred<void>();
    let n = 0;
    d.addCallback(() => {
      n++;
    });
    p.closedDeferred = d;
    p.connectionLost(connectionDone);
    p.connectionLost(connectionDone);
    assert.equal(n, 1);
    assert.equal(p.closedDeferred, null);
  });

  it("the factory's protocolConnectionMade fires with the next protocol, then clears", async () => {
    const f = new AccumulatingFactory();
    f.protocolConnectionMade = new Deferred<AccumulatingProtocol>();
    const waiting = f.protocolConnectionMade;
    const reactor = new MemoryReactor();
    const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", 1).connect<AccumulatingProtocol>(f);
    const wrapper = reactor.tcpClients[0][2].buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!;
    wrapper.makeConnection(new StringTransport());
    const p = await d;
    assert.equal(await waiting, p);
    assert.equal(f.protocolConnectionMade, null);
    assert.equal(p.factory, f);
  });
});
