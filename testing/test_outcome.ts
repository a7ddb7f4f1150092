/**
 * How a test of the trial-style kit ends besides passing or failing:
 * skipped ({@linkcode SkipTest}) or expected to fail ({@linkcode Todo}),
 * and the {@linkcode UnexpectedSuccess} of a todo test that passed.
 *
 * @module
 */

import type { ErrorType } from "../deferred/failure.ts";

/**
 * A test expected to fail (Twisted's `todo = (errors, reason)`): when the
 * test method fails with one of `errors` (any error when `errors` is
 * omitted), the test is an expected failure; a failure of another type is a
 * real failure, and a test method that succeeds is an
 * {@linkcode UnexpectedSuccess}. Only the test method's outcome is expected:
 * an error in `setUp`, `tearDown` or a cleanup, a dirty reactor or a logged
 * error fails the test still, as in trial.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SynchronousTestCase, type Todo } from "@skein/skein/testing";
 * const todo: Todo = { reason: "parser rejects this", errors: [RangeError] };
 * class Parser extends SynchronousTestCase {
 *   static override methodOptions = { testEdge: { todo } };
 *   testEdge(): void {
 *     throw new RangeError("still broken");
 *   }
 * }
 * const outcome = await new Parser("testEdge").run(0);
 * assert.ok(outcome.expectedFailure instanceof RangeError);
 * ```
 */
export interface Todo {
  /** Why the test is expected to fail. */
  readonly reason: string;
  /** The error types the failure may have; omitted: any error. */
  readonly errors?: readonly ErrorType[];
}

/**
 * Throw it from `setUp` or a test method to skip the test at run time
 * (Python's `unittest.SkipTest`, which trial reports as skipped with its
 * reason). {@linkcode runTests} reports the test as skipped to the runner.
 * Thrown from `tearDown` or a cleanup it is an error, as in trial's
 * `TestCase`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SkipTest, SynchronousTestCase } from "@skein/skein/testing";
 * class NeedsIPv6 extends SynchronousTestCase {
 *   override setUp(): void {
 *     throw new SkipTest("no IPv6 on this host");
 *   }
 *   testBind(): void {
 *     throw new Error("not reached");
 *   }
 * }
 * const outcome = await new NeedsIPv6("testBind").run(0);
 * assert.equal(outcome.skipped, "no IPv6 on this host");
 * ```
 */
export class SkipTest extends Error {
  /** Always `"SkipTest"`. */
  override name = "SkipTest";
  /** Why the test was skipped. */
  readonly reason: string;
  /** Skip the running test because of `reason` (required: trial warns when none is given). */
  constructor(reason: string) {
    if (typeof reason !== "string" || reason.length === 0) {
      throw new TypeError(
        "SkipTest needs a reason: throw new SkipTest(\"why this test cannot run here\")",
      );
    }
    super(reason);
    this.reason = reason;
  }
}

/**
 * A test marked `todo` passed (trial's unexpected success): it fails the
 * run, so that the marker is removed once the bug is fixed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SynchronousTestCase, UnexpectedSuccess } from "@skein/skein/testing";
 * class Fixed extends SynchronousTestCase {
 *   override todo = "was broken";
 *   testIt(): void {}
 * }
 * await assert.rejects(new Fixed("testIt").run(0), UnexpectedSuccess);
 * ```
 */
export class UnexpectedSuccess extends Error {
  /** Always `"UnexpectedSuccess"`. */
  override name = "UnexpectedSuccess";
  /** The reason the test was marked todo with. */
  readonly reason: string;
  /** Report that `test`, marked todo for `reason`, passed. */
  constructor(test: string, reason: string) {
    super(`${test} was expected to fail (todo: ${reason}) but passed; remove the todo`);
    this.reason = reason;
  }
}

/**
 * How a test that did not fail ended (what `run` resolves to): passed (no
 * key set), skipped, or failed as its `todo` expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SynchronousTestCase, type TestOutcome } from "@skein/skein/testing";
 * class Passes extends SynchronousTestCase {
 *   testIt(): void {}
 * }
 * const outcome: TestOutcome = await new Passes("testIt").run(0);
 * assert.deepEqual(outcome, {});
 * ```
 */
export interface TestOutcome {
  /** The reason, when the test was skipped (a `skip` marker or a {@linkcode SkipTest}). */
  readonly skipped?: string;
  /** The error the test method failed with, when its `todo` expected it. */
  readonly expectedFailure?: unknown;
  /** The todo's reason, when the test was an expected failure. */
  readonly todo?: string;
}
