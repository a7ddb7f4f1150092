/**
 * `dlopenLibrary(names, symbols)`: open a shared library with a set of C
 * functions, on Deno (`Deno.dlopen`) or Bun (`bun:ffi`), from one
 * runtime-neutral description. The C library binding, io_uring and any other
 * binding in this folder (a database client, say) open their library here, so
 * the search through candidate names is written once.
 *
 * Types are Deno's names (`"i32"`, `"usize"`, `"pointer"`, `"buffer"`, …);
 * Bun's equivalents are chosen here. What a call returns is the runtime's own
 * value: a pointer is a `Deno.PointerObject` (or `null`) on Deno and a
 * `number` (or `null`) on Bun, so treat it as opaque and read through
 * {@linkcode readCString}, {@linkcode copyBytes} and {@linkcode pointerAddress}.
 *
 * @module
 */

import { RUNTIME } from "./_platform.ts";

/**
 * A C type, by Deno's name. `"buffer"` is a typed array passed as a pointer to its bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FfiType, SymbolSpec } from "./mod.ts";
 *
 * const size: FfiType = "usize";
 * const strlen: SymbolSpec = { parameters: ["buffer"], result: size };
 * assert.equal(strlen.result, "usize");
 * ```
 */
export type FfiType =
  | "i8"
  | "u8"
  | "i16"
  | "u16"
  | "i32"
  | "u32"
  | "i64"
  | "u64"
  | "isize"
  | "usize"
  | "f32"
  | "f64"
  | "bool"
  | "pointer"
  | "buffer"
  | "void";

/**
 * One C function to bind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SymbolSpec } from "./mod.ts";
 *
 * // `write(2)`, bound under another key, and a copy Deno runs on its thread pool.
 * const spec = {
 *   writeBytes: { name: "write", parameters: ["i32", "buffer", "usize"], result: "isize" },
 *   writeLater: { name: "write", parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true },
 * } satisfies Record<string, SymbolSpec>;
 * assert.equal(spec.writeBytes.name, "write");
 * ```
 */
export interface SymbolSpec {
  /** Argument types, in order. */
  readonly parameters: readonly FfiType[];
  /** The result type. */
  readonly result: FfiType;
  /** The C name, when it differs from the key the function is bound under. */
  readonly name?: string;
  /**
   * Deno only: run the call on the runtime's blocking thread pool and return a
   * promise (`nonblocking: true` in `Deno.dlopen`). Bun has no such call: there
   * the symbol is `null`.
   */
  readonly nonblocking?: boolean;
}

/**
 * A native pointer as the runtime hands it out (opaque: a `Deno.PointerObject` or a Bun `number`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cString, type NativePointer, pointerOf, readCString } from "./mod.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const p: NativePointer = pointerOf(cString("opaque"));
 *   assert.equal(readCString(p), "opaque");
 * }
 * ```
 */
export type NativePointer = object | number | null;

/**
 * What a JavaScript value of C type `T` is, as an argument.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FfiArg } from "./mod.ts";
 *
 * const length: FfiArg<"usize"> = 5n; // number or bigint
 * const flag: FfiArg<"bool"> = true;
 * assert.equal(typeof length, "bigint");
 * assert.equal(flag, true);
 * ```
 */
export type FfiArg<T extends FfiType> = T extends "pointer" ? NativePointer
  : T extends "buffer" ? ArrayBufferView | null
  : T extends "i64" | "u64" | "isize" | "usize" ? number | bigint
  : T extends "bool" ? boolean
  : number;

/**
 * What a call returning C type `T` gives back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FfiResult } from "./mod.ts";
 *
 * function count(r: FfiResult<"i64">): number {
 *   return Number(r); // Deno and Bun may give a number or a bigint
 * }
 * assert.equal(count(3n), 3);
 * ```
 */
export type FfiResult<T extends FfiType> = T extends "void" ? void
  : T extends "pointer" | "buffer" ? NativePointer
  : T extends "i64" | "u64" | "isize" | "usize" ? number | bigint
  : T extends "bool" ? boolean
  : number;

type ArgsOf<P extends readonly FfiType[]> = { [I in keyof P]: FfiArg<P[I]>; };

/**
 * The bound function for one {@linkcode SymbolSpec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BoundSymbol } from "./mod.ts";
 *
 * type Getpid = BoundSymbol<{ parameters: []; result: "i32"; }>;
 * const fake: Getpid = () => 42;
 * assert.equal(fake(), 42);
 * ```
 */
export type BoundSymbol<S extends SymbolSpec> = S extends { readonly nonblocking: true; }
  ? ((...args: ArgsOf<S["parameters"]>) => Promise<FfiResult<S["result"]>>) | null
  : (...args: ArgsOf<S["parameters"]>) => FfiResult<S["result"]>;

