// AttemptRace, the connection-attempt race behind HostnameEndpoint (Twisted's
// HostnameEndpoint racing its attempts, RFC 8305 style), driven directly with
// Deferreds standing in for the attempts. A trial-style SynchronousTestCase:
// each test gets a fresh race on its own Clock in setUp, failureResultOf reads
// the race's failure, and the kit fails a test that leaves a failed Deferred
// unhandled.
import assert from "node:assert/strict";
import { Deferred } from "../../deferred/deferred.ts";
import { AttemptRace, interleave } from "../../endpoints/_attempt_race.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { ConnectingCancelledError, ConnectionRefusedError } from "../../reactor/errors.ts";
import { Clock } from "../../task/clock.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { runTests, SynchronousTestCase } from "../../testing/test_case.ts";

function connected(): Protocol {
  const p = new Protocol();
  p.makeConnection(new StringTransport());
  return p;
}

class AttemptRaceTests extends SynchronousTestCase {
  clock!: Clock;
  attempts!: Map<string, Deferred<Protocol>>;
  /** The race under test, with attemptDelay 0.3 s unless a test makes its own with `race(delay)`. */
  r!: AttemptRace<Protocol>;

  override setUp(): void {
    this.r = this.race(0.3);
  }

  race(delay: number): AttemptRace<Protocol> {
    this.clock = new Clock();
    this.attempts = new Map();
    return new AttemptRace<Protocol>(this.clock, delay, (address) => {
      const d = new Deferred<Protocol>();
      this.attempts.set(address, d);
      return d;
    }, "example.com:80");
  }

  /** interleave alternates families from the first address's, keeping order in each */
  testInterleave(): void {
    assert.deepEqual(interleave(["::1", "::2", "10.0.0.1", "10.0.0.2", "10.0.0.3"]), [
      "::1",
      "10.0.0.1",
      "::2",
      "10.0.0.2",
      "10.0.0.3",
    ]);
    assert.deepEqual(interleave([]), []);
  }

  /** starts one attempt at once and the next after attemptDelay */
  testStaggeredStarts(): void {
    this.r.start(["::1", "10.0.0.1"]);
    assert.deepEqual([...this.attempts.keys()], ["::1"]);
    this.clock.advance(0.3);
    assert.deepEqual([...this.attempts.keys()], ["::1", "10.0.0.1"]);
  }

  /** the first to connect wins; the others are cancelled and no more are started */
  testFirstToConnectWins(): void {
    this.r.start(["::1", "10.0.0.1", "::2"]);
    this.clock.advance(0.3);
    const winner = connected();
    this.attempts.get("10.0.0.1")!.callback(winner);
    assert.equal(this.r.done, true);
    assert.equal(this.successResultOf(this.r.result), winner);
    assert.equal(
      this.attempts.get("::1")!.called,
      true,
      "the attempt still in flight is cancelled",
    );
    assert.equal(this.clock.getDelayedCalls().length, 0, "no attempt is started after the win");
    assert.equal(this.attempts.has("::2"), false);
  }

  /** a failure with nothing in flight starts the next attempt at once */
  testFailureStartsNextAtOnce(): void {
    this.r = this.race(30);
    this.r.start(["::1", "10.0.0.1"]);
    this.attempts.get("::1")!.errback(new ConnectionRefusedError());
    assert.ok(this.attempts.has("10.0.0.1"));
  }

  /** fails with the last failure once every attempt failed */
  testFailsWithLastFailure(): void {
    this.r.start(["::1", "10.0.0.1"]);
    this.clock.advance(0.3);
    this.attempts.get("::1")!.errback(new Error("first"));
    this.attempts.get("10.0.0.1")!.errback(new ConnectionRefusedError("last"));
    this.failureResultOf(this.r.result, ConnectionRefusedError);
  }

  /** cancelling stops the timer and the attempts: ConnectingCancelledError naming the destination */
  testCancel(): void {
    this.r.start(["::1", "10.0.0.1"]);
    this.r.result.cancel();
    const f = this.failureResultOf(this.r.result, ConnectingCancelledError);
    assert.match(f.getErrorMessage(), /example\.com:80/);
    assert.equal(this.clock.getDelayedCalls().length, 0);
    this.r.start(["10.0.0.9"]); // ignored once decided
    this.r.abort(new Error("ignored too"));
  }

  /** abort fails the race before any attempt (a failed resolution) */
  testAbortBeforeAnyAttempt(): void {
    this.r.abort(new RangeError("no such host"));
    this.failureResultOf(this.r.result, RangeError);
    this.r.start(["::1"]);
    assert.equal(this.attempts.size, 0);
  }
}

runTests(AttemptRaceTests);
