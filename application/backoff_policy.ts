/**
 * `backoffPolicy`: Twisted's `application.internet.backoffPolicy`, how long
 * `ClientService` waits before each retry.
 *
 * @module
 */

/**
 * Given how many attempts in a row have failed (1 for the first retry), the
 * seconds to wait before the next one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RetryPolicy } from "@skein/skein/application";
 * const everySecond: RetryPolicy = () => 1;
 * assert.equal(everySecond(7), 1);
 * ```
 */
export type RetryPolicy = (failedAttempts: number) => number;

/**
 * Options for {@linkcode backoffPolicy}, Twisted's defaults.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from "@skein/skein/application";
 * const options: BackoffOptions = { initialDelay: 0.5, maxDelay: 10, jitter: () => 0 };
 * ```
 */
export interface BackoffOptions {
  /** The delay before growth (default 1 s). */
  initialDelay?: number;
  /** The longest delay before the jitter is added (default 60 s). */
  maxDelay?: number;
  /** How much the delay grows per failed attempt (default 1.5). */
  factor?: number;
  /** Noise added to each delay (default `Math.random`, 0 to 1 s). */
  jitter?: () => number;
}

/**
 * An exponential backoff: `min(initialDelay * factor ** attempt, maxDelay) +
 * jitter()`, with the exponent capped at 100 as Twisted caps it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffPolicy } from "@skein/skein/application";
 * const policy = backoffPolicy({ initialDelay: 1, factor: 2, maxDelay: 10, jitter: () => 0 });
 * assert.deepEqual([1, 2, 3, 4, 5].map(policy), [2, 4, 8, 10, 10]);
 * ```
 */
export function backoffPolicy(options: BackoffOptions = {}): RetryPolicy {
  const initialDelay = options.initialDelay ?? 1;
  const maxDelay = options.maxDelay ?? 60;
  const factor = options.factor ?? 1.5;
  const jitter = options.jitter ?? Math.random;
  for (
    const [key, value] of [["initialDelay", initialDelay], ["maxDelay", maxDelay], [
      "factor",
      factor,
    ]] as const
  ) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`backoffPolicy: ${key} must be a finite number >= 0, got ${value}`);
    }
  }
  return (attempt: number): number => {
    const delay = Math.min(initialDelay * factor ** Math.min(100, attempt), maxDelay);
    return (Number.isFinite(delay) ? delay : maxDelay) + jitter();
  };
}
