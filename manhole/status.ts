/**
 * The manhole's live view of a reactor: what is scheduled, what is
 * connected and how much each connection has waiting to be written, the
 * thread pool and the child processes, at a glance. Twisted's manhole has no
 * such view; in the manhole, type `status()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactorStatus } from "@skein/skein/manhole";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactorClock();
 * reactor.callLater(5, () => {});
 * const status = reactorStatus(reactor);
 * assert.equal(status.delayedCalls.length, 1);
 * assert.equal(status.delayedCalls[0].inSeconds, 5);
 * assert.match(status.toString(), /delayed calls: 1/);
 * ```
 *
 * @module
 */

import type { IReactorTime } from "../interfaces.ts";

/**
 * One scheduled call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DelayedCallStatus } from "@skein/skein/manhole";
 * const call: DelayedCallStatus = { inSeconds: 1.5, description: "<DelayedCall>" };
 * assert.equal(call.inSeconds, 1.5);
 * ```
 */
export interface DelayedCallStatus {
  /** Seconds from now until it runs. */
  inSeconds: number;
  /** Its `toString()`. */
  description: string;
}

/**
 * One open connection or listening port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConnectionStatus } from "@skein/skein/manhole";
 * const c: ConnectionStatus = { kind: "TCPConnection", local: "127.0.0.1:80", peer: "127.0.0.1:5000", buffered: 0 };
 * assert.equal(c.buffered, 0);
 * ```
 */
export interface ConnectionStatus {
  /** The class of the transport or port. */
  kind: string;
  /** Its local address, if it has one. */
  local: string | null;
  /** Its peer's address (null for a listening port). */
  peer: string | null;
  /** Bytes written and not yet sent (null when unknown). */
  buffered: number | null;
}

/**
 * The thread pool's counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ThreadPoolStatus } from "@skein/skein/manhole";
 * const t: ThreadPoolStatus = { workers: 2, working: 1, queued: 0, maxThreads: 10 };
 * assert.equal(t.working, 1);
 * ```
 */
export interface ThreadPoolStatus {
  /** Worker threads alive. */
  workers: number;
  /** Of them, busy. */
  working: number;
  /** Work items waiting for a thread. */
  queued: number;
  /** The most threads the pool may have. */
  maxThreads: number;
}

/**
 * A snapshot of a reactor: see {@linkcode reactorStatus}. `toString()` is
 * the table the manhole shows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReactorStatus } from "@skein/skein/manhole";
 * const s = new ReactorStatus([], [], null, 0);
 * assert.match(s.toString(), /connections: 0/);
 * ```
 */
export class ReactorStatus {
  /** Scheduled calls, soonest first. */
  readonly delayedCalls: readonly DelayedCallStatus[];
  /** Open connections and listening ports. */
  readonly connections: readonly ConnectionStatus[];
  /** The thread pool's counts (null when the reactor has none). */
  readonly threads: ThreadPoolStatus | null;
  /** Child processes still running. */
  readonly processes: number;

  /** A snapshot of these parts. */
  constructor(
    delayedCalls: readonly DelayedCallStatus[],
    connections: readonly ConnectionStatus[],
    threads: ThreadPoolStatus | null,
    processes: number,
  ) {
    this.delayedCalls = delayedCalls;
    this.connections = connections;
    this.threads = threads;
    this.processes = processes;
    // Node's util.inspect (the manhole's display) shows the table.
    Object.defineProperty(this, Symbol.for("nodejs.util.inspect.custom"), {
      value: (): string => this.toString(),
    });
  }

  /** The at-a-glance table. */
  toString(): string {
    const lines = [`delayed calls: ${this.delayedCalls.length}`];
    for (const call of this.delayedCalls.slice(0, 10)) {
      lines.push(`  in ${call.inSeconds.toFixed(3)}s  ${call.description}`);
    }
    if (this.delayedCalls.length > 10) lines.push(`  … ${this.delayedCalls.length - 10} more`);
    lines.push(`connections: ${this.connections.length}`);
    for (const c of this.connections) {
      const where = c.peer === null ? `listening on ${c.local}` : `${c.local} <-> ${c.peer}`;
      const buffered = c.buffered === null ? "" : `  buffered ${c.buffered} B`;
      lines.push(`  ${c.kind}  ${where}${buffered}`);
    }
    const t = this.threads;
    lines.push(
      t === null
        ? "threads: none"
        : `threads: ${t.workers} (${t.working} busy, ${t.queued} queued, max ${t.maxThreads})`,
    );
    lines.push(`processes: ${this.processes}`);
    return lines.join("\n");
  }
}

