/**
 * The messages between the reactor thread and a pool thread, and how errors
 * cross between them (class names, message, stack and `cause` kept).
 *
 * @module
 */

import { CapturedVariableError, NotInThread, ThreadPoolStopped, WorkerCrashed } from "./errors.ts";

/** What a thread runs: an export of a task module, or a function by its source. */
export type JobSpec =
  | {
    readonly kind: "module";
    readonly url: string;
    readonly name: string;
    readonly transferResult: boolean;
  }
  | { readonly kind: "source"; readonly source: string; readonly transferResult: boolean; };

/**
 * One call: the job's key and its arguments. The job itself (`spec`) is sent
 * only the first time a thread sees the key; the thread keeps it by key.
 */
export interface WireCall {
  readonly key: number;
  readonly spec?: JobSpec;
  readonly args: unknown[];
}

const keys = new Map<string, number>();

/** The key of a job: the same for the same module export or source text. */
export function jobKey(spec: JobSpec): number {
  const text = spec.kind === "module"
    ? `m${spec.transferResult ? 1 : 0}${spec.url}\0${spec.name}`
    : `s${spec.transferResult ? 1 : 0}${spec.source}`;
  let key = keys.get(text);
  if (key === undefined) keys.set(text, key = keys.size + 1);
  return key;
}

/** Reactor thread to pool thread. */
export type ToThread =
  | { readonly op: "run"; readonly id: number; readonly call: WireCall; }
  | { readonly op: "multi"; readonly id: number; readonly calls: WireCall[]; };

/** Pool thread to reactor thread. */
export type FromThread =
  | { readonly op: "listening"; }
  | { readonly op: "ready"; }
  | { readonly op: "done"; readonly id: number; readonly value: unknown; }
  | { readonly op: "failed"; readonly id: number; readonly error: WireError; }
  | { readonly op: "multiFailed"; readonly id: number; readonly errors: WireError[]; }
  | { readonly op: "call"; readonly name: string; readonly args: unknown[]; }
  | { readonly op: "blockingCall"; readonly name: string; readonly args: unknown[]; };

/**
 * The messages travel as flat arrays: a runtime that walks each message
 * looking for ports to patch (Deno's `node:worker_threads`) then has less to
 * walk. `run` is `[0, id, key, spec or 0, ...args]`, `done` is `[1, id, value]`,
 * anything else `[2, message]`.
 */
export type Packed = unknown[];

/** Pack a message to a thread. */
export function packToThread(m: ToThread): Packed {
  if (m.op === "run") return [0, m.id, m.call.key, m.call.spec ?? 0, ...m.call.args];
  return [2, m];
}

/** Unpack a message to a thread. */
export function unpackToThread(a: Packed): ToThread {
  if (a[0] === 0) {
    const spec = a[3] === 0 ? undefined : a[3] as JobSpec;
    const call: WireCall = spec === undefined
      ? { key: a[2] as number, args: a.slice(4) }
      : { key: a[2] as number, spec, args: a.slice(4) };
    return { op: "run", id: a[1] as number, call };
  }
  return a[1] as ToThread;
}

/** Pack a message from a thread. */
export function packFromThread(m: FromThread): Packed {
  if (m.op === "done") return [1, m.id, m.value];
  return [2, m];
}

/** Unpack a message from a thread. */
export function unpackFromThread(a: Packed): FromThread {
  if (a[0] === 1) return { op: "done", id: a[1] as number, value: a[2] };
  return a[1] as FromThread;
}

/** The reply to a blocking call, posted on the thread's reply port. */
export type BlockingReply =
  | { readonly ok: true; readonly value: unknown; }
  | { readonly ok: false; readonly error: WireError; };

/** An error as it crosses threads. */
export type WireError =
  | {
    readonly kind: "error";
    /** Class names from the most derived up to (and including) the first built-in. */
    readonly chain: string[];
    readonly name: string;
    readonly message: string;
    readonly stack: string | undefined;
    readonly cause?: WireError;
    readonly props: Record<string, unknown>;
  }
  | { readonly kind: "value"; readonly value: unknown; };

