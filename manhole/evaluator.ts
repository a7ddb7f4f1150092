/**
 * Evaluating JavaScript in a namespace: the manhole's `eval`, Twisted's
 * `ManholeInterpreter` without Python's `exec(code, namespace)`.
 *
 * JavaScript cannot run code against an object as its scope without `with`,
 * so each input becomes the body of a strict-mode `AsyncFunction`:
 *
 * - every name of the namespace (a valid identifier) is a parameter, so the
 *   code reads it directly (`reactor`, `db`), and assigning it (`count = 5`)
 *   changes the namespace;
 * - a name the code assigns that exists nowhere (`x = 5`) becomes a new
 *   namespace entry, as in Node's REPL (never a global);
 * - top-level `let`, `const`, `var`, `function` and `class` declarations
 *   persist into the namespace after the input ran (`let total = 0`, then
 *   `total += 1` on the next line); a declaration may shadow a namespace name;
 * - `await` works anywhere at the top level;
 * - the value shown is that of an expression input, or of the last
 *   statement when it is an expression (`let a = 2; a * 3` gives 6);
 *   otherwise `undefined`; an expression's value is also kept as `_`;
 * - a module is loaded with `const m = await import("…")`; an `import` or
 *   `export` statement is a SyntaxError saying so;
 * - `this` is `undefined` (strict mode); assigning an undeclared name the
 *   scan cannot see (inside a destructuring assignment, `[p, q] = …`) is a
 *   ReferenceError: declare it with `let` instead.
 *
 * Names are found by a light scan of the source (strings, templates and
 * comments skipped), not a parser: a name that only appears inside a string
 * never becomes a namespace entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Evaluator } from "@skein/skein/manhole";
 *
 * const app = { hits: 1 };
 * const evaluator = new Evaluator({ app, hits: 41 });
 * assert.equal((await evaluator.evaluate("hits += 1")).value, 42);
 * assert.equal(evaluator.namespace.hits, 42);
 * await evaluator.evaluate("let doubled = hits * 2");
 * assert.equal((await evaluator.evaluate("await Promise.resolve(doubled)")).value, 84);
 * await evaluator.evaluate("app.hits = 7");
 * assert.equal(app.hits, 7);
 * ```
 *
 * @module
 */

/**
 * What one input gave.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Evaluation } from "@skein/skein/manhole";
 * const e: Evaluation = { value: 3, expression: true };
 * assert.equal(e.value, 3);
 * ```
 */
export interface Evaluation {
  /** The value (`undefined` for statements without a final expression). */
  value: unknown;
  /** True when the value is that of an expression (shown even when `undefined`). */
  expression: boolean;
}

type Compiled = (...args: unknown[]) => Promise<[unknown, Record<string, unknown>]>;
type AsyncFunctionConstructor = new(...source: string[]) => Compiled;

const AsyncFunction: AsyncFunctionConstructor = Object.getPrototypeOf(async () => {}).constructor;

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends "
    + "false finally for function if import in instanceof new null return super switch this throw "
    + "true try typeof var void while with yield let static implements interface package private "
    + "protected public await async of eval arguments undefined NaN Infinity get set"
  ).split(" "),
);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const CAPTURE = "__skeinCapture";
const UNSET: unique symbol = Symbol("unset");

interface Scan {
  /** The code with strings, templates and comments blanked (offsets kept). */
  blanked: string;
  /** Bracket depth at the end. */
  depth: number;
  /** A template literal or block comment runs past the end. */
  open: boolean;
}

// Blank out strings, template literals and comments, keeping offsets (a
// string's characters become "·", a comment's spaces), and
// count brackets outside them.
function scan(code: string): Scan {
  let out = "";
  let depth = 0;
  let i = 0;
  let open = false;
  while (i < code.length) {
    const c = code[i];
    let end = i + 1;
    if (c === "\"" || c === "'" || c === "`") {
      while (end < code.length && code[end] !== c && (c === "`" || code[end] !== "\n")) {
        end += code[end] === "\\" ? 2 : 1;
      }
      if (end >= code.length && c === "`") open = true;
      end = Math.min(end + 1, code.length);
    } else if (c === "/" && code[i + 1] === "/") {
      while (end < code.length && code[end] !== "\n") end++;
    } else if (c === "/" && code[i + 1] === "*") {
      const close = code.indexOf("*/", i + 2);
      if (close < 0) open = true;
      end = close < 0 ? code.length : close + 2;
    } else {
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") depth--;
      out += c;
      i = end;
      continue;
    }
    // A string stays something (·), so `x = "a"` does not end in `=`; a comment is nothing.
    out += code.slice(i, end).replace(/[^\n]/g, c === "/" ? " " : "\u00b7");
    i = end;
  }
  return { blanked: out, depth, open };
}

function names(blanked: string): Set<string> {
  const found = new Set<string>();
  for (const m of blanked.matchAll(/(\.\s*)?([A-Za-z_$][\w$]*)/g)) {
    if (m[1] === undefined && !RESERVED.has(m[2]) && !/^\d/.test(m[2])) found.add(m[2]);
  }
  return found;
}

