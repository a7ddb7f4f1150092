/**
 * Reporting of unhandled failures: a Deferred garbage-collected while its
 * chain ends in a Failure logs "Unhandled error in Deferred:" with the
 * traceback (Twisted's `DebugInfo.__del__`), through a FinalizationRegistry.
 *
 * A Deferred is registered only when a pass of its chain ends in a Failure
 * and unregistered when a later stage handles it, so the success path costs
 * nothing.
 *
 * @module
 */

import { err } from "../log/log.ts";
import type { DebugInfo } from "./debug.ts";
import type { Failure } from "./failure.ts";

/** What the registry holds for a Deferred: never the Deferred itself. */
export interface UnhandledBox {
  failure: Failure;
  debug: DebugInfo | null;
}

interface Trackable {
  _unhandled: UnhandledBox | null;
}

function report(box: UnhandledBox): void {
  const debug = box.debug !== null ? box.debug.describe() : "";
  err(
    box.failure,
    debug ? `Unhandled error in Deferred:\n(debug: ${debug})` : "Unhandled error in Deferred:",
    {
      system: "skein.deferred",
      isUnhandledDeferred: true,
    },
  );
}

const registry: FinalizationRegistry<UnhandledBox> = new FinalizationRegistry(report);

/** Record that `d`'s chain currently ends in `failure`. */
export function trackFailure(d: object, failure: Failure, debug: DebugInfo | null): void {
  const t = d as unknown as Trackable;
  const box = t._unhandled;
  if (box === null) {
    const nb: UnhandledBox = { failure, debug };
    t._unhandled = nb;
    registry.register(d, nb, nb);
  } else {
    box.failure = failure;
    box.debug = debug;
  }
}

/** `d`'s chain no longer ends in a failure (handled, or taken by another Deferred). */
export function untrackFailure(d: object): void {
  const t = d as unknown as Trackable;
  const box = t._unhandled;
  if (box !== null) {
    registry.unregister(box);
    t._unhandled = null;
  }
}
