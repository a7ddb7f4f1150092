/**
 * UDP on the host reactor (node:dgram), on Deno and Bun: Twisted's udp.Port
 * semantics. Deno binds synchronously; Bun's dgram binds asynchronously, so
 * every test waits for `whenListening()` (immediate on Deno) before asking
 * for the port number.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IAddress } from "../../../interfaces.ts";
import type { DatagramProtocol } from "../../../protocols/mod.ts";
import { IPv4Address, IPv6Address } from "../../../reactor/address.ts";
import {
  CannotListenError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
} from "../../../reactor/errors.ts";
import type { HostReactor } from "../../../reactor/host/host_reactor.ts";
import type { HostUDPPort } from "../../../reactor/host/udp.ts";
import { Collector, EchoUDP } from "../_udp.ts";
import { LogCapture, pattern, portOf, sleep, text, waitFor, withHost } from "./_helpers.ts";

/** listenUDP, then wait until it is bound. */
async function bound(
  r: HostReactor,
  proto: DatagramProtocol,
  iface = "127.0.0.1",
  port = 0,
  maxPacketSize?: number,
): Promise<HostUDPPort> {
  const t = r.listenUDP(port, proto, { interface: iface, maxPacketSize });
  const host: IAddress = await t.whenListening();
  assert.deepEqual(host, t.getHost());
  return t;
}

