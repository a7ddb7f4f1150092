/**
 * `race`: the first Deferred to succeed wins, the rest are cancelled;
 * Twisted's `defer.race` (Twisted 23.8).
 *
 * @module
 */

import { err } from "../log/log.ts";
import { Deferred } from "./deferred.ts";
import type { DeferredResult } from "./deferred_list.ts";

/** Cancel `d`, logging (not throwing) an exception from its canceller. */
function cancelQuietly(d: Deferred<unknown>): void {
  try {
    d.cancel();
  } catch (e) {
    err(e, "Exception raised from user supplied canceller");
  }
}
import type { Failure } from "./failure.ts";

/**
 * Every Deferred given to {@linkcode race} failed: Twisted's `FailureGroup`.
 * `failures` holds their Failures in input order; it is also an
 * `AggregateError` whose `errors` are the failures' values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure, FailureGroup } from "@skein/skein/deferred";
 * const g = new FailureGroup([new Failure(new Error("a")), new Failure(new Error("b"))]);
 * assert.ok(g.failures.length === 2 && g.errors.length === 2);
 * ```
 */
export class FailureGroup extends AggregateError {
  /** Always `"FailureGroup"`. */
  override name: string = "FailureGroup";
  /** The failures, in the order of the Deferreds that produced them. */
  readonly failures: Failure[];

  /** Group `failures` (kept in the given order). */
  constructor(failures: Failure[]) {
    super(
      failures.map((f) => f.value),
      `all ${failures.length} Deferreds failed: ${
        failures.map((f) => f.getErrorMessage()).join("; ")
      }`,
    );
    this.failures = failures;
  }
}

/**
 * What {@linkcode race} over `D` fires with: `[index, value]` of the winner.
 * For a tuple of Deferreds each index is paired with its own value type:
 * `[0, number] | [1, string]`.
 *
 * @example
 * ```ts
 * import type { Deferred, RaceResult } from "@skein/skein/deferred";
 * const r: RaceResult<[Deferred<number>, Deferred<string>]> = [1, "b"];
 * ```
 */
export type RaceResult<D extends readonly Deferred<unknown>[]> = {
  [K in keyof D]: [
    index: K extends `${infer N extends number}` ? N : number,
    result: DeferredResult<D[K]>,
  ];
}[number];

/**
 * Wait for the first of `deferreds` to succeed (Twisted's `defer.race`).
 *
 * - The returned Deferred fires with `[index, value]` of the first success,
 *   and every other input is cancelled at that moment.
 * - If every input fails, it fails with a {@linkcode FailureGroup} holding
 *   the failures in input order.
 * - Cancelling it cancels every input (so it then fails with a
 *   `FailureGroup` of `CancelledError`s, unless an input's canceller gives
 *   it a success, which then wins).
 * - The inputs' own chains continue with `null`: results and failures are
 *   consumed by the race, so cancelled losers report nothing.
 * - With no inputs it never fires (as in Twisted).
 * - An exception thrown by an input's canceller is logged and the other
 *   inputs are still cancelled, as `DeferredList.cancel` does (Twisted's
 *   `race` lets it escape, which leaves the race unfired).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, race } from "@skein/skein/deferred";
 *
 * let slowCancelled = false;
 * const slow = new Deferred<string>(() => {
 *   slowCancelled = true;
 * });
 * slow.addErrback(() => null); // its CancelledError is expected
 * const fast = new Deferred<number>();
 * const winner = race([slow, fast]);
 * fast.callback(7);
 * assert.deepEqual(winner.result, [1, 7]);
 * assert.equal(slowCancelled, true);
 * ```
 */
export function race<const D extends readonly Deferred<unknown>[]>(
  deferreds: D,
): Deferred<RaceResult<D>> {
  const inputs = Array.from(deferreds);
  const n = inputs.length;
  for (let i = 0; i < n; i++) {
    if (!(inputs[i] instanceof Deferred)) {
      throw new TypeError(`race: item ${i} is not a Deferred (got ${typeof inputs[i]})`);
    }
  }
  let winner: Deferred<unknown> | null = null;
  const failures: (Failure | undefined)[] = new Array(n).fill(undefined);
  let failedCount = 0;

  const result = new Deferred<RaceResult<D>>(() => {
    for (const d of inputs) cancelQuietly(d);
  });

  for (let i = 0; i < n; i++) {
    inputs[i].addCallbacks(
      (value: unknown): null => {
        if (winner === null) {
          winner = inputs[i];
          for (const d of inputs) if (d !== winner) cancelQuietly(d);
          result.callback([i, value] as unknown as RaceResult<D>);
        }
        return null;
      },
      (failure: Failure): null => {
        failures[i] = failure;
        if (++failedCount === n) result.errback(new FailureGroup(failures as Failure[]));
        return null;
      },
    );
  }
  return result;
}
