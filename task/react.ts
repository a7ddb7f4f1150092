/**
 * `react`: run a main function under the reactor until its Deferred fires,
 * then stop and set the exit code (Twisted's `twisted.internet.task.react`).
 *
 * @module
 */

import process from "node:process";
import { Failure } from "../deferred/failure.ts";
import type { IReactorCore } from "../interfaces.ts";
import * as log from "../log/log.ts";
import { ReactorNotRunning } from "../reactor/errors.ts";
import { type Reactor, reactor as defaultReactor } from "../reactor/install.ts";
import { callAsDeferred } from "./_maybe.ts";

/**
 * Fail `main` with this to choose the exit code (Twisted's `SystemExit`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SystemExit } from "@skein/skein/task";
 * const e = new SystemExit(3);
 * assert.equal(e.code, 3);
 * ```
 */
export class SystemExit extends Error {
  /** `"SystemExit"`. */
  override name: string = "SystemExit";
  /** The exit code. */
  readonly code: number;
  /** An exit with `code` (0 = success). */
  constructor(code: number, message?: string) {
    super(message ?? `exit ${code}`);
    this.code = code;
  }
}

/**
 * Call `main(reactor, ...argv)` and run the reactor until the Deferred (or
 * promise) it returns fires; stop the reactor exactly once, then set
 * `process.exitCode`: 0 on success, 1 on failure (logged as "main function
 * encountered error"), or the code of a `SystemExit`. Resolves with the code
 * once the reactor has stopped. As Twisted's `react` ends the process, call
 * `process.exit(await react(main))` if other host work would keep it alive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor } from "@skein/skein/reactor";
 * import { deferLater, react } from "@skein/skein/task";
 * const reactor = createReactor();
 * let ran = false;
 * const code = await react((r) => deferLater(r, 0.01, () => {
 *   ran = true;
 * }), [], reactor);
 * assert.equal(code, 0);
 * assert.equal(ran, true);
 * ```
 */
export async function react<R extends IReactorCore = Reactor, A extends unknown[] = []>(
  main: (reactor: R, ...argv: A) => unknown,
  argv?: A,
  reactor?: R,
): Promise<number> {
  const r = reactor ?? (defaultReactor as unknown as R);
  const finished = callAsDeferred(main as (...a: unknown[]) => unknown, [r, ...(argv ?? [])]);
  let code = 0;
  let stopping = false;
  r.addSystemEventTrigger("before", "shutdown", () => {
    stopping = true;
  });
  const stop = (result: unknown, stopReactor: boolean): void => {
    if (stopReactor) {
      try {
        r.stop();
      } catch (e) {
        if (!(e instanceof ReactorNotRunning)) throw e;
      }
    }
    if (result instanceof Failure) {
      const v = result.value;
      if (v instanceof SystemExit) code = v.code;
      else {
        log.err(result, "main function encountered error");
        code = 1;
      }
    }
  };
  finished.addBoth((result: unknown): null => {
    if (stopping) stop(result, false);
    else r.callWhenRunning(stop, result, true);
    return null;
  });
  await r.run();
  process.exitCode = code;
  return code;
}
