/**
 * Package-private access to Deferred internals for the other modules of
 * `deferred/` (inlineCallbacks needs to put a stage at the front of a chain,
 * as Twisted's does). Filled in by `deferred.ts` when it loads; not exported
 * from the package.
 *
 * @module
 */

/** A stage function as the chain stores it. */
// deno-lint-ignore no-explicit-any
export type StageFn = (result: any, ...args: any[]) => unknown;

/** The internal operations, set by deferred.ts. */
export interface DeferredInternals {
  /** Append a stage; `null` passes the result through on that track. */
  add(
    d: object,
    cb: StageFn | null,
    eb: StageFn | null,
    cbArgs: unknown[] | undefined,
    ebArgs: unknown[] | undefined,
  ): void;
  /** Insert a stage before all pending ones (the Deferred must not be running). */
  prepend(
    d: object,
    cb: StageFn | null,
    eb: StageFn | null,
    cbArgs: unknown[] | undefined,
    ebArgs: unknown[] | undefined,
  ): void;
  /**
   * If `d` has fired, is not paused, not running its callbacks and not
   * waiting on another Deferred, take its result (leaving `undefined`, as a
   * consuming `addBoth` stage would) and return it; otherwise return
   * `NO_RESULT` and leave `d` alone.
   */
  take(d: object): unknown;
  /**
   * Like `take`, but leave the result in place (a Failure is marked as
   * handled), as Twisted's `Deferred.send` does for `yield from` / `await`.
   */
  peek(d: object): unknown;
  /**
   * `d.callback(result)` without making `d`'s bound `callback` (the public
   * one is a getter that creates it on first use).
   */
  callback(d: object, result: unknown): void;
  /** `d.errback(reason)`, likewise; `reason` is required here. */
  errback(d: object, reason: unknown): void;
}

/** Returned by `internals.take` when the Deferred has no result to take now. */
export const NO_RESULT: unique symbol = Symbol("no result");

/** Populated by deferred.ts at load time. */
export const internals: DeferredInternals = {
  add(): void {
    throw new Error("deferred.ts not loaded");
  },
  prepend(): void {
    throw new Error("deferred.ts not loaded");
  },
  take(): unknown {
    throw new Error("deferred.ts not loaded");
  },
  peek(): unknown {
    throw new Error("deferred.ts not loaded");
  },
  callback(): void {
    throw new Error("deferred.ts not loaded");
  },
  errback(): void {
    throw new Error("deferred.ts not loaded");
  },
};