const BUILTINS: Record<string, abstract new(...args: never[]) => Error> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};
const KNOWN: Record<string, new(...args: never[]) => Error> = {
  WorkerCrashed,
  ThreadPoolStopped,
  CapturedVariableError,
  NotInThread,
};

/** Whether `v` survives a structured clone (cheap probe for error extras). */
function cloneable(v: unknown): boolean {
  if (v === null || typeof v !== "object") return typeof v !== "function" && typeof v !== "symbol";
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
}

/** Turn a thrown value into something that crosses threads. */
export function toWireError(e: unknown, depth = 0): WireError {
  if (!(e instanceof Error)) {
    return { kind: "value", value: cloneable(e) ? e : String(e) };
  }
  const chain: string[] = [];
  let proto: unknown = Object.getPrototypeOf(e);
  while (proto !== null && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: string; }; }).constructor;
    const n = ctor?.name ?? "Error";
    chain.push(n);
    if (n in BUILTINS && ctor === BUILTINS[n]) break;
    proto = Object.getPrototypeOf(proto);
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    const v = (e as unknown as Record<string, unknown>)[key];
    if (cloneable(v)) props[key] = v;
  }
  const out: WireError = {
    kind: "error",
    chain,
    name: e.name,
    message: e.message,
    stack: e.stack,
    props,
    ...("cause" in e && depth < 8 ? { cause: toWireError(e.cause, depth + 1) } : {}),
  };
  return out;
}

const made = new Map<string, new(message: string) => Error>();

/** A class named `chain[0]` whose ancestors are named like the thread's. */
function classFor(chain: string[]): new(message: string) => Error {
  const key = chain.join("<");
  const cached = made.get(key);
  if (cached !== undefined) return cached;
  let base: new(message: string) => Error = Error;
  let i = chain.length - 1;
  const root = chain[i];
  if (root !== undefined && root in BUILTINS) {
    base = BUILTINS[root] as unknown as new(message: string) => Error;
    i--;
  }
  for (; i >= 0; i--) {
    const n = chain[i]!;
    const known = KNOWN[n];
    if (known !== undefined && i === 0) {
      base = known as unknown as new(message: string) => Error;
      continue;
    }
    const parent = base;
    base = { [n]: class extends parent {} }[n]!;
  }
  made.set(key, base);
  return base;
}

/**
 * Rebuild a thread's error on this side: an `Error` whose class is named as
 * the thread's was (with its ancestors' names, so `Failure.check("MyError")`
 * and `instanceof TypeError` both work), with the same message, stack, own
 * properties and `cause`.
 */
export function fromWireError(w: WireError): unknown {
  if (w.kind === "value") return w.value;
  const Cls = classFor(w.chain);
  const e = Object.create(Cls.prototype) as Error;
  Object.defineProperty(e, "message", { value: w.message, writable: true, configurable: true });
  if (e.name !== w.name) {
    Object.defineProperty(e, "name", { value: w.name, writable: true, configurable: true });
  }
  Object.defineProperty(e, "stack", { value: w.stack, writable: true, configurable: true });
  for (const [k, v] of Object.entries(w.props)) {
    (e as unknown as Record<string, unknown>)[k] = v;
  }
  if (w.cause !== undefined) {
    Object.defineProperty(e, "cause", {
      value: fromWireError(w.cause),
      writable: true,
      configurable: true,
    });
  }
  return e;
}

/** The ArrayBuffers among `values` (top level and one level into arrays and plain objects). */
export function transferables(values: readonly unknown[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (v: unknown): boolean => {
    if (v instanceof ArrayBuffer) out.add(v);
    else if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
    else return false;
    return true;
  };
  for (const v of values) {
    if (add(v)) continue;
    if (Array.isArray(v)) { for (const x of v) add(x); }
    else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      for (const x of Object.values(v)) add(x);
    }
  }
  return [...out];
}
