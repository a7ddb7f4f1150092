/**
 * Internal: the endpoint description grammar (Twisted's `_tokenize` and
 * `_parse`) and Python-style argument binding with clear errors.
 *
 * @module
 */

import { EndpointDescriptionError } from "./errors.ts";

/** Positional and keyword parameters of a description. */
export interface Parsed {
  args: string[];
  kw: Map<string, string>;
}

/**
 * Split a description into parameters: `:` separates them; in each, the
 * first unescaped `=` separates key from value (after it only `:` is
 * special); a backslash makes the next character literal.
 */
export function parseDescription(description: string): Parsed {
  if (typeof description !== "string") {
    throw new TypeError(`endpoint description must be a string, got ${typeof description}`);
  }
  const args: string[] = [];
  const kw = new Map<string, string>();
  let sofar: string[] = [];
  let current = "";
  let keyAllowed = true; // Twisted's `ops`: ":=" at the start of a parameter, ":" after "="
  const add = (): void => {
    sofar.push(current);
    current = "";
    if (sofar.length === 1) {
      args.push(sofar[0]);
    } else {
      const [key, value] = sofar;
      if (kw.has(key)) {
        throw new EndpointDescriptionError(description, `parameter '${key}' is given twice`);
      }
      kw.set(key, value);
    }
    sofar = [];
    keyAllowed = true;
  };
  const chars = Array.from(description);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === ":") {
      add();
    } else if (c === "=" && keyAllowed) {
      sofar.push(current);
      current = "";
      keyAllowed = false;
    } else if (c === "\\") {
      i++;
      if (i >= chars.length) {
        throw new EndpointDescriptionError(
          description,
          "it ends with a lone backslash; escape a literal backslash as \\\\",
        );
      }
      current += chars[i];
    } else {
      current += c;
    }
  }
  add();
  return { args, kw };
}

/** A parameter of an endpoint type, in positional order. */
export interface Param {
  name: string;
  required?: boolean;
}

/**
 * Bind positional and keyword parameters to `params` as Python binds call
 * arguments, throwing a clear error for too many positionals, unknown or
 * repeated keywords, and missing required parameters.
 */
export function bindParams(
  description: string,
  form: string,
  params: readonly Param[],
  args: readonly string[],
  kw: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  const bad = (problem: string): EndpointDescriptionError =>
    new EndpointDescriptionError(description, `${problem}; expected ${form}`);
  if (args.length > params.length) {
    throw bad(`too many positional parameters (${args.length}, at most ${params.length})`);
  }
  args.forEach((a, i) => out.set(params[i].name, a));
  for (const [k, v] of kw) {
    if (!params.some((p) => p.name === k)) throw bad(`unknown parameter '${k}'`);
    if (out.has(k)) throw bad(`parameter '${k}' is given both by position and by name`);
    out.set(k, v);
  }
  for (const p of params) {
    if (p.required && !out.has(p.name)) throw bad(`missing ${p.name}`);
  }
  return out;
}

/** A non-negative decimal integer, or a clear error. */
export function parseInteger(
  description: string,
  form: string,
  what: string,
  value: string,
): number {
  const t = value.trim();
  if (!/^\+?\d+$/.test(t)) {
    throw new EndpointDescriptionError(
      description,
      `${what} must be a non-negative integer, got ${JSON.stringify(value)}; expected ${form}`,
    );
  }
  return Number(t);
}

/** A port number 0..65535, or a clear error. */
export function parsePort(description: string, form: string, value: string): number {
  const n = parseInteger(description, form, "port", value);
  if (n > 65535) {
    throw new EndpointDescriptionError(
      description,
      `port must be from 0 to 65535, got ${n}; expected ${form}`,
    );
  }
  return n;
}

/** An octal file mode (`660`, `0660` or `0o660`), or a clear error. */
export function parseMode(description: string, form: string, value: string): number {
  const t = value.trim().replace(/^0o/i, "");
  if (!/^[0-7]+$/.test(t)) {
    throw new EndpointDescriptionError(
      description,
      `mode must be an octal number such as 666, got ${JSON.stringify(value)}; expected ${form}`,
    );
  }
  return parseInt(t, 8);
}

/** A positive number of seconds, or a clear error. */
export function parseSeconds(description: string, form: string, value: string): number {
  const t = value.trim();
  const n = Number(t);
  if (t === "" || !Number.isFinite(n) || n <= 0) {
    throw new EndpointDescriptionError(
      description,
      `timeout must be a positive number of seconds, got ${
        JSON.stringify(value)
      }; expected ${form}`,
    );
  }
  return n;
}

/** `0`/`1` (any integer: non-zero is true), as Twisted's `bool(int(x))`. */
export function parseFlag(description: string, form: string, what: string, value: string): boolean {
  return parseInteger(description, form, what, value) !== 0;
}
