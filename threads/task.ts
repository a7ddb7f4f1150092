/**
 * What a thread runs. A JavaScript closure cannot cross into a Worker, so the
 * work is named in a form that can: an export of a task module (a module URL
 * and an export name), or a self-contained function shipped by its source.
 *
 * @module
 */

import type { JobSpec } from "./_wire.ts";
import { jobKey, transferables } from "./_wire.ts";

/** Options of a {@linkcode Task}. */
export interface TaskOptions {
  /**
   * Move (transfer) the `ArrayBuffer`s of the arguments to the thread instead
   * of copying them: zero-copy, but the caller's buffers become detached
   * (length 0). Buffers directly in the arguments, or one level inside an
   * argument array or plain object, are moved.
   */
  readonly transferArgs?: boolean;
  /** Move the `ArrayBuffer`s of the result back instead of copying them. */
  readonly transferResult?: boolean;
}

/**
 * Work that can run in a pool thread, with the types of its arguments (`A`)
 * and result (`R`). Make one with {@linkcode task} or {@linkcode taskModule}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { task } from "@skein/skein/threads";
 * const double = task((n: number) => n * 2);
 * assert.equal(double.kind, "source");
 * ```
 */
export class Task<A extends unknown[] = unknown[], R = unknown> {
  /** `"module"` for an export of a task module, `"source"` for a function shipped by its source. */
  readonly kind: "module" | "source";
  /** Whether the arguments' buffers are moved to the thread. */
  readonly transferArgs: boolean;
  /** Whether the result's buffers are moved back. */
  readonly transferResult: boolean;
  /** How errors name this work: `hashFile in file:///…/work.ts`, or the function's source. */
  readonly label: string;
  /** Type-only: carries `A` and `R` for inference; always undefined. */
  declare readonly signature?: (...args: A) => R;
  #spec: JobSpec;
  #key: number;
  #plain: { key: number; spec: JobSpec; transfer: ArrayBuffer[]; } | undefined;

  /** Use {@linkcode task} or {@linkcode taskModule} instead. */
  constructor(spec: JobSpec, label: string, options: TaskOptions = {}) {
    this.kind = spec.kind;
    this.#spec = spec;
    this.#key = jobKey(spec);
    this.label = label;
    this.transferArgs = options.transferArgs ?? false;
    this.transferResult = options.transferResult ?? false;
  }

