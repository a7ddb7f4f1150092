import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IPushProducer } from "../../interfaces.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { IPv4Address, UNIXAddress } from "../../reactor/address.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import {
  StringTransport,
  StringTransportWithDisconnection,
} from "../../testing/string_transport.ts";

const producer: IPushProducer = {
  pauseProducing(): void {},
  resumeProducing(): void {},
  stopProducing(): void {},
};

describe("StringTransport (twisted.internet.testing.StringTransport)", () => {
  it("records writes; value() and valueString(); clear()", () => {
    const t = new StringTransport();
    assert.deepEqual(t.value(), new Uint8Array(0));
    t.write(new Uint8Array([104, 105]));
    t.write(" there");
    t.writeSequence(["!", new Uint8Array([10])]);
    assert.equal(t.valueString(), "hi there!\n");
    assert.equal(t.value().length, 10);
    t.clear();
    assert.equal(t.valueString(), "");
  });

  it("copies written bytes: the writer may reuse its buffer", () => {
    const t = new StringTransport();
    const buf = new Uint8Array([1, 2, 3]);
    t.write(buf);
    buf.fill(9);
    assert.deepEqual(t.value(), new Uint8Array([1, 2, 3]));
    // value() returns a copy too.
    t.value().fill(0);
    assert.deepEqual(t.value(), new Uint8Array([1, 2, 3]));
  });

  it("loseConnection sets disconnecting; abortConnection also disconnected", () => {
    const t = new StringTransport();
    t.loseConnection();
    assert.equal(t.disconnecting, true);
    assert.equal(t.disconnected, false);
    const u = new StringTransport();
    u.abortConnection();
    assert.equal(u.disconnecting, true);
    assert.equal(u.disconnected, true);
    u.loseWriteConnection();
    assert.equal(u.writeDisconnected, true);
  });

  it("getPeer/getHost default to Twisted's addresses and are configurable", () => {
    const t = new StringTransport();
    assert.ok(t.getPeer() instanceof IPv4Address);
    assert.equal(t.getPeer().toString(), "IPv4Address(TCP, '192.168.1.1', 54321)");
    assert.equal(t.getHost().toString(), "IPv4Address(TCP, '10.0.0.1', 12345)");
    const u = new StringTransport({
      hostAddress: new UNIXAddress("/tmp/a"),
      peerAddress: new UNIXAddress("/tmp/b"),
    });
    assert.equal(u.getHost().name, "/tmp/a");
    assert.equal(u.getPeer().name, "/tmp/b");
  });

  it("registers one producer at a time", () => {
    const t = new StringTransport();
    t.registerProducer(producer, true);
    assert.equal(t.producer, producer);
    assert.equal(t.streaming, true);
    assert.throws(() => t.registerProducer(producer, false), /two producers/);
    t.unregisterProducer();
    assert.equal(t.producer, null);
    assert.equal(t.streaming, null);
    assert.throws(() => t.unregisterProducer(), /unless one is registered/);
  });

  it("tracks producerState; refuses to resume after loseConnection unless lenient", () => {
    const t = new StringTransport();
    t.pauseProducing();
    assert.equal(t.producerState, "paused");
    t.resumeProducing();
    assert.equal(t.producerState, "producing");
    t.loseConnection();
    assert.throws(() => t.resumeProducing(), /after loseConnection/);
    const l = new StringTransport({ lenient: true });
    l.loseConnection();
    l.pauseProducing();
    l.resumeProducing();
    l.stopProducing();
    assert.equal(l.producerState, "stopped");
    assert.throws(() => l.resumeProducing(), /stopped producer/);
  });

  it("bufferedAmount counts the bytes written since the last clear()", () => {
    const t = new StringTransport();
    assert.equal(t.bufferedAmount, 0);
    t.write("héllo"); // 6 bytes of UTF-8
    t.writeSequence([new Uint8Array(3), ""]);
    assert.equal(t.bufferedAmount, 9);
    assert.equal(t.bufferedAmount, t.value().length);
    t.clear();
    assert.equal(t.bufferedAmount, 0);
  });

  it("write, writeSequence, loseConnection and abortConnection work unbound (callLater(2, t.loseConnection))", () => {
    const clock = new Clock();
    const t = new StringTransport();
    const { write, writeSequence, loseConnection } = t;
    write("a");
    writeSequence(["b", "c"]);
    assert.equal(t.valueString(), "abc");
    clock.callLater(2, loseConnection);
    clock.advance(2);
    assert.equal(t.disconnecting, true);
    const u = new StringTransport();
    clock.callLater(1, u.abortConnection);
    clock.advance(1);
    assert.equal(u.disconnected, true);
  });

  it("records TCP options", () => {
    const t = new StringTransport();
    t.setTcpNoDelay(true);
    t.setTcpKeepAlive(true);
    assert.equal(t.getTcpNoDelay(), true);
    assert.equal(t.getTcpKeepAlive(), true);
  });
});

describe("StringTransportWithDisconnection", () => {
  it("loseConnection calls connectionLost(ConnectionDone('Bye.')) once", () => {
    const reasons: Failure[] = [];
    class P extends Protocol {
      override connectionLost(reason: Failure): void {
        reasons.push(reason);
      }
    }
    const p = new P();
    const t = new StringTransportWithDisconnection();
    t.connect(p);
    assert.equal(p.transport, t);
    t.loseConnection();
    t.loseConnection();
    assert.equal(reasons.length, 1);
    assert.ok(reasons[0].check(ConnectionDone));
    assert.equal(reasons[0].getErrorMessage(), "Bye.");
    assert.equal(t.connected, false);
    assert.equal(t.disconnecting, true);
  });

  it("its loseConnection override works unbound too", () => {
    const lost: Failure[] = [];
    class P extends Protocol {
      override connectionLost(reason: Failure): void {
        lost.push(reason);
      }
    }
    const t = new StringTransportWithDisconnection();
    t.connect(new P());
    const clock = new Clock();
    clock.callLater(2, t.loseConnection);
    clock.advance(2);
    assert.equal(lost.length, 1);
    assert.equal(t.connected, false);
  });
});
