/**
 * A fixture for doc_examples_test.ts: each example below is one case the
 * documentation-example runner must tell apart. It is not published.
 *
 * @module
 */

/**
 * Twice `n`. This example passes: it imports the package and this file (by a
 * relative path, resolved from here) and its assertions hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { succeed } from "@skein/skein/deferred";
 * import { double } from "./_doc_fixture.ts";
 * assert.equal(await succeed(double(2)), 4); // case: passes
 * ```
 */
export function double(n: number): number {
  return n * 2;
}

/**
 * Thrice `n`. This example fails: its assertion does not hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { triple } from "./_doc_fixture.ts";
 * assert.equal(triple(2), 5); // case: assertion fails
 * ```
 */
export function triple(n: number): number {
  return n * 3;
}

/**
 * `n` plus one. This example relies on `deno test --doc` importing this
 * file's exports for it, which a user's copy cannot.
 *
 * @example
 * ```ts
 * increment(1); // case: implicit import
 * ```
 */
export function increment(n: number): number {
  return n + 1;
}

/**
 * `n` minus one. This example passes but cannot fail (console.assert), and
 * the next one is never run (ts ignore).
 *
 * @example
 * ```ts
 * import { decrement } from "./_doc_fixture.ts";
 * console.assert(decrement(1) === 0); // case: console.assert
 * ```
 *
 * @example
 * ```ts ignore
 * decrement("one"); // case: ignore
 * ```
 */
export function decrement(n: number): number {
  return n - 1;
}
