/**
 * The format-string engine behind `formatEvent`: PEP 3101 fields as Twisted
 * uses them — `{key}`, `{obj.attr}`, `{list[0]}`, `{obj.method()}` (Twisted's
 * "keycall"), `{key!r}`, `{key:spec}`, `{{` and `}}` — over a JavaScript
 * object. A missing key, a bad spec or a throwing method throws; callers
 * that must not throw catch it.
 *
 * @module
 */

/** One `{…}` field, parsed. */
interface Field {
  /** The whole field text between the braces. */
  text: string;
  /** The top-level key. */
  key: string;
  /** `.attr` and `[index]` steps after the key. */
  path: string[];
  /** Whether the last step is called (`()`). */
  call: boolean;
  /** `r`, `s` or `""`. */
  conversion: string;
  /** The format spec after `:`, or `""`. */
  spec: string;
  /** The key `flattenFields` stores it under (made once, with the parse). */
  flatKey: string;
}

type Piece = string | Field;

const cache = new Map<string, Piece[]>();

function parseField(text: string): Field {
  let rest = text;
  let spec = "";
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    spec = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let conversion = "";
  const bang = rest.indexOf("!");
  if (bang >= 0) {
    conversion = rest.slice(bang + 1);
    rest = rest.slice(0, bang);
    if (conversion !== "r" && conversion !== "s") {
      throw new SyntaxError(`Unknown conversion specifier ${conversion} in {${text}}`);
    }
  }
  let call = false;
  if (rest.endsWith("()")) {
    call = true;
    rest = rest.slice(0, -2);
  }
  const m = /^([^.[]*)((?:\.[^.[]+|\[[^\]]+\])*)$/.exec(rest);
  if (m === null) throw new SyntaxError(`Malformed field {${text}}`);
  const path: string[] = [];
  for (const step of m[2].matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) path.push(step[1] ?? step[2]);
  const name = m[1] + path.map((step) => `.${step}`).join("") + (call ? "()" : "");
  return {
    text,
    key: m[1],
    path,
    call,
    conversion,
    spec,
    flatKey: `${name}!${conversion}:${spec}`,
  };
}

function parse(format: string): Piece[] {
  const hit = cache.get(format);
  if (hit !== undefined) return hit;
  const pieces: Piece[] = [];
  let literal = "";
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === "{") {
      if (format[i + 1] === "{") {
        literal += "{";
        i += 2;
        continue;
      }
      const end = format.indexOf("}", i);
      if (end < 0) throw new SyntaxError("Single '{' encountered in format string");
      if (literal !== "") pieces.push(literal);
      literal = "";
      pieces.push(parseField(format.slice(i + 1, end)));
      i = end + 1;
    } else if (c === "}") {
      if (format[i + 1] !== "}") throw new SyntaxError("Single '}' encountered in format string");
      literal += "}";
      i += 2;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal !== "") pieces.push(literal);
  if (cache.size > 1000) cache.clear();
  cache.set(format, pieces);
  return pieces;
}