interface Descriptorish {
  getHost?: () => unknown;
  getPeer?: () => unknown;
  bufferedAmount?: number;
  pid?: number | null;
  logPrefix?: () => string;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const v = value as { host?: string; port?: number; name?: string | null; };
  if (typeof v.host === "string" && typeof v.port === "number") return `${v.host}:${v.port}`;
  if (typeof v.name === "string") return v.name;
  return String(value);
}

function call<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/**
 * A snapshot of `reactor`: its delayed calls (`getDelayedCalls()`), the
 * connections and ports it watches (a host reactor's selectables, or an FFI
 * reactor's readers and writers) with their write buffers, its thread pool
 * (made now if it was not yet, as `getThreadPool` does; it starts no thread)
 * and its running child processes. Parts a reactor does not have are empty.
 *
 * @example A child process, counted on any reactor
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactorStatus } from "@skein/skein/manhole";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { createReactor, type IReactorProcess, type Reactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor() as Reactor & IReactorProcess;
 * let seen = -1;
 * class Child extends ProcessProtocol {
 *   override processEnded(): void {
 *     reactor.stop();
 *   }
 * }
 * reactor.callWhenRunning(() => {
 *   const child = reactor.spawnProcess(new Child(), "sleep", ["sleep", "0.2"]);
 *   seen = reactorStatus(reactor).processes;
 *   child.signalProcess("TERM");
 * });
 * await reactor.run();
 * assert.equal(seen, 1);
 * ```
 *
 * @example Connections of a running reactor
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactorStatus } from "@skein/skein/manhole";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const port = reactor.listenTCP(0, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * const listening = reactorStatus(reactor).connections.filter((c) => c.peer === null);
 * assert.equal(listening.length, 1);
 * reactor.callLater(0, () => port.stopListening().addCallback(() => reactor.stop()));
 * await reactor.run();
 * ```
 */
export function reactorStatus(reactor: IReactorTime): ReactorStatus {
  const now = reactor.seconds();
  const delayedCalls = reactor.getDelayedCalls()
    .map((c) => ({ inSeconds: c.getTime() - now, description: String(c) }))
    .sort((a, b) => a.inSeconds - b.inSeconds);
  const r = reactor as unknown as {
    getSelectables?: () => unknown[];
    getReaders?: () => unknown[];
    getWriters?: () => unknown[];
    getThreadPool?: () => {
      workers: number;
      working: number;
      queued: number;
      maxThreads: number;
    };
  };
  const seen = new Set<unknown>();
  if (typeof r.getSelectables === "function") {
    for (const s of call(() => r.getSelectables!()) ?? []) seen.add(s);
  }
  for (const list of [r.getReaders, r.getWriters]) {
    if (typeof list === "function") {
      for (const s of call(() => list.call(reactor)) ?? []) seen.add(s);
    }
  }
  const connections: ConnectionStatus[] = [];
  const pids = new Set<number>();
  for (const item of seen) {
    const d = item as Descriptorish;
    if (typeof d.pid === "number") {
      pids.add(d.pid); // a host reactor's child process
      continue;
    }
    // An FFI reactor's child shows as its pipes, each logging as "Process PID fd N".
    const child = typeof d.logPrefix === "function"
      ? /^Process (\d+)/.exec(String(call(() => d.logPrefix!())))
      : null;
    if (child !== null) {
      pids.add(Number(child[1]));
      continue;
    }
    if (typeof d.getHost !== "function") continue;
    const peer = typeof d.getPeer === "function" ? text(call(() => d.getPeer!())) : null;
    connections.push({
      kind: (item as object).constructor?.name ?? "descriptor",
      local: text(call(() => d.getHost!())),
      peer,
      buffered: typeof d.bufferedAmount === "number" ? d.bufferedAmount : null,
    });
  }
  const pool = typeof r.getThreadPool === "function" ? call(() => r.getThreadPool!()) : null;
  const threads = pool === null ? null : {
    workers: pool.workers,
    working: pool.working,
    queued: pool.queued,
    maxThreads: pool.maxThreads,
  };
  return new ReactorStatus(delayedCalls, connections, threads, pids.size);
}
