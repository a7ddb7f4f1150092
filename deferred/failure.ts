/**
 * `Failure`: a thrown value carried through a Deferred's errback chain
 * (Twisted's `twisted.python.failure.Failure`).
 *
 * JavaScript can throw anything, so a `Failure` wraps any value: an `Error`,
 * a string, a tuple, `undefined`. It keeps the original value (`value`), its
 * constructor (`type`), and can test it against error classes (`check`,
 * `trap`) and render it with its stack and `Error.cause` chain
 * (`getTraceback`).
 *
 * @module
 */

import { asyncTrailOf } from "./_trail.ts";

/**
 * A class (constructor) that an error value may be an instance of, e.g.
 * `TypeError` or a user-defined `class MyError extends Error {}`.
 *
 * @example
 * ```ts
 * import type { ErrorType } from "@skein/skein/deferred";
 * const t: ErrorType = RangeError;
 * ```
 */
// deno-lint-ignore no-explicit-any
export type ErrorType = abstract new(...args: any[]) => unknown;

/**
 * What `check`/`trap` accept: a class, or a class name as a string (matched
 * against the names of the value's class and its ancestors, as Twisted matches
 * qualified names).
 *
 * @example
 * ```ts
 * import type { ErrorSpec } from "@skein/skein/deferred";
 * const specs: ErrorSpec[] = [TypeError, "RangeError"];
 * ```
 */
export type ErrorSpec = ErrorType | string;

/** The wrapper class of a primitive (Twisted's `type(obj)` of a non-exception). */
function typeOf(value: unknown): ErrorType | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
      return String;
    case "number":
      return Number;
    case "boolean":
      return Boolean;
    case "bigint":
      return BigInt as unknown as ErrorType;
    case "symbol":
      return Symbol as unknown as ErrorType;
  }
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown; } | null;
  if (proto === null) return null;
  const ctor = proto.constructor;
  return typeof ctor === "function" ? (ctor as ErrorType) : null;
}

/** A string for any value, never throwing (Twisted's `safe_str`). */
function safeString(value: unknown): string {
  try {
    if (typeof value === "string") return value;
    if (typeof value === "symbol") return value.toString();
    if (value instanceof Error) return value.message;
    if (typeof value === "object" && value !== null) {
      const s = String(value);
      if (s !== "[object Object]") return s;
      try {
        const j = JSON.stringify(value);
        if (j !== undefined) return j;
      } catch {
        // fall through
      }
      return s;
    }
    return String(value);
  } catch (e) {
    return `<unprintable ${typeNameOf(value)} object${e instanceof Error ? `: ${e.message}` : ""}>`;
  }
}

function typeNameOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Error) {
    try {
      return value.name || typeOf(value)?.name || "Error";
    } catch {
      return "Error";
    }
  }
  const t = typeOf(value);
  return t?.name || typeof value;
}

/**
 * A wrapped thrown value, as Twisted's `Failure`.
 *
 * Deferreds hand a `Failure` to errbacks. An errback inspects it with
 * `check` (which class matched?) or `trap` (handle only these classes,
 * re-throw the original otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * const f = new Failure(new RangeError("too big"));
 * assert.equal(f.check(TypeError, RangeError), RangeError);
 * assert.equal(f.getErrorMessage(), "too big");
 * ```
 */
export class Failure {
  /** The thrown value itself (usually an `Error`, but any value is allowed). */
  readonly value: unknown;
  /**
   * The constructor of `value` (`RangeError`, `String` for a thrown string),
   * or `null` when there is none: for a thrown `null` or `undefined` and for
   * prototype-less objects. So code ported from Twisted's `f.type is X` must
   * allow for `null`; the idiom is `f.check(X)` (or `f.trap(X)`), which also
   * matches subclasses, as Python's `f.check` does, and returns `null` when
   * nothing matches.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const f = new Failure(new RangeError("too big"));
   * assert.equal(f.type, RangeError);
   * assert.equal(f.check(Error), Error); // a RangeError is an Error
   * const g = new Failure(undefined); // `throw undefined` has no type
   * assert.equal(g.type, null);
   * assert.equal(g.check(Error), null);
   * ```
   */
  readonly type: ErrorType | null;

