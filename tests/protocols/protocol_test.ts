import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import { connectionDone, Protocol } from "../../protocols/protocol.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { StringTransport } from "../../testing/string_transport.ts";

describe("Protocol (twisted.internet.protocol.Protocol)", () => {
  it("makeConnection sets transport and connected, then calls connectionMade", () => {
    const events: string[] = [];
    class P extends Protocol {
      override connectionMade(): void {
        events.push(`made:${this.connected}:${this.transport !== null}`);
      }
    }
    const p = new P();
    assert.equal(p.connected, false);
    assert.equal(p.transport, null);
    const t = new StringTransport();
    p.makeConnection(t);
    assert.deepEqual(events, ["made:true:true"]);
    assert.equal(p.transport, t);
  });

  it("defaults do nothing and logPrefix is the class name", () => {
    class Named extends Protocol {}
    const p = new Named();
    p.makeConnection(new StringTransport());
    p.dataReceived(new Uint8Array([1]));
    p.connectionLost(connectionDone);
    assert.equal(p.logPrefix(), "Named");
  });

  it("connectionDone is a Failure wrapping ConnectionDone", () => {
    assert.ok(connectionDone instanceof Failure);
    assert.ok(connectionDone.check(ConnectionDone));
    assert.equal(connectionDone.getErrorMessage(), "Connection was closed cleanly.");
  });
});