describe("host reactor: UDP", () => {
  it("delivers datagrams in order with the sender's address; echoes; stops cleanly", () =>
    withHost(async (r) => {
      const server = await bound(r, new EchoUDP());
      assert.ok(server.getHost() instanceof IPv4Address);
      assert.equal(server.getHost().type, "UDP");
      const proto = new Collector();
      const client = await bound(r, proto);
      assert.equal(proto.started, 1);
      for (let i = 0; i < 50; i++) client.write(`msg ${i}`, ["127.0.0.1", portOf(server)]);
      client.write(pattern(4000, 3), ["127.0.0.1", portOf(server)]);
      await waitFor(() => proto.got.length === 51, 5000, "51 echoes");
      // Twisted's write is a synchronous sendto: order is kept (loopback does not reorder).
      assert.deepEqual(
        proto.got.slice(0, 50).map(([d]) => text(d)),
        Array.from({ length: 50 }, (_, i) => `msg ${i}`),
      );
      assert.deepEqual(proto.got[0][1], ["127.0.0.1", portOf(server)]);
      assert.deepEqual(proto.got[50][0], pattern(4000, 3));
      await client.stopListening();
      assert.equal(proto.stopped, 1);
      assert.equal(proto.transport, null);
      await server.stopListening();
    }));

  it("truncates datagrams above maxPacketSize; too-long sends raise MessageLengthError", () =>
    withHost(async (r) => {
      const proto = new Collector();
      const server = await bound(r, proto, "127.0.0.1", 0, 100);
      const client = await bound(r, new Collector());
      client.write(pattern(300), ["127.0.0.1", portOf(server)]);
      await waitFor(() => proto.got.length === 1, 5000, "datagram");
      assert.deepEqual(proto.got[0][0], pattern(300).subarray(0, 100));
      assert.throws(
        () => client.write(new Uint8Array(70000), ["127.0.0.1", portOf(server)]),
        MessageLengthError,
      );
      await client.stopListening();
      await server.stopListening();
    }));

  it("rejects host names, the wrong family and a missing address with InvalidAddressError", () =>
    withHost(async (r) => {
      const t = await bound(r, new Collector());
      assert.throws(() => t.write("x", ["localhost", 9]), InvalidAddressError);
      assert.throws(() => t.write("x", ["::1", 9]), InvalidAddressError);
      assert.throws(() => t.write("x"), InvalidAddressError);
      assert.throws(() => t.connect("localhost", 9), InvalidAddressError);
      await t.stopListening();
    }));

  it("connected UDP: write without an address; only the peer's datagrams arrive", () =>
    withHost(async (r) => {
      const peerProto = new Collector();
      const peer = await bound(r, peerProto);
      const other = await bound(r, new Collector());
      const proto = new Collector();
      const t = await bound(r, proto);
      t.connect("127.0.0.1", portOf(peer));
      assert.throws(() => t.connect("127.0.0.1", portOf(peer)), /already connected/);
      assert.throws(() => t.write("x", ["127.0.0.1", portOf(other)]), /connected/);
      t.write("to peer");
      await waitFor(() => peerProto.got.length === 1, 5000, "peer got it");
      assert.deepEqual(peerProto.got[0], [new TextEncoder().encode("to peer"), [
        "127.0.0.1",
        portOf(t),
      ]]);
      other.write("filtered", ["127.0.0.1", portOf(t)]);
      peer.write("from peer", ["127.0.0.1", portOf(t)]);
      await waitFor(() => proto.got.length >= 1, 5000, "from peer");
      await sleep(50);
      assert.deepEqual(proto.got.map(([d]) => text(d)), ["from peer"]);
      await t.stopListening();
      await peer.stopListening();
      await other.stopListening();
    }));

  it("works over IPv6 (::1)", () =>
    withHost(async (r) => {
      const server = await bound(r, new EchoUDP(), "::1");
      assert.ok(server.getHost() instanceof IPv6Address);
      const proto = new Collector();
      const client = await bound(r, proto, "::1");
      client.write("six", ["::1", portOf(server)]);
      await waitFor(() => proto.got.length === 1, 5000, "v6 echo");
      assert.deepEqual(proto.got[0][1], ["::1", portOf(server)]);
      assert.throws(() => client.write("x", ["127.0.0.1", 9]), InvalidAddressError);
      await client.stopListening();
      await server.stopListening();
    }));

  it("multicast and broadcast options; joining and leaving a group", () =>
    withHost(async (r) => {
      const t = await bound(r, new Collector(), "");
      assert.equal(t.getTTL(), 1);
      t.setTTL(5);
      assert.equal(t.getTTL(), 5);
      assert.throws(() => t.setTTL(300), RangeError);
      assert.equal(t.getLoopbackMode(), true);
      t.setLoopbackMode(false);
      assert.equal(t.getLoopbackMode(), false);
      t.setLoopbackMode(true);
      t.setBroadcastAllowed(true);
      assert.equal(t.getBroadcastAllowed(), true);
      let joined = true;
      try {
        await t.joinGroup("239.255.77.78", "127.0.0.1");
      } catch (e) {
        // A kernel without multicast on lo refuses; it must say so as Twisted does.
        assert.ok(e instanceof MulticastJoinError, String(e));
        joined = false;
      }
      if (joined) await t.leaveGroup("239.255.77.78", "127.0.0.1");
      await assert.rejects(t.joinGroup("not-a-group", "127.0.0.1").toPromise(), MulticastJoinError);
      await t.stopListening();
    }));

  it("broadcast needs setBroadcastAllowed: EACCES at the call, then lo's broadcast arrives", () =>
    withHost(async (r) => {
      const proto = new Collector();
      const t = await bound(r, proto, "");
      assert.throws(() => t.write("no", ["127.255.255.255", portOf(t)]), /EACCES/);
      assert.throws(() => t.write("no", ["<broadcast>", portOf(t)]), /EACCES/);
      t.setBroadcastAllowed(true);
      t.write("bcast", ["127.255.255.255", portOf(t)]);
      await waitFor(() => proto.got.length === 1, 3000, "broadcast datagram");
      assert.equal(text(proto.got[0][0]), "bcast");
      await t.stopListening();
    }));

  it("stopListening from datagramReceived: no datagram is delivered after it (Twisted stops reading)", () =>
    withHost(async (r) => {
      class StopAtFirst extends Collector {
        override datagramReceived(data: Uint8Array, addr: [string, number]): void {
          super.datagramReceived(data, addr);
          this.transport!.stopListening();
        }
      }
      const proto = new StopAtFirst();
      const t = await bound(r, proto);
      const sender = await bound(r, new Collector());
      for (let i = 0; i < 20; i++) sender.write(`d${i}`, ["127.0.0.1", portOf(t)]);
      await waitFor(() => proto.stopped === 1, 3000, "port stopped");
      await sleep(30);
      assert.equal(proto.got.length, 1);
      assert.equal(text(proto.got[0][0]), "d0");
      await sender.stopListening();
    }));

  it("a port in use: CannotListenError (thrown, or from whenListening where binding is asynchronous)", () =>
    withHost(async (r) => {
      const t = await bound(r, new Collector());
      const logs = new LogCapture();
      try {
        let error: unknown = null;
        try {
          await bound(r, new Collector(), "127.0.0.1", portOf(t));
        } catch (e) {
          error = e;
        }
        assert.ok(error instanceof CannotListenError, String(error));
      } finally {
        logs.close();
      }
      await t.stopListening();
    }));

  it("an exception in datagramReceived is logged; the port keeps working", () =>
    withHost(async (r) => {
      const logs = new LogCapture();
      try {
        let n = 0;
        class Flaky extends Collector {
          override datagramReceived(data: Uint8Array, addr: [string, number]): void {
            if (n++ === 0) throw new RangeError("first one fails");
            super.datagramReceived(data, addr);
          }
        }
        const proto = new Flaky();
        const server = await bound(r, proto);
        const client = await bound(r, new Collector());
        client.write("one", ["127.0.0.1", portOf(server)]);
        client.write("two", ["127.0.0.1", portOf(server)]);
        await waitFor(() => proto.got.length === 1, 5000, "second datagram");
        assert.equal(text(proto.got[0][0]), "two");
        assert.ok(logs.errors.some((e) => e.failure?.value instanceof RangeError));
        await client.stopListening();
        await server.stopListening();
      } finally {
        logs.close();
      }
    }));
});
