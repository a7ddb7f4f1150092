/**
 * `gatherResults`: join several Deferreds into one list of values, Twisted's
 * `defer.gatherResults`.
 *
 * @module
 */

import type { Deferred } from "./deferred.ts";
import { DeferredList, type DeferredResult } from "./deferred_list.ts";

export { FirstError } from "./deferred_list.ts";

/**
 * The values of Deferreds `D`, in order: for `[Deferred<number>,
 * Deferred<string>]` it is `[number, string]`.
 *
 * @example
 * ```ts
 * import type { Deferred, GatheredResults } from "@skein/skein/deferred";
 * const v: GatheredResults<[Deferred<number>, Deferred<string>]> = [1, "a"];
 * ```
 */
export type GatheredResults<D extends readonly Deferred<unknown>[]> = {
  -readonly [K in keyof D]: DeferredResult<D[K]>;
};

/**
 * Options of {@linkcode gatherResults}.
 *
 * @example
 * ```ts
 * import type { GatherResultsOptions } from "@skein/skein/deferred";
 * const opts: GatherResultsOptions = { consumeErrors: true };
 * ```
 */
export interface GatherResultsOptions {
  /**
   * Continue a failed member's own chain with `null`, so its failure is not
   * also reported as unhandled (the gathered Deferred still fails).
   */
  readonly consumeErrors?: boolean;
}

function values(list: readonly (readonly [boolean, unknown])[]): unknown[] {
  const out = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i][1];
  return out;
}

/**
 * A Deferred of the values of all `deferreds`, in order, once all have
 * succeeded, or a failure as soon as one fails (Twisted's `gatherResults`,
 * a `DeferredList` with `fireOnOneErrback`).
 *
 * As in Twisted, the failure is a **`FirstError`** wrapping the member's
 * failure (`subFailure`) and its `index`, not the member's error itself;
 * cancelling the returned Deferred cancels every member.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, FirstError, gatherResults, succeed } from "@skein/skein/deferred";
 *
 * const ok = gatherResults([succeed(1), succeed("two")]).addCallback(([n, s]) => n + s.length);
 * assert.equal(ok.result, 4);
 * const bad = gatherResults([succeed(1), fail(new RangeError("nope"))], { consumeErrors: true })
 *   .addErrback((f) => {
 *     const e = f.value as FirstError;
 *     return `${e.index} ${e.subFailure.getErrorMessage()}`;
 *   });
 * assert.equal(bad.result, "1 nope");
 * ```
 */
export function gatherResults<const D extends readonly Deferred<unknown>[]>(
  deferreds: D,
  options?: GatherResultsOptions,
): Deferred<GatheredResults<D>> {
  const dl = new DeferredList(deferreds, {
    fireOnOneErrback: true,
    consumeErrors: options?.consumeErrors === true,
  });
  // The list fires with `[success, value]` pairs here (no fireOnOneCallback).
  return dl.addCallback(values as (r: unknown) => unknown[]) as unknown as Deferred<
    GatheredResults<D>
  >;
}
