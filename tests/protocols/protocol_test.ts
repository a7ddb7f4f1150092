import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IConnector } from "../../interfaces.ts";
import { addObserver, type LogEvent, removeObserver } from "../../log/log.ts";
import {
  AbstractDatagramProtocol,
  ClientFactory,
  connectionDone,
  DatagramProtocol,
  Factory,
  Protocol,
  ReconnectingClientFactory,
  ServerFactory,
} from "../../protocols/protocol.ts";
import { IPv4Address } from "../../reactor/address.ts";
import {
  ConnectionDone,
  ConnectionRefusedError,
  NotConnectingError,
} from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { runScript } from "../_runtime.ts";

const ADDR: IAddress = new IPv4Address("TCP", "127.0.0.1", 1234);

class FakeConnector implements IConnector {
  connects = 0;
  stops = 0;
  notConnecting = false;
  stopConnecting(): void {
    this.stops++;
    if (this.notConnecting) throw new NotConnectingError();
  }
  disconnect(): void {}
  connect(): void {
    this.connects++;
  }
  getDestination(): IAddress {
    return ADDR;
  }
}

function captureLog(fn: () => void): string[] {
  const seen: string[] = [];
  const obs = (e: LogEvent): void => {
    seen.push(e.message.map(String).join(" "));
  };
  addObserver(obs);
  try {
    fn();
  } finally {
    removeObserver(obs);
  }
  return seen;
}

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

describe("ReconnectingClientFactory", () => {
  function make(): { f: ReconnectingClientFactory; clock: Clock; c: FakeConnector; } {
    const f = new ReconnectingClientFactory();
    f.noisy = false;
    const clock = new Clock();
    f.clock = clock;
    return { f, clock, c: new FakeConnector() };
  }

  it("has Twisted's defaults", () => {
    const f = new ReconnectingClientFactory();
    assert.equal(f.initialDelay, 1.0);
    assert.equal(f.delay, 1.0);
    assert.equal(f.maxDelay, 3600);
    assert.equal(f.factor, Math.E);
    assert.equal(f.jitter, 0.119626565582);
    assert.equal(f.maxRetries, null);
    assert.equal(f.continueTrying, true);
    assert.equal(f.clock, null);
  });

  it("with jitter 0 and maxDelay 10 the delays are e, e^2, 10, 10, 10 (Twisted [R])", () => {
    const { f, clock, c } = make();
    f.jitter = 0;
    f.maxDelay = 10;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
      delays.push(f.delay);
      const [call] = clock.getDelayedCalls();
      assert.ok(Math.abs(call.getTime() - clock.seconds() - f.delay) < 1e-9);
      clock.advance(f.delay);
      assert.equal(c.connects, i + 1);
    }
    assert.deepEqual(delays.map((d) => Number(d.toFixed(4))), [2.7183, 7.3891, 10, 10, 10]);
    assert.equal(f.retries, 5);
    assert.equal(f.connector, c);
  });

  it("connection lost retries like a failure", () => {
    const { f, clock, c } = make();
    f.jitter = 0;
    f.clientConnectionLost(c, connectionDone);
    clock.advance(f.delay);
    assert.equal(c.connects, 1);
  });

  it("jitter perturbs the delay with a normal variate of sd delay*jitter", () => {
    const { f, c } = make();
    const seen: Array<[number, number]> = [];
    class Det extends ReconnectingClientFactory {
      protected override normalVariate(mu: number, sigma: number): number {
        seen.push([mu, sigma]);
        return mu + sigma;
      }
    }
    const d = new Det();
    d.noisy = false;
    d.clock = new Clock();
    d.retry(c);
    assert.equal(seen.length, 1);
    assert.ok(Math.abs(seen[0][0] - Math.E) < 1e-12);
    assert.ok(Math.abs(seen[0][1] - Math.E * d.jitter) < 1e-12);
    assert.ok(Math.abs(d.delay - Math.E * (1 + d.jitter)) < 1e-12);
    // The real sampler: mean and spread over many draws stay close to the target.
    let sum = 0;
    let sq = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      f.delay = 1;
      f.retries = 0;
      f.retry(c);
      sum += f.delay;
      sq += f.delay * f.delay;
    }
    const mean = sum / N;
    const sd = Math.sqrt(sq / N - mean * mean);
    assert.ok(Math.abs(mean - Math.E) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(sd - Math.E * f.jitter) < 0.05, `sd ${sd}`);
  });

  it("stops silently past maxRetries", () => {
    const { f, clock, c } = make();
    f.jitter = 0;
    f.maxRetries = 2;
    f.retry(c);
    f.retry(c);
    assert.equal(clock.getDelayedCalls().length, 2);
    f.retry(c);
    assert.equal(clock.getDelayedCalls().length, 2);
    assert.equal(f.retries, 3);
  });

  it("stopTrying cancels the pending retry, stops connecting, and ignores NotConnectingError", () => {
    const { f, clock, c } = make();
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    assert.equal(clock.getDelayedCalls().length, 1);
    c.notConnecting = true;
    f.stopTrying();
    assert.equal(clock.getDelayedCalls().length, 0);
    assert.equal(c.stops, 1);
    assert.equal(f.continueTrying, false);
    clock.advance(100);
    assert.equal(c.connects, 0);
    // Further failures do not retry.
    f.clientConnectionFailed(c, new Failure(new ConnectionRefusedError()));
    assert.equal(clock.getDelayedCalls().length, 0);
    // retry() itself abandons on explicit request.
    f.retry(c);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  it("stopTrying propagates other errors from stopConnecting", () => {
    const { f, c } = make();
    f.connector = c;
    c.stopConnecting = (): void => {
      throw new RangeError("boom");
    };
    assert.throws(() => f.stopTrying(), RangeError);
  });

  it("resetDelay restores the delay and retry count and resumes trying", () => {
    const { f, c } = make();
    f.retry(c);
    f.retry(c);
    f.stopTrying();
    f.resetDelay();
    assert.equal(f.delay, 1.0);
    assert.equal(f.retries, 0);
    assert.equal(f.continueTrying, true);
  });

  it("retry without any connector throws a clear error", () => {
    const { f } = make();
    assert.throws(() => f.retry(), /no connector to retry/);
  });

  it("without a clock, retries are scheduled on the global reactor (in a child process)", async () => {
    // The process-wide reactor is bound on first use, so this runs in a child.
    const script = fileURLToPath(new URL("./_default_clock_script.ts", import.meta.url));
    const { out, err } = await runScript(script);
    assert.equal(out.trim() + err, "OK");
  });

  it("noisy retries log when they will retry", () => {
    const { f, c } = make();
    f.noisy = true;
    f.jitter = 0;
    const lines = captureLog(() => f.retry(c));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /will retry in 2 seconds/);
  });
});

