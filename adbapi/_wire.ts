/**
 * How results and errors cross between the pool and its Workers: each task
 * answers a {@linkcode Reply} and never throws, so an error's class, code and
 * details survive (a structured clone keeps only an `Error`'s message).
 * Internal.
 *
 * @module
 */

import { DatabaseError, databaseError, InterfaceError } from "./errors.ts";

/** An error as it crosses the boundary. */
export interface WireError {
  /** The error class's name (`IntegrityError`, `TypeError`, `ConnectionLost` …). */
  readonly kind: string;
  readonly message: string;
  readonly code: string | null;
  readonly detail: string | null;
  readonly hint: string | null;
  readonly constraint: string | null;
  /** For `ConnectionLost`: the error that started it. */
  readonly cause: WireError | null;
}

/** A task's answer: `[true, value]` or `[false, error]`. */
export type Reply<T> = readonly [true, T] | readonly [false, WireError];

const NO_DETAILS = { code: null, detail: null, hint: null, constraint: null, cause: null } as const;

/** `e` as it crosses the boundary. */
export function wire(e: unknown): WireError {
  if (e instanceof DatabaseError) {
    return {
      kind: e.name,
      message: e.message,
      code: e.code,
      detail: e.detail,
      hint: e.hint,
      constraint: e.constraint,
      cause: null,
    };
  }
  if (e instanceof Error) return { ...NO_DETAILS, kind: e.name, message: e.message };
  return { ...NO_DETAILS, kind: "Error", message: String(e) };
}

/** An error that crossed from a Worker, as its class again. */
export function fromWire(w: WireError): Error {
  if (w.code !== null) {
    return databaseError(w.kind, w.message, { ...w, code: w.code });
  }
  const Class = w.kind === "TypeError"
    ? TypeError
    : w.kind === "RangeError"
    ? RangeError
    : w.kind === "InterfaceError"
    ? InterfaceError
    : Error;
  const e = new Class(w.message);
  if (Class === Error && w.kind !== "Error") e.name = w.kind;
  return e;
}
