/**
 * Bound methods for reactors and clocks: Twisted code passes a reactor's
 * methods without their object (`reactor.callLater(10, reactor.stop)`,
 * `d.addBoth(reactor.stop)`), which works in Python because its methods are
 * bound. Private to the package.
 *
 * @module
 */

/**
 * Give `obj` an own, non-enumerable copy of every method of its class and
 * its ancestors (up to `Object`), bound to `obj`, so that each one works when
 * passed on without `obj`. The most-derived method of each name is the one
 * bound, so subclass overrides stay in effect. Accessors, the constructor and
 * `#private` methods are left alone. Call it from the base constructor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindMethods } from "./_bind_methods.ts";
 *
 * class Counter {
 *   n = 0;
 *   constructor() {
 *     bindMethods(this);
 *   }
 *   bump(): number {
 *     return ++this.n;
 *   }
 * }
 * const { bump } = new Counter();
 * assert.equal(bump(), 1);
 * ```
 */
export function bindMethods(obj: object): void {
  const seen = new Set<string | symbol>(["constructor"]);
  for (
    let proto: object | null = Object.getPrototypeOf(obj);
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Reflect.ownKeys(proto)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const method: unknown = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (typeof method !== "function") continue;
      Object.defineProperty(obj, key, {
        value: method.bind(obj),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
}
