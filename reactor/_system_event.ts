/**
 * System event triggers: the handle `addSystemEventTrigger` returns and the
 * three-phase firing of one event (Twisted's `_ThreePhaseEvent` in
 * `twisted/internet/base.py`), used by `ReactorBase`.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { SystemEvent, TriggerHandle, TriggerPhase } from "../interfaces.ts";
import * as log from "../log/log.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => unknown;

/**
 * One registered system event trigger; the opaque handle users get back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Trigger } from "./_system_event.ts";
 *
 * const t = new Trigger("before", "shutdown", (n: number) => n, [1]);
 * assert.equal(t.fn(...t.args), 1);
 * ```
 */
export class Trigger implements TriggerHandle {
  constructor(
    readonly phase: TriggerPhase,
    readonly event: SystemEvent,
    readonly fn: AnyFn,
    readonly args: unknown[],
  ) {}
}

/**
 * All triggers of one system event, fired phase by phase: Twisted's
 * `_ThreePhaseEvent`. `before` triggers that return a Deferred (or any
 * promise) delay the `during` phase until every one of them has fired.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { ThreePhaseEvent, Trigger } from "./_system_event.ts";
 *
 * const seen: string[] = [];
 * const wait = new Deferred<void>();
 * const ev = new ThreePhaseEvent();
 * ev.add(new Trigger("after", "reload", () => seen.push("after"), []));
 * ev.add(new Trigger("before", "reload", () => wait, []));
 * ev.fire();
 * assert.deepEqual(seen, []); // "during" and "after" wait for the before-trigger's Deferred
 * wait.callback(undefined);
 * assert.deepEqual(seen, ["after"]);
 * ```
 */
export class ThreePhaseEvent {
  readonly #phases: Record<TriggerPhase, Trigger[]> = { before: [], during: [], after: [] };
  /** `BASE`, or `BEFORE` while the before phase (and its Deferreds) is in progress. */
  #state: "BASE" | "BEFORE" = "BASE";
  #finishedBefore: Trigger[] = [];

  add(t: Trigger): void {
    this.#phases[t.phase].push(t);
  }

  remove(t: Trigger): void {
    if (this.#state === "BEFORE" && t.phase === "before" && this.#finishedBefore.includes(t)) {
      // Twisted only warns about removing a before-trigger that already ran.
      return;
    }
    const list = this.#phases[t.phase];
    const i = list.indexOf(t);
    if (i < 0) {
      throw new RangeError(
        `removeSystemEventTrigger: no such trigger (${t.phase} ${t.event}); it was already removed or has fired`,
      );
    }
    list.splice(i, 1);
  }

  fire(): void {
    this.#state = "BEFORE";
    this.#finishedBefore = [];
    const before = this.#phases.before;
    let waiting = 0;
    let beforeDone = false;
    const proceed = (): void => {
      if (beforeDone && waiting === 0) this.#continue();
    };
    while (before.length > 0) {
      const t = before.shift()!;
      this.#finishedBefore.push(t);
      let result: unknown;
      try {
        result = t.fn(...t.args);
      } catch (e) {
        log.err(e);
        continue;
      }
      if (result instanceof Deferred) {
        waiting++;
        result.addCallbacks(
          (v: unknown): unknown => {
            waiting--;
            proceed();
            return v;
          },
          (f: Failure): null => {
            log.err(f, `Error in a "before ${t.event}" trigger's Deferred`);
            waiting--;
            proceed();
            return null;
          },
        );
      } else if (isThenable(result)) {
        waiting++;
        result.then(
          () => {
            waiting--;
            proceed();
          },
          (e: unknown) => {
            log.err(e, `Error in a "before ${t.event}" trigger's promise`);
            waiting--;
            proceed();
          },
        );
      }
    }
    beforeDone = true;
    proceed();
  }

  #continue(): void {
    this.#state = "BASE";
    this.#finishedBefore = [];
    for (const phase of [this.#phases.during, this.#phases.after]) {
      while (phase.length > 0) {
        const t = phase.shift()!;
        try {
          t.fn(...t.args);
        } catch (e) {
          log.err(e);
        }
      }
    }
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null
    && typeof (v as { then?: unknown; }).then === "function";
}