/** Text for a value, as `str()` would give: strings as they are, objects readably. */
export function safeText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "object" && value !== null) {
    if (
      Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype
      || Object.getPrototypeOf(value) === null
    ) {
      try {
        const json = JSON.stringify(value);
        if (json !== undefined) return json;
      } catch {
        // a cycle or a BigInt: fall through to String
      }
    }
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/** Text for a value as `repr()` would give (`!r`): strings quoted. */
export function reprText(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return safeText(value);
}

function resolve(field: Field, fields: Record<string, unknown>): unknown {
  if (!(field.key in fields)) {
    throw new ReferenceError(`No field named ${JSON.stringify(field.key)} in the event`);
  }
  let value: unknown = fields[field.key];
  let holder: unknown = undefined;
  for (const step of field.path) {
    if (value === null || value === undefined) {
      throw new TypeError(
        `Cannot read ${JSON.stringify(step)} of ${String(value)} in {${field.text}}`,
      );
    }
    holder = value;
    value = (value as Record<string, unknown>)[step];
  }
  if (field.call) {
    if (typeof value !== "function") throw new TypeError(`{${field.text}} is not a function`);
    value = (value as (this: unknown) => unknown).call(holder);
  }
  return value;
}

function pad(text: string, width: number, fill: string, align: string): string {
  if (text.length >= width) return text;
  const n = width - text.length;
  if (align === "<") return text + fill.repeat(n);
  if (align === ">") return fill.repeat(n) + text;
  const left = Math.floor(n / 2);
  return fill.repeat(left) + text + fill.repeat(n - left);
}

function group(intPart: string, sep: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Apply a PEP 3101 format spec to `value` (the common subset). */
export function applySpec(value: unknown, spec: string): string {
  if (spec === "") return safeText(value);
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s
    .exec(spec);
  if (m === null) throw new SyntaxError(`Invalid format specifier ${JSON.stringify(spec)}`);
  const [, fillGiven, alignGiven, sign = "-", alt, zero, widthText, sep, precText, type = ""] = m;
  const width = widthText === undefined ? 0 : Number(widthText);
  const prec = precText === undefined ? undefined : Number(precText);
  let fill = fillGiven ?? " ";
  let align = alignGiven ?? "";
  if (type === "s" || (type === "" && typeof value !== "number" && typeof value !== "bigint")) {
    let text = safeText(value);
    if (prec !== undefined) text = text.slice(0, prec);
    return pad(text, width, fill, align === "" ? "<" : align);
  }
  if (typeof value !== "number" && typeof value !== "bigint") {
    throw new TypeError(
      `Format specifier ${JSON.stringify(spec)} needs a number, got ${reprText(value)}`,
    );
  }
  const num = typeof value === "bigint" ? value : value;
  const negative = num < 0;
  const abs = typeof num === "bigint" ? (negative ? -num : num) : Math.abs(num);
  let body: string;
  const asNumber = Number(abs);
  switch (type) {
    case "d":
    case "n":
      if (typeof abs === "number" && !Number.isInteger(abs)) {
        throw new TypeError(`Format specifier 'd' needs an integer, got ${num}`);
      }
      body = abs.toString();
      break;
    case "b":
      body = (alt ? "0b" : "") + abs.toString(2);
      break;
    case "o":
      body = (alt ? "0o" : "") + abs.toString(8);
      break;
    case "x":
      body = (alt ? "0x" : "") + abs.toString(16);
      break;
    case "X":
      body = (alt ? "0X" : "") + abs.toString(16).toUpperCase();
      break;
    case "c":
      body = String.fromCodePoint(asNumber);
      break;
    case "e":
    case "E":
      body = asNumber.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      if (type === "E") body = body.toUpperCase();
      break;
    case "f":
    case "F":
      body = asNumber.toFixed(prec ?? 6);
      break;
    case "%":
      body = (asNumber * 100).toFixed(prec ?? 6) + "%";
      break;
    case "g":
    case "G":
      body = String(Number(asNumber.toPrecision(prec ?? 6)));
      if (type === "G") body = body.toUpperCase();
      break;
    default:
      body = prec !== undefined && typeof abs === "number"
        ? String(Number(abs.toPrecision(prec)))
        : abs.toString();
  }
  if (sep !== undefined) {
    const dot = body.indexOf(".");
    body = dot < 0 ? group(body, sep) : group(body.slice(0, dot), sep) + body.slice(dot);
  }
  const signText = negative ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
  if (zero !== undefined && alignGiven === undefined) {
    fill = "0";
    align = "=";
  }
  if (align === "=") return signText + pad(body, width - signText.length, fill, ">");
  return pad(signText + body, width, fill, align === "" ? ">" : align);
}

/**
 * Format `format` with the fields of `fields`. With `flattened` (from a
 * serialised event), a field found there is used as it was rendered then.
 */
export function formatFields(
  format: string,
  fields: Record<string, unknown>,
  flattened?: Record<string, string>,
): string {
  let out = "";
  for (const piece of parse(format)) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    if (flattened !== undefined) {
      const flat = flattened[piece.flatKey];
      if (flat !== undefined) {
        out += flat;
        continue;
      }
    }
    const value = resolve(piece, fields);
    out += piece.conversion === "r"
      ? applySpec(reprText(value), piece.spec)
      : applySpec(value, piece.spec);
  }
  return out;
}

/**
 * Each field of `format` rendered now, keyed as `formatFields` looks them up,
 * for an event that will be read back where its values are gone; a field
 * that cannot be rendered is left out.
 */
export function flattenFields(
  format: string,
  fields: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const piece of parse(format)) {
    if (typeof piece === "string") continue;
    try {
      const value = resolve(piece, fields);
      out[piece.flatKey] = piece.conversion === "r"
        ? applySpec(reprText(value), piece.spec)
        : applySpec(value, piece.spec);
    } catch {
      // left for formatEvent to report
    }
  }
  return out;
}
