// TCP transports over real loopback sockets, on every reactor kind in KINDS.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import type { IAddress, IConnector, IProtocol, ITCPTransport } from "../../interfaces.ts";
import { ReconnectingClientFactory } from "../../protocols/mod.ts";
import { IPv4Address, IPv6Address } from "../../reactor/address.ts";
// How a connection ends, and how a connect or listen fails.
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import { CannotListenError, ConnectBindError, ConnectError } from "../../reactor/errors.ts";
import { ConnectionRefusedError, DNSLookupError, TimeoutError } from "../../reactor/errors.ts";
import { NotConnectingError, UserError } from "../../reactor/errors.ts";
import { constants as K } from "../../reactor/ffi/constants.ts";
import { libc } from "../../reactor/ffi/mod.ts";
import { encodeSockaddr } from "../../reactor/ffi/structs.ts";
import { quickRetry } from "../protocols/_quick_retry.ts";
import { accepted, hangUp, tcpPair, whenMade } from "./_connect.ts";
import {
  assertTcpOptionDefaults,
  ClientFactoryOf,
  concat,
  Echo,
  freePort,
  ipOf,
  KINDS,
  LogCapture,
  pattern,
  portOf,
  Recorder,
  ServerFactoryOf,
  text,
  waitFor,
  withReactor,
} from "./_helpers.ts";

/** A raw listening socket with a full accept queue: new SYNs are dropped. */
async function fullBacklogListener(): Promise<{ port: number; close(): void; }> {
  const l = libc();
  const lfd = l.socket(K.AF_INET, K.SOCK_STREAM | K.SOCK_NONBLOCK, 0);
  const sa = encodeSockaddr("127.0.0.1", 0);
  assert.equal(l.bind(lfd, sa, sa.length), 0);
  assert.equal(l.listen(lfd, 0), 0);
  const buf = new Uint8Array(128);
  const len = new Uint32Array([128]);
  l.getsockname(lfd, buf, len);
  const port = new DataView(buf.buffer).getUint16(2, false);
  const target = encodeSockaddr("127.0.0.1", port);
  const fillers: number[] = [];
  for (let i = 0; i < 4; i++) {
    const fd = l.socket(K.AF_INET, K.SOCK_STREAM | K.SOCK_NONBLOCK, 0);
    l.connect(fd, target, target.length);
    fillers.push(fd);
    await new Promise((res) => setTimeout(res, 30));
  }
  return {
    port,
    close(): void {
      for (const fd of fillers) l.close(fd);
      l.close(lfd);
    },
  };
}

