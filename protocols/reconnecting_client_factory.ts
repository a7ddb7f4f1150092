/**
 * A client factory that reconnects with exponential back-off: Twisted's
 * `ReconnectingClientFactory` (from `twisted/internet/protocol.py`).
 *
 * @example Retrying on a deterministic clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol, ReconnectingClientFactory } from "@skein/skein/protocols";
 * import { Clock, ConnectionCompleter, MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const factory = ReconnectingClientFactory.forProtocol(Protocol);
 * factory.noisy = false;
 * factory.jitter = 0;
 * const clock = new Clock();
 * factory.clock = clock;
 * reactor.connectTCP("127.0.0.1", 4000, factory);
 * const connector = reactor.connectors[0];
 * new ConnectionCompleter(reactor).failOnce();
 * assert.equal(factory.retries, 1);
 * clock.advance(factory.delay);
 * assert.equal(connector.connectCalls, 1); // connect() again after the delay
 * factory.stopTrying();
 * ```
 *
 * @module
 */

import type { Failure } from "../deferred/failure.ts";
import type { IConnector, IDelayedCall, IReactorTime } from "../interfaces.ts";
import { msgWith } from "../log/log.ts";
import { NotConnectingError } from "../reactor/errors.ts";
import { getReactor } from "../reactor/install.ts";
import { ClientFactory } from "./factory.ts";

/**
 * A client factory that reconnects with exponential back-off: Twisted's
 * `ReconnectingClientFactory`.
 *
 * After each failed or lost connection, `retry()` multiplies `delay` by
 * `factor` (capped at `maxDelay`), perturbs it by a normal variate of
 * relative deviation `jitter`, and reconnects after that many seconds on
 * `clock`. Call {@linkcode ReconnectingClientFactory.resetDelay} once
 * connected (e.g. from `buildProtocol`), {@linkcode ReconnectingClientFactory.stopTrying}
 * to give up.
 *
 * @example Resetting the back-off once connected
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol, ReconnectingClientFactory } from "@skein/skein/protocols";
 * import { type IAddress, type IProtocol, IPv4Address } from "@skein/skein/reactor";
 *
 * class Persistent extends ReconnectingClientFactory {
 *   override protocol = Protocol;
 *   override maxDelay = 60;
 *   override buildProtocol(addr: IAddress): IProtocol | null {
 *     this.resetDelay();
 *     return super.buildProtocol(addr);
 *   }
 * }
 * const f = new Persistent();
 * f.delay = 30;
 * f.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 4000));
 * assert.equal(f.delay, f.initialDelay);
 * ```
 */
export class ReconnectingClientFactory extends ClientFactory {
  /** Longest wait between attempts, in seconds. */
  maxDelay: number = 3600;
  /** The delay before the first retry is `initialDelay * factor`. */
  initialDelay: number = 1.0;
  /** Growth of the delay per retry (e). */
  factor: number = 2.7182818284590451;
  /** Relative standard deviation of the random perturbation; 0 disables it. */
  jitter: number = 0.119626565582;
  /** The current delay. */
  delay: number = 1.0;
  /** Consecutive failed attempts so far. */
  retries: number = 0;
  /** Give up after this many consecutive retries; null for never. */
  maxRetries: number | null = null;
  /** The connector being retried. */
  connector: IConnector | null = null;
  /** Where retries are scheduled; null means the global reactor (bound at the first retry). */
  clock: IReactorTime | null = null;
  /** False once `stopTrying()` was called. */
  continueTrying: boolean = true;
  /** The scheduled reconnect, if any. */
  #callID: IDelayedCall | null = null;

  /** Retries when still trying. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Retries when still trying. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /**
   * Schedule `connector.connect()` (default: the last connector) after the
   * next back-off delay. Does nothing after `stopTrying()` or past
   * `maxRetries`. Throws when there is no connector to retry.
   */
  retry(connector?: IConnector): void {
    if (!this.continueTrying) {
      this.#log(`Abandoning ${connector ?? this.connector} on explicit request`);
      return;
    }
    let target = connector ?? null;
    if (target === null) {
      if (this.connector === null) {
        throw new TypeError(
          "no connector to retry: pass one to retry(connector), or let "
            + "clientConnectionFailed/clientConnectionLost record it",
        );
      }
      target = this.connector;
    }
    this.retries += 1;
    if (this.maxRetries !== null && this.retries > this.maxRetries) {
      this.#log(`Abandoning ${target} after ${this.retries} retries.`);
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = this.normalVariate(this.delay, this.delay * this.jitter);
    this.#log(`${target} will retry in ${Math.trunc(this.delay)} seconds`);
    // As in Twisted, a factory without a clock schedules on the global reactor.
    this.clock ??= getReactor();
    const c = target;
    this.#callID = this.clock.callLater(this.delay, () => {
      this.#callID = null;
      c.connect();
    });
  }

  /** Cancel any scheduled reconnect, stop connecting, and never retry again (until `resetDelay()`). */
  stopTrying(): void {
    if (this.#callID !== null) {
      this.#callID.cancel();
      this.#callID = null;
    }
    this.continueTrying = false;
    if (this.connector !== null) {
      try {
        this.connector.stopConnecting();
      } catch (e) {
        if (!(e instanceof NotConnectingError)) throw e;
      }
    }
  }

  /** Call after a successful connection: resets the delay and the retry count, and resumes trying. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.#callID = null;
    this.continueTrying = true;
  }

  /**
   * A normal variate with mean `mu` and standard deviation `sigma` (Python's
   * `random.normalvariate`); override for deterministic tests.
   */
  // protected: the documented hook subclasses override for deterministic delays.
  protected normalVariate(mu: number, sigma: number): number {
    // Box-Muller; 1 - random() lies in (0, 1], so the log is finite.
    const u1 = 1 - Math.random();
    const u2 = Math.random();
    return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  #log(text: string): void {
    if (this.noisy) msgWith({ system: this.logPrefix() }, text);
  }
}
