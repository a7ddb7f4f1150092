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
  type ToThread,
  toWireError,
  transferables,
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
const sources = new Map<string, AnyFunction>();
const queue: ToThread[] = [];
let running = false;

function post(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function resolve(spec: JobSpec): Promise<AnyFunction> {
  if (spec.kind === "source") {
    let fn = sources.get(spec.source);
    if (fn === undefined) {
      fn = new Function(`return (${spec.source});`)() as AnyFunction;
      sources.set(spec.source, fn);
    }
    return fn;
  }
  let mod = modules.get(spec.url);
  if (mod === undefined) {
    mod = import(spec.url) as Promise<Record<string, unknown>>;
    modules.set(spec.url, mod);
    mod.catch(() => modules.delete(spec.url));
  }
  const fn = (await mod)[spec.name];
  if (typeof fn !== "function") {
    throw new TypeError(
      `${spec.url} has no exported function ${JSON.stringify(spec.name)}`
        + (fn === undefined ? "" : ` (it is a ${typeof fn})`)
        + "; export it from the task module, or fix the name given to task()",
    );
  }
  return fn as AnyFunction;
}

const MISSING = [/^(\S+) is not defined$/, /^Can't find variable: (\S+)$/];

/** A source-shipped function's `ReferenceError` for a free name becomes a `CapturedVariableError`. */
function explain(e: unknown, spec: JobSpec): unknown {
  if (spec.kind !== "source" || !(e instanceof ReferenceError)) return e;
  for (const re of MISSING) {
    const m = re.exec(e.message);
    if (m !== null) {
      const short = spec.source.length > 60 ? `${spec.source.slice(0, 57)}...` : spec.source;
      return new CapturedVariableError(`\`${short.replace(/\s+/g, " ")}\``, m[1]!, { cause: e });
    }
  }
  return e;
}

async function runOne(call: WireCall): Promise<unknown> {
  const fn = await resolve(call.spec);
  try {
    return await fn(...call.args);
  } catch (e) {
    throw explain(e, call.spec);
  }
}

function sendResult(id: number, spec: JobSpec, value: unknown): void {
  try {
    post({ op: "done", id, value }, spec.transferResult ? transferables([value]) : []);
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

async function handle(m: ToThread): Promise<void> {
  if (m.op === "run") {
    try {
      sendResult(m.id, m.call.spec, await runOne(m.call));
    } catch (e) {
      post({ op: "failed", id: m.id, error: toWireError(e) });
    }
    return;
  }
  const errors = [];
  for (const call of m.calls) {
    try {
      await runOne(call);
    } catch (e) {
      errors.push(toWireError(e));
    }
  }
  if (errors.length === 0) post({ op: "done", id: m.id, value: undefined });
  else post({ op: "multiFailed", id: m.id, errors });
}

async function pump(): Promise<void> {
  running = true;
  while (queue.length > 0) await handle(queue.shift()!);
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

port.on("message", (m: ToThread | Init): void => {
  if (m.op === "init") {
    init(m);
    return;
  }
  queue.push(m);
  if (!running) void pump();
});
