/** Reading a todo marker, and what it expects (Twisted's `makeTodo`, `Todo.expected`). */

import { Failure } from "../deferred/failure.ts";
import type { Todo } from "./test_outcome.ts";

/** A todo marker as a {@linkcode Todo}, or a clear TypeError for a malformed one. */
export function makeTodo(value: string | Todo | undefined): Todo | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return { reason: value };
  if (typeof value !== "object" || value === null || typeof value.reason !== "string") {
    throw new TypeError(
      "todo must be a reason or { reason, errors }, e.g. { reason: \"bug 12\", errors: [RangeError] }",
    );
  }
  return value;
}

/** Whether `todo` expects `error` (Twisted's `Todo.expected`). */
export function todoExpects(todo: Todo, error: unknown): boolean {
  if (todo.errors === undefined) return true;
  const f = error instanceof Failure ? error : new Failure(error);
  return todo.errors.length > 0 && f.check(...todo.errors) !== null;
}
