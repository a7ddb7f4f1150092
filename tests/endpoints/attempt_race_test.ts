// AttemptRace, the connection-attempt race behind HostnameEndpoint (Twisted's
// HostnameEndpoint racing its attempts, RFC 8305 style), driven directly with
// Deferreds standing in for the attempts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { AttemptRace, interleave } from "../../endpoints/_attempt_race.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { ConnectingCancelledError, ConnectionRefusedError } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import { StringTransport } from "../../testing/string_transport.ts";

function race(delay = 0.3): {
  clock: Clock;
  attempts: Map<string, Deferred<Protocol>>;
  r: AttemptRace<Protocol>;
} {
  const clock = new Clock();
  const attempts = new Map<string, Deferred<Protocol>>();
  const r = new AttemptRace<Protocol>(clock, delay, (address) => {
    const d = new Deferred<Protocol>();
    attempts.set(address, d);
    return d;
  }, "example.com:80");
  return { clock, attempts, r };
}

function connected(): Protocol {
  const p = new Protocol();
  p.makeConnection(new StringTransport());
  return p;
}

describe("AttemptRace", () => {
  it("interleave alternates families from the first address's, keeping order in each", () => {
    assert.deepEqual(interleave(["::1", "::2", "10.0.0.1", "10.0.0.2", "10.0.0.3"]), [
      "::1",
      "10.0.0.1",
      "::2",
      "10.0.0.2",
      "10.0.0.3",
    ]);
    assert.deepEqual(interleave([]), []);
  });

  it("starts one attempt at once and the next after attemptDelay", () => {
    const { clock, attempts, r } = race();
    r.start(["::1", "10.0.0.1"]);
    assert.deepEqual([...attempts.keys()], ["::1"]);
    clock.advance(0.3);
    assert.deepEqual([...attempts.keys()], ["::1", "10.0.0.1"]);
  });

  it("the first to connect wins; the others are cancelled and no more are started", () => {
    const { clock, attempts, r } = race();
    r.start(["::1", "10.0.0.1", "::2"]);
    clock.advance(0.3);
    const winner = connected();
    attempts.get("10.0.0.1")!.callback(winner);
    assert.equal(r.done, true);
    assert.equal(r.result.result, winner);
    assert.equal(attempts.get("::1")!.called, true, "the attempt still in flight is cancelled");
    assert.equal(clock.getDelayedCalls().length, 0, "no attempt is started after the win");
    assert.equal(attempts.has("::2"), false);
  });

  it("a failure with nothing in flight starts the next attempt at once", () => {
    const { attempts, r } = race(30);
    r.start(["::1", "10.0.0.1"]);
    attempts.get("::1")!.errback(new ConnectionRefusedError());
    assert.ok(attempts.has("10.0.0.1"));
  });

  it("fails with the last failure once every attempt failed", () => {
    const { clock, attempts, r } = race();
    r.start(["::1", "10.0.0.1"]);
    clock.advance(0.3);
    attempts.get("::1")!.errback(new Error("first"));
    attempts.get("10.0.0.1")!.errback(new ConnectionRefusedError("last"));
    let error: unknown = null;
    r.result.addErrback((f) => {
      error = f.value;
      return null;
    });
    assert.ok(error instanceof ConnectionRefusedError);
  });

  it("cancelling stops the timer and the attempts: ConnectingCancelledError naming the destination", () => {
    const { clock, r } = race();
    r.start(["::1", "10.0.0.1"]);
    let error: unknown = null;
    r.result.addErrback((f) => {
      error = f.value;
      return null;
    });
    r.result.cancel();
    assert.ok(error instanceof ConnectingCancelledError);
    assert.match((error as Error).message, /example\.com:80/);
    assert.equal(clock.getDelayedCalls().length, 0);
    r.start(["10.0.0.9"]); // ignored once decided
    r.abort(new Error("ignored too"));
  });

  it("abort fails the race before any attempt (a failed resolution)", () => {
    const { attempts, r } = race();
    let error: unknown = null;
    r.result.addErrback((f) => {
      error = f.value;
      return null;
    });
    r.abort(new RangeError("no such host"));
    assert.ok(error instanceof RangeError);
    r.start(["::1"]);
    assert.equal(attempts.size, 0);
  });
});
