import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import {
  backoffPolicy,
  ClientService,
  StreamServerEndpointService,
  strports,
  TimerService,
} from "../../application/mod.ts";
import { CancelledError, Deferred, fail, Failure } from "../../deferred/mod.ts";
import { TCP4ServerEndpoint } from "../../endpoints/mod.ts";
import type {
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IStreamServerEndpoint,
} from "../../interfaces.ts";
import { addObserver, type LogEvent, removeObserver } from "../../log/mod.ts";
import { Factory, Protocol } from "../../protocols/mod.ts";
import {
  ConnectionDone,
  ConnectionRefusedError,
  createReactor,
  IPv4Address,
} from "../../reactor/mod.ts";
import { Clock, StringTransport } from "../../testing/mod.ts";

/** Collect legacy-log events while `fn` runs. */
function logged(fn: () => void): LogEvent[] {
  const events: LogEvent[] = [];
  const observer = (e: LogEvent): void => {
    events.push(e);
  };
  addObserver(observer);
  try {
    fn();
  } finally {
    removeObserver(observer);
  }
  return events;
}

describe("StreamServerEndpointService", () => {
  it("listens on real TCP while running and closes the port on stop", async () => {
    const reactor = createReactor();
    const factory = Factory.forProtocol(Protocol);
    factory.noisy = false;
    const service = new StreamServerEndpointService(
      new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }),
      factory,
    );
    let portNumber = 0;
    let refusedAfterStop = false;
    reactor.callWhenRunning(async () => {
      service.privilegedStartService();
      service.startService();
      const port = await service.whenListening();
      portNumber = port.getHost().port;
      await service.stopService();
      assert.equal(service.port, null);
      // The port is closed: binding it again works.
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once("error", reject);
        probe.listen(portNumber, "127.0.0.1", () => resolve());
      });
      refusedAfterStop = true;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      reactor.stop();
    });
    await reactor.run();
    assert.ok(portNumber > 0);
    assert.equal(refusedAfterStop, true);
    assert.equal(service.running, false);
  });

  it("strports.service raises at once when the port is taken (Twisted's _raiseSynchronously)", async () => {
    const reactor = createReactor();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const taken = (blocker.address() as { port: number; }).port;
    try {
      const service = strports.service(`tcp:${taken}:interface=127.0.0.1`, new Factory(), {
        reactor,
      });
      assert.throws(() => service.privilegedStartService(), /address already in use|EADDRINUSE/i);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it("without raiseSynchronously, a failed listen is logged and stop still fires", async () => {
    const endpoint: IStreamServerEndpoint = { listen: () => fail(new Error("no such interface")) };
    const service = new StreamServerEndpointService(endpoint, new Factory());
    const events = logged(() => service.startService());
    assert.ok(events.some((e) => e.isError === true && /could not listen/.test(String(e.why))));
    await assert.rejects(service.whenListening(), /could not listen/);
    await service.stopService();
    assert.equal(service.running, false);
  });

  it("stopService cancels a listen still under way, and the cancellation is not logged", () => {
    let cancelled = false;
    const pending = new Deferred<IListeningPort>(() => {
      cancelled = true;
    });
    const service = new StreamServerEndpointService({ listen: () => pending }, new Factory());
    service.startService();
    const events = logged(() => {
      service.stopService();
    });
    assert.equal(cancelled, true);
    assert.deepEqual(events.filter((e) => e.isError === true), []);
  });

  it("strports.service rejects a bad description at once", () => {
    assert.throws(
      () => strports.service("tcpp:80", new Factory(), { reactor: createReactor() }),
      /Unknown endpoint type/,
    );
  });
});

describe("TimerService", () => {
  it("calls now and every step, and stops (Twisted's TimerService)", async () => {
    const clock = new Clock();
    const calls: [number, string][] = [];
    const timer = new TimerService(2, (tag: string) => calls.push([clock.seconds(), tag]), "x");
    timer.clock = clock;
    timer.startService();
    clock.advance(2);
    clock.advance(2);
    await timer.stopService();
    clock.advance(2);
    assert.deepEqual(calls, [[0, "x"], [2, "x"], [4, "x"]]);
    assert.equal(timer.running, false);
  });

  it("waits for a call's Deferred before stopping", () => {
    const clock = new Clock();
    const inFlight = new Deferred<void>();
    const timer = new TimerService(1, () => inFlight);
    timer.clock = clock;
    timer.startService();
    let stopped = false;
    timer.stopService().addCallback(() => {
      stopped = true;
    });
    assert.equal(stopped, false);
    assert.equal(timer.running, true);
    inFlight.callback();
    assert.equal(stopped, true);
    assert.equal(timer.running, false);
  });

  it("logs a failing call, ends the loop, and still stops", async () => {
    const clock = new Clock();
    let n = 0;
    const timer = new TimerService(1, () => {
      n++;
      if (n === 2) throw new Error("tick failed");
    });
    timer.clock = clock;
    timer.startService();
    const events = logged(() => clock.advance(1));
    clock.advance(1);
    assert.equal(n, 2);
    assert.ok(events.some((e) => e.isError === true && /timer has stopped/.test(String(e.why))));
    await timer.stopService();
    assert.equal(timer.running, false);
  });

  it("refuses a bad step", () => {
    assert.throws(() => new TimerService(-1, () => {}), RangeError);
  });
});

describe("backoffPolicy", () => {
  it("grows by factor, caps at maxDelay and adds jitter (Twisted's defaults: 1 s, 1.5, 60 s)", () => {
    const policy = backoffPolicy({ jitter: () => 0.25 });
    assert.equal(policy(0), 1.25);
    assert.equal(policy(1), 1.75);
    assert.equal(policy(2), 2.5);
    assert.equal(policy(1000), 60.25);
    assert.throws(() => backoffPolicy({ factor: -1 }), RangeError);
  });
});

/** An endpoint whose connection attempts the test completes or fails by hand. */
class ManualEndpoint {
  attempts: { factory: IProtocolFactory; d: Deferred<IProtocol>; cancelled: boolean; }[] = [];
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P> {
    const attempt = { factory, d: null as unknown as Deferred<IProtocol>, cancelled: false };
    attempt.d = new Deferred<IProtocol>(() => {
      attempt.cancelled = true;
    });
    this.attempts.push(attempt);
    return attempt.d as Deferred<P>;
  }
  /** Complete the last attempt: build the protocol and connect it to a StringTransport. */
  succeed(): IProtocol {
    const attempt = this.attempts.at(-1)!;
    const protocol = attempt.factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!;
    protocol.makeConnection(new StringTransport());
    attempt.d.callback(protocol);
    return protocol;
  }
  refuse(): void {
    this.attempts.at(-1)!.d.errback(new ConnectionRefusedError("refused"));
  }
}

function clientService(
  options: { prepareConnection?: (p: IProtocol) => unknown; } = {},
): { clock: Clock; endpoint: ManualEndpoint; service: ClientService; delays: number[]; } {
  const clock = new Clock();
  const endpoint = new ManualEndpoint();
  const delays: number[] = [];
  const factory = Factory.forProtocol(Protocol);
  factory.noisy = false;
  const service = new ClientService(endpoint, factory, {
    clock,
    retryPolicy: (n) => {
      delays.push(n);
      return n * 10;
    },
    ...options,
  });
  return { clock, endpoint, service, delays };
}

describe("ClientService (Twisted's _ClientMachine transitions)", () => {
  it("connects on start and hands the protocol to whenConnected, before and after", () => {
    const { endpoint, service } = clientService();
    service.startService();
    assert.equal(endpoint.attempts.length, 1);
    const early = service.whenConnected();
    const protocol = endpoint.succeed();
    assert.equal(early.result, protocol);
    assert.equal(service.whenConnected().result, protocol);
  });

  it("retries a failed attempt after retryPolicy(failedAttempts), counting up", () => {
    const { clock, endpoint, service, delays } = clientService();
    service.startService();
    endpoint.refuse();
    assert.deepEqual(delays, [1]);
    clock.advance(9.9);
    assert.equal(endpoint.attempts.length, 1);
    clock.advance(0.1);
    assert.equal(endpoint.attempts.length, 2);
    endpoint.refuse();
    assert.deepEqual(delays, [1, 2]);
    clock.advance(20);
    assert.equal(endpoint.attempts.length, 3);
  });

  it("whenConnected({failAfterFailures}) fails with the error after that many failures", () => {
    const { clock, endpoint, service } = clientService();
    service.startService();
    const patient = service.whenConnected();
    const d = service.whenConnected({ failAfterFailures: 2 });
    endpoint.refuse();
    assert.equal(d.called, false);
    clock.advance(10);
    endpoint.refuse();
    assert.ok(d.result instanceof Failure && d.result.check(ConnectionRefusedError));
    d.addErrback(() => null);
    assert.equal(patient.called, false);
    service.stopService();
    assert.ok(patient.result instanceof Failure && patient.result.check(CancelledError));
    patient.addErrback(() => null);
    assert.throws(() => service.whenConnected({ failAfterFailures: 0 }), RangeError);
  });

  it("reconnects after a lost connection with failedAttempts reset to 1", () => {
    const { clock, endpoint, service, delays } = clientService();
    service.startService();
    endpoint.refuse();
    clock.advance(10);
    const protocol = endpoint.succeed();
    protocol.connectionLost(new Failure(new ConnectionDone()));
    assert.deepEqual(delays, [1, 1]);
    const next = service.whenConnected();
    clock.advance(10);
    assert.equal(endpoint.attempts.length, 3);
    const again = endpoint.succeed();
    assert.equal(next.result, again);
  });

  it("stop while connected closes the connection and fires once it is lost", () => {
    const { endpoint, service } = clientService();
    service.startService();
    const protocol = endpoint.succeed();
    let stopped = false;
    service.stopService().addCallback(() => {
      stopped = true;
    });
    assert.equal((protocol.transport as StringTransport).disconnecting, true);
    const waiter = service.whenConnected();
    assert.equal(stopped, false);
    protocol.connectionLost(new Failure(new ConnectionDone()));
    assert.equal(stopped, true);
    assert.ok(waiter.result instanceof Failure && waiter.result.check(CancelledError));
    waiter.addErrback(() => null);
    const late = service.whenConnected();
    assert.ok(late.result instanceof Failure && late.result.check(CancelledError));
    late.addErrback(() => null);
  });

  it("stop while connecting cancels the attempt; stop while waiting cancels the retry", () => {
    const a = clientService();
    a.service.startService();
    let stopped = false;
    a.service.stopService().addCallback(() => {
      stopped = true;
    });
    assert.equal(a.endpoint.attempts[0].cancelled, true);
    assert.equal(stopped, true);

    const b = clientService();
    b.service.startService();
    b.endpoint.refuse();
    b.service.stopService();
    b.clock.advance(100);
    assert.equal(b.endpoint.attempts.length, 1);
    assert.equal(b.clock.getDelayedCalls().length, 0);
  });

  it("start while disconnecting reconnects once the old connection is gone (the restarting state)", () => {
    const { endpoint, service } = clientService();
    service.startService();
    const first = endpoint.succeed();
    let stopped = false;
    service.stopService().addCallback(() => {
      stopped = true;
    });
    service.startService();
    assert.equal(endpoint.attempts.length, 1);
    first.connectionLost(new Failure(new ConnectionDone()));
    assert.equal(stopped, true);
    assert.equal(endpoint.attempts.length, 2);
  });

  it("prepareConnection runs before whenConnected; its failure counts as a failed attempt", () => {
    let prepared = 0;
    let failNext = true;
    const { clock, endpoint, service, delays } = clientService({
      prepareConnection: () => {
        prepared++;
        if (failNext) {
          failNext = false;
          throw new Error("login refused");
        }
      },
    });
    service.startService();
    const d = service.whenConnected();
    endpoint.succeed();
    assert.equal(d.called, false);
    assert.deepEqual(delays, [1]);
    clock.advance(10);
    const protocol = endpoint.succeed();
    assert.equal(prepared, 2);
    assert.equal(d.result, protocol);
  });

  it("connects to a real TCP server and reconnects after the server drops it", async () => {
    const reactor = createReactor();
    let accepted = 0;
    class DropFirst extends Protocol {
      override connectionMade(): void {
        accepted++;
        if (accepted === 1) this.transport!.loseConnection();
      }
    }
    const serverFactory = Factory.forProtocol(DropFirst);
    serverFactory.noisy = false;
    const port = await new TCP4ServerEndpoint(reactor, 0, { interface: "127.0.0.1" }).listen(
      serverFactory,
    );
    const clientFactory = Factory.forProtocol(Protocol);
    clientFactory.noisy = false;
    const { TCP4ClientEndpoint } = await import("../../endpoints/mod.ts");
    const service = new ClientService(
      new TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port),
      clientFactory,
      { clock: reactor, retryPolicy: () => 0.01 },
    );
    reactor.callWhenRunning(() => {
      service.startService();
      service.whenConnected().addCallback((first) => {
        const lost = first.connectionLost;
        first.connectionLost = (reason) => {
          lost.call(first, reason);
          service.whenConnected().addCallback(async () => {
            await service.stopService();
            await port.stopListening();
            reactor.stop();
          });
        };
      });
    });
    await reactor.run();
    assert.equal(accepted, 2);
  });
});
