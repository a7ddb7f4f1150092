/**
 * Twisted trial's Deferred assertions as plain functions, for use beside
 * `node:assert` in any test (the `TestCase` methods of the same names call
 * these): `successResultOf`, `failureResultOf`, `assertNoResult`,
 * `assertFailure`, `assertApproximates`, `assertSubstring`, `assertWarns`.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import { Deferred } from "../deferred/deferred.ts";
import { type ErrorType, Failure } from "../deferred/failure.ts";
import { type CollectedWarning, collectWarnings } from "./_warnings.ts";

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function fail(message: string): never {
  throw new AssertionError({ message });
}

type Now = { kind: "none"; } | { kind: "success"; value: unknown; } | {
  kind: "failure";
  failure: Failure;
};

/** What `d` holds now, consuming it (the chain continues with `undefined`), as Twisted's helpers do. */
function takeResult(d: Deferred<unknown>): Now {
  let now: Now = { kind: "none" };
  d.addBoth((r: unknown) => {
    now = r instanceof Failure ? { kind: "failure", failure: r } : { kind: "success", value: r };
    return undefined;
  });
  return now;
}

/**
 * The result `d` holds right now, as Twisted's `successResultOf`: it fails
 * (an `AssertionError`) if `d` has no result yet or holds a failure. The
 * result is consumed: afterwards the Deferred's chain holds `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, succeed } from "@skein/skein/deferred";
 * import { successResultOf } from "@skein/skein/testing";
 * const d = succeed(7);
 * assert.equal(successResultOf(d), 7);
 * assert.equal(d.result, undefined); // consumed
 * assert.throws(() => successResultOf(new Deferred()), /found no result instead/);
 * ```
 */
export function successResultOf<T>(d: Deferred<T>): T {
  const now = takeResult(d as Deferred<unknown>);
  if (now.kind === "none") fail(`Success result expected on ${show(d)}, found no result instead`);
  if (now.kind === "failure") {
    fail(
      `Success result expected on ${
        show(d)
      }, found failure result instead:\n${now.failure.getTraceback()}`,
    );
  }
  return now.value as T;
}

/**
 * The `Failure` `d` holds right now, as Twisted's `failureResultOf`: it fails
 * if `d` has no result, a success, or (when `types` are given) a failure of
 * none of those types. The failure is consumed (so it is not reported as
 * unhandled).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail } from "@skein/skein/deferred";
 * import { failureResultOf } from "@skein/skein/testing";
 * const f = failureResultOf(fail(new RangeError("too far")), RangeError);
 * assert.equal(f.getErrorMessage(), "too far");
 * assert.throws(() => failureResultOf(fail(new Error("x")), TypeError), /Failure of type/);
 * ```
 */
export function failureResultOf(d: Deferred<unknown>, ...types: ErrorType[]): Failure {
  const now = takeResult(d);
  if (now.kind === "none") fail(`Failure result expected on ${show(d)}, found no result instead`);
  if (now.kind === "success") {
    fail(
      `Failure result expected on ${show(d)}, found success result (${show(now.value)}) instead`,
    );
  }
  if (types.length > 0 && now.failure.check(...types) === null) {
    const expected = types.map((t) => t.name).join(", ");
    fail(
      `Failure of type (${expected}) expected on ${show(d)}, found type ${
        now.failure.parents[0] ?? "?"
      } instead: ${now.failure.getTraceback()}`,
    );
  }
  return now.failure;
}

/**
 * Fail if `d` already has a result, as Twisted's `assertNoResult`. If it
 * holds a failure, the failure is consumed (so the assertion's error is the
 * only report); a Deferred without a result is left untouched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred, succeed } from "@skein/skein/deferred";
 * import { assertNoResult } from "@skein/skein/testing";
 * assertNoResult(new Deferred());
 * assert.throws(() => assertNoResult(succeed(1)), /No result expected on .*, found 1 instead/);
 * ```
 */
export function assertNoResult(d: Deferred<unknown>): void {
  if (!d.called || d.result instanceof Deferred) return;
  const now = takeResult(d);
  if (now.kind === "success") {
    fail(`No result expected on ${show(d)}, found ${show(now.value)} instead`);
  }
  if (now.kind === "failure") {
    fail(`No result expected on ${show(d)}, found ${show(now.failure)} instead`);
  }
}

