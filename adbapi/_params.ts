/**
 * Statement parameters: the one check of what may be bound, shared by the
 * pool (at the call, on the reactor thread) and the drivers. Internal.
 *
 * @module
 */

import type { SqlValue } from "./driver.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `params` as an array of bindable values, or a `TypeError` that names the
 * offending parameter and says what may be bound. `undefined` means none.
 */
export function checkParams(params: unknown, where: string): readonly SqlValue[] {
  if (params === undefined) return EMPTY;
  if (!Array.isArray(params)) {
    throw new TypeError(
      `${where}: parameters must be an array (bound to the placeholders in order), got ${
        describe(params)
      }`,
    );
  }
  for (let i = 0; i < params.length; i++) {
    const v: unknown = params[i];
    if (
      v === null || typeof v === "string" || typeof v === "boolean"
      || v instanceof Uint8Array
    ) continue;
    if (typeof v === "number") {
      if (Number.isNaN(v)) {
        throw new TypeError(`${where}: parameter ${i + 1} is NaN; bind null for a missing number`);
      }
      continue;
    }
    if (typeof v === "bigint") {
      if (v < INT64_MIN || v > INT64_MAX) {
        throw new RangeError(
          `${where}: parameter ${i + 1} (${v}) does not fit a 64-bit integer; bind it as a string`,
        );
      }
      continue;
    }
    throw new TypeError(
      `${where}: parameter ${i + 1} is ${
        describe(v)
      }; bind null, a boolean, number, bigint, string or Uint8Array`,
    );
  }
  return params as readonly SqlValue[];
}

/** The SQL text, or a `TypeError` saying what is wrong with it. */
export function checkSql(sql: unknown, where: string): string {
  if (typeof sql !== "string" || sql.trim() === "") {
    throw new TypeError(
      `${where}: pass the SQL statement as a non-empty string, got ${describe(sql)}`,
    );
  }
  return sql;
}

const EMPTY: readonly SqlValue[] = Object.freeze([]);

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const name = (v as { constructor?: { name?: string; }; }).constructor?.name;
    return name === undefined || name === "Object" ? "a plain object" : `a ${name}`;
  }
  if (typeof v === "string") {
    return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  }
  return `a ${typeof v}`;
}

/**
 * A 64-bit integer as a `number` when that is exact, else as it is (the
 * drivers' "BigInt only where precision would be lost" rule).
 */
export function narrowInteger(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * The first keyword of a statement (upper case), skipping leading
 * whitespace and comments; `""` when there is none.
 */
export function firstKeyword(sql: string): string {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 40 /* ( */) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else {
      break;
    }
  }
  let j = i;
  while (j < n) {
    const c = sql.charCodeAt(j) | 32;
    if (c < 97 || c > 122) break;
    j++;
  }
  return sql.slice(i, j).toUpperCase();
}
