/**
 * The entry module of every pool thread. It runs the calls the pool sends,
 * one at a time in arrival order (an async task is awaited before the next
 * call starts), and carries `callFromThread` / `blockingCallFromThread` back
 * to the reactor thread.
 *
 * @module
 */

import { type MessagePort, parentPort, receiveMessageOnPort } from "node:worker_threads";
import { setThreadLink } from "./_thread_state.ts";
import {
  type BlockingReply,
  type FromThread,
  fromWireError,
  type JobSpec,
  type Packed,
  packFromThread,
  type ToThread,
  toWireError,
  transferables,
  unpackToThread,
  type WireCall,
} from "./_wire.ts";
import { CapturedVariableError } from "./errors.ts";

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

interface Init {
  readonly op: "init";
  readonly where: string;
  readonly replies: MessagePort;
  readonly control: SharedArrayBuffer;
}

const port = parentPort!;
const modules = new Map<string, Promise<Record<string, unknown>>>();
/** The jobs this thread was sent, by key, once resolved to their function. */
const jobs = new Map<number, { fn: AnyFunction; spec: JobSpec; }>();
const queue: ToThread[] = [];
let running = false;

function post(message: FromThread, transfer?: ArrayBuffer[]): void {
  flushAnswers();
  if (transfer === undefined || transfer.length === 0) port.postMessage(packFromThread(message));
  else port.postMessage(packFromThread(message), transfer);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" && v !== null || typeof v === "function")
    && typeof (v as PromiseLike<unknown>).then === "function";
}

/** The function of a call: at once when known or shipped by source, later for a module not yet imported. */
function resolve(call: WireCall): AnyFunction | Promise<AnyFunction> {
  const known = jobs.get(call.key);
  if (known !== undefined) return known.fn;
  const spec = call.spec;
  if (spec === undefined) {
    throw new Error(`internal: job ${call.key} was never sent to this thread`);
  }
  if (spec.kind === "source") {
    const fn = new Function(`return (${spec.source});`)() as AnyFunction;
    jobs.set(call.key, { fn, spec });
    return fn;
  }
  let mod = modules.get(spec.url);
  if (mod === undefined) {
    mod = import(spec.url) as Promise<Record<string, unknown>>;
    modules.set(spec.url, mod);
    mod.catch(() => modules.delete(spec.url));
  }
  return mod.then((m) => {
    const fn = m[spec.name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `${spec.url} has no exported function ${JSON.stringify(spec.name)}`
          + (fn === undefined ? "" : ` (it is a ${typeof fn})`)
          + "; export it from the task module, or fix the name given to task()",
      );
    }
    jobs.set(call.key, { fn: fn as AnyFunction, spec });
    return fn as AnyFunction;
  });
}