/**
 * A Deferred that fires with the error `d` fails with, when it is one of
 * `types`, and fails with an `AssertionError` when `d` succeeds or fails with
 * another type: Twisted's `assertFailure`, for a test that returns (or
 * awaits) it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fail, succeed } from "@skein/skein/deferred";
 * import { assertFailure } from "@skein/skein/testing";
 * const e = await assertFailure(fail(new TypeError("bad")), TypeError);
 * assert.equal(e.message, "bad");
 * await assert.rejects(assertFailure(succeed(3), TypeError).toPromise(), /did not catch an error, instead got 3/);
 * ```
 */
export function assertFailure<E extends ErrorType>(
  d: Deferred<unknown>,
  ...types: E[]
): Deferred<InstanceType<E>> {
  if (types.length === 0) {
    throw new TypeError("assertFailure needs at least one error type to expect");
  }
  return d.addCallbacks(
    (result: unknown) => fail(`did not catch an error, instead got ${show(result)}`),
    (f: Failure) => {
      if (f.check(...types) !== null) return f.value;
      fail(`\nExpected: ${types.map((t) => t.name).join(", ")}\nGot:\n${f.getTraceback()}`);
    },
  ) as Deferred<InstanceType<E>>;
}

/**
 * Fail unless `first` and `second` differ by at most `tolerance`; returns
 * `first` (Twisted's `assertApproximates`, message `first ~== second`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertApproximates } from "@skein/skein/testing";
 * assert.equal(assertApproximates(0.1 + 0.2, 0.3, 1e-9), 0.1 + 0.2);
 * assert.throws(() => assertApproximates(1, 2, 0.5), /1 ~== 2/);
 * ```
 */
export function assertApproximates(
  first: number,
  second: number,
  tolerance: number,
  message?: string,
): number {
  if (!(Math.abs(first - second) <= tolerance)) fail(message ?? `${first} ~== ${second}`);
  return first;
}

/**
 * Fail unless `substring` occurs in `text` (Twisted's `assertSubstring`);
 * returns `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSubstring } from "@skein/skein/testing";
 * assertSubstring("ell", "hello");
 * assert.throws(() => assertSubstring("x", "hello"), /"x" not in "hello"/);
 * ```
 */
export function assertSubstring(substring: string, text: string, message?: string): string {
  if (!text.includes(substring)) fail(message ?? `${show(substring)} not in ${show(text)}`);
  return text;
}

/**
 * Call `fn(...args)` and fail unless it emitted (through
 * `process.emitWarning`, synchronously) a warning of `category` with text
 * `message`, and only warnings like it; returns what `fn` returned
 * (Twisted's `assertWarns`, which also checks the warning's file; a
 * warning's `stack` says where it came from here). The warnings it takes are
 * not printed, and not seen by `flushWarnings`. For asynchronous code,
 * await it and use `TestCase.flushWarnings`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { assertWarns } from "@skein/skein/testing";
 * function connectTo(host: string): string {
 *   process.emitWarning("connectTo(host) is deprecated; use connect({ host })", {
 *     type: "DeprecationWarning",
 *     code: "EXAMPLE_DEP",
 *   });
 *   return host;
 * }
 * const result = assertWarns(
 *   "DeprecationWarning",
 *   "connectTo(host) is deprecated; use connect({ host })",
 *   connectTo,
 *   "example.com",
 * );
 * assert.equal(result, "example.com");
 * assert.throws(() => assertWarns("DeprecationWarning", "x", () => 1), /No warnings emitted/);
 * ```
 */
export function assertWarns<A extends unknown[], R>(
  category: string,
  message: string,
  fn: (...args: A) => R,
  ...args: A
): R {
  if (typeof fn !== "function") {
    throw new TypeError("assertWarns(category, message, fn, ...args) needs the function to call");
  }
  const seen: CollectedWarning[] = [];
  const restore = collectWarnings((w) => seen.push(w));
  let result: R;
  try {
    result = fn(...args);
  } finally {
    restore();
  }
  const then = (result as { then?: unknown; } | null)?.then;
  if (typeof then === "function") {
    Promise.resolve(result).catch(() => undefined);
    throw new TypeError(
      "assertWarns checks the warnings fn emits before it returns, and fn returned a promise: "
        + "await the call, then take its warnings with this.flushWarnings(category)",
    );
  }
  if (seen.length === 0) fail("No warnings emitted");
  const first = seen[0];
  for (const other of seen.slice(1)) {
    if (other.message !== first.message || other.category !== first.category) {
      fail(
        `Can't handle different warnings: ${first.category}: ${show(first.message)} and `
          + `${other.category}: ${show(other.message)}`,
      );
    }
  }
  if (first.message !== message) fail(`${show(first.message)} != ${show(message)}`);
  if (first.category !== category) fail(`${first.category} is not ${category}`);
  return result;
}
