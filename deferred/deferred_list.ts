/**
 * `DeferredList`: a Deferred that waits for several Deferreds, Twisted's
 * `defer.DeferredList`, with precisely typed results.
 *
 * @module
 */

import { err } from "../log/log.ts";
import { fireCallback, fireErrback, peek, stateOf } from "./_chain.ts";
import { NO_RESULT } from "./_internals.ts";
import { Deferred } from "./deferred.ts";
import { Failure } from "./failure.ts";

/**
 * The result type of a Deferred: `DeferredResult<Deferred<number>>` is
 * `number`.
 *
 * @example
 * ```ts
 * import type { Deferred, DeferredResult } from "@skein/skein/deferred";
 * const n: DeferredResult<Deferred<number>> = 42;
 * ```
 */
export type DeferredResult<D> = D extends Deferred<infer T> ? T : never;

/**
 * One entry of a `DeferredList` result: `[true, value]` for a member that
 * succeeded, `[false, failure]` for one that failed. It is a discriminated
 * union, so checking the flag narrows the second element.
 *
 * @example
 * ```ts
 * import type { DeferredListItem } from "@skein/skein/deferred";
 * function show(item: DeferredListItem<number>): string {
 *   const [ok, value] = item;
 *   return ok ? `got ${value.toFixed(1)}` : `failed: ${value.getErrorMessage()}`;
 * }
 * ```
 */
export type DeferredListItem<T> = [success: true, result: T] | [success: false, failure: Failure];

/**
 * The result of a `DeferredList` over `D`: one {@linkcode DeferredListItem}
 * per member, in input order. For a tuple of Deferreds it is a tuple:
 * `DeferredListResult<[Deferred<number>, Deferred<string>]>` is
 * `[DeferredListItem<number>, DeferredListItem<string>]`.
 *
 * @example
 * ```ts
 * import type { Deferred, DeferredListResult } from "@skein/skein/deferred";
 * type R = DeferredListResult<[Deferred<number>, Deferred<string>]>;
 * const r: R = [[true, 1], [true, "a"]];
 * ```
 */
export type DeferredListResult<D extends readonly Deferred<unknown>[]> = {
  -readonly [K in keyof D]: DeferredListItem<DeferredResult<D[K]>>;
};

/**
 * What a `DeferredList` with `fireOnOneCallback` fires with when a member
 * succeeds: `[value, index]`. For a tuple of Deferreds each index is paired
 * with its own value type: `[number, 0] | [string, 1]`.
 *
 * @example
 * ```ts
 * import type { Deferred, DeferredListFirst } from "@skein/skein/deferred";
 * const first: DeferredListFirst<[Deferred<number>, Deferred<string>]> = ["a", 1];
 * ```
 */
export type DeferredListFirst<D extends readonly Deferred<unknown>[]> = {
  [K in keyof D]: [
    result: DeferredResult<D[K]>,
    index: K extends `${infer N extends number}` ? N : number,
  ];
}[number];

/**
 * Options of {@linkcode DeferredList} (Twisted's keyword arguments).
 *
 * @example
 * ```ts
 * import type { DeferredListOptions } from "@skein/skein/deferred";
 * const opts: DeferredListOptions = { fireOnOneErrback: true, consumeErrors: true };
 * ```
 */
export interface DeferredListOptions {
  /**
   * Fire as soon as one member succeeds, with `[value, index]`. If every
   * member fails, the list still fires with the full result list. An empty
   * list with this flag never fires (as in Twisted).
   */
  readonly fireOnOneCallback?: boolean;
  /**
   * Errback as soon as one member fails, with a `FirstError` that carries the
   * member's failure (`subFailure`) and its `index`.
   */
  readonly fireOnOneErrback?: boolean;
  /**
   * After the list has seen a member's failure, continue that member's own
   * chain with `null` instead of the failure, so it is not reported as an
   * unhandled error. The list still sees the failure.
   */
  readonly consumeErrors?: boolean;
}

/**
 * What a `DeferredList` over `D` with options `O` fires with: the full list,
 * or, with `fireOnOneCallback` (unless it is literally `false`), also
 * `[value, index]` of the first success.
 *
 * @example
 * ```ts
 * import type { Deferred, DeferredListFired } from "@skein/skein/deferred";
 * type Plain = DeferredListFired<[Deferred<number>], {}>;
 * const r: Plain = [[true, 1]];
 * ```
 */