/**
 * An opened library: its bound functions, the name that opened it, and `close()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dlopenLibrary, ffiAvailable, libc, libraryPaths, type OpenedLibrary } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const spec = { getppid: { parameters: [], result: "i32" } } as const;
 *   const lib: OpenedLibrary<typeof spec> = dlopenLibrary(libraryPaths(libc().os), spec);
 *   assert.ok(lib.symbols.getppid() > 0);
 *   assert.ok(libraryPaths(libc().os).includes(lib.path));
 *   lib.close();
 * }
 * ```
 */
export interface OpenedLibrary<S extends Record<string, SymbolSpec>> {
  /** The functions, under the keys of the symbol description. */
  readonly symbols: { readonly [K in keyof S]: BoundSymbol<S[K]>; };
  /** The candidate name (or path) that opened. */
  readonly path: string;
  /** Unload the library; its functions must not be called afterwards. */
  close(): void;
}

/**
 * Try `open` on each candidate name in turn and return the first success
 * with its name; when none opens, throw an error that names every candidate
 * and the last failure (its `cause`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openFirst } from "./dlopen.ts";
 *
 * const opened = openFirst(["libmissing.so", "libm.so.6"], (name) => {
 *   if (name === "libmissing.so") throw new Error("not found");
 *   return name.length;
 * });
 * assert.deepEqual(opened, { value: 9, path: "libm.so.6" });
 * assert.throws(() => openFirst(["a", "b"], () => { throw new Error("no"); }), /a, b/);
 * ```
 */
export function openFirst<T>(
  names: readonly string[],
  open: (name: string) => T,
): { value: T; path: string; } {
  let lastError: unknown = new Error("no candidate names given");
  for (const path of names) {
    try {
      return { value: open(path), path };
    } catch (e) {
      lastError = e;
    }
  }
  const why = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`could not open a shared library from ${names.join(", ")}: ${why}`, {
    cause: lastError,
  });
}

/**
 * Open the first of `names` that loads (a bare name such as `"libpq.so.5"`
 * goes through the system's library search; a path is used as it is) with
 * the C functions `symbols`, on Deno (needs `--allow-ffi`) or Bun. Throws an
 * error naming every candidate when none loads or a symbol is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dlopenLibrary, readCString } from "./dlopen.ts";
 * import { ffiAvailable, libraryPaths } from "./mod.ts";
 *
 * if (ffiAvailable() && (typeof Deno === "undefined" || Deno.build.os === "linux")) {
 *   const lib = dlopenLibrary(libraryPaths("linux"), {
 *     getpid: { parameters: [], result: "i32" },
 *     strerror: { parameters: ["i32"], result: "pointer" },
 *   });
 *   try {
 *     assert.ok(lib.symbols.getpid() > 0);
 *     assert.equal(readCString(lib.symbols.strerror(2)), "No such file or directory");
 *   } finally {
 *     lib.close();
 *   }
 * }
 * ```
 */
export function dlopenLibrary<const S extends Record<string, SymbolSpec>>(
  names: readonly string[],
  symbols: S,
): OpenedLibrary<S> {
  if (RUNTIME === "deno") return openDeno(names, symbols);
  if (RUNTIME === "bun") return openBun(names, symbols);
  throw new Error("dlopenLibrary needs Deno (with --allow-ffi) or Bun");
}

function openDeno<S extends Record<string, SymbolSpec>>(
  names: readonly string[],
  symbols: S,
): OpenedLibrary<S> {
  const defs: Record<string, Deno.ForeignFunction> = {};
  for (const [key, s] of Object.entries(symbols)) {
    defs[key] = {
      name: s.name ?? key,
      parameters: [...s.parameters] as Deno.NativeType[],
      result: s.result as Deno.NativeResultType,
      nonblocking: s.nonblocking ?? false,
    };
  }
  const { value: lib, path } = openFirst(names, (name) => Deno.dlopen(name, defs));
  return {
    symbols: lib.symbols as unknown as OpenedLibrary<S>["symbols"],
    path,
    close: () => lib.close(),
  };
}

function bunType(t: FfiType): string {
  if (t === "pointer" || t === "buffer") return "ptr";
  return t;
}

