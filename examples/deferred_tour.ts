/**
 * A tour of Deferreds, no network needed: a callback/errback chain, a
 * DeferredList, and an inlineCallbacks function, with time simulated by a
 * `Clock` so every step prints in a fixed order.
 *
 * ```sh
 * deno run -A examples/deferred_tour.ts
 * bun examples/deferred_tour.ts
 * ```
 *
 * @module
 */

import {
  Deferred,
  DeferredList,
  type Failure,
  type FirstError,
  gatherResults,
  inlineCallbacks,
  succeed,
} from "../deferred/mod.ts";
import { Clock } from "../task/mod.ts";

/** A failure of a (pretend) remote service. */
class ServiceError extends Error {
  override name = "ServiceError";
}

/**
 * A pretend remote call: a Deferred that fires `delay` seconds later on
 * `clock` with `value`, or fails with a ServiceError when `value` is
 * `"fail"`. Cancelling it stops the timer.
 */
function remote(clock: Clock, delay: number, value: string): Deferred<string> {
  const d = new Deferred<string>(() => call.cancel());
  const call = clock.callLater(delay, () => {
    if (value === "fail") d.errback(new ServiceError(`remote call failed after ${delay}s`));
    else d.callback(value);
  });
  return d;
}

/**
 * Run the tour, printing each step through `print`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./deferred_tour.ts";
 * const lines: string[] = [];
 * main((line) => lines.push(line));
 * assert.equal(lines[0], "1. a callback/errback chain");
 * assert.equal(lines.at(-1), "[t=8s] done; pending calls: 0");
 * ```
 */
export function main(print: (line: string) => void = console.log): void {
  const clock = new Clock();
  const at = (): string => `[t=${clock.seconds()}s]`;

  // 1. A callback/errback chain. Each stage gets what the previous returned;
  // an error thrown in a callback switches to the errback track, and an
  // errback that returns a value switches back.
  print("1. a callback/errback chain");
  const greeting = remote(clock, 1, "hello")
    .addCallback((text) => {
      print(`${at()} callback 1 got ${JSON.stringify(text)}`);
      return text.toUpperCase();
    })
    .addCallback((text): number => {
      print(`${at()} callback 2 got ${JSON.stringify(text)}; throwing`);
      throw new ServiceError(`cannot count ${text}`);
    })
    .addCallback((n) => {
      print(`${at()} callback 3 is skipped (got ${n})`);
      return n;
    })
    .addErrback((failure: Failure) => {
      failure.trap(ServiceError);
      print(`${at()} errback got ${failure.getErrorMessage()}; recovering with 0`);
      return 0;
    })
    .addCallback((n) => {
      print(`${at()} callback 4 got ${n}, back on the callback track`);
      return n;
    });
  print(`${at()} chain built; fired yet? ${greeting.called}`);
  clock.advance(1);

  // 2. A DeferredList: wait for several, get [success, value] pairs in input
  // order (not completion order). Failures are results too.
  print("2. a DeferredList");
  const list = new DeferredList([
    remote(clock, 3, "slow"),
    remote(clock, 1, "fast"),
    remote(clock, 2, "fail"),
  ], { consumeErrors: true });
  list.addCallback((results) => {
    for (const [ok, value] of results) {
      print(`${at()}   ${ok ? `ok     ${value}` : `failed ${value.getErrorMessage()}`}`);
    }
    return results;
  });
  clock.pump([1, 1, 1]);

  // gatherResults: just the values, or a FirstError naming the first failure.
  gatherResults([remote(clock, 1, "a"), remote(clock, 2, "fail")], { consumeErrors: true })
    .addCallbacks(
      (values) => print(`${at()} gathered ${values.join()}`),
      (failure: Failure) => {
        const first = failure.value as FirstError;
        print(
          `${at()} gatherResults failed: #${first.index}: ${first.subFailure.getErrorMessage()}`,
        );
      },
    );
  clock.advance(2);

  // 3. inlineCallbacks: sequential-looking code over Deferreds. `yield*`
  // gives the Deferred's typed result; a failure is thrown at the yield.
  print("3. inlineCallbacks");
  const fetchBoth = inlineCallbacks(function*(first: string): Generator<unknown, string, unknown> {
    const a = yield* remote(clock, 1, first); // a: string
    print(`${at()} got ${a}`);
    const b = yield* succeed(a.length); // b: number; already fired, no waiting
    try {
      yield* remote(clock, 1, "fail");
    } catch (e) {
      print(`${at()} caught ${(e as Error).name}: ${(e as Error).message}`);
    }
    return `${a} has ${b} letters`;
  });
  fetchBoth("skein").addCallback((summary) => {
    print(`${at()} result: ${summary}`);
  });
  clock.pump([1, 1]);
  print(`${at()} done; pending calls: ${clock.getDelayedCalls().length}`);
}

if (import.meta.main) main();
