/**
 * TCP on the host reactor (node:net), over real loopback sockets, on Deno and
 * Bun: Twisted's tcp.Port / tcp.Connector / tcp.Connection semantics.
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import { describe, it } from "node:test";
import { Deferred, fail } from "../../../deferred/deferred.ts";
import type { IPullProducer, IPushProducer, ITCPTransport } from "../../../interfaces.ts";
import { IPv4Address, IPv6Address } from "../../../reactor/address.ts";
// How a connection ends, and how a connect or listen fails.
import { ConnectionAborted, ConnectionDone, ConnectionLost } from "../../../reactor/errors.ts";
import {
  CannotListenError,
  ConnectionRefusedError,
  DNSLookupError,
} from "../../../reactor/errors.ts";
import { NotConnectingError, TimeoutError, UserError } from "../../../reactor/errors.ts";
import type { HostConnection } from "../../../reactor/host/connection.ts";
import { accepted, hangUp } from "../_connect.ts";
import { assertTcpOptionDefaults } from "../_helpers.ts";
import {
  ClientOf,
  Echo,
  echoFactory,
  HalfCloser,
  hostTCPPair,
  ipOf,
  LogCapture,
  pattern,
  portOf,
  Recorder,
  ServerOf,
  sleep,
  waitFor,
  whenMade,
  withHost,
} from "./_helpers.ts";

describe("host reactor: TCP", () => {
  it("echoes a round trip; hooks run in Twisted's order; addresses are typed", () =>
    withHost(async (r) => {
      const sf = new ServerOf(() => new Recorder());
      sf.built.length = 0;
      const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
      const host = port.getHost();
      assert.ok(host instanceof IPv4Address);
      assert.equal(host.host, "127.0.0.1");
      assert.ok(host.port > 0, "getHost() gives the real port for port 0");
      assert.equal(sf.started, 1, "the port started the factory");
      const cf = new ClientOf(() => new Recorder());
      const connector = r.connectTCP("127.0.0.1", host.port, cf);
      assert.deepEqual(connector.getDestination(), new IPv4Address("TCP", "127.0.0.1", host.port));
      const c = await cf.built;
      await c.made;
      c.transport!.write("hello");
      await waitFor(() => sf.built.length === 1 && sf.built[0].received === 5, 5000, "server data");
      const s = sf.built[0];
      assert.equal(s.text(), "hello");
      // The server's peer is the client's host and vice versa.
      assert.deepEqual(s.transport!.getPeer(), c.transport!.getHost());
      assert.deepEqual(c.transport!.getPeer(), new IPv4Address("TCP", "127.0.0.1", host.port));
      assert.deepEqual(s.transport!.getHost(), new IPv4Address("TCP", "127.0.0.1", host.port));
      assert.deepEqual(sf.addrs[0], s.transport!.getPeer());
      s.transport!.write("world");
      await waitFor(() => c.received === 5, 5000, "client data");
      assert.equal(c.text(), "world");
      c.transport!.loseConnection();
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionDone, String(reason.value));
      const sreason = await s.lost;
      assert.ok(sreason.value instanceof ConnectionDone, String(sreason.value));
      await cf.finished;
      // Twisted [R]: startedConnecting, buildProtocol(IPv4Address), connectionMade,
      // connectionLost(ConnectionDone), clientConnectionLost(ConnectionDone).
      assert.deepEqual(cf.events, [
        "startedConnecting",
        `buildProtocol IPv4Address(TCP, '127.0.0.1', ${host.port})`,
        "lost ConnectionDone",
      ]);
      assert.deepEqual(c.events, ["made", "lost"]);
      assert.equal(cf.stopped, 1, "the connector stopped the factory");
      await port.stopListening();
      assert.equal(sf.stopped, 1);
    }));

  it("serves many concurrent connections", () =>
    withHost(async (r) => {
      const port = r.listenTCP(0, echoFactory(), { interface: "127.0.0.1" });
      const n = 40;
      const clients: Recorder[] = [];
      for (let i = 0; i < n; i++) {
        const cf = new ClientOf(() => {
          const p = new Recorder();
          p.onData = (self): void => {
            if (self.received === 3000) self.transport!.loseConnection();
          };
          return p;
        });
        r.connectTCP("127.0.0.1", portOf(port), cf);
        cf.built.then((p) =>
          p.made.then(() => {
            for (let k = 0; k < 30; k++) p.transport!.write(pattern(100, i * 100 + k + 1));
          })
        );
        clients.push(await cf.built);
      }
      const reasons = await Promise.all(clients.map((c) => c.lost));
      for (let i = 0; i < n; i++) {
        assert.ok(reasons[i].value instanceof ConnectionDone);
        const want = new Uint8Array(3000);
        for (let k = 0; k < 30; k++) want.set(pattern(100, i * 100 + k + 1), k * 100);
        assert.deepEqual(clients[i].data(), want);
      }
      await port.stopListening();
    }));

  it("a streaming producer is paused by a full buffer and resumed when it drains; every byte arrives", () =>
    withHost(async (r) => {
      const total = 8 * 1024 * 1024;
      const chunk = 64 * 1024;
      let pauses = 0;
      let resumes = 0;
      let stops = 0;
      class Streamer implements IPushProducer {
        sent = 0;
        paused = false;
        constructor(readonly t: ITCPTransport) {}
        pauseProducing(): void {
          pauses++;
          this.paused = true;
        }
        resumeProducing(): void {
          resumes++;
          this.paused = false;
          this.pump();
        }
        stopProducing(): void {
          stops++;
        }
        pump(): void {
          // Write until paused (synchronously, as a push producer does).
          while (!this.paused && this.sent < total) {
            this.t.write(pattern(chunk, 1 + this.sent / chunk));
            this.sent += chunk;
          }
          if (this.sent >= total) {
            this.t.unregisterProducer();
            this.t.loseConnection();
          }
        }
      }
      const { port, client: c } = await hostTCPPair(r, {
        server: whenMade((p) => {
          const t = p.transport as ITCPTransport;
          const s = new Streamer(t);
          t.registerProducer(s, true);
          s.pump();
        }),
      });
      // Do not read for a while: the server's buffer fills and the producer pauses.
      (c.transport as ITCPTransport).pauseProducing();
      await waitFor(() => pauses >= 1, 10000, "the producer is paused");
      const before = c.received;
      await sleep(50);
      assert.equal(c.received, before, "a paused transport delivers no data");
      (c.transport as ITCPTransport).resumeProducing();
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionDone, String(reason.value));
      assert.ok(resumes >= 1, "the producer was resumed");
      assert.equal(stops, 0, "unregistered before the close: not stopped");
      assert.equal(c.received, total);
      const data = c.data();
      for (let off = 0; off < total; off += chunk * 17) {
        assert.deepEqual(data.subarray(off, off + chunk), pattern(chunk, 1 + off / chunk));
      }
      await port.stopListening();
    }));

  it("a pull producer is asked for a chunk at registration and on every drain", () =>
    withHost(async (r) => {
      const chunks = 40;
      let asked = 0;
      const { port, client: c } = await hostTCPPair(r, {
        server: whenMade((p) => {
          const t = p.transport as ITCPTransport;
          const pull: IPullProducer = {
            resumeProducing(): void {
              asked++;
              if (asked > chunks) {
                t.unregisterProducer();
                t.loseConnection();
                return;
              }
              t.write(pattern(16 * 1024, asked));
            },
            stopProducing(): void {},
          };
          t.registerProducer(pull, false);
          assert.equal(asked, 1, "registerProducer(pull) calls resumeProducing at once");
        }),
      });
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionDone);
      assert.equal(c.received, chunks * 16 * 1024);
      assert.deepEqual(c.data().subarray(16 * 1024 * 7, 16 * 1024 * 8), pattern(16 * 1024, 8));
      await port.stopListening();
    }));

  it("loseConnection waits for a registered pull producer to unregister (Twisted)", () =>
    withHost(async (r) => {
      let asked = 0;
      const { port, client: c } = await hostTCPPair(r, {
        server: whenMade((p) => {
          const t = p.transport as ITCPTransport;
          t.registerProducer({
            resumeProducing(): void {
              asked++;
              if (asked <= 5) t.write(pattern(32 * 1024, asked));
              else t.unregisterProducer();
            },
            stopProducing(): void {},
          }, false);
          // Asked to close at once: the producer is still asked for its chunks.
          t.loseConnection();
        }),
      });
      assert.ok((await c.lost).value instanceof ConnectionDone);
      assert.equal(asked, 6);
      assert.equal(c.received, 5 * 32 * 1024);
      assert.deepEqual(c.data().subarray(4 * 32 * 1024), pattern(32 * 1024, 5));
      await port.stopListening();
    }));

  it("registering a second producer throws; a producer registered after the loss is stopped", () =>
    withHost(async (r) => {
      const { port, client: c } = await hostTCPPair(r, { server: () => new Echo() });
      const t = c.transport as ITCPTransport;
      let stopped = 0;
      const p: IPushProducer = {
        pauseProducing(): void {},
        resumeProducing(): void {},
        stopProducing(): void {
          stopped++;
        },
      };
      t.registerProducer(p, true);
      assert.throws(() => t.registerProducer(p, true), /never unregistered/);
      t.loseConnection();
      await c.lost;
      assert.equal(stopped, 1, "connectionLost stops the registered producer");
      t.registerProducer(p, true);
      assert.equal(stopped, 2, "registering on a lost connection stops it at once");
      await port.stopListening();
    }));

  it("half-close: readConnectionLost, writing on, writeConnectionLost, then ConnectionDone", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r, {
        server: () => {
          const p = new HalfCloser();
          p.onReadLost = (self): void => {
            // Twisted [R]: after readConnectionLost the server can still write.
            self.transport!.write(`got ${self.received}`);
            self.transport!.loseConnection();
          };
          return p;
        },
        client: () => new HalfCloser(),
      });
      c.transport!.write(pattern(300_000));
      (c.transport as ITCPTransport).loseWriteConnection();
      const extra = "also sent: written in the same turn";
      c.transport!.write(extra);
      await waitFor(() => c.writeLost === 1, 5000, "writeConnectionLost");
      c.transport!.write("ignored: the write side is shut");
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionDone, String(reason.value));
      assert.equal(c.text(), `got ${300_000 + extra.length}`);
      assert.equal(c.readLost, 1);
      const s = sf.built[0];
      assert.equal(s.readLost, 1);
      assert.ok((await s.lost).value instanceof ConnectionDone);
      await port.stopListening();
    }));

  it("a protocol that is not half-closeable sees ConnectionDone on the peer's FIN", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r, { client: () => new HalfCloser() });
      c.transport!.write("bye");
      (c.transport as ITCPTransport).loseWriteConnection();
      const s = await accepted(sf);
      const sreason = await s.lost;
      assert.ok(sreason.value instanceof ConnectionDone);
      assert.equal(s.text(), "bye");
      // The server closed: the half-closed client sees the FIN and ends cleanly.
      assert.ok((await c.lost).value instanceof ConnectionDone);
      await port.stopListening();
    }));

  it("abortConnection drops unsent data: ConnectionAborted here, ConnectionLost at the peer", () =>
    withHost(async (r) => {
      const { sf, cf, port, client: c } = await hostTCPPair(r);
      const s = await accepted(sf);
      // Stop the server reading so the client's data stays buffered.
      (s.transport as ITCPTransport).pauseProducing();
      c.transport!.write(pattern(4 * 1024 * 1024));
      (c.transport as ITCPTransport).abortConnection();
      (c.transport as ITCPTransport).abortConnection(); // idempotent
      c.transport!.write("dropped");
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionAborted, String(reason.value));
      (s.transport as ITCPTransport).resumeProducing();
      const sreason = await s.lost;
      assert.ok(sreason.value instanceof ConnectionLost, String(sreason.value));
      assert.ok(!(sreason.value instanceof ConnectionDone));
      assert.ok(s.received < 4 * 1024 * 1024, "the unsent part was dropped");
      assert.equal((await cf.finished).value, reason.value);
      await port.stopListening();
    }));

  it("loseConnection sends what is written in the same turn, then closes; reading stops", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r, {
        server: whenMade((p) => {
          p.transport!.write("one ");
          p.transport!.loseConnection();
          p.transport!.write("two");
          assert.equal((p.transport as HostConnection).disconnecting, true);
        }),
      });
      assert.ok((await c.lost).value instanceof ConnectionDone);
      assert.equal(c.text(), "one two");
      const s = sf.built[0];
      assert.ok((await s.lost).value instanceof ConnectionDone);
      assert.equal(s.received, 0);
      await port.stopListening();
    }));

  it("writeSequence and string writes (UTF-8)", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r);
      c.transport!.writeSequence(["héllo ", new TextEncoder().encode("wörld"), "", " ✓"]);
      c.transport!.write("");
      c.transport!.write(new Uint8Array(0));
      // Bad input is a TypeError at the call; a bad part writes nothing at all.
      assert.throws(
        () => c.transport!.write(new ArrayBuffer(3) as unknown as Uint8Array),
        /Uint8Array or a string.*ArrayBuffer/,
      );
      assert.throws(
        () => c.transport!.writeSequence(["lost", 42 as unknown as Uint8Array]),
        TypeError,
      );
      c.transport!.loseConnection();
      const s = await accepted(sf);
      await s.lost;
      assert.equal(s.text(), "héllo wörld ✓");
      await port.stopListening();
    }));

  it("TCP options: NODELAY on by default (as the FFI transports), keep-alive toggles", () =>
    withHost(async (r) => {
      const { port, client: c } = await hostTCPPair(r);
      assertTcpOptionDefaults(c.transport as ITCPTransport);
      await hangUp(c, port);
    }));

  it("an exception in dataReceived is logged and loses the connection with it", () =>
    withHost(async (r) => {
      const logs = new LogCapture();
      try {
        const { sf, port, client: c } = await hostTCPPair(r, {
          server: () => {
            const p = new Recorder();
            p.onData = (): void => {
              throw new RangeError("bad frame");
            };
            return p;
          },
        });
        c.transport!.write("x");
        const sreason = await (await accepted(sf)).lost;
        assert.ok(sreason.value instanceof RangeError);
        assert.ok(logs.errors.some((e) => e.failure?.value instanceof RangeError));
        // The client sees the server's close.
        assert.ok((await c.lost).value instanceof ConnectionDone);
        await port.stopListening();
      } finally {
        logs.close();
      }
    }));

  it("buildProtocol returning null refuses the connection", () =>
    withHost(async (r) => {
      const sf = new ServerOf<Recorder>(() => null);
      const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
      const cf = new ClientOf(() => new Recorder());
      r.connectTCP("127.0.0.1", portOf(port), cf);
      const c = await cf.built;
      const reason = await c.lost;
      assert.ok(reason.value instanceof ConnectionDone || reason.value instanceof ConnectionLost);
      assert.equal(sf.addrs.length, 1);
      await port.stopListening();
    }));

  it("refused: clientConnectionFailed(ConnectionRefusedError), then the factory stops", () =>
    withHost(async (r) => {
      const port = r.listenTCP(0, echoFactory(), { interface: "127.0.0.1" });
      const n = portOf(port);
      await port.stopListening();
      const cf = new ClientOf(() => new Recorder());
      r.connectTCP("127.0.0.1", n, cf);
      const reason = await cf.finished;
      assert.ok(reason.value instanceof ConnectionRefusedError, String(reason.value));
      assert.deepEqual(cf.events, ["startedConnecting", "failed ConnectionRefusedError"]);
      assert.equal(cf.started, 1);
      assert.equal(cf.stopped, 1);
    }));

  it("times out with TimeoutError when the attempt does not complete", () =>
    withHost(async (r) => {
      // A resolution that never answers: the attempt hangs until the timeout.
      r.resolve = (): Deferred<string> => new Deferred<string>();
      const cf = new ClientOf(() => new Recorder());
      const t0 = Date.now();
      r.connectTCP("slow.example", 80, cf, { timeout: 0.2 });
      const reason = await cf.finished;
      assert.ok(reason.value instanceof TimeoutError, String(reason.value));
      assert.ok(Date.now() - t0 >= 150, "not before the timeout");
      assert.deepEqual(cf.events, ["startedConnecting", "failed TimeoutError"]);
    }));

  it("a failed name lookup reaches the factory as DNSLookupError", () =>
    withHost(async (r) => {
      // No real lookup: network traffic stays on loopback.
      r.resolve = (name: string): Deferred<string> =>
        fail(new DNSLookupError(`address ${JSON.stringify(name)} not found`));
      const cf = new ClientOf(() => new Recorder());
      r.connectTCP("no-such-host.invalid", 80, cf);
      const reason = await cf.finished;
      assert.ok(reason.value instanceof DNSLookupError, String(reason.value));
    }));

  it("resolves a host name (localhost) and connects to the address", () =>
    withHost(async (r) => {
      const { port, connector, client: c } = await hostTCPPair(r, { connectTo: "localhost" });
      assert.deepEqual(
        connector.getDestination(),
        new IPv4Address("TCP", "localhost", portOf(port)),
      );
      assert.equal(ipOf(c.transport!.getPeer()).host, "127.0.0.1");
      await hangUp(c, port);
    }));

  it("works over IPv6 (::1) with IPv6Address", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r, { interface: "::1" });
      assert.ok(port.getHost() instanceof IPv6Address);
      assert.ok(c.transport!.getPeer() instanceof IPv6Address);
      c.transport!.write("six");
      await waitFor(() => sf.built.length === 1 && sf.built[0].received === 3, 5000, "v6 data");
      assert.equal(ipOf(sf.built[0].transport!.getPeer()).host, "::1");
      await hangUp(c, port);
    }));

  it("listening on a port in use raises CannotListenError at once", () =>
    withHost(async (r) => {
      const port = r.listenTCP(0, echoFactory(), { interface: "127.0.0.1" });
      assert.throws(
        () => r.listenTCP(portOf(port), echoFactory(), { interface: "127.0.0.1" }),
        (e: unknown) => e instanceof CannotListenError && e.port === portOf(port),
      );
      assert.throws(
        () => r.listenTCP(0, echoFactory(), { interface: "not-an-address" }),
        CannotListenError,
      );
      await port.stopListening();
    }));

  it("stopListening fires once closed; the port can be bound again; connections survive", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r);
      const n = portOf(port);
      const s = await accepted(sf);
      await port.stopListening();
      assert.equal(sf.stopped, 1);
      // Twisted: closing the port leaves established connections alone.
      c.transport!.write("still here");
      await waitFor(() => s.received === 10, 5000, "data after stopListening");
      const again = r.listenTCP(n, echoFactory(), { interface: "127.0.0.1" });
      assert.equal(portOf(again), n);
      await again.stopListening();
      c.transport!.loseConnection();
      await c.lost;
    }));

  it("bindAddress binds the client's local address", () =>
    withHost(async (r) => {
      const { sf, port, client: c } = await hostTCPPair(r, {
        connect: { bindAddress: ["127.0.0.2", 0] },
      });
      assert.equal(ipOf(c.transport!.getHost()).host, "127.0.0.2");
      assert.equal(ipOf((await accepted(sf)).transport!.getPeer()).host, "127.0.0.2");
      await hangUp(c, port);
    }));

  it("stopConnecting reports UserError; disconnect() loses an established connection", () =>
    withHost(async (r) => {
      r.resolve = (): Deferred<string> => new Deferred<string>();
      const cf = new ClientOf(() => new Recorder());
      const conn = r.connectTCP("pending.example", 80, cf);
      conn.stopConnecting();
      const reason = await cf.finished;
      assert.ok(reason.value instanceof UserError, String(reason.value));
      assert.throws(() => conn.stopConnecting(), NotConnectingError);

      const { port, connector: conn2, client: c } = await hostTCPPair(r, {
        server: () => new Echo(),
      });
      conn2.disconnect();
      assert.ok((await c.lost).value instanceof ConnectionDone);
      await port.stopListening();
    }));

  it("exceptions from factory hooks are logged and never reach the host loop", () =>
    withHost(async (r) => {
      const logs = new LogCapture();
      try {
        const port = r.listenTCP(0, echoFactory(), { interface: "127.0.0.1" });
        const n = portOf(port);
        const lostFactory = new ClientOf(() => new Recorder());
        const lost = new Deferred<void>();
        lostFactory.clientConnectionLost = (): void => {
          lost.callback(undefined);
          throw new RangeError("from clientConnectionLost");
        };
        r.connectTCP("127.0.0.1", n, lostFactory);
        const c = await lostFactory.built;
        await c.made;
        c.transport!.loseConnection();
        await lost;
        await port.stopListening();
        const failedFactory = new ClientOf(() => new Recorder());
        const failed = new Deferred<void>();
        failedFactory.clientConnectionFailed = (): void => {
          failed.callback(undefined);
          throw new RangeError("from clientConnectionFailed");
        };
        r.connectTCP("127.0.0.1", n, failedFactory);
        await failed;
        await waitFor(() => logs.errors.length >= 2, 5000, "both logged");
        const messages = logs.errors.map((e) => e.failure?.getErrorMessage());
        assert.ok(messages.includes("from clientConnectionLost"), String(messages));
        assert.ok(messages.includes("from clientConnectionFailed"), String(messages));
        assert.equal(lostFactory.stopped, 1, "the state machine went on: doStop ran");
        assert.equal(failedFactory.stopped, 1);
      } finally {
        logs.close();
      }
    }));

  it("a factory can reconnect from clientConnectionLost", () =>
    withHost(async (r) => {
      const port = r.listenTCP(0, echoFactory(), { interface: "127.0.0.1" });
      let connections = 0;
      let failures = 0;
      const done = new Deferred<void>();
      const cf = new ClientOf(() => {
        const p = new Recorder();
        p.made.then(() => {
          connections++;
          p.transport!.loseConnection();
        });
        return p;
      });
      cf.clientConnectionLost = (connector): void => {
        if (connections < 3) connector.connect();
        else done.callback(undefined);
      };
      cf.clientConnectionFailed = (): void => {
        failures++;
      };
      r.connectTCP("127.0.0.1", portOf(port), cf);
      await done;
      assert.equal(connections, 3);
      assert.equal(failures, 0);
      assert.equal(cf.started, 1, "doStart once for the whole series");
      await port.stopListening();
    }));

  it("peers that vanish mid-transfer: every connection ends, nothing is logged, nothing throws", () =>
    withHost(async (r) => {
      const logs = new LogCapture();
      try {
        const sf = new ServerOf(() => {
          const p = new Recorder();
          p.made.then(() => {
            for (let i = 0; i < 16; i++) p.transport!.write(pattern(64 * 1024, i + 1));
            p.transport!.loseConnection();
          });
          return p;
        });
        const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
        const n = 20;
        for (let i = 0; i < n; i++) {
          const sock = net.connect({ host: "127.0.0.1", port: portOf(port) });
          sock.on("error", () => {});
          sock.once("data", () => (i % 2 === 0 ? sock.resetAndDestroy() : sock.destroy()));
        }
        await waitFor(() => sf.built.length === n, 10000, "all accepted");
        const reasons = await Promise.all(sf.built.map((p) => p.lost));
        for (const reason of reasons) {
          assert.ok(
            reason.value instanceof ConnectionLost || reason.value instanceof ConnectionDone,
            String(reason.value),
          );
        }
        assert.deepEqual(logs.errors.map((e) => e.failure?.getErrorMessage()), []);
        await port.stopListening();
      } finally {
        logs.close();
      }
    }));

  it("a raw node:net peer's RST after data: the data arrives, then ConnectionLost", () =>
    withHost(async (r) => {
      const sf = new ServerOf(() => new Recorder());
      const port = r.listenTCP(0, sf, { interface: "127.0.0.1" });
      const sock = net.connect({ host: "127.0.0.1", port: portOf(port) });
      sock.on("error", () => {});
      await new Promise<void>((res) => sock.once("connect", () => res()));
      sock.write("payload");
      await waitFor(() => sf.built.length === 1 && sf.built[0].received === 7, 5000, "data");
      sock.resetAndDestroy();
      const sreason = await sf.built[0].lost;
      assert.ok(sreason.value instanceof ConnectionLost, String(sreason.value));
      assert.ok(!(sreason.value instanceof ConnectionDone));
      assert.equal(sf.built[0].text(), "payload");
      // Writes to the dead peer are ignored, not thrown.
      sf.built[0].transport!.write("nobody listens");
      await port.stopListening();
    }));
});