const MISSING = [/^(\S+) is not defined$/, /^Can't find variable: (\S+)$/];

/** A source-shipped function's `ReferenceError` for a free name becomes a `CapturedVariableError`. */
function explain(e: unknown, call: WireCall): unknown {
  const spec = jobs.get(call.key)?.spec ?? call.spec;
  if (spec === undefined || spec.kind !== "source" || !(e instanceof ReferenceError)) return e;
  for (const re of MISSING) {
    const m = re.exec(e.message);
    if (m !== null) {
      const short = spec.source.length > 60 ? `${spec.source.slice(0, 57)}...` : spec.source;
      return new CapturedVariableError(`\`${short.replace(/\s+/g, " ")}\``, m[1]!, { cause: e });
    }
  }
  return e;
}

/**
 * Run one call: its value at once when the function is known and returns a
 * plain value, else a promise of it. Throws (or rejects) with its error.
 */
function runOne(call: WireCall): unknown {
  const fn = resolve(call);
  if (fn instanceof Promise) {
    return fn.then((f) => f(...call.args)).catch((e: unknown) => {
      throw explain(e, call);
    });
  }
  let value: unknown;
  try {
    value = fn(...call.args);
  } catch (e) {
    throw explain(e, call);
  }
  if (isThenable(value)) {
    return Promise.resolve(value).catch((e: unknown) => {
      throw explain(e, call);
    });
  }
  return value;
}

function transferResult(call: WireCall): boolean {
  return (jobs.get(call.key)?.spec ?? call.spec)?.transferResult ?? false;
}

/**
 * Answer call `id` with `value`, `[1, id, value, ms]`: `ms` is how long the
 * call ran here since `started` (the pool sends the calls of quick jobs
 * several to a message), NaN when that says nothing of the job.
 */
function sendResult(id: number, transfer: boolean, value: unknown, started: number): void {
  flushAnswers();
  const ms = performance.now() - started;
  try {
    if (transfer) port.postMessage([1, id, value, ms], transferables([value]));
    else port.postMessage([1, id, value, ms]);
  } catch (e) {
    const why = new TypeError(
      `The result of the work could not be sent back from the thread (${
        e instanceof Error ? e.message : String(e)
      }): return plain data (numbers, strings, arrays, objects, Uint8Array, Map, ...), not functions or class instances with methods`,
      { cause: e },
    );
    post({ op: "failed", id, error: toWireError(why) });
  }
}

/** Handle one message; a promise when it has to wait. */
function handle(m: ToThread): Promise<void> | undefined {
  if (m.op === "run") {
    // A call that first imports its module does not tell how long the job runs: NaN.
    const started = jobs.has(m.call.key) || m.call.spec?.kind === "source"
      ? performance.now()
      : NaN;
    let value: unknown;
    try {
      value = runOne(m.call);
    } catch (e) {
      post({ op: "failed", id: m.id, error: toWireError(e) });
      return undefined;
    }
    if (value instanceof Promise) {
      return value.then(
        (v) => sendResult(m.id, transferResult(m.call), v, started),
        (e: unknown) => post({ op: "failed", id: m.id, error: toWireError(e) }),
      );
    }
    sendResult(m.id, transferResult(m.call), value, started);
    return undefined;
  }
  return runMulti(m.id, m.calls);
}

async function runMulti(id: number, calls: WireCall[]): Promise<void> {
  const errors = [];
  for (const call of calls) {
    try {
      await runOne(call);
    } catch (e) {
      errors.push(toWireError(e));
    }
  }
  if (errors.length === 0) post({ op: "done", id, value: undefined });
  else post({ op: "multiFailed", id, errors });
}

/** Run the queued messages in order; an async one is awaited before the next. */
function pump(): void {
  running = true;
  while (queue.length > 0) {
    const waiting = handle(queue.shift()!);
    if (waiting !== undefined) {
      void waiting.then(pump);
      return;
    }
  }
  running = false;
}

function init(m: Init): void {
  const control = new Int32Array(m.control);
  const replies = m.replies;
  setThreadLink({
    where: m.where,
    call(name: string, args: unknown[]): void {
      post({ op: "call", name, args });
    },
    blockingCall(name: string, args: unknown[]): unknown {
      Atomics.store(control, 0, 0);
      post({ op: "blockingCall", name, args });
      let reply: { message: unknown; } | undefined;
      for (;;) {
        Atomics.wait(control, 0, 0);
        reply = receiveMessageOnPort(replies);
        if (reply !== undefined) break;
        // Notified before the reply reached this port's queue: wait a little for it.
        Atomics.wait(control, 1, 0, 1);
      }
      const r = reply.message as BlockingReply;
      if (r.ok) return r.value;
      throw fromWireError(r.error);
    },
  });
  post({ op: "ready" });
}

/**
 * The hot path, for a `run` (`[0, id, key, 0, ...args]`) of a job this thread
 * has already resolved, with nothing queued before it: the call is made
 * straight from the packed array. False when the message needs the general
 * path.
 */
function runKnown(m: Packed): boolean {
  if (m[0] !== 0 || m[3] !== 0) return false;
  const job = jobs.get(m[2] as number);
  if (job === undefined) return false;
  callKnown(m[1] as number, m[2] as number, job, m.slice(4), false);
  return true;
}

/**
 * Call a resolved job: a plain value is answered at once, alone or (with
 * `gather`) among the batch's answers; a promise it returns is awaited like
 * any other (FIFO through the queue).
 */
function callKnown(
  id: number,
  key: number,
  job: { fn: AnyFunction; spec: JobSpec; },
  args: unknown[],
  gather: boolean,
): void {
  const started = performance.now();
  const failed = (e: unknown): void => {
    post({ op: "failed", id, error: toWireError(explain(e, { key, args: [] })) });
  };
  let value: unknown;
  try {
    value = job.fn(...args);
  } catch (e) {
    failed(e);
    return;
  }
  if (!isThenable(value)) {
    if (gather) answers.push(id, value, performance.now() - started);
    else sendResult(id, job.spec.transferResult, value, started);
    return;
  }
  running = true;
  void Promise.resolve(value).then(
    (v) => sendResult(id, job.spec.transferResult, v, started),
    failed,
  ).then(pump);
}

/** The answers of a batch's calls that returned plain values, `[4, ...(id, value, ms)]`, not posted yet. */
const answers: unknown[] = [4];

/** Post the batch answers gathered so far (each alone if they cannot all be cloned). */
function flushAnswers(): void {
  if (answers.length === 1) return;
  const pairs = answers.splice(1);
  try {
    port.postMessage([4, ...pairs]);
  } catch {
    for (let i = 0; i < pairs.length; i += 3) {
      sendResult(
        pairs[i] as number,
        false,
        pairs[i + 1],
        performance.now() - (pairs[i + 2] as number),
      );
    }
  }
}

/**
 * A batch, `[3, count, ...(id, key, spec or 0, argc, ...args)]`: its calls
 * run in order as if each came alone; those of known jobs that return plain
 * values are answered together, after the batch (or before anything else is
 * posted, so that answers keep their order).
 */
function runBatch(m: Packed): void {
  const count = m[1] as number;
  let at = 2;
  for (let c = 0; c < count; c++) {
    const id = m[at] as number;
    const key = m[at + 1] as number;
    const spec = m[at + 2];
    const argc = m[at + 3] as number;
    const args = m.slice(at + 4, at + 4 + argc);
    at += 4 + argc;
    const job = spec === 0 ? jobs.get(key) : undefined;
    if (!running && job !== undefined && !job.spec.transferResult) {
      callKnown(id, key, job, args, true);
    } else {
      accept({
        op: "run",
        id,
        call: spec === 0 ? { key, args } : { key, spec: spec as JobSpec, args },
      });
    }
  }
  flushAnswers();
}

/** Run `message` now, or queue it behind the call that is running. */
function accept(message: ToThread): void {
  if (running) {
    queue.push(message);
    return;
  }
  const waiting = handle(message);
  if (waiting !== undefined) {
    running = true;
    void waiting.then(pump);
  }
}

port.on("message", (m: Packed | Init): void => {
  if (!Array.isArray(m)) {
    init(m);
    return;
  }
  if (m[0] === 3) {
    runBatch(m);
    return;
  }
  if (!running && runKnown(m)) return;
  accept(unpackToThread(m));
});
// Only now may the pool send `init`: Deno's `node:worker_threads` drops a
// message that reaches a thread before it listens on `parentPort` (Node
// queues it), and this module is imported after the entry's first await.
port.postMessage(packFromThread({ op: "listening" }));
