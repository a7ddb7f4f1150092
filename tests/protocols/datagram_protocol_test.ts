import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbstractDatagramProtocol, DatagramProtocol } from "../../protocols/datagram_protocol.ts";

/** A quiet DatagramProtocol recording its startProtocol / stopProtocol calls. */
class LifeCycle extends DatagramProtocol {
  readonly calls: string[] = [];
  constructor() {
    super();
    this.noisy = false;
  }
  override startProtocol(): void {
    this.calls.push("start");
  }
  override stopProtocol(): void {
    this.calls.push("stop");
  }
}

describe("DatagramProtocol (twisted.internet.protocol.AbstractDatagramProtocol)", () => {
  // deno-lint-ignore no-explicit-any
  const fakePort = {} as any;

  it("makeConnection sets transport and starts the protocol once for several ports", () => {
    const d = new LifeCycle();
    const calls = d.calls;
    d.makeConnection(fakePort);
    assert.equal(d.transport, fakePort);
    assert.equal(d.numPorts, 1);
    assert.throws(() => d.makeConnection(fakePort), /already attached/);
    d.doStart();
    assert.equal(d.numPorts, 2);
    d.doStop();
    assert.equal(d.transport, null);
    assert.deepEqual(calls, ["start"]);
    d.doStop();
    assert.deepEqual(calls, ["start", "stop"]);
    assert.throws(() => d.doStop(), /more often/);
  });

  it("defaults: datagramReceived and connectionRefused do nothing; logPrefix is the class name", () => {
    class Mine extends DatagramProtocol {}
    const d = new Mine();
    d.datagramReceived(new Uint8Array(1), ["127.0.0.1", 1]);
    d.connectionRefused();
    assert.equal(d.logPrefix(), "Mine");
    assert.ok(d instanceof AbstractDatagramProtocol);
  });
});
