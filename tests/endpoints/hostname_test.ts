import assert from "node:assert/strict";
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
import { runTests, TestCase } from "../../testing/test_case.ts";
import { completeTCP, failTCP, tick } from "./_helpers.ts";

const hosts = (r: MemoryReactorClock): string[] => r.tcpClients.map((c) => c[0]);

/**
 * Twisted's HostnameEndpoint, as a trial-style TestCase: each test gets a
 * fresh MemoryReactorClock in setUp, and the kit fails a test that leaves an
 * unhandled failed Deferred or logs an error (a loser's late failure, say).
 */
class HostnameEndpointTests extends TestCase {
  r!: MemoryReactorClock;

  override setUp(): void {
    this.r = new MemoryReactorClock();
  }

  /** An IP literal needs no resolution: one attempt at once */
  testIPLiteralNeedsNoResolution(): void {
    const r = this.r;
    new HostnameEndpoint(r, "127.0.0.1", 80).connect(new Factory());
    new HostnameEndpoint(r, "::1", 81).connect(new Factory());
    assert.deepEqual(hosts(r), ["127.0.0.1", "::1"]);
    assert.deepEqual(r.tcpClients.map((c) => c[1]), [80, 81]);
  }

  /** Starts an attempt every attemptDelay (0.3 s), interleaving IPv6 and IPv4 */
  testAttemptEveryAttemptDelayInterleavingFamilies(): void {
    const r = this.r;
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
  }

  /** Starts with the family the resolver put first */
  testStartsWithTheResolversFirstFamily(): void {
    const r = this.r;
    new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["192.0.2.1", "192.0.2.2", "2001:db8::1"],
      attemptDelay: 1,
    }).connect(new Factory());
    r.pump([1, 1]);
    assert.deepEqual(hosts(r), ["192.0.2.1", "2001:db8::1", "192.0.2.2"]);
  }

  /** The first connection wins; the others are cancelled and no more are started */
  async testFirstConnectionWins(): Promise<void> {
    const r = this.r;
    class P extends Protocol {}
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1", "::2", "127.0.0.2"],
    }).connect<P>(Factory.forProtocol(P));
    r.advance(0.3);
    assert.equal(r.tcpClients.length, 2);
    this.assertNoResult(d);
    completeTCP(r, 1);
    assert.ok(this.successResultOf(d) instanceof P);
    assert.equal(r.connectors[0].stoppedConnecting, true, "the loser was cancelled");
    assert.equal(r.connectors[1].stoppedConnecting, false);
    r.advance(10);
    assert.equal(r.tcpClients.length, 2, "no attempt after the winner");
    // The loser reporting failure later changes nothing: no result, no logged
    // or unhandled error (the kit would fail this test for either).
    failTCP(r, 0);
    assert.equal(d.result, undefined);
    await tick();
  }

  /** When every attempt fails, fails with the last failure */
  async testAllFailedFailsWithTheLastFailure(): Promise<void> {
    const r = this.r;
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1"],
    }).connect(new Factory());
    r.advance(0.3);
    failTCP(r, 0, new ConnectionRefusedError("first"));
    this.assertNoResult(d); // one attempt still in flight
    failTCP(r, 1, new TCPTimedOutError("second"));
    await tick();
    this.failureResultOf(d, TCPTimedOutError);
  }

  /** A failure with nothing else in flight starts the next attempt at once */
  testFailureWithNothingInFlightStartsTheNextAtOnce(): void {
    const r = this.r;
    new HostnameEndpoint(r, "localhost", 80, { resolver: () => ["::1", "127.0.0.1", "::2"] })
      .connect(new Factory());
    assert.equal(r.tcpClients.length, 1);
    failTCP(r, 0);
    assert.deepEqual(hosts(r), ["::1", "127.0.0.1"], "no need to wait 0.3 s");
    r.advance(0.3);
    assert.deepEqual(hosts(r), ["::1", "127.0.0.1", "::2"]);
    assert.equal(r.getDelayedCalls().length, 0);
  }

  /** Passes timeout and bindAddress to every attempt */
  testPassesTimeoutAndBindAddress(): void {
    const r = this.r;
    new HostnameEndpoint(r, "127.0.0.1", 80, { timeout: 4, bindAddress: "127.0.0.1" })
      .connect(new Factory());
    assert.equal(r.tcpClients[0][3], 4);
    assert.deepEqual(r.tcpClients[0][4], ["127.0.0.1", 0]);
  }

  /** No addresses: DNSLookupError('no results for hostname lookup: …') (Twisted) */
  async testNoAddresses(): Promise<void> {
    const r = this.r;
    const d = new HostnameEndpoint(r, "example.com", 80, { resolver: () => [] })
      .connect(new Factory());
    await assert.rejects(d.toPromise(), (e: Error) => {
      assert.ok(e instanceof DNSLookupError);
      assert.equal(e.message, "no results for hostname lookup: example.com");
      return true;
    });
  }

  /** A failing resolver: DNSLookupError("Couldn't find the hostname '…'") (Twisted) */
  async testFailingResolver(): Promise<void> {
    const r = this.r;
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
  }

  /** An asynchronous resolver works too */
  async testAsynchronousResolver(): Promise<void> {
    const r = this.r;
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: (): Promise<string[]> => Promise.resolve(["192.0.2.9"]),
    }).connect<IProtocol>(Factory.forProtocol(Protocol));
    assert.equal(r.tcpClients.length, 0);
    await tick();
    assert.deepEqual(hosts(r), ["192.0.2.9"]);
    completeTCP(r, 0);
    assert.ok((await d) instanceof Protocol);
  }

  /** Cancelling during resolution: ConnectingCancelledError, and no attempts afterwards */
  async testCancelDuringResolution(): Promise<void> {
    const r = this.r;
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
  }

  /** Cancelling during the attempts cancels them all and stops the timer */
  async testCancelDuringAttempts(): Promise<void> {
    const r = this.r;
    const d = new HostnameEndpoint(r, "example.com", 80, {
      resolver: () => ["::1", "127.0.0.1", "::2"],
    }).connect(new Factory());
    r.advance(0.3);
    d.cancel();
    await assert.rejects(d.toPromise(), ConnectingCancelledError);
    assert.deepEqual(r.connectors.map((c) => c.stoppedConnecting), [true, true]);
    r.advance(5);
    assert.equal(r.tcpClients.length, 2);
  }

  /** Invalid names fail with InvalidAddressError; IDNs are resolved in punycode */
  async testInvalidNamesAndIDNs(): Promise<void> {
    const r = this.r;
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
  }

  /** Describes itself as Twisted does */
  testRepr(): void {
    const r = this.r;
    assert.equal(
      String(new HostnameEndpoint(r, "example.com", 80)),
      "<HostnameEndpoint example.com:80>",
    );
    assert.equal(String(new HostnameEndpoint(r, "::1", 80)), "<HostnameEndpoint [::1]:80>");
    assert.throws(() => new HostnameEndpoint(r, "h", 80, { attemptDelay: -1 }), /attemptDelay/);
  }
}

runTests(HostnameEndpointTests);
