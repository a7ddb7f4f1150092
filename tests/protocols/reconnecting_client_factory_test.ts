import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Failure } from "../../deferred/failure.ts";
import { connectionDone } from "../../protocols/protocol.ts";
import { ReconnectingClientFactory } from "../../protocols/reconnecting_client_factory.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import { runScript } from "../_runtime.ts";
import { captureLog, FakeConnector } from "./_helpers.ts";

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
