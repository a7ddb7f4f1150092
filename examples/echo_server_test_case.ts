/**
 * A trial-style test file for the echo server (examples/echo_server.ts), as a
 * Twisted user would write it with `twisted.trial.unittest`: one class per
 * subject, `setUp` building what each test needs, tests that return a
 * Deferred, and the kit checking after each test that nothing was left
 * behind on the test's own reactor.
 *
 * Run it: `deno test -A examples/echo_server_test_case.ts` or
 * `bun test ./examples/echo_server_test_case.ts` (tests/examples runs both).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Deferred } from "../deferred/mod.ts";
import { ClientCreator, Protocol } from "../protocols/mod.ts";
import type { IListeningPort, IPAddress } from "../reactor/mod.ts";
import {
  AccumulatingProtocol,
  connectedServerAndClient,
  runTests,
  StringTransport,
  SynchronousTestCase,
  TestCase,
} from "../testing/mod.ts";
import { EchoFactory, EchoProtocol } from "./echo_server.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The protocol alone, on an in-memory transport: no reactor at all. */
class EchoProtocolTests extends SynchronousTestCase {
  transport!: StringTransport;
  proto!: EchoProtocol;

  override setUp(): void {
    this.transport = new StringTransport();
    this.proto = new EchoProtocol();
    this.proto.makeConnection(this.transport);
  }

  testEchoesWhatArrives(): void {
    this.proto.dataReceived(text("hello, "));
    this.proto.dataReceived(text("world"));
    assert.equal(this.transport.valueString(), "hello, world");
  }

  testClosesWhenThePeerHalfCloses(): void {
    this.proto.readConnectionLost();
    assert.equal(this.transport.disconnecting, true);
  }

  testOverALoopbackPump(): void {
    const [client, , pump] = connectedServerAndClient(EchoProtocol, AccumulatingProtocol);
    client.transport!.write(text("ping"));
    pump.flush();
    assert.equal(new TextDecoder().decode(client.data), "ping");
  }
}

/** Collects what comes back; `done` fires when the server closes. */
class Client extends Protocol {
  heard = "";
  done: Deferred<string> = new Deferred<string>();
  override dataReceived(data: Uint8Array): void {
    this.heard += new TextDecoder().decode(data);
  }
  override connectionLost(): void {
    this.done.callback(this.heard);
  }
}

/** The server on a real socket, on this test's own reactor. */
class EchoServerTests extends TestCase {
  port!: IListeningPort<IPAddress>;

  override setUp(): void {
    const factory = new EchoFactory();
    factory.noisy = false;
    this.port = this.reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    this.addCleanup(() => this.port.stopListening());
  }

  async testEchoesOverTCP(): Promise<void> {
    const creator = new ClientCreator(this.reactor, Client);
    const client = await creator.connectTCP("127.0.0.1", this.port.getHost().port, { timeout: 5 });
    client.transport!.write(text("over the wire"));
    // Half-close: the server echoes everything, then closes its side.
    (client.transport as unknown as { loseWriteConnection(): void; }).loseWriteConnection();
    assert.equal(await client.done, "over the wire");
  }

  async testEachConnectionGetsItsOwnProtocol(): Promise<void> {
    const creator = new ClientCreator(this.reactor, Client);
    const where = this.port.getHost().port;
    const [a, b] = await Promise.all([
      creator.connectTCP("127.0.0.1", where, { timeout: 5 }),
      creator.connectTCP("127.0.0.1", where, { timeout: 5 }),
    ]);
    a.transport!.write(text("a"));
    b.transport!.write(text("b"));
    for (const c of [a, b]) {
      (c.transport as unknown as { loseWriteConnection(): void; }).loseWriteConnection();
    }
    assert.deepEqual(await Promise.all([a.done, b.done]), ["a", "b"]);
  }

  testReturnsADeferred(): Deferred<void> {
    // trial's classic style: return the Deferred; the kit waits for it.
    return new ClientCreator(this.reactor, Client)
      .connectTCP("127.0.0.1", this.port.getHost().port, { timeout: 5 })
      .addCallback((client: Client) => {
        client.transport!.write(text("deferred"));
        (client.transport as unknown as { loseWriteConnection(): void; }).loseWriteConnection();
        return client.done;
      })
      .addCallback((heard: string) => {
        assert.equal(heard, "deferred");
      });
  }
}

runTests(EchoProtocolTests);
runTests(EchoServerTests);