  /**
   * Wrap `value`. A `Failure` given here is copied, not wrapped twice
   * (`new Failure(f).value === f.value`). With no argument at all (JavaScript
   * has no "current exception" to capture, unlike Python), the value is a
   * fresh `Error` recording where the Failure was made.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const f = new Failure("plain string");
   * assert.ok(f.type === String && f.value === "plain string");
   * ```
   */
  constructor(value?: unknown) {
    if (value instanceof Failure) {
      this.value = value.value;
      this.type = value.type;
      return;
    }
    if (arguments.length === 0) value = new Error("Failure created without a value");
    this.value = value;
    this.type = typeOf(value);
  }

  /**
   * The names of `value`'s class and all its ancestors, most derived first
   * (Twisted's `parents`), e.g. `["RangeError", "Error", "Object"]`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * assert.equal(new Failure(new TypeError("x")).parents[1], "Error");
   * ```
   */
  get parents(): string[] {
    const out: string[] = [];
    let t: unknown = this.type;
    while (typeof t === "function" && t !== Function.prototype) {
      out.push((t as { name: string; }).name);
      t = Object.getPrototypeOf(t);
    }
    if (this.type !== null && out[out.length - 1] !== "Object") out.push("Object");
    return out;
  }

  /**
   * Return the first of `types` that `value` is an instance of (a class, or
   * the name of its class or of an ancestor), or `null` if none matches.
   * Matching follows inheritance, so `check(Error)` matches a `TypeError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const f = new Failure(new TypeError("bad"));
   * assert.equal(f.check(RangeError), null);
   * assert.equal(f.check(RangeError, Error), Error);
   * assert.equal(f.check("TypeError"), "TypeError");
   * ```
   */
  check<S extends ErrorSpec>(...types: S[]): S | null {
    for (let i = 0; i < types.length; i++) {
      const t = types[i];
      if (typeof t === "string") {
        if (this.parents.includes(t)) return t;
      } else if (matches(this.value, this.type, t)) {
        return t;
      }
    }
    return null;
  }

  /**
   * Like `check`, but when nothing matches, re-throw the original `value`
   * (not the Failure), so an errback can handle only the errors it knows:
   * `d.addErrback((f) => { f.trap(NotFound); return null; })`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const f = new Failure(new TypeError("bad"));
   * assert.equal(f.trap(TypeError), TypeError);
   * try { f.trap(RangeError); } catch (e) { assert.equal(e, f.value); }
   * ```
   */
  trap<S extends ErrorSpec>(...types: S[]): S {
    const found = this.check(...types);
    if (found === null) throw this.value;
    return found;
  }

  /**
   * The error's message: `value.message` for an `Error`, the inner message
   * for a wrapped Failure, otherwise a string form of the value.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * assert.equal(new Failure(new Error("boom")).getErrorMessage(), "boom");
   * assert.equal(new Failure(42).getErrorMessage(), "42");
   * ```
   */
  getErrorMessage(): string {
    if (this.value instanceof Failure) return this.value.getErrorMessage();
    return safeString(this.value);
  }

  /**
   * A readable traceback: the error's stack (or `Name: message` when there is
   * none), followed by each `Error.cause` in turn (`Caused by: ...`).
   * `detail: "brief"` gives one line per error, without stack frames.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const err = new Error("outer", { cause: new Error("inner") });
   * const tb = new Failure(err).getTraceback();
   * assert.ok(tb.includes("outer") && tb.includes("Caused by: Error: inner"));
   * ```
   */
  getTraceback(options?: { detail?: "default" | "brief"; }): string {
    const brief = options?.detail === "brief";
    const lines: string[] = [];
    const seen = new Set<unknown>();
    let v: unknown = this.value;
    let first = true;
    while (true) {
      if (v instanceof Failure) v = v.value;
      seen.add(v);
      const text = describe(v, brief);
      lines.push(first ? text : `Caused by: ${text}`);
      first = false;
      if (!(v instanceof Error) || !("cause" in v)) break;
      const cause: unknown = v.cause;
      if (seen.has(cause)) {
        lines.push("Caused by: [circular cause]");
        break;
      }
      v = cause;
    }
    return lines.join("\n");
  }

  /**
   * The one-line form of `getTraceback`: `Name: message` per error in the
   * cause chain.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * assert.equal(new Failure(new TypeError("t")).getBriefTraceback(), "TypeError: t");
   * ```
   */
  getBriefTraceback(): string {
    return this.getTraceback({ detail: "brief" });
  }

