import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import { ClientFactory, Factory, ServerFactory } from "../../protocols/factory.ts";
import { connectionDone, Protocol } from "../../protocols/protocol.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { ADDR, captureLog, FakeConnector } from "./_helpers.ts";

describe("Factory (twisted.internet.protocol.Factory)", () => {
  it("buildProtocol instantiates protocol and sets p.factory", () => {
    class P extends Protocol {}
    const f = new Factory();
    f.protocol = P;
    const p = f.buildProtocol(ADDR) as P;
    assert.ok(p instanceof P);
    assert.equal(p.factory, f);
    assert.notEqual(f.buildProtocol(ADDR), p, "one protocol per connection");
  });

  it("buildProtocol without a protocol class throws a TypeError that says what to do", () => {
    assert.throws(() => new Factory().buildProtocol(ADDR), /forProtocol/);
  });

  it("a subclass may declare its protocol as a field", () => {
    class P extends Protocol {}
    class F extends ServerFactory {
      override protocol = P;
    }
    assert.ok(new F().buildProtocol(ADDR) instanceof P);
  });

  it("forProtocol passes the remaining arguments to the factory's constructor", () => {
    class P extends Protocol {}
    class F extends Factory {
      constructor(readonly greeting: string, readonly n: number) {
        super();
      }
    }
    const f = F.forProtocol(P, "hi", 3);
    assert.ok(f instanceof F);
    assert.equal(f.greeting, "hi");
    assert.equal(f.n, 3);
    assert.equal(f.protocol, P);
    const cf = ClientFactory.forProtocol(P);
    assert.ok(cf instanceof ClientFactory);
  });

  it("doStart/doStop count ports: startFactory on the first, stopFactory after the last", () => {
    const calls: string[] = [];
    class F extends Factory {
      override startFactory(): void {
        calls.push("start");
      }
      override stopFactory(): void {
        calls.push("stop");
      }
    }
    const f = new F();
    f.noisy = false;
    f.doStart();
    f.doStart();
    assert.equal(f.numPorts, 2);
    f.doStop();
    assert.deepEqual(calls, ["start"]);
    f.doStop();
    assert.deepEqual(calls, ["start", "stop"]);
    // An unbalanced doStop is tolerated, as in Twisted.
    f.doStop();
    assert.equal(f.numPorts, 0);
    assert.deepEqual(calls, ["start", "stop"]);
  });

  it("noisy factories log Starting/Stopping factory; quiet ones do not", () => {
    const f = new Factory();
    const noisy = captureLog(() => {
      f.doStart();
      f.doStop();
    });
    assert.deepEqual(noisy, ["Starting factory <Factory>", "Stopping factory <Factory>"]);
    f.noisy = false;
    assert.deepEqual(
      captureLog(() => {
        f.doStart();
        f.doStop();
      }),
      [],
    );
  });

  it("ClientFactory hooks are no-ops by default", () => {
    const f = new ClientFactory();
    const c = new FakeConnector();
    f.startedConnecting(c);
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    f.clientConnectionLost(c, connectionDone);
    assert.equal(c.connects, 0);
  });
});