describe("DatagramProtocol (twisted.internet.protocol.AbstractDatagramProtocol)", () => {
  // deno-lint-ignore no-explicit-any
  const fakePort = {} as any;

  it("makeConnection sets transport and starts the protocol once for several ports", () => {
    const calls: string[] = [];
    class D extends DatagramProtocol {
      override startProtocol(): void {
        calls.push("start");
      }
      override stopProtocol(): void {
        calls.push("stop");
      }
    }
    const d = new D();
    d.noisy = false;
    d.makeConnection(fakePort);
    assert.equal(d.transport, fakePort);
    assert.equal(d.numPorts, 1);
    assert.throws(() => d.makeConnection(fakePort), /already attached/);
    d.doStart();
    assert.equal(d.numPorts, 2);
    d.doStop();
    assert.equal(d.transport, null);
    assert.deepEqual(calls, ["start"]);
    d.doStop();
    assert.deepEqual(calls, ["start", "stop"]);
    assert.throws(() => d.doStop(), /more often/);
  });

  it("defaults: datagramReceived and connectionRefused do nothing; logPrefix is the class name", () => {
    class Mine extends DatagramProtocol {}
    const d = new Mine();
    d.datagramReceived(new Uint8Array(1), ["127.0.0.1", 1]);
    d.connectionRefused();
    assert.equal(d.logPrefix(), "Mine");
    assert.ok(d instanceof AbstractDatagramProtocol);
  });
});
