/**
 * Deferred debug mode (Twisted's `defer.setDebugging` / `getDebugging`).
 *
 * When on, every new Deferred records the stack where it was created and the
 * stack of its first `callback`/`errback`; an `AlreadyCalledError` then shows
 * both, and an unhandled-error report names them. It costs a stack capture per
 * Deferred, so it is off by default.
 *
 * @module
 */

import { debugState } from "./_debug.ts";
export type { DebugInfo } from "./_debug.ts";

/**
 * Turn Deferred debug mode on or off. Affects Deferreds created afterwards.
 *
 * @example
 * ```ts
 * import { getDebugging, setDebugging } from "./debug.ts";
 * setDebugging(true);
 * console.assert(getDebugging());
 * setDebugging(false);
 * ```
 */
export function setDebugging(on: boolean): void {
  debugState.on = !!on;
}

/**
 * Whether Deferred debug mode is on.
 *
 * @example
 * ```ts
 * import { getDebugging } from "./debug.ts";
 * console.assert(typeof getDebugging() === "boolean");
 * ```
 */
export function getDebugging(): boolean {
  return debugState.on;
}