for (const kind of KINDS) {
  describe(`TCP on ${kind}`, () => {
    it("echoes a round trip; both sides see ConnectionDone; addresses are typed", () =>
      withReactor(kind, async (r) => {
        const sf = new ServerFactoryOf(() => new Echo());
        const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
        assert.ok(port.getHost() instanceof IPv4Address);
        assert.ok(portOf(port) > 0);
        assert.equal(sf.starts, 1);
        const cf = new ClientFactoryOf(() => new Recorder());
        const connector = r.connectTCP("127.0.0.1", portOf(port), cf);
        assert.deepEqual(
          connector.getDestination(),
          new IPv4Address("TCP", "127.0.0.1", portOf(port)),
        );
        const client = await cf.result;
        const t = client.transport as ITCPTransport;
        assert.ok(t.getPeer() instanceof IPv4Address);
        assert.equal(ipOf(t.getPeer()).port, portOf(port));
        assert.equal(ipOf(t.getHost()).host, "127.0.0.1");
        // Bad input is a TypeError at the call, not a crash in the reactor.
        assert.throws(
          () => t.write(new ArrayBuffer(3) as unknown as Uint8Array),
          /Uint8Array or a string.*ArrayBuffer/,
        );
        assert.throws(() => t.writeSequence([42 as unknown as Uint8Array]), TypeError);
        t.write("héllo ");
        t.writeSequence([new TextEncoder().encode("wor"), "ld"]);
        await waitFor(() => client.received >= 12, 5000, "echo");
        assert.equal(text(client.data()), "héllo world");
        t.loseConnection();
        const reason = await client.lost;
        assert.ok(reason.value instanceof ConnectionDone, String(reason.value));
        assert.deepEqual(cf.events, ["started", "lost"]);
        assert.ok(cf.lostReason!.value instanceof ConnectionDone);
        assert.equal(cf.stops, 1);
        await port.stopListening();
        assert.equal(sf.stops, 1);
      }));

    it("serves many concurrent connections", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        const N = kind === "select" ? 60 : 200;
        const clients: Recorder[] = [];
        const factories = [];
        for (let i = 0; i < N; i++) {
          const cf = new ClientFactoryOf(() => new Recorder());
          factories.push(cf);
          r.connectTCP("127.0.0.1", portOf(port), cf);
        }
        for (const cf of factories) clients.push(await cf.result);
        const msg = pattern(1000, 7);
        for (const c of clients) c.transport!.write(msg);
        await waitFor(() => clients.every((c) => c.received === 1000), 10000, "all echoes");
        for (const c of clients) assert.deepEqual(c.data(), msg);
        for (const c of clients) c.transport!.loseConnection();
        await Promise.all(clients.map((c) => c.lost));
        await port.stopListening();
      }));

    it("writes several MB at once and delivers every byte in order", () =>
      withReactor(kind, async (r) => {
        const big = pattern(6 * 1024 * 1024, 3);
        const { port, client } = await tcpPair(r, {
          server: whenMade((p) => {
            p.transport!.write(big);
            p.transport!.loseConnection();
          }),
        });
        const reason = await client.lost;
        assert.ok(reason.value instanceof ConnectionDone);
        assert.equal(client.received, big.length);
        assert.deepEqual(client.data(), big);
        await port.stopListening();
      }));

    it("bufferedAmount counts bytes written but not yet sent, down to 0 once the peer reads", () =>
      withReactor(kind, async (r) => {
        const big = pattern(16 * 1024 * 1024, 5);
        const { sf, port, client } = await tcpPair(r);
        const server = await accepted(sf);
        const st = server.transport as ITCPTransport;
        st.pauseProducing(); // the peer stops reading: the kernel buffers fill
        const t = client.transport!;
        assert.equal(t.bufferedAmount, 0);
        t.write(big);
        assert.ok(t.bufferedAmount > 0, `${t.bufferedAmount} bytes buffered`);
        assert.ok(t.bufferedAmount <= big.length);
        st.resumeProducing();
        await waitFor(() => t.bufferedAmount === 0, 10000, "the buffer drains");
        await waitFor(() => server.received === big.length, 10000, "every byte");
        t.loseConnection();
        await client.lost;
        await port.stopListening();
      }));

    it("writeSequence of large and small chunks arrives intact and in order", () =>
      withReactor(kind, async (r) => {
        const parts = [
          pattern(100_000, 1),
          "small",
          pattern(200_000, 2),
          new Uint8Array(0),
          pattern(150_000, 3),
        ];
        const { port, client: c } = await tcpPair(r, {
          server: whenMade((p) => {
            p.transport!.writeSequence(parts);
            p.transport!.writeSequence(["a", "b", "c"]);
            p.transport!.loseConnection();
          }),
        });
        await c.lost;
        const enc = new TextEncoder();
        const expected = concat(
          parts.map((x) => typeof x === "string" ? enc.encode(x) : x).concat([enc.encode("abc")]),
        );
        assert.deepEqual(c.data(), expected);
        await port.stopListening();
      }));

    it("a dual-stack port on :: accepts IPv4 clients (IPv4-mapped peer)", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client } = await tcpPair(r, {
          server: () => new Echo(),
          interface: "::",
          connectTo: "127.0.0.1",
        });
        const peer = (await accepted(sf)).transport!.getPeer();
        assert.ok(peer instanceof IPv6Address);
        assert.equal(peer.host, "::ffff:127.0.0.1");
        await hangUp(client, port);
      }));

    it("reports ConnectionRefusedError to clientConnectionFailed", () =>
      withReactor(kind, async (r) => {
        const p = await freePort(r);
        const cf = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("127.0.0.1", p, cf);
        await cf.finished;
        assert.deepEqual(cf.events, ["started", "failed"]);
        assert.ok(cf.failure!.value instanceof ConnectionRefusedError, String(cf.failure!.value));
        assert.equal(cf.starts, 1);
        assert.equal(cf.stops, 1);
      }));

    it("times out a connect whose SYN is never answered (full accept queue)", () =>
      withReactor(kind, async (r) => {
        const l = await fullBacklogListener();
        try {
          const cf = new ClientFactoryOf(() => new Recorder());
          const t0 = Date.now();
          r.connectTCP("127.0.0.1", l.port, cf, { timeout: 0.3 });
          await cf.finished;
          assert.ok(cf.failure!.value instanceof TimeoutError, String(cf.failure!.value));
          assert.ok(Date.now() - t0 >= 250);
        } finally {
          l.close();
        }
      }));

    it("fails with DNSLookupError for a name that does not resolve", () =>
      withReactor(kind, async (r) => {
        const cf = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("no-such-host.invalid", 80, cf, { timeout: 10 });
        await cf.finished;
        assert.ok(cf.failure!.value instanceof DNSLookupError, String(cf.failure!.value));
      }));

    it("resolves a host name (localhost) without blocking and connects", () =>
      withReactor(kind, async (r) => {
        const { port, client } = await tcpPair(r, {
          server: () => new Echo(),
          connectTo: "localhost",
        });
        assert.equal(ipOf(client.transport!.getPeer()).host, "127.0.0.1");
        await hangUp(client, port);
      }));

    it("works over IPv6 (::1)", () =>
      withReactor(kind, async (r) => {
        const { port, connector, client: c } = await tcpPair(r, {
          server: () => new Echo(),
          interface: "::1",
        });
        assert.ok(port.getHost() instanceof IPv6Address);
        assert.ok(connector.getDestination() instanceof IPv6Address);
        assert.ok(c.transport!.getPeer() instanceof IPv6Address);
        assert.equal(ipOf(c.transport!.getHost()).host, "::1");
        c.transport!.write("six");
        await waitFor(() => c.received === 3, 5000, "v6 echo");
        await hangUp(c, port);
      }));

    it("abortConnection: ConnectionAborted locally, ConnectionLost at the peer", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        const s = await accepted(sf);
        c.transport!.write("sent before the abort");
        await waitFor(() => s.received === 21, 5000, "data before abort");
        (c.transport as ITCPTransport).abortConnection();
        (c.transport as ITCPTransport).write("dropped");
        const reason = await c.lost;
        assert.ok(reason.value instanceof ConnectionAborted);
        const sreason = await s.lost;
        assert.ok(sreason.value instanceof ConnectionLost, String(sreason.value));
        assert.ok(!(sreason.value instanceof ConnectionDone));
        assert.equal(text(s.data()), "sent before the abort");
        await port.stopListening();
      }));

    it("a peer's RST after data: the data arrives, then ConnectionLost; writes to the dead peer do not crash", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        const payload = pattern(300_000, 11);
        c.transport!.write(payload);
        (c.transport as ITCPTransport).abortConnection();
        const s = await accepted(sf);
        // Keep writing towards the dead peer: EPIPE/ECONNRESET, never SIGPIPE.
        const writer = setInterval(() => s.transport?.write(pattern(10000)), 1);
        try {
          const reason = await s.lost;
          assert.ok(reason.value instanceof ConnectionLost, String(reason.value));
        } finally {
          clearInterval(writer);
        }
        // Whatever was sent before the RST and acknowledged is delivered.
        assert.deepEqual(s.data(), payload.subarray(0, s.received));
        await port.stopListening();
      }));

    it("a write that meets the peer's RST before we read it still reports ConnectionLost, not a clean close", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        const s = await accepted(sf);
        // Stop reading, so the RST is not seen by a read first.
        (s.transport as ITCPTransport).pauseProducing();
        (c.transport as ITCPTransport).abortConnection();
        await c.lost;
        await new Promise((ok) => setTimeout(ok, 50)); // the RST reaches the server's socket
        // The send consumes the socket's error (ECONNRESET) ...
        s.transport!.write(pattern(1000));
        // ... so when reading resumes the kernel reports EOF: still a reset.
        (s.transport as ITCPTransport).resumeProducing();
        const reason = await s.lost;
        assert.ok(reason.value instanceof ConnectionLost, String(reason.value));
        assert.ok(!(reason.value instanceof ConnectionDone), String(reason.value));
        await port.stopListening();
      }));

    it("a client factory whose buildProtocol throws gets clientConnectionFailed with a ConnectError (Twisted's BaseClient)", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        const logs = new LogCapture(); // the failed buildProtocol is logged: keep stderr quiet
        try {
          const cf = new ClientFactoryOf<Recorder>(() => {
            throw new Error("no protocol for you");
          });
          r.connectTCP("127.0.0.1", portOf(port), cf);
          assert.equal(await cf.finished, "failed");
          assert.ok(cf.failure!.value instanceof ConnectError, String(cf.failure!.value));
          assert.match(cf.failure!.getErrorMessage(), /no protocol for you/);
          assert.equal(cf.lostReason, null);
        } finally {
          logs.close();
        }
        await port.stopListening();
      }));

    it("a protocol that is not half-closeable sees ConnectionDone on the peer's FIN", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        c.transport!.write("bye");
        (c.transport as ITCPTransport).loseWriteConnection();
        const s = await accepted(sf);
        const reason = await s.lost;
        assert.ok(reason.value instanceof ConnectionDone);
        assert.equal(text(s.data()), "bye");
        await c.lost;
        await port.stopListening();
      }));

    it("bindAddress binds the client socket; a taken one fails with ConnectBindError", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        const local = await freePort(r);
        const cf = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("127.0.0.1", portOf(port), cf, { bindAddress: ["127.0.0.1", local] });
        const c = await cf.result;
        assert.equal(ipOf(c.transport!.getHost()).port, local);
        const cf2 = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("127.0.0.1", portOf(port), cf2, { bindAddress: ["127.0.0.1", portOf(port)] });
        await cf2.finished;
        assert.ok(cf2.failure!.value instanceof ConnectBindError, String(cf2.failure!.value));
        await hangUp(c, port);
      }));

    it("TCP options: NODELAY on by default, keep-alive toggles", () =>
      withReactor(kind, async (r) => {
        const { sf, port, client: c } = await tcpPair(r);
        assertTcpOptionDefaults(c.transport as ITCPTransport);
        assert.equal(((await accepted(sf)).transport as ITCPTransport).getTcpNoDelay(), true);
        await hangUp(c, port);
      }));

    it("stopConnecting reports UserError; stopConnecting when idle throws NotConnectingError", () =>
      withReactor(kind, async (r) => {
        const l = await fullBacklogListener();
        try {
          const cf = new ClientFactoryOf(() => new Recorder());
          const c: IConnector = r.connectTCP("127.0.0.1", l.port, cf, { timeout: 10 });
          c.stopConnecting();
          await cf.finished;
          assert.ok(cf.failure!.value instanceof UserError);
          assert.throws(() => c.stopConnecting(), NotConnectingError);
        } finally {
          l.close();
        }
      }));

    it("connector.disconnect closes a connection (ConnectionDone) or stops an attempt (UserError); stopProducing closes", () =>
      withReactor(kind, async (r) => {
        const { port, cf, connector, client: c } = await tcpPair(r);
        connector.disconnect();
        assert.ok((await c.lost).value instanceof ConnectionDone);
        assert.deepEqual(cf.events, ["started", "lost"]);
        const l = await fullBacklogListener();
        try {
          const cf2 = new ClientFactoryOf(() => new Recorder());
          const c2 = r.connectTCP("127.0.0.1", l.port, cf2, { timeout: 10 });
          c2.disconnect();
          await cf2.finished;
          assert.ok(cf2.failure!.value instanceof UserError);
        } finally {
          l.close();
        }
        // A transport is a push producer: stopProducing loses the connection.
        const cf3 = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("127.0.0.1", portOf(port), cf3);
        const c3 = await cf3.result;
        (c3.transport as ITCPTransport).stopProducing();
        assert.ok((await c3.lost).value instanceof ConnectionDone);
        await port.stopListening();
      }));

    it("a factory can reconnect from clientConnectionLost (ReconnectingClientFactory's pattern)", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        let connections = 0;
        const cf = new ClientFactoryOf(() => {
          const p = new Recorder();
          p.made.addCallback(() => {
            connections++;
            p.transport!.loseConnection();
            return null;
          });
          return p;
        });
        cf.clientConnectionLost = (connector: IConnector, _reason: Failure): void => {
          cf.events.push("lost");
          if (connections < 3) connector.connect();
        };
        r.connectTCP("127.0.0.1", portOf(port), cf);
        await waitFor(
          () => cf.events.filter((e) => e === "lost").length === 3,
          5000,
          "3 connections",
        );
        assert.equal(cf.starts, 1);
        assert.equal(cf.stops, 1);
        await port.stopListening();
      }));

    it("an exception in dataReceived is logged and closes that connection only", () =>
      withReactor(kind, async (r) => {
        class Boom extends Recorder {
          override dataReceived(data: Uint8Array): void {
            super.dataReceived(data);
            throw new Error("boom in dataReceived");
          }
        }
        const logs = new LogCapture();
        try {
          const { sf, port, client: c } = await tcpPair(r, { server: () => new Boom() });
          c.transport!.write("trigger");
          const sreason = await (await accepted(sf)).lost;
          assert.match(String((sreason.value as Error).message), /boom in dataReceived/);
          assert.ok(logs.errors.some((e) => {
            const v = e.failure?.value;
            return v instanceof Error && v.message === "boom in dataReceived";
          }));
          await c.lost;
          // The port still serves.
          const cf2 = new ClientFactoryOf(() => new Recorder());
          r.connectTCP("127.0.0.1", portOf(port), cf2);
          await hangUp(await cf2.result, port);
        } finally {
          logs.close();
        }
      }));

    it("a factory that builds no protocol (null) gets the connection closed", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => null as unknown as Recorder), {
          interface: "127.0.0.1",
        });
        const cf = new ClientFactoryOf(() => new Recorder());
        r.connectTCP("127.0.0.1", portOf(port), cf);
        const c = await cf.result;
        const reason = await c.lost;
        assert.ok(reason.value instanceof ConnectionDone || reason.value instanceof ConnectionLost);
        // A client factory returning null: the connection is dropped, the factory hears it was lost.
        const sf2 = new ServerFactoryOf(() => new Recorder());
        const port2 = r.listenTCP(0, sf2, { interface: "127.0.0.1" });
        const cf2 = new ClientFactoryOf(() => null as unknown as Recorder);
        r.connectTCP("127.0.0.1", portOf(port2), cf2);
        assert.equal(await cf2.finished, "lost");
        await waitFor(() => sf2.built.length === 1, 5000, "accept");
        await sf2.built[0].lost;
        await port.stopListening();
        await port2.stopListening();
      }));

    it("ReconnectingClientFactory keeps retrying a refused port and connects once it listens", () =>
      withReactor(kind, async (r) => {
        const target = await freePort(r);
        const made: Recorder[] = [];
        let failures = 0;
        class Persistent extends ReconnectingClientFactory {
          override buildProtocol(_addr: IAddress): IProtocol | null {
            this.resetDelay();
            const p = new Recorder();
            made.push(p);
            return p;
          }
          override clientConnectionFailed(connector: IConnector, reason: Failure): void {
            failures++;
            assert.ok(reason.value instanceof ConnectionRefusedError);
            super.clientConnectionFailed(connector, reason);
          }
        }
        const f = quickRetry(new Persistent());
        f.clock = r;
        r.connectTCP("127.0.0.1", target, f);
        await waitFor(() => failures >= 3, 5000, "three refused attempts");
        const port = r.listenTCP(target, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        await waitFor(() => made.length === 1, 5000, "reconnected");
        await made[0].made;
        f.stopTrying();
        made[0].transport!.loseConnection();
        await made[0].lost;
        assert.equal(made.length, 1, "no reconnect after stopTrying");
        await port.stopListening();
      }));

    it("listening on a port in use raises CannotListenError", () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        assert.throws(
          () =>
            r.listenTCP(portOf(port), new ServerFactoryOf(() => new Echo()), {
              interface: "127.0.0.1",
            }),
          CannotListenError,
        );
        await port.stopListening();
        // stopListening twice is harmless.
        await port.stopListening();
      }));
  });
}
