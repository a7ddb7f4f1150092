/**
 * A task module for the thread tests: each export runs inside a pool thread.
 *
 * @module
 */

import process from "node:process";
import { threadId } from "node:worker_threads";
import { blockingCallFromThread, callFromThread } from "../../threads/worker.ts";

/** The sum of its arguments. */
export function add(a: number, b: number): number {
  return a + b;
}

/** An async task: the thread awaits it. */
export async function addLater(a: number, b: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1));
  return a + b;
}

/** The thread's id (distinct per Worker). */
export function whichThread(): number {
  return threadId;
}

let count = 0;
/** Module-level state: per thread. */
export function bump(): number {
  return ++count;
}

/** Block the thread until `gate[0]` becomes non-zero, then return `value`. */
export function waitGate(gate: SharedArrayBuffer, value: unknown): unknown {
  const i32 = new Int32Array(gate);
  Atomics.add(i32, 1, 1); // count arrivals
  Atomics.notify(i32, 1);
  while (Atomics.load(i32, 0) === 0) Atomics.wait(i32, 0, 0);
  return value;
}

/** A custom error class, thrown in the thread. */
export class KeyError extends RangeError {
  /** The missing key. */
  key: string;
  /** Builds it. */
  constructor(key: string, options?: { cause?: unknown; }) {
    super(`no such key: ${key}`, options);
    this.key = key;
  }
}

/** Throw a KeyError with a cause. */
export function lookup(key: string): never {
  throw new KeyError(key, { cause: new TypeError("the inner reason") });
}

/** End the thread with process.exit(code). */
export function exitNow(code: number): never {
  process.exit(code);
}

/** Throw an uncaught error from a timer (the task itself returns). */
export function throwLater(message: string): Promise<never> {
  setTimeout(() => {
    throw new Error(message);
  }, 0);
  return new Promise<never>(() => {});
}

/** Reject a promise nobody handles. */
export function rejectLater(message: string): Promise<never> {
  void Promise.reject(new Error(message));
  return new Promise<never>(() => {});
}

/** The length of the bytes, and bytes back (for transfer tests). */
export function echoBytes(bytes: Uint8Array): Uint8Array {
  return bytes;
}

/** Report `i` to the reactor thread's exposed `record`. */
export function report(i: number): void {
  callFromThread("record", i);
}

/**
 * Report `i` to `record`, then answer it: a KeyError for 13, a promise for
 * multiples of 10 (quick work that the pool may send several to a message).
 */
export function reportAndReturn(i: number): number | Promise<number> {
  callFromThread("record", i);
  if (i === 13) throw new KeyError(String(i));
  return i % 10 === 0 ? Promise.resolve(i) : i;
}

/** Report 0..n-1 to `record`, without waiting. */
export function reportMany(n: number): void {
  for (let i = 0; i < n; i++) callFromThread("record", i);
}

/** Ask the reactor thread's exposed `getUser` and wait for the answer. */
export function askUser(id: number): unknown {
  return blockingCallFromThread("getUser", id);
}

/** Ask, and report the error's class name and message. */
export function askAndCatch(name: string, arg: unknown): string {
  try {
    blockingCallFromThread(name, arg);
    return "no error";
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

/** A non-function export. */
export const notAFunction = 42;
