/**
 * The `name` of an error built from a family of error classes: the name of
 * the nearest class of the family, so that a subclass declared elsewhere
 * that sets no name of its own keeps its parent's. Private to the package.
 *
 * @module
 */

/**
 * The name of `cls` if it is in `family`, else of its nearest ancestor that
 * is; `fallback` when none is. Call it from the family's base constructor
 * with `new.target`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familyName } from "./_error_name.ts";
 *
 * const family: WeakSet<object> = new WeakSet();
 * class Oops extends Error {
 *   constructor(message?: string) {
 *     super(message);
 *     this.name = familyName(new.target, family, "Oops");
 *   }
 * }
 * class Worse extends Oops {}
 * family.add(Oops).add(Worse);
 * class Elsewhere extends Worse {}
 * assert.equal(new Worse().name, "Worse");
 * assert.equal(new Elsewhere().name, "Worse");
 * ```
 */
export function familyName(cls: unknown, family: WeakSet<object>, fallback: string): string {
  let c = cls;
  while (typeof c === "function" && !family.has(c)) c = Object.getPrototypeOf(c);
  return typeof c === "function" ? c.name : fallback;
}