export type DeferredListFired<
  D extends readonly Deferred<unknown>[],
  O extends DeferredListOptions,
> = "fireOnOneCallback" extends keyof O
  ? O["fireOnOneCallback" & keyof O] extends false | undefined ? DeferredListResult<D>
  : DeferredListFirst<D> | DeferredListResult<D>
  : DeferredListResult<D>;

/**
 * An error wrapping the first failure of a `DeferredList` with
 * `fireOnOneErrback` (and so of `gatherResults`): Twisted's
 * `defer.FirstError`. `subFailure` is the member's Failure, `index` its
 * position; `cause` is the member's error, so `Error.cause` chains show it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure, FirstError } from "@skein/skein/deferred";
 * const e = new FirstError(new Failure(new RangeError("k")), 1);
 * assert.ok(e.index === 1 && e.message === "FirstError[#1, RangeError: k]");
 * ```
 */
export class FirstError extends Error {
  /** Always `"FirstError"`. */
  override name: string = "FirstError";
  /** The failure of the member that failed first. */
  readonly subFailure: Failure;
  /** The position of that member in the list. */
  readonly index: number;

  /** Wrap `failure`, the failure of the member at `index`. */
  constructor(failure: Failure, index: number) {
    super(`FirstError[#${index}, ${describe(failure)}]`, { cause: failure.value });
    this.subFailure = failure;
    this.index = index;
  }
}

function describe(failure: Failure): string {
  const v = failure.value;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return String(v);
  } catch {
    return "<unprintable>";
  }
}

/**
 * A Deferred that fires when all of a list of Deferreds have fired, with a
 * `[success, result]` pair for each, in input order (Twisted's
 * `DeferredList`). Failures of members are results too: the list itself
 * fires on its callback track unless `fireOnOneErrback` is set.
 *
 * Semantics follow Twisted's exactly:
 * - The list adds one callback/errback pair to each member when it is built;
 *   callbacks added to a member earlier shape what the list sees, and
 *   callbacks added later see what the member's chain passes on (the result,
 *   or `null` for a failure when `consumeErrors` is set).
 * - An empty list fires at once with `[]` (and never, with
 *   `fireOnOneCallback`).
 * - With `fireOnOneCallback` it fires with `[value, index]` on the first
 *   success; with `fireOnOneErrback` it errbacks with a {@linkcode FirstError}
 *   on the first failure; the later members are not cancelled, and
 *   {@linkcode DeferredList.resultList} keeps filling in.
 * - `cancel()` before the list fired cancels every member (an exception from
 *   a member's canceller is logged); after it fired it does nothing.
 *
 * The result is typed from the members: for `[Deferred<number>,
 * Deferred<string>]` it is `[DeferredListItem<number>,
 * DeferredListItem<string>]`, and checking each flag narrows its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, DeferredList, succeed } from "@skein/skein/deferred";
 *
 * const a = succeed(1);
 * const b = new Deferred<string>();
 * const both = new DeferredList([a, b]).addCallback(([[okA, n], [okB, s]]) =>
 *   okA && okB ? `${n + 1} ${s.toUpperCase()}` : "a member failed"
 * );
 * b.callback("hi");
 * assert.equal(both.result, "2 HI");
 * ```
 */
export class DeferredList<
  const D extends readonly Deferred<unknown>[],
  const O extends DeferredListOptions = Record<never, never>,