  /**
   * The message parts of one call of this task: its key (the same for the same
   * module export or source), its job, and the buffers to transfer.
   */
  wire(args: unknown[]): { key: number; spec: JobSpec; transfer: ArrayBuffer[]; } {
    if (!this.transferArgs) {
      return this.#plain ??= { key: this.#key, spec: this.#spec, transfer: [] };
    }
    return { key: this.#key, spec: this.#spec, transfer: transferables(args) };
  }
}

/** Any function (what a thread can be given to run, or a reactor thread can expose). */
// deno-lint-ignore no-explicit-any
export type ThreadFunction = (...args: any[]) => unknown;

/**
 * Something a pool can run: a {@linkcode Task}, or a self-contained function
 * (shipped by its source; it must not use variables from around it).
 */
export type ThreadWork<A extends unknown[], R> = Task<A, R> | ((...args: A) => R | PromiseLike<R>);

const sourceTasks = new WeakMap<ThreadFunction, Task>();

/**
 * A task: an export of a task module, or a self-contained function.
 *
 * - `task(new URL("./work.ts", import.meta.url), "hashFile")` names the export
 *   `hashFile` of `work.ts`. The thread imports the module once; module-level
 *   state is per thread. Give the export's type to type the call:
 *   `task<typeof Work.hashFile>(url, "hashFile")` after
 *   `import type * as Work from "./work.ts"`.
 * - `task((n: number) => n * 2)` ships the function by its source. It may use
 *   only its parameters and globals: a variable or import from the code around
 *   it fails in the thread with {@linkcode CapturedVariableError}.
 *
 * Arguments and results cross by structured clone (`transferArgs` /
 * `transferResult` move `ArrayBuffer`s instead). An async export or function is
 * awaited in the thread.
 *
 * @example A function shipped by its source
 * ```ts
 * import assert from "node:assert/strict";
 * import { task, ThreadPool } from "@skein/skein/threads";
 *
 * const fib = task((n: number): number => {
 *   let [a, b] = [0, 1];
 *   for (let i = 0; i < n; i++) [a, b] = [b, a + b];
 *   return a;
 * });
 * const pool = new ThreadPool({ minThreads: 0, maxThreads: 1 });
 * pool.start();
 * const result = await new Promise((resolve) =>
 *   pool.callInThreadWithCallback((_ok, value) => resolve(value), fib, 30)
 * );
 * assert.equal(result, 832040);
 * await pool.stop();
 * ```
 */
export function task<F extends ThreadFunction = (...args: unknown[]) => unknown>(
  module: URL,
  name: string,
  options?: TaskOptions,
): Task<Parameters<F>, Awaited<ReturnType<F>>>;
/** A task of a self-contained function, shipped by its source. */
export function task<A extends unknown[], R>(
  fn: (...args: A) => R,
  options?: TaskOptions,
): Task<A, Awaited<R>>;
export function task(
  first: URL | ThreadFunction,
  second?: string | TaskOptions,
  third?: TaskOptions,
): Task {
  if (typeof first === "function") {
    return sourceTask(first, typeof second === "object" ? second : {});
  }
  if (!(first instanceof URL)) {
    throw new TypeError(
      `task: the module must be a URL, e.g. new URL("./work.ts", import.meta.url); got ${
        typeof first === "string" ? JSON.stringify(first) : String(first)
      }`,
    );
  }
  if (typeof second !== "string" || second === "") {
    throw new TypeError(
      `task: name the export to run, e.g. task(new URL("./work.ts", import.meta.url), "hashFile")`,
    );
  }
  return new Task(
    {
      kind: "module",
      url: first.href,
      name: second,
      transferResult: third?.transferResult ?? false,
    },
    `${second} in ${first.href}`,
    third,
  );
}

/** The task of a function (cached per function when no options are given). */
function sourceTask(fn: ThreadFunction, options: TaskOptions): Task {
  const plain = options.transferArgs === undefined && options.transferResult === undefined;
  if (plain) {
    const cached = sourceTasks.get(fn);
    if (cached !== undefined) return cached;
  }
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `A thread cannot run ${
        fn.name || "this function"
      }: it is native or bound, so it has no source `
        + "to ship. Wrap the call in a self-contained arrow function, or use a task module: "
        + `task(new URL("./work.ts", import.meta.url), "name").`,
    );
  }
  try {
    new Function(`return (${source});`);
  } catch {
    throw new TypeError(
      `A thread cannot run ${
        fn.name || "this function"
      } by its source (it is a method shorthand or otherwise not an expression). `
        + "Write it as an arrow function or a `function` expression, or use a task module: "
        + `task(new URL("./work.ts", import.meta.url), "name").`,
    );
  }
  const short = source.length > 60 ? `${source.slice(0, 57)}...` : source;
  const t = new Task(
    { kind: "source", source, transferResult: options.transferResult ?? false },
    `\`${short.replace(/\s+/g, " ")}\``,
    options,
  );
  if (plain) sourceTasks.set(fn, t);
  return t;
}

/** The typed tasks of a task module: one {@linkcode Task} per exported function. */
export type TaskModule<M> = {
  readonly [K in keyof M as M[K] extends ThreadFunction ? K : never]: M[K] extends
    (...args: infer A) => infer R ? Task<A, Awaited<R>> : never;
};

/**
 * Every exported function of a task module as a typed {@linkcode Task}, by
 * name: `taskModule<typeof Work>(new URL("./work.ts", import.meta.url)).hashFile`
 * after `import type * as Work from "./work.ts"` checks the export's name and
 * types its arguments and result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { taskModule } from "@skein/skein/threads";
 * const work = taskModule<{ hashFile(path: string): Promise<string> }>(
 *   new URL("./work.ts", import.meta.url),
 * );
 * assert.equal(work.hashFile.kind, "module");
 * assert.match(work.hashFile.label, /^hashFile in file:/);
 * ```
 */
export function taskModule<M>(module: URL, options?: TaskOptions): TaskModule<M> {
  if (!(module instanceof URL)) {
    throw new TypeError(
      "taskModule: the module must be a URL, e.g. new URL(\"./work.ts\", import.meta.url)",
    );
  }
  const made = new Map<string, Task>();
  return new Proxy({}, {
    get(_target, key): Task | undefined {
      if (typeof key !== "string") return undefined;
      let t = made.get(key);
      if (t === undefined) made.set(key, t = task(module, key, options));
      return t;
    },
  }) as TaskModule<M>;
}