function assigned(blanked: string): Set<string> {
  const found = new Set<string>();
  const re =
    /(^|[^.\w$\s]|[^.\w$]\s+)([A-Za-z_$][\w$]*)\s*(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])/g;
  for (const m of blanked.matchAll(re)) {
    if (!RESERVED.has(m[2])) found.add(m[2]);
  }
  return found;
}

// The offset just after the last top-level `;` before the final statement,
// or -1 when the input is one statement.
function lastStatementStart(blanked: string): number {
  let depth = 0;
  let last = -1;
  const trimmed = blanked.replace(/[\s;]+$/, "");
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === ";" && depth === 0) last = i + 1;
  }
  return last;
}

function isDeclaration(code: string): boolean {
  return /^\s*(?:async\s+function|function|class)\b/.test(code);
}

/**
 * Is `code` an unfinished input that more lines could complete (an open
 * bracket, string or comment)? The manhole then asks for a continuation line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIncomplete } from "@skein/skein/manhole";
 * assert.equal(isIncomplete("function f() {"), true);
 * assert.equal(isIncomplete("1 +"), true);
 * assert.equal(isIncomplete("1 + 1"), false);
 * assert.equal(isIncomplete("1 +* 1"), false); // wrong, not unfinished
 * ```
 */
export function isIncomplete(code: string): boolean {
  const { blanked, depth, open } = scan(code);
  if (open || depth > 0) return true;
  // A line ending in a binary operator or a comma waits for its right side.
  const end = blanked.trimEnd();
  return /[-+*/%&|^=<>?:,.!~]$/.test(end) && !/(?:\+\+|--|=>)$/.test(end);
}

/**
 * Runs inputs against a namespace that persists between them. See the module
 * documentation for exactly what works.
 *
 * @example A function declared on one line, called on the next
 * ```ts
 * import assert from "node:assert/strict";
 * import { Evaluator } from "@skein/skein/manhole";
 *
 * const evaluator = new Evaluator({ base: 10 });
 * await evaluator.evaluate("function add(n) { return base + n; }");
 * assert.deepEqual(await evaluator.evaluate("add(5)"), { value: 15, expression: true });
 * assert.equal(evaluator.namespace._, 15);
 * await assert.rejects(evaluator.evaluate("nosuch + 1"), ReferenceError);
 * ```
 */
export class Evaluator {
  /** The namespace: what the app passed, plus what inputs declared and assigned. */
  readonly namespace: Record<string, unknown>;

  /** An evaluator over `namespace` (used as is, not copied: the app sees changes). */
  constructor(namespace: Record<string, unknown> = {}) {
    this.namespace = namespace;
  }

  /**
   * Run `code`; resolves with its value, rejects with what it threw (a
   * `SyntaxError` for code that does not compile).
   */
  async evaluate(code: string): Promise<Evaluation> {
    const { blanked } = scan(code);
    // A static import (`import x from`, `import {`, `import *`, `import "m"`, whose
    // string is blanked to "·"), or an export; not import() nor a name like "importance".
    if (/^\s*(?:import(?:\s+[\w$]|\s*[{*\u00b7])|export\s)/.test(blanked)) {
      throw new SyntaxError(
        "import and export statements only work in modules: write const m = await import(\"specifier\")",
      );
    }
    const scope = this.namespace;
    const params = Object.keys(scope).filter((n) => IDENTIFIER.test(n) && !RESERVED.has(n));
    const inScope = new Set(params);
    for (const n of assigned(blanked)) {
      if (!inScope.has(n) && !(n in globalThis)) {
        params.push(n);
        inScope.add(n);
      }
    }
    const captured = [...new Set([...params, ...names(blanked)])];
    const captures = captured.map((n) => `${n}: ${CAPTURE}(() => ${n})`).join(", ");
    const tail = (value: string): string => `return [${value}, { ${captures} }];`;
    const compile = (body: string): Compiled =>
      new AsyncFunction(CAPTURE, ...params, `"use strict";\n{\n${body}\n}`);

    let fn: Compiled | null = null;
    let expression = false;
    if (!isDeclaration(code)) {
      try {
        fn = compile(`const __skeinValue = (${code}\n);\n${tail("__skeinValue")}`);
        expression = true;
      } catch {
        fn = null;
      }
    }
    if (fn === null) {
      const split = lastStatementStart(blanked);
      const last = split < 0 ? "" : code.slice(split);
      if (split >= 0 && last.trim() !== "" && !isDeclaration(last)) {
        try {
          fn = compile(
            `${code.slice(0, split)}\nconst __skeinValue = (${last}\n);\n${tail("__skeinValue")}`,
          );
          expression = true;
        } catch {
          fn = null;
        }
      }
    }
    fn ??= compile(`${code}\n;${tail("undefined")}`);

    const capture = (read: () => unknown): unknown => {
      try {
        return read();
      } catch {
        return UNSET;
      }
    };
    const [value, after] = await fn(capture, ...params.map((n) => scope[n]));
    const globals = globalThis as Record<string, unknown>;
    for (const [n, v] of Object.entries(after)) {
      if (v === UNSET) continue;
      if (n in scope) {
        if (scope[n] !== v) scope[n] = v;
      } else if (n in globals ? globals[n] !== v : v !== undefined) {
        scope[n] = v;
      }
    }
    if (expression) scope._ = value;
    return { value, expression };
  }
}
