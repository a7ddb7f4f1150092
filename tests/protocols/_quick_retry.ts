/**
 * Back-off settings that keep a ReconnectingClientFactory's retries within a
 * test's time, for the suites that run one against real sockets.
 */

import type { ReconnectingClientFactory } from "../../protocols/reconnecting_client_factory.ts";

/**
 * Set `f` to retry quickly and quietly: the first retry after 20 ms, each
 * next delay 1.5 times the last up to 100 ms, no jitter (so the delays are
 * what the test expects), no log lines. Returns `f`.
 */
export function quickRetry<F extends ReconnectingClientFactory>(f: F): F {
  f.initialDelay = 0.02;
  f.factor = 1.5;
  f.jitter = 0;
  f.maxDelay = 0.1;
  f.noisy = false;
  return f;
}
