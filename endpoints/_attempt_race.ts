/**
 * Internal: the connection-attempt race behind `HostnameEndpoint` (Twisted's
 * `HostnameEndpoint` racing its attempts; RFC 8305 "happy eyeballs" style).
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IDelayedCall, IProtocol, IReactorTime } from "../interfaces.ts";
import { ConnectingCancelledError } from "../reactor/errors.ts";
import { isIPv6Literal } from "./_util.ts";

/** Starts one attempt to `address`; the Deferred fires with the connected protocol. */
export type AttemptStarter<P extends IProtocol> = (address: string) => Deferred<P>;

/**
 * Interleave address families, starting with the family of the first
 * address and keeping the resolver's order within each family (RFC 8305).
 */
export function interleave(addresses: readonly string[]): string[] {
  if (addresses.length === 0) return [];
  const firstIs6 = isIPv6Literal(addresses[0]);
  const first: string[] = [];
  const other: string[] = [];
  for (const addr of addresses) (isIPv6Literal(addr) === firstIs6 ? first : other).push(addr);
  const out: string[] = [];
  for (let i = 0; i < Math.max(first.length, other.length); i++) {
    if (i < first.length) out.push(first[i]);
    if (i < other.length) out.push(other[i]);
  }
  return out;
}

/**
 * One race between connection attempts. {@linkcode AttemptRace.start} queues
 * the addresses (families interleaved) and starts an attempt to the first,
 * then another every `attemptDelay` seconds; when an attempt fails while none
 * is in flight, the next starts at once. The first attempt to connect wins:
 * the others are cancelled, and a late winner's connection is dropped.
 * {@linkcode AttemptRace.result} fires with the winner's protocol, fails with
 * the last failure once every attempt failed, or with
 * `ConnectingCancelledError` when cancelled.
 */
export class AttemptRace<P extends IProtocol> {
  /** Fires with the winning protocol. */
  readonly result: Deferred<P>;
  readonly #clock: IReactorTime;
  readonly #attemptDelay: number;
  readonly #startAttempt: AttemptStarter<P>;
  readonly #queue: string[] = [];
  readonly #pending: Deferred<P>[] = [];
  readonly #failures: Failure[] = [];
  #done = false;
  #timer: IDelayedCall | null = null;

  /** A race on `clock`; `what` names the destination in the cancellation message. */
  constructor(
    clock: IReactorTime,
    attemptDelay: number,
    startAttempt: AttemptStarter<P>,
    what: string,
  ) {
    this.#clock = clock;
    this.#attemptDelay = attemptDelay;
    this.#startAttempt = startAttempt;
    this.result = new Deferred<P>((d) => {
      this.#finish();
      d.errback(new ConnectingCancelledError(`Connecting to ${what} was cancelled`));
    });
  }

  /** True once the result is decided (or cancelled). */
  get done(): boolean {
    return this.#done;
  }

  /** Race attempts to `addresses` (at least one; ignored once decided). */
  start(addresses: readonly string[]): void {
    if (this.#done) return;
    this.#queue.push(...interleave(addresses));
    this.#attemptNext();
  }

  /** Fail the race before any attempt started (e.g. resolution failed); ignored once decided. */
  abort(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.result.errback(error);
  }

  /** Decide the race: no more timers, queued addresses or attempts in flight. */
  #finish(): void {
    this.#done = true;
    this.#stopTimer();
    this.#queue.length = 0;
    for (const d of this.#pending.splice(0)) d.cancel();
  }

  #stopTimer(): void {
    const timer = this.#timer;
    this.#timer = null;
    if (timer !== null && timer.active()) timer.cancel();
  }

  #attemptNext(): void {
    this.#timer = null;
    if (this.#done) return;
    const address = this.#queue.shift();
    if (address === undefined) return this.#checkDone();
    if (this.#queue.length > 0) {
      this.#timer = this.#clock.callLater(this.#attemptDelay, () => this.#attemptNext());
    }
    const attempt = this.#startAttempt(address);
    this.#pending.push(attempt);
    attempt.addCallback((proto: P): null => {
      this.#forget(attempt);
      if (this.#done) {
        // Lost the race after the result was decided: drop the connection.
        proto.transport?.loseConnection();
        return null;
      }
      this.#finish();
      this.result.callback(proto);
      return null;
    });
    attempt.addErrback((f: Failure): null => {
      this.#forget(attempt);
      if (this.#done) return null;
      this.#failures.push(f);
      if (this.#pending.length === 0 && this.#queue.length > 0) {
        // Nothing in flight: start the next attempt now.
        this.#stopTimer();
        this.#attemptNext();
      } else {
        this.#checkDone();
      }
      return null;
    });
  }

  #forget(attempt: Deferred<P>): void {
    const i = this.#pending.indexOf(attempt);
    if (i >= 0) this.#pending.splice(i, 1);
  }

  #checkDone(): void {
    if (this.#done || this.#pending.length > 0 || this.#queue.length > 0) return;
    this.#done = true;
    this.#stopTimer();
    this.result.errback(this.#failures[this.#failures.length - 1]);
  }
}