> extends Deferred<DeferredListFired<D, O>> {
  /**
   * The results so far: each member's `[success, value]` once it fired,
   * `undefined` before.
   */
  readonly resultList: (DeferredListItem<unknown> | undefined)[];
  /** How many members have fired. */
  finishedCount: number = 0;
  /** Whether this list fires on the first success. */
  readonly fireOnOneCallback: boolean;
  /** Whether this list errbacks on the first failure. */
  readonly fireOnOneErrback: boolean;
  /** Whether members' failures are replaced by `null` in their own chains. */
  readonly consumeErrors: boolean;

  #deferreds: Deferred<unknown>[];
  #boundCancel: (() => void) | null = null;

  /**
   * Watch `deferreds` (copied; later changes to the array do not matter).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DeferredList, fail, succeed } from "@skein/skein/deferred";
   * const dl = new DeferredList([succeed(1), fail(new Error("x"))], { consumeErrors: true })
   *   .addCallback((r) => r.map(([ok]) => ok));
   * assert.deepEqual(dl.result, [true, false]);
   * ```
   */
  constructor(deferreds: D, options?: O) {
    super();
    // Any iterable works at run time (Twisted takes any iterable too).
    const input: ArrayLike<unknown> = Array.isArray(deferreds) ? deferreds : Array.from(deferreds);
    const n = input.length;
    const list = new Array<Deferred<unknown>>(n);
    const results = new Array<DeferredListItem<unknown> | undefined>(n);
    for (let i = 0; i < n; i++) {
      const d = input[i];
      if (!(d instanceof Deferred)) {
        throw new TypeError(`DeferredList: item ${i} is not a Deferred (got ${typeof d})`);
      }
      list[i] = d;
      results[i] = undefined;
    }
    this.#deferreds = list;
    this.resultList = results;
    this.fireOnOneCallback = options?.fireOnOneCallback === true;
    this.fireOnOneErrback = options?.fireOnOneErrback === true;
    this.consumeErrors = options?.consumeErrors === true;
    if (n === 0 && !this.fireOnOneCallback) {
      fireCallback(stateOf(this), results);
      return;
    }
    const self = this as DeferredList<readonly Deferred<unknown>[], DeferredListOptions>;
    for (let i = 0; i < n; i++) {
      const d = list[i];
      // Fast path: a member that already holds its result and is idle, whose
      // result will not fire this list and which the stage would hand on
      // unchanged. Running the stage would change nothing observable (the
      // member keeps its result; the list does not fire), so record it
      // directly. Anything else goes through a real stage, as in Twisted.
      if (this.finishedCount + 1 < n) {
        const x = stateOf(d);
        // peek() written out for the commonest member (fired and idle, no
        // stages, a plain value: peek would return it and do nothing else);
        // objects (a Failure, a Deferred) and the rest go through peek.
        let r = x._result;
        if (
          !x._called || x._stages !== null || x._paused > 0 || x._running
          || typeof r === "object" && r !== null
        ) r = peek(x);
        if (r !== NO_RESULT) {
          if (r instanceof Failure) {
            if (!this.fireOnOneErrback && !this.consumeErrors) {
              results[i] = [false, r];
              this.finishedCount++;
              continue;
            }
          } else if (!this.fireOnOneCallback) {
            results[i] = [true, r];
            this.finishedCount++;
            continue;
          }
        }
      }
      d.addBoth((result: unknown): unknown => onMemberResult(self, i, result));
    }
  }

  /**
   * Cancel every member if the list has not fired yet; otherwise do nothing
   * (Twisted's `DeferredList.cancel`). A member's canceller that throws is
   * logged and the others are still cancelled.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred, DeferredList } from "@skein/skein/deferred";
   * const a = new Deferred<number>();
   * const dl = new DeferredList([a], { consumeErrors: true });
   * dl.cancel();
   * assert.ok(a.called && dl.called);
   * dl.addCallback(([[ok]]) => assert.ok(!ok));
   * ```
   */
  override get cancel(): () => void {
    return this.#boundCancel ??= (): void => {
      if (this.called) return;
      for (const d of this.#deferreds) {
        try {
          d.cancel();
        } catch (e) {
          err(e, "Exception raised from user supplied canceller");
        }
      }
    };
  }
}

/**
 * One member fired: record it, fire the list when it is due, and hand the
 * member's chain its next result (Twisted's `DeferredList._cbDeferred`).
 */
function onMemberResult(
  dl: DeferredList<readonly Deferred<unknown>[], DeferredListOptions>,
  index: number,
  result: unknown,
): unknown {
  // A success result is never a Failure: Deferred routes Failures to the
  // errback track, so `instanceof` tells which track this came from.
  const failed = result instanceof Failure;
  const results = dl.resultList;
  results[index] = failed ? [false, result] : [true, result];
  const finished = ++dl.finishedCount;
  if (!dl.called) {
    if (failed) {
      if (dl.fireOnOneErrback) fireErrback(stateOf(dl), new Failure(new FirstError(result, index)));
      else if (finished === results.length) {
        fireCallback(stateOf(dl), results);
      }
    } else if (dl.fireOnOneCallback) {
      fireCallback(stateOf(dl), [result, index]);
    } else if (finished === results.length) {
      fireCallback(stateOf(dl), results);
    }
  }
  return failed && dl.consumeErrors ? null : result;
}
