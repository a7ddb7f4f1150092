/**
 * Small shared pieces of the `deferred/` modules that are not part of the
 * package's API: the stage function type, the "no result yet" marker and the
 * thenable test. (The chain operations themselves are in `_chain.ts`.)
 *
 * @module
 */

/** A stage function as the chain stores it. */
// deno-lint-ignore no-explicit-any
export type StageFn = (result: any, ...args: any[]) => unknown;

/** Returned by `take` and `peek` (in `_chain.ts`) when the Deferred has no result to take now. */
export const NO_RESULT: unique symbol = Symbol("no result");

/** Whether `v` is a Promise or other thenable (a Deferred is one too). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" && v !== null || typeof v === "function")
    && typeof (v as PromiseLike<unknown>).then === "function";
}