  /**
   * Write the traceback through `write` (default: `console.error`), as
   * Twisted's `printTraceback`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const out: string[] = [];
   * new Failure(new Error("shown")).printTraceback((s) => out.push(s));
   * assert.ok(out[0].includes("Error: shown"));
   * ```
   */
  printTraceback(write: (text: string) => void = console.error): void {
    write(this.getTraceback());
  }

  /**
   * Write the one-line-per-error traceback through `write` (default:
   * `console.error`), as Twisted's `printBriefTraceback`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const out: string[] = [];
   * new Failure(new TypeError("t")).printBriefTraceback((s) => out.push(s));
   * assert.equal(out[0], "TypeError: t");
   * ```
   */
  printBriefTraceback(write: (text: string) => void = console.error): void {
    write(this.getBriefTraceback());
  }

  /**
   * Throw the original value (Twisted's `raiseException`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * const e = new Error("x");
   * try { new Failure(e).raiseException(); } catch (got) { assert.equal(got, e); }
   * ```
   */
  raiseException(): never {
    throw this.value;
  }

  /**
   * Throw the original value into a generator at its current `yield`, and
   * return what the generator does next (Twisted's
   * `throwExceptionIntoGenerator`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * function* g(): Generator<number, string, unknown> {
   *   try { yield 1; } catch (e) { return (e as Error).message; }
   *   return "no";
   * }
   * const it = g();
   * it.next();
   * const r = new Failure(new Error("in")).throwExceptionIntoGenerator(it);
   * assert.equal(r.value, "in");
   * ```
   */
  throwExceptionIntoGenerator<Y, R, N>(gen: Generator<Y, R, N>): IteratorResult<Y, R> {
    return gen.throw(this.value);
  }

  /**
   * Kept for Twisted compatibility: a JavaScript Failure holds no frames, so
   * there is nothing to clean.
   *
   * @example
   * ```ts
   * import { Failure } from "@skein/skein/deferred";
   * new Failure(new Error("x")).cleanFailure();
   * ```
   */
  cleanFailure(): void {}

  /**
   * `[Failure instance: <traceback>]`, as Twisted's `str(failure)`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Failure } from "@skein/skein/deferred";
   * assert.ok(String(new Failure(new Error("x"))).startsWith("[Failure instance: "));
   * ```
   */
  toString(): string {
    return `[Failure instance: ${this.getTraceback()}]`;
  }
}

function matches(value: unknown, type: ErrorType | null, t: ErrorType): boolean {
  if (typeof value === "object" || typeof value === "function") {
    if (value === null) return false;
    try {
      return value instanceof t;
    } catch {
      return false;
    }
  }
  // Primitives: match their wrapper class and its ancestors (Object).
  if (type === null) return false;
  return type === t || t === (Object as unknown as ErrorType);
}

function describe(v: unknown, brief: boolean): string {
  const head = `${typeNameOf(v)}: ${safeString(v)}`;
  if (brief) return head;
  let text = head;
  if (v instanceof Error) {
    let stack: unknown;
    try {
      stack = v.stack;
    } catch {
      stack = undefined;
    }
    if (typeof stack === "string" && stack.length > 0) {
      const frames = framesOf(stack, head);
      if (frames !== "") text += `\n${frames}`;
    }
  }
  for (const label of asyncTrailOf(v)) text += `\n    at async ${label} (inlineCallbacks)`;
  if (v instanceof AggregateError) {
    let errors: unknown;
    try {
      errors = v.errors;
    } catch {
      errors = undefined;
    }
    if (Array.isArray(errors)) {
      errors.forEach((e, i) => {
        text += `\n  [${i}] ${describe(e, true)}`;
      });
    }
  }
  return text;
}

/**
 * The frame lines of a stack, without its header. V8 and Bun start a stack
 * with `Name: message` (as captured when the Error was made, possibly several
 * lines long) and then `    at ...` lines; other engines give frames only.
 */
function framesOf(stack: string, head: string): string {
  const lines = stack.split("\n");
  let k = lines.findIndex((l) => /^\s+at /.test(l));
  if (k < 0) k = stack.startsWith(head) ? head.split("\n").length : 0;
  return lines.slice(k).filter((l) => l.trim() !== "").map((
    l,
  ) => (/^\s+at /.test(l) ? l : `    at ${l}`)).join(
    "\n",
  );
}
