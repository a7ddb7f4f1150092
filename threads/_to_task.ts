/**
 * The accepted call forms of thread work, normalised.
 *
 * @module
 */

import { Task, task } from "./task.ts";

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/**
 * The task and arguments of a call written in any of the accepted forms:
 * `(task, ...args)`, `(fn, ...args)` or `(url, name, ...args)`.
 */
export function toTask(work: unknown, args: unknown[]): { task: Task; args: unknown[]; } {
  if (work instanceof Task) return { task: work, args };
  if (typeof work === "function") return { task: task(work as AnyFunction), args };
  if (work instanceof URL) {
    const [name, ...rest] = args;
    return { task: task(work, name as string), args: rest };
  }
  throw new TypeError(
    `A thread runs a task (task(url, name)), a self-contained function, or (url, name); got ${
      work === null ? "null" : typeof work
    }`,
  );
}
