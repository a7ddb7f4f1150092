/**
 * Errors of the thread pool: a Worker that died under its work, a pool that
 * stopped before the work started, and a function shipped by its source that
 * tried to use a variable from the code around it.
 *
 * @module
 */

/**
 * The Worker running this work died before the work finished: an uncaught
 * error or rejection inside the thread, `process.exit()` in the thread, or
 * `ThreadPool.stop({ timeout })` ending a thread that was still busy. The
 * pool replaces the Worker; no other queued work is lost. `cause` holds the
 * uncaught error when there was one. A thread out of memory is not reported
 * by either runtime: on Bun it is the whole process out of memory (Bun does
 * not enforce a Worker's heap limit); Deno stops a Worker at a heap limit
 * without telling the parent, so its work would wait: end such a thread with
 * `stop({ timeout })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerCrashed } from "@skein/skein/threads";
 * const e = new WorkerCrashed("the thread called process.exit(3)", { exitCode: 3 });
 * assert.equal(e.exitCode, 3);
 * assert.match(e.message, /process\.exit\(3\)/);
 * ```
 */
export class WorkerCrashed extends Error {
  /** Always `"WorkerCrashed"`. */
  override name: string = "WorkerCrashed";
  /** The Worker's exit code, when it exited (null when it was ended otherwise). */
  readonly exitCode: number | null;
  /** Builds the error; `reason` says how the thread died. */
  constructor(reason: string, options: { exitCode?: number | null; cause?: unknown; } = {}) {
    super(
      `The thread died before its work finished: ${reason}. The pool replaces the thread; `
        + "other queued work goes on.",
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.exitCode = options.exitCode ?? null;
  }
}

/**
 * The pool was stopped (or is stopping) before this work could start, or the
 * work was submitted to a pool that has stopped. Start the pool again
 * (`pool.start()`) or submit the work to a running pool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ThreadPoolStopped } from "@skein/skein/threads";
 * assert.ok(new ThreadPoolStopped("pool 'db' stopped") instanceof Error);
 * ```
 */
export class ThreadPoolStopped extends Error {
  /** Always `"ThreadPoolStopped"`. */
  override name: string = "ThreadPoolStopped";
}

/**
 * A function shipped to a thread by its source used a name that does not
 * exist inside the thread: it captured a variable (or an import) from the code
 * around it, and closures cannot cross into a Worker. Pass the value as an
 * argument, or put the code in a task module and run it with
 * `task(new URL("./work.ts", import.meta.url), "name")`. `cause` is the
 * thread's `ReferenceError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CapturedVariableError } from "@skein/skein/threads";
 * const e = new CapturedVariableError("(n) => fib(n)", "fib");
 * assert.equal(e.variable, "fib");
 * assert.match(e.message, /task module/);
 * ```
 */
export class CapturedVariableError extends Error {
  /** Always `"CapturedVariableError"`. */
  override name: string = "CapturedVariableError";
  /** The name the function used that the thread does not have. */
  readonly variable: string;
  /** Builds the error for the function (by its source text) and the missing name. */
  constructor(source: string, variable: string, options: { cause?: unknown; } = {}) {
    super(
      `The function ${source} uses \`${variable}\`, which does not exist inside the thread. `
        + "A function shipped to a thread by its source cannot capture variables or imports "
        + "from the code around it (closures do not cross into a Worker). Pass the value as "
        + "an argument, or put the code in a task module and run it with "
        + `task(new URL("./work.ts", import.meta.url), "name").`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.variable = variable;
  }
}

/**
 * `blockingCallFromThread` (or `callFromThread`) was called where it cannot
 * work: on the reactor thread itself (where waiting for the reactor would wait
 * forever), or in a Worker that no `ThreadPool` started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockingCallFromThread } from "@skein/skein/threads/worker";
 * import { NotInThread } from "@skein/skein/threads";
 * assert.throws(() => blockingCallFromThread("getUser", 1), NotInThread);
 * ```
 */
export class NotInThread extends Error {
  /** Always `"NotInThread"`. */
  override name: string = "NotInThread";
}
