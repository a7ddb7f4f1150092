/**
 * What an interaction function gave, as a Deferred. Internal.
 *
 * @module
 */

import { Deferred, fail } from "../deferred/deferred.ts";
import { ensureDeferred } from "../deferred/inline_callbacks.ts";

/** `fn()` as a Deferred: a generator runs as inlineCallbacks; a Promise or Deferred is followed. */
export function outcome(fn: () => unknown): Deferred<unknown> {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return fail(e);
  }
  if (result instanceof Deferred) return result;
  if (isGenerator(result) || isThenable(result)) {
    return ensureDeferred(result as PromiseLike<unknown>);
  }
  const d = new Deferred<unknown>();
  d.callback(result);
  return d;
}

function isGenerator(v: unknown): v is Generator {
  return typeof v === "object" && v !== null && typeof (v as Generator).next === "function"
    && typeof (v as Generator).throw === "function"
    && typeof (v as Generator)[Symbol.iterator] === "function";
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null
    && typeof (v as PromiseLike<unknown>).then === "function";
}
