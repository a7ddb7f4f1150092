import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Failure } from "../../deferred/failure.ts";
import { TCP4ClientEndpoint } from "../../endpoints/tcp.ts";
import { LineReceiver, TextLineReceiver } from "../../protocols/basic/line_receiver.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
} from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import {
  connect,
  connectedServerAndClient,
  ConnectionCompleter,
  FakeTransport,
} from "../../testing/iosim.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";

class Echo extends TextLineReceiver {
  override textLineReceived(line: string): void {
    if (line === "quit") this.transport!.loseConnection();
    else this.sendLine(line);
  }
}

class Client extends TextLineReceiver {
  got: string[] = [];
  lost: Failure | null = null;
  override textLineReceived(line: string): void {
    this.got.push(line);
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

class Greeter extends Protocol {
  lost: Failure[] = [];
  override connectionMade(): void {
    this.transport!.write("welcome\r\n");
  }
  override connectionLost(reason: Failure): void {
    this.lost.push(reason);
  }
}

describe("iosim (twisted.test.iosim)", () => {
  it("an echo line server reaches a client line round trip (Twisted [R])", () => {
    const [client, server, pump] = connectedServerAndClient(Echo, Client);
    assert.ok(server instanceof Echo);
    client.sendLine("HI");
    assert.deepEqual(client.got, [], "nothing moves until pumped");
    assert.equal(pump.flush(), true);
    assert.deepEqual(client.got, ["HI"]);
    assert.equal(pump.flush(), false, "idle");
  });

  it("greet flushes the server's greeting; greet: false does not", () => {
    const [c1] = connectedServerAndClient(Greeter, Client);
    assert.deepEqual(c1.got, ["welcome"]);
    const [c2, , pump] = connectedServerAndClient(Greeter, Client, { greet: false });
    assert.deepEqual(c2.got, []);
    pump.pump();
    assert.deepEqual(c2.got, ["welcome"]);
  });

  it("accepts arrow functions as protocol makers", () => {
    const [client, server] = connectedServerAndClient(() => new Echo(), () => new Client());
    assert.ok(client instanceof Client && server instanceof Echo);
  });

  it("a close is delivered after the queued data; each side hears connectionLost once", () => {
    const [client, server, pump] = connectedServerAndClient(Greeter, Client, { greet: false });
    server.transport!.write("last words\r\n");
    server.transport!.loseConnection();
    server.transport!.write("dropped\r\n");
    pump.flush();
    assert.deepEqual(client.got, ["welcome", "last words"]);
    assert.ok(client.lost?.check(ConnectionDone));
    assert.equal(server.lost.length, 1);
    assert.ok(server.lost[0].check(ConnectionDone));
  });

  it("the client closing works the same way", () => {
    const [client, server, pump] = connectedServerAndClient(Greeter, Client);
    client.sendLine("bye");
    client.transport!.loseConnection();
    pump.flush();
    assert.equal(server.lost.length, 1);
    assert.ok(client.lost?.check(ConnectionDone));
  });

  it("abortConnection drops queued data: ConnectionAborted here, ConnectionLost there", () => {
    const [client, server, pump] = connectedServerAndClient(Greeter, Client, { greet: false });
    server.transport!.write("never\r\n");
    (server.transport as FakeTransport).abortConnection();
    pump.flush();
    assert.deepEqual(client.got, []);
    assert.ok(client.lost?.check(ConnectionLost));
    assert.ok(!client.lost?.check(ConnectionAborted));
    assert.ok(server.lost[0].check(ConnectionAborted));
  });

  it("bufferedAmount counts the bytes queued for the peer until the pump delivers them", () => {
    const [client, , pump] = connectedServerAndClient(Protocol, Protocol);
    const t = client.transport as FakeTransport;
    assert.equal(t.bufferedAmount, 0);
    t.write("héllo");
    t.writeSequence([new Uint8Array(4)]);
    assert.equal(t.bufferedAmount, 10);
    pump.pump();
    assert.equal(t.bufferedAmount, 0);
    t.write("dropped");
    t.abortConnection();
    assert.equal(t.bufferedAmount, 0, "an abort drops the queue");
  });

  it("write, writeSequence, loseConnection and abortConnection work unbound", () => {
    const clock = new Clock();
    const [client, server, pump] = connectedServerAndClient(Protocol, Client, { clock });
    const st = server.transport as FakeTransport;
    const { write, writeSequence, loseConnection } = st;
    write("one\r\n");
    writeSequence(["two", "\r\n"]);
    clock.callLater(2, loseConnection);
    pump.flush();
    assert.deepEqual(client.got, ["one", "two"]);
    clock.advance(2);
    pump.flush();
    assert.ok(client.lost?.check(ConnectionDone));
    const [c2, , pump2] = connectedServerAndClient(Protocol, Client, { clock });
    clock.callLater(1, (c2.transport as FakeTransport).abortConnection);
    clock.advance(1);
    pump2.flush();
    assert.ok(c2.lost?.check(ConnectionAborted));
  });

  it("a paused side receives nothing until resumed (LineReceiver flow control)", () => {
    class Pausing extends LineReceiver {
      lines: string[] = [];
      override lineReceived(l: Uint8Array): void {
        this.lines.push(new TextDecoder().decode(l));
        if (this.lines.length === 1) this.pauseProducing();
      }
    }
    const [client, server, pump] = connectedServerAndClient(Pausing, Client);
    client.sendLine("one");
    pump.flush();
    client.sendLine("two");
    pump.flush();
    assert.deepEqual(server.lines, ["one"]);
    assert.equal((server.transport as FakeTransport).paused, true);
    server.resumeProducing();
    pump.flush();
    assert.deepEqual(server.lines, ["one", "two"]);
  });

  it("half-close reaches a peer with readConnectionLost; otherwise it closes", () => {
    const events: string[] = [];
    class Half extends Protocol {
      readConnectionLost(): void {
        events.push("server:read-lost");
        this.transport!.write("reply\r\n");
        this.transport!.loseConnection();
      }
    }
    class HalfClient extends Client {
      writeConnectionLost(): void {
        events.push("client:write-lost");
      }
    }
    const [client, , pump] = connectedServerAndClient(Half, HalfClient);
    (client.transport as FakeTransport).loseWriteConnection();
    client.transport!.write("ignored after half-close");
    pump.flush();
    assert.deepEqual(events, ["server:read-lost", "client:write-lost"]);
    assert.deepEqual(client.got, ["reply"]);
    assert.ok(client.lost?.check(ConnectionDone));

    const [c2, s2, pump2] = connectedServerAndClient(Greeter, Client);
    (c2.transport as FakeTransport).loseWriteConnection();
    pump2.flush();
    assert.equal(s2.lost.length, 1, "no half-close support: a full close");
  });

  it("pull producers are asked for data on every pump", () => {
    const [client, server, pump] = connectedServerAndClient(Protocol, Client, { greet: false });
    let n = 0;
    const t = server.transport!;
    t.registerProducer({
      resumeProducing(): void {
        n++;
        if (n <= 3) t.write(`chunk ${n}\r\n`);
        else t.unregisterProducer();
      },
      stopProducing(): void {},
    }, false);
    assert.throws(
      () => t.registerProducer({ stopProducing(): void {} } as never, true),
      /two producers/,
    );
    pump.flush();
    assert.deepEqual(client.got, ["chunk 1", "chunk 2", "chunk 3"]);
  });

  it("the pump advances its clock by 0 each round", () => {
    const clock = new Clock();
    let ran = false;
    clock.callLater(0, () => {
      ran = true;
    });
    const [, , pump] = connectedServerAndClient(Protocol, Protocol, { clock, greet: false });
    pump.pump();
    assert.equal(ran, true);
  });

  it("flush gives up after 1000 rounds of chatter", () => {
    class Chatty extends Protocol {
      override dataReceived(d: Uint8Array): void {
        this.transport!.write(d);
      }
    }
    const [client, , pump] = connectedServerAndClient(Chatty, Chatty);
    client.transport!.write("ping");
    assert.throws(() => pump.flush(), /too long/);
  });

  it("connect() runs the server's makeConnection first", () => {
    const order: string[] = [];
    class P extends Protocol {
      constructor(readonly name: string) {
        super();
      }
      override connectionMade(): void {
        order.push(this.name);
      }
    }
    const s = new P("server");
    const c = new P("client");
    connect(s, new FakeTransport(s, true), c, new FakeTransport(c, false));
    assert.deepEqual(order, ["server", "client"]);
    assert.match(String(s.transport), /^FakeTransport<S,\d+,P>$/);
    assert.equal((s.transport as FakeTransport).logPrefix(), "iosim");
  });
});

describe("ConnectionCompleter (twisted.test.iosim)", () => {
  it("joins a recorded connectTCP to the listener on its port; endpoints fire", async () => {
    const reactor = new MemoryReactor();
    reactor.listenTCP(4321, Factory.forProtocol(Echo));
    const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", 4321).connect<Client>(
      ClientFactory.forProtocol(Client),
    );
    reactor.connectTCP("127.0.0.1", 9999, new ClientFactory()); // nobody listens there
    const completer = new ConnectionCompleter(reactor);
    const pump = completer.succeedOnce();
    assert.ok(pump !== null);
    const client = await d;
    client.sendLine("through the endpoint");
    pump.flush();
    assert.deepEqual(client.got, ["through the endpoint"]);
    assert.equal(completer.succeedOnce(), null, "port 9999 has no listener");
    assert.equal(reactor.tcpClients.length, 1);
  });

  it("failOnce fails the first attempt with ConnectionRefusedError", async () => {
    const reactor = new MemoryReactor();
    const d = new TCP4ClientEndpoint(reactor, "127.0.0.1", 1).connect(new ClientFactory());
    const completer = new ConnectionCompleter(reactor);
    completer.failOnce();
    await assert.rejects(d.toPromise(), ConnectionRefusedError);
    assert.throws(() => completer.failOnce(), /no connection attempt/);
  });
});
