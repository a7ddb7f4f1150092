// The connector state machine shared by the FFI and host backends
// (reactor/_connector.ts, Twisted's base.BaseConnector), driven by a Clock and
// a fake transport: no sockets, so every ordering is deterministic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IConnector, IProtocol } from "../../interfaces.ts";
import { addObserver, type LogEvent, removeObserver, setDefaultObserver } from "../../log/log.ts";
import { ClientFactory, Protocol } from "../../protocols/mod.ts";
import { BaseConnector, type ConnectingTransport } from "../../reactor/_connector.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { NotConnectingError, TimeoutError, UserError } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";

/** One attempt: records what the connector asks of it; the test plays the socket. */
class FakeAttempt implements ConnectingTransport {
  failed: Error | null = null;
  closed = 0;
  constructor(readonly connector: TestConnector, readonly events: string[]) {}
  failIfNotConnected(reason: Error): void {
    if (this.failed !== null) return;
    this.failed = reason;
    this.events.push(`attempt failed ${reason.name}`);
    this.connector.connectionFailed(new Failure(reason));
  }
  loseConnection(): void {
    this.closed++;
  }
}

class TestConnector extends BaseConnector<Clock, FakeAttempt, FakeAttempt> {
  attempts: FakeAttempt[] = [];
  started: FakeAttempt[] = [];
  constructor(clock: Clock, factory: Recording, timeout: number | null) {
    super(clock, factory, timeout);
  }
  protected makeTransport(): FakeAttempt {
    const a = new FakeAttempt(this, (this.factory as Recording).events);
    this.attempts.push(a);
    return a;
  }
  protected override startAttempt(attempt: FakeAttempt): void {
    (this.factory as Recording).events.push("startAttempt");
    this.started.push(attempt);
  }
  getDestination(): IAddress {
    return new IPv4Address("TCP", "127.0.0.1", 1);
  }
}

class Recording extends ClientFactory {
  events: string[] = [];
  onFailed: ((c: IConnector, r: Failure) => void) | null = null;
  onLost: ((c: IConnector, r: Failure) => void) | null = null;
  onStarted: ((c: IConnector) => void) | null = null;
  override doStart(): void {
    this.events.push("doStart");
    super.doStart();
  }
  override doStop(): void {
    this.events.push("doStop");
    super.doStop();
  }
  override startedConnecting(c: IConnector): void {
    this.events.push("startedConnecting");
    this.onStarted?.(c);
  }
  override buildProtocol(_addr: IAddress): IProtocol | null {
    this.events.push("buildProtocol");
    return new Protocol();
  }
  override clientConnectionFailed(c: IConnector, r: Failure): void {
    this.events.push(`failed ${(r.value as Error).name}`);
    this.onFailed?.(c, r);
  }
  override clientConnectionLost(c: IConnector, r: Failure): void {
    this.events.push(`lost ${(r.value as Error).message}`);
    this.onLost?.(c, r);
  }
}

const peer = new IPv4Address("TCP", "127.0.0.1", 1);

