/**
 * The iterator behind `Deferred[Symbol.iterator]` (`yield* d` in an
 * `inlineCallbacks` body).
 *
 * @module
 */

import { peek, stateOf } from "./_chain.ts";
import { NO_RESULT } from "./_internals.ts";
import type { Deferred } from "./deferred.ts";
import { Failure } from "./failure.ts";

/**
 * The iterator behind `yield* d`: yields `d` once, then returns what the
 * driver sent back; an error thrown in goes straight out at the `yield*`.
 * A `d` that already has its result finishes at once and keeps its result
 * (Twisted's `yield from d` does the same); an unfired one goes to the
 * driver, which consumes the result as for `yield d`. It is its own
 * IteratorResult (one allocation per `yield*`).
 */
export class YieldOnce<T> implements Iterator<Deferred<T>, T, unknown> {
  value: unknown;
  done = false;
  #started = false;
  constructor(d: Deferred<T>) {
    this.value = d;
  }
  next(sent?: unknown): IteratorResult<Deferred<T>, T> {
    if (this.#started) {
      this.value = sent;
      this.done = true;
    } else {
      this.#started = true;
      // Already fired: finish at once, without a round trip through the
      // driver, and leave the result in place (a failure counts as handled),
      // as Twisted's Deferred.send does for `yield from` / `await`.
      const taken = peek(stateOf(this.value as Deferred<T>));
      if (taken !== NO_RESULT) {
        this.done = true;
        if (taken instanceof Failure) {
          this.value = undefined;
          throw taken.value;
        }
        this.value = taken;
      }
    }
    return this as unknown as IteratorResult<Deferred<T>, T>;
  }
  throw(error?: unknown): IteratorResult<Deferred<T>, T> {
    this.done = true;
    this.value = undefined;
    throw error;
  }
  return(value?: T): IteratorResult<Deferred<T>, T> {
    this.done = true;
    this.value = value;
    return this as unknown as IteratorResult<Deferred<T>, T>;
  }
}