function openBun<S extends Record<string, SymbolSpec>>(
  names: readonly string[],
  symbols: S,
): OpenedLibrary<S> {
  const ffi = bunFFI();
  // Bun's keys are the C names; keep the caller's aliases apart.
  const defs: Record<string, BunSymbolDef> = {};
  for (const [key, s] of Object.entries(symbols)) {
    if (s.nonblocking) continue;
    defs[s.name ?? key] = { args: s.parameters.map(bunType), returns: bunType(s.result) };
  }
  if (Object.keys(defs).length === 0) {
    throw new TypeError(
      "dlopenLibrary on Bun needs at least one symbol that is not nonblocking (Bun has no nonblocking calls)",
    );
  }
  const { value: lib, path } = openFirst(names, (name) => ffi.dlopen(name, defs));
  const bound: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(symbols)) {
    bound[key] = s.nonblocking ? null : lib.symbols[s.name ?? key];
  }
  return {
    symbols: bound as OpenedLibrary<S>["symbols"],
    path,
    close: () => lib.close(),
  };
}

/** A symbol definition for Bun's `dlopen`. */
interface BunSymbolDef {
  args: string[];
  returns: string;
}

/** The few `bun:ffi` exports the layer uses, typed locally (no `bun-types` at runtime). */
interface BunFFI {
  dlopen(path: string, defs: Record<string, BunSymbolDef>): {
    symbols: Record<string, unknown>;
    close(): void;
  };
  toArrayBuffer(ptr: number, byteOffset: number, byteLength: number): ArrayBuffer;
  ptr(view: ArrayBufferView): number;
  CString: new(ptr: number) => string;
}

/** `bun:ffi`, loaded synchronously; only ever called on Bun. */
function bunFFI(): BunFFI {
  const meta = import.meta as ImportMeta & { require?: (id: string) => unknown; };
  if (typeof meta.require !== "function") {
    throw new Error("bun:ffi needs Bun's import.meta.require");
  }
  return meta.require("bun:ffi") as BunFFI;
}

/**
 * The C string (NUL-terminated, UTF-8) at `pointer`, or `null` for a null
 * pointer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cString, pointerOf, readCString } from "./dlopen.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const bytes = cString("héllo");
 *   assert.equal(readCString(pointerOf(bytes)), "héllo");
 *   assert.equal(readCString(null), null);
 * }
 * ```
 */
export function readCString(pointer: NativePointer): string | null {
  if (pointer === null || pointer === 0) return null;
  if (RUNTIME === "deno") {
    return Deno.UnsafePointerView.getCString(pointer as Deno.PointerObject);
  }
  return String(new (bunFFI().CString)(pointer as number));
}

/**
 * A copy of `length` bytes at `pointer` (an empty array for a null pointer
 * or a zero length). The copy stays valid after the C side frees its memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyBytes, pointerOf } from "./dlopen.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const source = new Uint8Array([1, 2, 3, 4]);
 *   assert.deepEqual(copyBytes(pointerOf(source), 3), new Uint8Array([1, 2, 3]));
 * }
 * ```
 */
export function copyBytes(pointer: NativePointer, length: number): Uint8Array {
  if (pointer === null || pointer === 0 || length === 0) return new Uint8Array(0);
  const view = RUNTIME === "deno"
    ? Deno.UnsafePointerView.getArrayBuffer(pointer as Deno.PointerObject, length)
    : bunFFI().toArrayBuffer(pointer as number, 0, length);
  return new Uint8Array(view).slice();
}

/**
 * The numeric address of a native pointer (`0n` for null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pointerAddress, pointerOf } from "./dlopen.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   assert.ok(pointerAddress(pointerOf(new Uint8Array(8))) > 0n);
 *   assert.equal(pointerAddress(null), 0n);
 * }
 * ```
 */
export function pointerAddress(pointer: NativePointer): bigint {
  if (pointer === null) return 0n;
  if (typeof pointer === "number") return BigInt(pointer);
  return BigInt(Deno.UnsafePointer.value(pointer as Deno.PointerObject));
}

/**
 * A native pointer to the first byte of `view` (to pass where a C function
 * takes a `"pointer"`; `"buffer"` arguments take the typed array itself).
 * Valid while `view` is alive and its buffer is not detached or resized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pointerOf, readCString } from "./dlopen.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const text = new TextEncoder().encode("abc\0");
 *   assert.equal(readCString(pointerOf(text)), "abc");
 * }
 * ```
 */
export function pointerOf(view: ArrayBufferView): NativePointer {
  if (RUNTIME === "deno") return Deno.UnsafePointer.of(view as Uint8Array<ArrayBuffer>);
  return bunFFI().ptr(view);
}

/**
 * `text` as a NUL-terminated UTF-8 C string, to pass as a `"buffer"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cString } from "./dlopen.ts";
 *
 * assert.deepEqual(cString("ok"), new Uint8Array([0x6f, 0x6b, 0]));
 * ```
 */
export function cString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
