/**
 * LineSendingProtocol and EventLoggingObserver (Twisted's doubles in
 * twisted.internet.testing), tested with the kit itself.
 */

import assert from "node:assert/strict";
import { err, msg } from "../../log/mod.ts";
import {
  connectedServerAndClient,
  EventLoggingObserver,
  LineSendingProtocol,
  runTests,
  StringTransport,
  SynchronousTestCase,
  TestCase,
} from "../../testing/mod.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

class LineSendingProtocolTests extends SynchronousTestCase {
  testSendsOnConnectWhenStart(): void {
    const p = new LineSendingProtocol(["a", "b"]);
    const t = new StringTransport();
    p.makeConnection(t);
    assert.equal(t.valueString(), "a\r\nb\r\n");
  }

  testWaitsForTheFirstLineWhenNotStart(): void {
    const p = new LineSendingProtocol(["reply"], false);
    const t = new StringTransport();
    p.makeConnection(t);
    assert.equal(t.valueString(), "");
    p.dataReceived(bytes("hi\r\nagain\r\n"));
    // Twisted sends the lines once, on the first line, then empties them.
    assert.equal(t.valueString(), "reply\r\n");
    assert.deepEqual(p.response, ["hi", "again"]);
    assert.deepEqual(p.lines, []);
  }

  testCopiesTheLinesAndRecordsConnectionLost(): void {
    const lines = ["x"];
    const p = new LineSendingProtocol(lines);
    p.lines.push("y");
    assert.deepEqual(lines, ["x"]);
    assert.equal(p.lostConn, false);
    p.connectionLost();
    assert.equal(p.lostConn, true);
  }

  testTwoOfThemTalkOverIosim(): void {
    const [client, server, pump] = connectedServerAndClient(
      () => new LineSendingProtocol(["pong"], false),
      () => new LineSendingProtocol(["ping"]),
    );
    pump.flush();
    assert.deepEqual(server.response, ["ping"]);
    assert.deepEqual(client.response, ["pong"]);
  }
}

class EventLoggingObserverTests extends TestCase {
  testCreateWithCleanupSeesEventsOfThisTestOnly(): void {
    const seen = EventLoggingObserver.createWithCleanup(this);
    msg("one");
    err(new RangeError("two"));
    assert.equal(seen.length, 2);
    assert.deepEqual(seen.events[0].message, ["one"]);
    assert.equal(seen.events[1].isError, true);
    assert.equal(this.flushLoggedErrors(RangeError).length, 1);
  }

  async testACustomPublisherIsLeftByTheCleanup(): Promise<void> {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const publisher = {
      addObserver: (o: unknown) => added.push(o),
      removeObserver: (o: unknown) => removed.push(o),
    };
    let seen: EventLoggingObserver | null = null;
    class Inner extends SynchronousTestCase {
      testIt(): void {
        seen = EventLoggingObserver.createWithCleanup(this, publisher);
        assert.deepEqual(removed, []);
      }
    }
    await new Inner("testIt").run(0);
    assert.deepEqual(added, [seen!.observer]);
    assert.deepEqual(removed, [seen!.observer]);
  }
}

runTests(LineSendingProtocolTests);
runTests(EventLoggingObserverTests);
