import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deferred } from "../../deferred/deferred.ts";
import { HostnameEndpoint } from "../../endpoints/hostname.ts";
import type { IProtocol } from "../../interfaces.ts";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import {
  ConnectingCancelledError,
  ConnectionRefusedError,
  DNSLookupError,
  InvalidAddressError,
  TCPTimedOutError,
} from "../../reactor/errors.ts";
import { MemoryReactorClock } from "../../testing/memory_reactor.ts";
import { completeTCP, failTCP, tick } from "./_helpers.ts";

/** Observe a Deferred synchronously (this consumes its result). */
function settle<T>(d: Deferred<T>): { value?: T; error?: unknown; done: boolean; } {
  const o: { value?: T; error?: unknown; done: boolean; } = { done: false };
  d.addCallback((v: T): null => {
    o.value = v;
    o.done = true;
    return null;
  });
  d.addErrback((f): null => {
    o.error = f.value;
    o.done = true;
    return null;
  });
  return o;
}

const hosts = (r: MemoryReactorClock): string[] => r.tcpClients.map((c) => c[0]);

describe("HostnameEndpoint (Twisted's HostnameEndpoint)", () => {
  it("an IP literal needs no resolution: one attempt at once", () => {
    const r = new MemoryReactorClock();
    new HostnameEndpoint(r, "127.0.0.1", 80).connect(new Factory());
    new HostnameEndpoint(r, "::1", 81).connect(new Factory());
    assert.deepEqual(hosts(r), ["127.0.0.1", "::1"]);
    assert.deepEqual(r.tcpClients.map((c) => c[1]), [80, 81]);
  });

  it("starts an attempt every attemptDelay (0.3 s), interleaving IPv6 and IPv4", () => {
    const r = new MemoryReactorClock();
    const ep = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2", "192.0.2.3"],
    });
    ep.connect(new Factory());
    assert.deepEqual(hosts(r), ["2001:db8::1"]);
    r.advance(0.29);
    assert.equal(r.tcpClients.length, 1);
    r.advance(0.01);
    assert.deepEqual(hosts(r), ["2001:db8::1", "192.0.2.1"]);
    r.pump([0.3, 0.3, 0.3, 0.3]);
    assert.deepEqual(hosts(r), [
      "2001:db8::1",
      "192.0.2.1",
      "2001:db8::2",
      "192.0.2.2",
      "192.0.2.3",
    ]);
    assert.equal(r.getDelayedCalls().length, 0, "no timer once every address was tried");
  });

  it("starts with the family the resolver put first", () => {
    const r = new MemoryReactorClock();
    new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["192.0.2.1", "192.0.2.2", "2001:db8::1"],
      attemptDelay: 1,
    }).connect(new Factory());
    r.pump([1, 1]);
    assert.deepEqual(hosts(r), ["192.0.2.1", "2001:db8::1", "192.0.2.2"]);
  });

  it("the first connection wins; the others are cancelled and no more are started", async () => {
    const r = new MemoryReactorClock();
    class P extends Protocol {}
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1", "::2", "127.0.0.2"],
    }).connect<P>(Factory.forProtocol(P));
    const o = settle(d);
    r.advance(0.3);
    assert.equal(r.tcpClients.length, 2);
    completeTCP(r, 1);
    assert.ok(o.done);
    assert.ok(o.value instanceof P);
    assert.equal(r.connectors[0].stoppedConnecting, true, "the loser was cancelled");
    assert.equal(r.connectors[1].stoppedConnecting, false);
    r.advance(10);
    assert.equal(r.tcpClients.length, 2, "no attempt after the winner");
    // The loser reporting failure later changes nothing.
    failTCP(r, 0);
    assert.ok(o.value instanceof P);
    await tick();
  });

  it("when every attempt fails, fails with the last failure", async () => {
    const r = new MemoryReactorClock();
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1"],
    }).connect(new Factory());
    const o = settle(d);
    r.advance(0.3);
    failTCP(r, 0, new ConnectionRefusedError("first"));
    assert.equal(o.done, false, "one attempt still in flight");
    failTCP(r, 1, new TCPTimedOutError("second"));
    await tick();
    assert.ok(o.error instanceof TCPTimedOutError);
  });

  it("a failure with nothing else in flight starts the next attempt at once", () => {
    const r = new MemoryReactorClock();
    new HostnameEndpoint(r, "localhost", 80, { resolver: () => ["::1", "127.0.0.1", "::2"] })
      .connect(new Factory());
    assert.equal(r.tcpClients.length, 1);
    failTCP(r, 0);
    assert.deepEqual(hosts(r), ["::1", "127.0.0.1"], "no need to wait 0.3 s");
    r.advance(0.3);
    assert.deepEqual(hosts(r), ["::1", "127.0.0.1", "::2"]);
    assert.equal(r.getDelayedCalls().length, 0);
  });

  it("passes timeout and bindAddress to every attempt", () => {
    const r = new MemoryReactorClock();
    new HostnameEndpoint(r, "127.0.0.1", 80, { timeout: 4, bindAddress: "127.0.0.1" })
      .connect(new Factory());
    assert.equal(r.tcpClients[0][3], 4);
    assert.deepEqual(r.tcpClients[0][4], ["127.0.0.1", 0]);
  });

  it("no addresses: DNSLookupError('no results for hostname lookup: …') (Twisted)", async () => {
    const r = new MemoryReactorClock();
    const d = new HostnameEndpoint(r, "example.com", 80, { resolver: () => [] })
      .connect(new Factory());
    await assert.rejects(d.toPromise(), (e: Error) => {
      assert.ok(e instanceof DNSLookupError);
      assert.equal(e.message, "no results for hostname lookup: example.com");
      return true;
    });
  });

  it("a failing resolver: DNSLookupError(\"Couldn't find the hostname '…'\") (Twisted)", async () => {
    const r = new MemoryReactorClock();
    for (
      const resolver of [
        (): never => {
          throw new Error("sync");
        },
        (): Promise<string[]> => Promise.reject(new Error("async")),
      ]
    ) {
      const d = new HostnameEndpoint(r, "nowhere.example", 80, { resolver }).connect(new Factory());
      await assert.rejects(d.toPromise(), (e: Error) => {
        assert.ok(e instanceof DNSLookupError);
        assert.equal(e.message, "Couldn't find the hostname 'nowhere.example'");
        return true;
      });
    }
  });

  it("an asynchronous resolver works too", async () => {
    const r = new MemoryReactorClock();
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: (): Promise<string[]> => Promise.resolve(["192.0.2.9"]),
    }).connect<IProtocol>(Factory.forProtocol(Protocol));
    assert.equal(r.tcpClients.length, 0);
    await tick();
    assert.deepEqual(hosts(r), ["192.0.2.9"]);
    completeTCP(r, 0);
    assert.ok((await d) instanceof Protocol);
  });

  it("cancelling during resolution: ConnectingCancelledError, and no attempts afterwards", async () => {
    const r = new MemoryReactorClock();
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: (): Promise<string[]> => Promise.resolve(["192.0.2.9"]),
    }).connect(new Factory());
    d.cancel();
    await assert.rejects(d.toPromise(), (e: Error) => {
      assert.ok(e instanceof ConnectingCancelledError);
      assert.match(e.message, /<HostnameEndpoint example\.com:80>/);
      return true;
    });
    await tick();
    assert.equal(r.tcpClients.length, 0);
  });

  it("cancelling during the attempts cancels them all and stops the timer", async () => {
    const r = new MemoryReactorClock();
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1", "::2"],
    }).connect(new Factory());
    r.advance(0.3);
    d.cancel();
    await assert.rejects(d.toPromise(), ConnectingCancelledError);
    assert.deepEqual(r.connectors.map((c) => c.stoppedConnecting), [true, true]);
    r.advance(5);
    assert.equal(r.tcpClients.length, 2);
  });

  it("invalid names fail with InvalidAddressError; IDNs are resolved in punycode", async () => {
    const r = new MemoryReactorClock();
    for (const bad of ["", "a b", "foo/bar", "-x.example", "x..y"]) {
      const d = new HostnameEndpoint(r, bad, 80).connect(new Factory());
      await assert.rejects(d.toPromise(), InvalidAddressError, JSON.stringify(bad));
    }
    const asked: string[] = [];
    new HostnameEndpoint(r, "bücher.example", 80, {
      resolver: (h) => {
        asked.push(h);
        return [];
      },
    }).connect(new Factory()).addErrback(() => null);
    assert.deepEqual(asked, ["xn--bcher-kva.example"]);
  });

  it("describes itself as Twisted does", () => {
    const r = new MemoryReactorClock();
    assert.equal(
      String(new HostnameEndpoint(r, "example.com", 80)),
      "<HostnameEndpoint example.com:80>",
    );
    assert.equal(String(new HostnameEndpoint(r, "::1", 80)), "<HostnameEndpoint [::1]:80>");
    assert.throws(() => new HostnameEndpoint(r, "h", 80, { attemptDelay: -1 }), /attemptDelay/);
  });
});