describe("BaseConnector (Twisted's base.BaseConnector)", () => {
  it("doStart, then startedConnecting, then the attempt starts; the timeout fails it with TimeoutError", () => {
    const clock = new Clock();
    const f = new Recording();
    const c = new TestConnector(clock, f, 5);
    c.connect();
    assert.equal(c.state, "connecting");
    assert.equal(c.transport, c.attempts[0], "while connecting, transport is the attempt");
    assert.deepEqual(f.events, ["doStart", "startedConnecting", "startAttempt"]);
    assert.throws(() => c.connect(), /Cannot connect in state "connecting"/);
    clock.advance(4.9);
    assert.equal(c.attempts[0].failed, null);
    clock.advance(0.2);
    assert.ok((c.attempts[0].failed as Error | null) instanceof TimeoutError);
    assert.equal(c.state, "disconnected");
    assert.equal(c.transport, null);
    assert.deepEqual(f.events.slice(3), [
      "attempt failed TimeoutError",
      "failed TimeoutError",
      "doStop",
    ]);
  });

  it("a connection cancels the timeout; disconnect() closes it; the loss stops the factory", () => {
    const clock = new Clock();
    const f = new Recording();
    const c = new TestConnector(clock, f, 5);
    c.connect();
    const p = c.buildProtocol(peer);
    assert.ok(p instanceof Protocol);
    assert.equal(c.state, "connected");
    assert.equal(clock.getDelayedCalls().length, 0, "the timeout call is cancelled");
    assert.throws(() => c.stopConnecting(), NotConnectingError);
    c.disconnect();
    assert.equal(c.attempts[0].closed, 1);
    c.connectionLost(new Failure(new Error("done")));
    assert.equal(c.state, "disconnected");
    assert.equal(c.transport, null);
    assert.deepEqual(f.events, [
      "doStart",
      "startedConnecting",
      "startAttempt",
      "buildProtocol",
      "lost done",
      "doStop",
    ]);
  });

  it("stopConnecting fails the attempt with UserError; disconnect() while connecting does the same", () => {
    const clock = new Clock();
    const f = new Recording();
    const c = new TestConnector(clock, f, null);
    c.connect();
    assert.equal(clock.getDelayedCalls().length, 0, "no timeout asked for, none armed");
    c.stopConnecting();
    assert.ok(c.attempts[0].failed instanceof UserError);
    assert.equal(c.state, "disconnected");
    assert.throws(() => c.stopConnecting(), NotConnectingError);
    c.connect();
    c.disconnect();
    assert.ok(c.attempts[1].failed instanceof UserError);
    assert.deepEqual(f.events.filter((e) => e === "doStart" || e === "doStop"), [
      "doStart",
      "doStop",
      "doStart",
      "doStop",
    ]);
  });

  it("a factory that stops the attempt in startedConnecting: the attempt is never started", () => {
    const f = new Recording();
    const c = new TestConnector(new Clock(), f, 5);
    f.onStarted = (conn): void => conn.stopConnecting();
    c.connect();
    assert.equal(c.started.length, 0);
    assert.deepEqual(f.events, [
      "doStart",
      "startedConnecting",
      "attempt failed UserError",
      "failed UserError",
      "doStop",
    ]);
  });

  it("reconnecting from clientConnectionFailed/Lost keeps the factory started (one doStart, one doStop)", () => {
    const clock = new Clock();
    const f = new Recording();
    const c = new TestConnector(clock, f, 1);
    let failures = 0;
    f.onFailed = (conn): void => {
      if (++failures < 3) conn.connect();
    };
    c.connect();
    clock.advance(1);
    clock.advance(1);
    clock.advance(1);
    assert.equal(c.attempts.length, 3);
    assert.equal(f.events.filter((e) => e === "doStart").length, 1);
    assert.equal(f.events.filter((e) => e === "doStop").length, 1);
    assert.equal(f.events.at(-1), "doStop");
    // And from clientConnectionLost:
    f.events = [];
    let lost = 0;
    f.onLost = (conn): void => {
      if (++lost < 2) conn.connect();
    };
    c.connect();
    c.buildProtocol(peer);
    c.connectionLost(new Failure(new Error("first")));
    assert.equal(c.state, "connecting");
    c.buildProtocol(peer);
    c.connectionLost(new Failure(new Error("second")));
    assert.deepEqual(f.events.filter((e) => e === "doStart" || e === "doStop"), [
      "doStart",
      "doStop",
    ]);
  });

  it("exceptions from clientConnectionFailed, clientConnectionLost and doStop are logged; the state machine goes on", () => {
    const logged: string[] = [];
    const observer = (e: LogEvent): void => {
      if (e.isError) logged.push(`${e.why}: ${(e.failure?.value as Error).message}`);
    };
    addObserver(observer);
    setDefaultObserver(false);
    try {
      const clock = new Clock();
      const f = new Recording();
      f.onFailed = (): void => {
        throw new RangeError("from clientConnectionFailed");
      };
      f.onLost = (): void => {
        throw new RangeError("from clientConnectionLost");
      };
      const c = new TestConnector(clock, f, 1);
      c.connect();
      assert.doesNotThrow(() => clock.advance(1));
      assert.equal(f.numPorts, 0, "doStop ran after the failing hook");
      c.connect();
      c.buildProtocol(peer);
      assert.doesNotThrow(() => c.connectionLost(new Failure(new Error("gone"))));
      assert.equal(f.numPorts, 0);
      f.doStop = (): void => {
        throw new RangeError("from doStop");
      };
      f.onFailed = null;
      c.connect();
      assert.doesNotThrow(() => c.stopConnecting());
      assert.equal(c.state, "disconnected");
      assert.deepEqual(logged, [
        "Error in clientConnectionFailed: from clientConnectionFailed",
        "Error in clientConnectionLost: from clientConnectionLost",
        "Error in doStop: from doStop",
      ]);
      // The factory is considered stopped: the next connect() starts it again.
      f.events = [];
      c.connect();
      assert.equal(f.events[0], "doStart");
    } finally {
      removeObserver(observer);
      setDefaultObserver(true);
    }
  });
});
