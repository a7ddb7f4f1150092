/**
 * The contracts of Skein: the map of the whole system, as Twisted's
 * `twisted/internet/interfaces.py` is for Twisted.
 *
 * Every reactor, transport, protocol, producer and consumer in Skein is described
 * here as a TypeScript interface. Implementations live in their own folders
 * (`reactor/`, `protocols/`, `endpoints/`, `testing/`); code that only needs the
 * contract should import the type from here.
 *
 * @example Typing a function by contract, not by implementation
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorTime } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 *
 * function later(reactor: IReactorTime, fn: () => void): void {
 *   reactor.callLater(1, fn);
 * }
 * const clock = new Clock();
 * let ran = false;
 * later(clock, () => { ran = true; });
 * clock.advance(1);
 * assert.equal(ran, true);
 * ```
 *
 * @module
 */

import type { Deferred } from "./deferred/deferred.ts";
import type { Failure } from "./deferred/failure.ts";
import type { IPv4Address, IPv6Address, UNIXAddress } from "./reactor/address.ts";
import type { ThreadWork } from "./threads/task.ts";
import type { ThreadPool } from "./threads/thread_pool.ts";

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/**
 * An endpoint address. Concrete classes live in `reactor/address.ts`
 * (`IPv4Address`, `IPv6Address`, `UNIXAddress`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IAddress } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * const describe = (a: IAddress): string => a.toString();
 * assert.equal(describe(new IPv4Address("TCP", "127.0.0.1", 80)), "IPv4Address(TCP, '127.0.0.1', 80)");
 * ```
 */
export interface IAddress {
  /** `"TCP"`, `"UDP"`, `"UNIX"`, or `"PROCESS"` (a child's stdio, `ProcessAddress`). */
  readonly type: "TCP" | "UDP" | "UNIX" | "PROCESS";
  /** A human-readable form, e.g. `IPv4Address(TCP, '127.0.0.1', 8080)`. */
  toString(): string;
}

/**
 * The address of an IP socket (TCP or UDP): what `listenTCP` ports,
 * `listenUDP` ports and TCP transports give from `getHost()`/`getPeer()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IPAddress, IPv6Address } from "@skein/skein/reactor";
 *
 * const a: IPAddress = new IPv6Address("TCP", "::1", 8080);
 * assert.equal(a.port, 8080);
 * ```
 */
export type IPAddress = IPv4Address | IPv6Address;

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

/**
 * A call scheduled with {@linkcode IReactorTime.callLater}; Twisted's
 * `IDelayedCall`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IDelayedCall } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 * function postpone(call: IDelayedCall): void {
 *   if (call.active()) call.delay(5);
 * }
 * const clock = new Clock();
 * const call = clock.callLater(1, () => {});
 * postpone(call);
 * assert.equal(call.getTime(), 6);
 * ```
 */
export interface IDelayedCall {
  /** The time (in the scheduling clock's seconds) at which the call will run. */
  getTime(): number;
  /** Stop the call from running. Throws `AlreadyCalled` / `AlreadyCancelled`. */
  cancel(): void;
  /** Move the call by `secondsLater` relative to its current time. */
  delay(secondsLater: number): void;
  /** Reschedule the call to run `secondsFromNow` from now. */
  reset(secondsFromNow: number): void;
  /** True until the call has run or been cancelled. */
  active(): boolean;
}

/**
 * Scheduling of timed calls; Twisted's `IReactorTime`. Implemented by every
 * reactor and by the deterministic `Clock` of `task/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorTime } from "@skein/skein/reactor";
 * import { Clock } from "@skein/skein/testing";
 * function soon(clock: IReactorTime): number {
 *   clock.callLater(0.5, () => console.log("tick"));
 *   return clock.seconds();
 * }
 * const clock = new Clock();
 * assert.equal(soon(clock), 0);
 * assert.equal(clock.getDelayedCalls().length, 1);
 * ```
 */
export interface IReactorTime {
  /** The current time in seconds (monotonic for real reactors). */
  seconds(): number;
  /** Run `fn(...args)` `delay` seconds from now. */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every scheduled call that has not yet run or been cancelled. */
  getDelayedCalls(): IDelayedCall[];
}

// ---------------------------------------------------------------------------
// Reactor core
// ---------------------------------------------------------------------------

/**
 * The phases of a system event, in the order they run. A `before` trigger
 * that returns a Deferred (or a promise) holds back `during` until it fires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type TriggerPhase } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const seen: TriggerPhase[] = [];
 * for (const phase of ["after", "during", "before"] as const) {
 *   reactor.addSystemEventTrigger(phase, "shutdown", () => seen.push(phase));
 * }
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run();
 * assert.deepEqual(seen, ["before", "during", "after"]);
 * ```
 */
export type TriggerPhase = "before" | "during" | "after";

/**
 * The system events a reactor fires: `startup` on `run()`, `shutdown` on
 * `stop()`. Any other name is an event of your own, fired with
 * `fireSystemEvent`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type SystemEvent } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const seen: SystemEvent[] = [];
 * for (const event of ["startup", "shutdown", "reload"] as const) {
 *   reactor.addSystemEventTrigger("after", event, () => seen.push(event));
 * }
 * reactor.callWhenRunning(() => {
 *   reactor.fireSystemEvent("reload");
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.deepEqual(seen, ["startup", "reload", "shutdown"]);
 * ```
 */
// deno-lint-ignore ban-types -- keeps autocompletion of the known names while allowing any string
export type SystemEvent = "startup" | "shutdown" | (string & {});

/**
 * An opaque handle returned by {@linkcode IReactorCore.addSystemEventTrigger}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorCore, TriggerHandle } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function once(r: IReactorCore): TriggerHandle {
 *   return r.addSystemEventTrigger("before", "shutdown", () => console.log("bye"));
 * }
 * const r = new MemoryReactor();
 * const handle = once(r);
 * assert.deepEqual([handle.phase, handle.event], ["before", "shutdown"]);
 * r.removeSystemEventTrigger(handle);
 * ```
 */
export interface TriggerHandle {
  /** The phase this trigger was registered for. */
  readonly phase: TriggerPhase;
  /** The event this trigger was registered for. */
  readonly event: SystemEvent;
}

/**
 * The reactor's life cycle; Twisted's `IReactorCore`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorCore } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function main(r: IReactorCore): void {
 *   r.callWhenRunning(() => r.stop());
 * }
 * const r = new MemoryReactor();
 * main(r);
 * await r.run();
 * assert.equal(r.hasStopped, true);
 * ```
 */
export interface IReactorCore {
  /** True between `run()` starting the loop and `stop()` ending it. */
  readonly running: boolean;
  /**
   * Run the event loop until `stop()`. The returned promise resolves after the
   * shutdown triggers have run; a script may ignore it and the process keeps
   * running, as with Twisted's blocking `reactor.run()`.
   */
  run(): Promise<void>;
  /** Fire the shutdown triggers, then stop. Throws `ReactorNotRunning`. */
  stop(): void;
  /** Stop at once, without the shutdown triggers. */
  crash(): void;
  /** Call `fn(...args)` once the reactor is running (at once if it already is). */
  // deno-lint-ignore no-explicit-any
  callWhenRunning<A extends any[]>(fn: (...args: A) => unknown, ...args: A): TriggerHandle | null;
  /**
   * Add a system event trigger. A `before` trigger that returns a Deferred
   * delays the `during` phase until that Deferred fires.
   */
  addSystemEventTrigger(
    phase: TriggerPhase,
    event: SystemEvent,
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => unknown,
    ...args: unknown[]
  ): TriggerHandle;
  /** Remove a trigger added by `addSystemEventTrigger`. */
  removeSystemEventTrigger(handle: TriggerHandle): void;
  /** Fire all triggers of `event`, phase by phase. */
  fireSystemEvent(event: SystemEvent): void;
}

/**
 * Thread support; Twisted's `IReactorFromThreads` / `IReactorThreads`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorFromThreads } from "@skein/skein/reactor";
 * import { createReactor } from "@skein/skein/reactor";
 * const wake = (r: IReactorFromThreads): void => r.callFromThread(() => console.log("woken"));
 * const reactor = createReactor();
 * let woken = false;
 * reactor.callFromThread(() => {
 *   woken = true;
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.equal(woken, true);
 * ```
 */
export interface IReactorFromThreads {
  /**
   * Schedule `fn(...args)` on the reactor thread at the next iteration, waking
   * the reactor if it is parked. Safe to call from any context (including a
   * Worker's message handler or another runtime callback).
   */
  // deno-lint-ignore no-explicit-any
  callFromThread<A extends any[]>(fn: (...args: A) => unknown, ...args: A): void;
}

/**
 * The reactor's thread pool; Twisted's `IReactorThreads`. `callInThread` runs
 * work on the pool from `getThreadPool()` (0 to 10 threads, made on first use,
 * started when the reactor runs, stopped in the `during` phase of shutdown);
 * `suggestThreadPoolSize(n)` sets its maximum.
 *
 * @example
 * ```ts
 * import type { IReactorThreads } from "@skein/skein/reactor";
 * const hash = (r: IReactorThreads): void => r.callInThread((s: string) => s.length, "abc");
 * ```
 */
export interface IReactorThreads extends IReactorFromThreads {
  /** The reactor's pool (made on first use). */
  getThreadPool(): ThreadPool;
  /** Run `work(...args)` in the reactor's pool; errors are logged. */
  callInThread<A extends unknown[], R>(work: ThreadWork<A, R>, ...args: A): void;
  /** Run the export `name` of the task module at `module` in the reactor's pool. */
  callInThread(module: URL, name: string, ...args: unknown[]): void;
  /** Set the pool's maximum size (Twisted's `adjustPoolsize(maxthreads=size)`). */
  suggestThreadPoolSize(size: number): void;
}

// ---------------------------------------------------------------------------
// File descriptors (the layer transports are written against)
// ---------------------------------------------------------------------------

/**
 * Something with a file descriptor the reactor can watch; Twisted's
 * `IFileDescriptor` + `IReadDescriptor` + `IWriteDescriptor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IReadWriteDescriptor } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * class Watcher implements IReadWriteDescriptor {
 *   constructor(private fd: number) {}
 *   fileno(): number { return this.fd; }
 *   doRead(): Error | null { return null; }
 *   doWrite(): Error | null { return null; }
 *   connectionLost(_reason: Failure): void {}
 *   logPrefix(): string { return "Watcher"; }
 * }
 * const r = new MemoryReactor();
 * r.addReader(new Watcher(7));
 * assert.equal(r.getReaders()[0].fileno(), 7);
 * ```
 */
export interface IReadWriteDescriptor {
  /** The file descriptor number, or -1 once closed. */
  fileno(): number;
  /**
   * Called when the fd is readable. Return an Error (e.g. `ConnectionDone`) to
   * have the reactor disconnect the descriptor with that reason.
   */
  doRead(): Error | null | void;
  /** Called when the fd is writable. Return an Error to disconnect. */
  doWrite(): Error | null | void;
  /** The reactor dropped this descriptor; `reason` says why. */
  connectionLost(reason: Failure): void;
  /** A short name for log lines. */
  logPrefix(): string;
}

/**
 * Registration of file descriptors with the reactor's poller; Twisted's
 * `IReactorFDSet`. Only FFI reactors implement it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactorFDSet, IReadWriteDescriptor } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function watch(r: IReactorFDSet, d: IReadWriteDescriptor): void {
 *   r.addReader(d);
 * }
 * const r = new MemoryReactor();
 * const d: IReadWriteDescriptor = {
 *   fileno: () => 3,
 *   doRead: () => null,
 *   doWrite: () => null,
 *   connectionLost: () => {},
 *   logPrefix: () => "d",
 * };
 * watch(r, d);
 * assert.ok(r.readers.has(d));
 * ```
 */
export interface IReactorFDSet {
  /** Start calling `reader.doRead()` when its fd is readable. */
  addReader(reader: IReadWriteDescriptor): void;
  /** Start calling `writer.doWrite()` when its fd is writable. */
  addWriter(writer: IReadWriteDescriptor): void;
  /** Stop watching for readability. */
  removeReader(reader: IReadWriteDescriptor): void;
  /** Stop watching for writability. */
  removeWriter(writer: IReadWriteDescriptor): void;
  /** Remove every descriptor; returns those that were registered. */
  removeAll(): IReadWriteDescriptor[];
  /** The descriptors watched for reading. */
  getReaders(): IReadWriteDescriptor[];
  /** The descriptors watched for writing. */
  getWriters(): IReadWriteDescriptor[];
}

// ---------------------------------------------------------------------------
// Producers and consumers
// ---------------------------------------------------------------------------

/**
 * Something that produces data for a consumer; Twisted's `IProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IProducer } from "@skein/skein/reactor";
 * const p: IProducer = { stopProducing(): void {} };
 * p.stopProducing();
 * assert.equal(typeof p.stopProducing, "function");
 * ```
 */
export interface IProducer {
  /** Stop for good: the consumer is going away. */
  stopProducing(): void;
}

/**
 * A producer that writes on its own until paused; Twisted's `IPushProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IPushProducer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * class Ticker implements IPushProducer {
 *   paused = false;
 *   pauseProducing(): void { this.paused = true; }
 *   resumeProducing(): void { this.paused = false; }
 *   stopProducing(): void {}
 * }
 * const t = new StringTransport();
 * const ticker = new Ticker();
 * t.registerProducer(ticker, true);
 * ticker.pauseProducing();
 * assert.equal(ticker.paused, true);
 * ```
 */
export interface IPushProducer extends IProducer {
  /** Stop writing until `resumeProducing()`: the consumer's buffer is full. */
  pauseProducing(): void;
  /** Start writing again. */
  resumeProducing(): void;
}

/**
 * A producer that writes one chunk each time it is asked; Twisted's
 * `IPullProducer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IPullProducer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const p: IPullProducer = { resumeProducing(): void {}, stopProducing(): void {} };
 * const t = new StringTransport();
 * t.registerProducer(p, false);
 * assert.equal(t.streaming, false);
 * ```
 */
export interface IPullProducer extends IProducer {
  /** Write (at least) one more chunk to the consumer. */
  resumeProducing(): void;
}

/**
 * Something data is written to; Twisted's `IConsumer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IConsumer } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * function send(c: IConsumer, data: Uint8Array): void {
 *   c.write(data);
 * }
 * const t = new StringTransport();
 * send(t, new Uint8Array([1, 2]));
 * assert.deepEqual(t.value(), new Uint8Array([1, 2]));
 * ```
 */
export interface IConsumer {
  /**
   * Register a producer. `streaming` true means an {@linkcode IPushProducer}
   * (paused and resumed by the consumer's buffer), false an
   * {@linkcode IPullProducer} (asked for each chunk). Throws if one is
   * already registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Remove the registered producer. */
  unregisterProducer(): void;
  /** Write bytes (a string is written as UTF-8). */
  write(data: Uint8Array | string): void;
}

// ---------------------------------------------------------------------------
// Transports
// ---------------------------------------------------------------------------

/**
 * A connection's transport; Twisted's `ITransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ITransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * function greet(t: ITransport): void {
 *   t.write("hello\r\n");
 *   t.loseConnection();
 * }
 * const t = new StringTransport();
 * greet(t);
 * assert.equal(t.valueString(), "hello\r\n");
 * assert.equal(t.disconnecting, true);
 * ```
 */
export interface ITransport<A extends IAddress = IAddress> extends IConsumer {
  /** True once `loseConnection` was called and the connection is closing. */
  readonly disconnecting?: boolean;
  /** Bytes written and not yet handed to the kernel (0 once the buffer drains). */
  readonly bufferedAmount: number;
  /** Write several chunks at once (one `writev` where possible). */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /** Close after everything written so far has been sent. */
  loseConnection(): void;
  /** The remote address. */
  getPeer(): A;
  /** The local address. */
  getHost(): A;
}

/**
 * A transport that can close at once, dropping buffered data; Twisted's
 * `ITCPTransport.abortConnection`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IAbortableTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const kill = (t: IAbortableTransport): void => t.abortConnection();
 * const t = new StringTransport();
 * kill(t);
 * assert.equal(t.disconnected, true);
 * ```
 */
export interface IAbortableTransport<A extends IAddress = IAddress> extends ITransport<A> {
  /** Close now; unsent data is discarded and the protocol sees `ConnectionAborted`. */
  abortConnection(): void;
}

/**
 * A transport that can close its writing half; Twisted's `IHalfCloseableDescriptor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IHalfCloseableTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const done = (t: IHalfCloseableTransport): void => t.loseWriteConnection();
 * const t = new StringTransport();
 * done(t);
 * assert.equal(t.writeDisconnected, true);
 * ```
 */
export interface IHalfCloseableTransport<A extends IAddress = IAddress> extends ITransport<A> {
  /** Send FIN after the buffer drains, but keep reading. */
  loseWriteConnection(): void;
}

/**
 * A TCP connection's transport; Twisted's `ITCPTransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ITCPTransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * const fast = (t: ITCPTransport): void => t.setTcpNoDelay(true);
 * const t = new StringTransport();
 * fast(t);
 * assert.equal(t.getTcpNoDelay(), true);
 * ```
 */
export interface ITCPTransport<A extends IAddress = IAddress>
  extends IAbortableTransport<A>, IHalfCloseableTransport<A>
{
  /** Disable (true) or enable Nagle's algorithm. */
  setTcpNoDelay(enabled: boolean): void;
  /** Read back the TCP_NODELAY option. */
  getTcpNoDelay(): boolean;
  /** Enable TCP keep-alive probes. */
  setTcpKeepAlive(enabled: boolean): void;
  /** Read back the SO_KEEPALIVE option. */
  getTcpKeepAlive(): boolean;
  /** Stop reading from the peer (for flow control); resume with `resumeProducing`. */
  pauseProducing(): void;
  /** Start reading from the peer again. */
  resumeProducing(): void;
  /** Stop reading and close. */
  stopProducing(): void;
}

// ---------------------------------------------------------------------------
// Protocols and factories
// ---------------------------------------------------------------------------

/**
 * A stream protocol; Twisted's `IProtocol`. Extend `Protocol` from
 * `protocols/protocol.ts` rather than implementing this by hand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IProtocol, ITransport } from "@skein/skein/reactor";
 * import { StringTransport } from "@skein/skein/testing";
 * class Echo implements IProtocol {
 *   transport: ITransport | null = null;
 *   makeConnection(t: ITransport): void { this.transport = t; this.connectionMade(); }
 *   connectionMade(): void {}
 *   dataReceived(data: Uint8Array): void { this.transport!.write(data); }
 *   connectionLost(_reason: Failure): void {}
 * }
 * const t = new StringTransport();
 * const echo = new Echo();
 * echo.makeConnection(t);
 * echo.dataReceived(new Uint8Array([42]));
 * assert.deepEqual(t.value(), new Uint8Array([42]));
 * ```
 */
export interface IProtocol {
  /** The transport, set by `makeConnection`. */
  transport: ITransport | null;
  /** Attach the transport, then call `connectionMade()`. */
  makeConnection(transport: ITransport): void;
  /** The connection is up. */
  connectionMade(): void;
  /** Bytes arrived; chunk boundaries are arbitrary. */
  dataReceived(data: Uint8Array): void;
  /** The connection is gone: `ConnectionDone` when clean, else the error. */
  connectionLost(reason: Failure): void;
}

/**
 * A protocol that wants to know about half-closes; Twisted's
 * `IHalfCloseableProtocol`. When a protocol has these methods, a peer's FIN
 * calls `readConnectionLost()` instead of closing the whole connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IHalfCloseableProtocol } from "@skein/skein/reactor";
 * const p: IHalfCloseableProtocol = {
 *   readConnectionLost(): void {},
 *   writeConnectionLost(): void {},
 * };
 * p.readConnectionLost();
 * assert.equal(typeof p.writeConnectionLost, "function");
 * ```
 */
export interface IHalfCloseableProtocol {
  /** The peer will send no more data. */
  readConnectionLost(): void;
  /** Our write side was closed by `loseWriteConnection`. */
  writeConnectionLost(): void;
}

/**
 * Makes protocols for connections; Twisted's `IProtocolFactory`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import type { IAddress, IProtocol, IProtocolFactory } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * function makeOne(f: IProtocolFactory, addr: IAddress): IProtocol | null {
 *   return f.buildProtocol(addr);
 * }
 * const proto = makeOne(Factory.forProtocol(Protocol), new IPv4Address("TCP", "127.0.0.1", 80));
 * assert.ok(proto instanceof Protocol);
 * ```
 */
export interface IProtocolFactory {
  /** A protocol for a new connection from/to `addr`, or null to refuse it. */
  buildProtocol(addr: IAddress): IProtocol | null;
  /** Called by each port or connector as it starts using the factory. */
  doStart(): void;
  /** Called by each port or connector as it stops using the factory. */
  doStop(): void;
}

/**
 * A connector, returned by `connectTCP`/`connectUNIX`; Twisted's `IConnector`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IConnector } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeConnector } from "@skein/skein/testing";
 * const retry = (c: IConnector): void => c.connect();
 * const c = new FakeConnector(new IPv4Address("TCP", "127.0.0.1", 80));
 * retry(c);
 * assert.equal(c.connectCalls, 1);
 * ```
 */
export interface IConnector {
  /** Cancel a connection attempt in progress. */
  stopConnecting(): void;
  /** Disconnect if connected, or stop connecting. */
  disconnect(): void;
  /** Try to connect (again). */
  connect(): void;
  /** The address being connected to. */
  getDestination(): IAddress;
}

/**
 * What a client factory sees of its connections; Twisted's `ClientFactory`
 * hooks, called by connectors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import type { IAddress, IClientFactory, IConnector, IProtocol } from "@skein/skein/reactor";
 * import { ConnectionCompleter, MemoryReactor } from "@skein/skein/testing";
 * const failures: string[] = [];
 * const f: IClientFactory = {
 *   buildProtocol(_a: IAddress): IProtocol | null { return null; },
 *   doStart(): void {}, doStop(): void {},
 *   startedConnecting(_c: IConnector): void {},
 *   clientConnectionFailed(_c: IConnector, r: Failure): void { failures.push(r.getErrorMessage()); },
 *   clientConnectionLost(_c: IConnector, _r: Failure): void {},
 * };
 * const r = new MemoryReactor();
 * r.connectTCP("127.0.0.1", 9, f);
 * new ConnectionCompleter(r).failOnce();
 * assert.equal(failures[0], "An error occurred while connecting");
 * ```
 */
export interface IClientFactory extends IProtocolFactory {
  /** A connection attempt has started. */
  startedConnecting(connector: IConnector): void;
  /** The attempt failed (`ConnectionRefusedError`, `TimeoutError`, `DNSLookupError`, …). */
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  /** An established connection was lost. */
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

/**
 * A listening port; Twisted's `IListeningPort`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IListeningPort } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * async function close(p: IListeningPort): Promise<void> {
 *   await p.stopListening();
 * }
 * const port = new MemoryReactor().listenTCP(0, new Factory());
 * await close(port);
 * assert.ok(port.getHost().port >= 0);
 * ```
 */
export interface IListeningPort<A extends IAddress = IAddress> {
  /** Start listening (done already by `listenTCP`). */
  startListening(): void;
  /** Stop accepting connections; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void>;
  /** The address actually bound (the real port when 0 was asked for). */
  getHost(): A;
}

// ---------------------------------------------------------------------------
// Reactor networking
// ---------------------------------------------------------------------------

/**
 * Options for `listenTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { ListenTCPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenTCPOptions = { interface: "127.0.0.1", backlog: 128 };
 * const r = new MemoryReactor();
 * r.listenTCP(0, new Factory(), o);
 * assert.equal(r.tcpServers[0][2], 128);
 * ```
 */
export interface ListenTCPOptions {
  /** Listen queue length (Twisted: 50; Skein: 511, as Node and nginx). @default {511} */
  backlog?: number;
  /** Local address to bind; `""` (the default) means all IPv4 interfaces, `"::"` all IPv6. */
  interface?: string;
}

/**
 * Options for `connectTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import type { ConnectTCPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ConnectTCPOptions = { timeout: 5, bindAddress: ["127.0.0.1", 0] };
 * const r = new MemoryReactor();
 * r.connectTCP("127.0.0.1", 80, new ClientFactory(), o);
 * assert.deepEqual(r.tcpClients[0][4], ["127.0.0.1", 0]);
 * ```
 */
export interface ConnectTCPOptions {
  /** Seconds before the attempt fails with `TimeoutError`. @default {30} */
  timeout?: number;
  /** Local `[host, port]` to bind before connecting. */
  bindAddress?: [string, number];
}

/**
 * TCP support; Twisted's `IReactorTCP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IReactorTCP } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * function serve(r: IReactorTCP, f: IProtocolFactory): number {
 *   const port = r.listenTCP(0, f, { interface: "127.0.0.1" });
 *   return port.getHost().port;
 * }
 * assert.equal(serve(new MemoryReactor(), new Factory()), 0); // MemoryReactor binds nothing
 * ```
 */
export interface IReactorTCP {
  /** Listen on `port` (0 picks a free one). Throws `CannotListenError`. */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort<IPAddress>;
  /** Connect to `host:port`; outcomes are reported to the factory. */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options?: ConnectTCPOptions,
  ): IConnector;
}

/**
 * Options for `listenUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { ListenUNIXOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenUNIXOptions = { mode: 0o600, wantPID: true };
 * const r = new MemoryReactor();
 * r.listenUNIX("/tmp/app.sock", new Factory(), o);
 * assert.equal(r.unixServers[0][3], 0o600);
 * ```
 */
export interface ListenUNIXOptions {
  /** Listen queue length (Twisted: 50; Skein: 511, as Node and nginx). @default {511} */
  backlog?: number;
  /** File mode of the socket file. @default {0o666} */
  mode?: number;
  /** Keep a `PATH.lock` file with our PID to guard against a second listener. @default {false} */
  wantPID?: boolean;
}

/**
 * Options for `connectUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import type { ConnectUNIXOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ConnectUNIXOptions = { timeout: 5, checkPID: true };
 * const r = new MemoryReactor();
 * r.connectUNIX("/tmp/app.sock", new ClientFactory(), o);
 * assert.equal(r.unixClients[0][3], true);
 * ```
 */
export interface ConnectUNIXOptions {
  /** Seconds before the attempt fails with `TimeoutError`. @default {30} */
  timeout?: number;
  /** Fail with `BadFileError` unless `PATH.lock` names a live process. @default {false} */
  checkPID?: boolean;
}

/**
 * Unix-domain stream sockets; Twisted's `IReactorUNIX`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IReactorUNIX } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const serve = (r: IReactorUNIX, f: IProtocolFactory): void => {
 *   r.listenUNIX("/tmp/skein.sock", f);
 * };
 * const r = new MemoryReactor();
 * serve(r, new Factory());
 * assert.equal(r.unixServers[0][0], "/tmp/skein.sock");
 * ```
 */
export interface IReactorUNIX {
  /** Listen on a Unix socket at `path`. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options?: ListenUNIXOptions,
  ): IListeningPort<UNIXAddress>;
  /** Connect to the Unix socket at `path`. */
  connectUNIX(path: string, factory: IClientFactory, options?: ConnectUNIXOptions): IConnector;
}

/**
 * A UDP protocol; Twisted's `DatagramProtocol` contract.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IDatagramProtocol, IUDPTransport } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 * class Echo implements IDatagramProtocol {
 *   transport: IUDPTransport | null = null;
 *   makeConnection(t: IUDPTransport): void { this.transport = t; }
 *   doStop(): void {}
 *   datagramReceived(d: Uint8Array, addr: [string, number]): void { this.transport!.write(d, addr); }
 * }
 * const port = new FakeDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 53));
 * const echo = new Echo();
 * echo.makeConnection(port);
 * echo.datagramReceived(new Uint8Array([7]), ["127.0.0.1", 4000]);
 * assert.deepEqual(port.written[0][1], ["127.0.0.1", 4000]);
 * ```
 */
export interface IDatagramProtocol {
  /** The port, set by `makeConnection`. */
  transport: IUDPTransport | null;
  /** Called by the port as it starts; sets `transport` and calls `startProtocol`. */
  makeConnection(transport: IUDPTransport): void;
  /** Called by the port as it stops. */
  doStop(): void;
  /** A datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(data: Uint8Array, addr: [string, number]): void;
  /** A connected UDP socket got ICMP port-unreachable (ECONNREFUSED). */
  connectionRefused?(): void;
}

/**
 * A UDP port; Twisted's `IUDPTransport` + `IMulticastTransport`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IUDPTransport } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 * const ping = (t: IUDPTransport): void => t.write(new Uint8Array([1]), ["127.0.0.1", 9999]);
 * const t = new FakeDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 5000));
 * ping(t);
 * assert.deepEqual(t.written[0][1], ["127.0.0.1", 9999]);
 * assert.equal((await t.whenListening()).port, 5000);
 * ```
 */
export interface IUDPTransport {
  /** Send one datagram to `addr`, or to the connected peer when omitted. */
  write(data: Uint8Array | string, addr?: [string, number]): void;
  /** Connect to `host:port`: only its datagrams are received; `write` needs no address. */
  connect(host: string, port: number): void;
  /**
   * The bound address. Never throws: where the runtime binds asynchronously
   * (host UDP on Bun), the port reads as asked (0 for "any") until
   * `whenListening()` has fired.
   */
  getHost(): IPAddress;
  /**
   * Fires with the bound address once the socket is bound (at once where
   * binding is synchronous), or fails with `CannotListenError`.
   */
  whenListening(): Deferred<IPAddress>;
  /** Stop listening; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void>;
  /** Change the largest datagram that can be received. */
  setMaxPacketSize?(size: number): void;
  /** Allow sending to broadcast addresses. */
  setBroadcastAllowed(enabled: boolean): void;
  /** Join a multicast group on an interface (default: any). */
  joinGroup(addr: string, iface?: string): Deferred<void>;
  /** Leave a multicast group. */
  leaveGroup(addr: string, iface?: string): Deferred<void>;
  /** Multicast TTL for outgoing datagrams. */
  setTTL(ttl: number): void;
  /** Read back the multicast TTL. */
  getTTL(): number;
  /** Whether our own multicast datagrams loop back to us. */
  setLoopbackMode(mode: boolean): void;
  /** Read back the multicast loopback mode. */
  getLoopbackMode(): boolean;
}

/**
 * Options for `listenUDP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import type { ListenUDPOptions } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const o: ListenUDPOptions = { interface: "127.0.0.1", maxPacketSize: 8192 };
 * const r = new MemoryReactor();
 * const proto = new DatagramProtocol();
 * proto.noisy = false;
 * r.listenUDP(0, proto, o);
 * assert.equal(r.udpPorts[0][3], 8192);
 * ```
 */
export interface ListenUDPOptions {
  /** Local address to bind. @default {""} */
  interface?: string;
  /** Largest datagram received. @default {8192} */
  maxPacketSize?: number;
}

/**
 * UDP support; Twisted's `IReactorUDP`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import type { IDatagramProtocol, IReactorUDP } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const bindIt = (r: IReactorUDP, p: IDatagramProtocol): void => {
 *   r.listenUDP(0, p, { interface: "127.0.0.1" });
 * };
 * const r = new MemoryReactor();
 * const proto = new DatagramProtocol();
 * proto.noisy = false;
 * bindIt(r, proto);
 * assert.equal(proto.transport?.getHost().host, "127.0.0.1");
 * ```
 */
export interface IReactorUDP {
  /** Bind a UDP port and deliver its datagrams to `protocol`. */
  listenUDP(port: number, protocol: IDatagramProtocol, options?: ListenUDPOptions): IUDPTransport;
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

/**
 * The protocol of a child process; Twisted's `IProcessProtocol`. The
 * transport calls, in this order: `makeConnection`, then (any number of)
 * `childDataReceived` and `childConnectionLost` (one per pipe), then
 * `processExited` once the child is gone and `processEnded` once it is gone
 * *and* every pipe is closed. `ProcessProtocol` in `./protocols` routes fds
 * 0–2 to `outReceived`/`errReceived`/`inConnectionLost`/….
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IProcessProtocol } from "@skein/skein/reactor";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 *
 * const protocol: IProcessProtocol = new ProcessProtocol();
 * assert.equal(protocol.transport, null);
 * ```
 */
export interface IProcessProtocol {
  /** The transport, set by `makeConnection`. */
  transport: IProcessTransport | null;
  /** Attach the transport, then call `connectionMade()`. */
  makeConnection(transport: IProcessTransport): void;
  /** Bytes arrived from the child on its fd `childFD`. */
  childDataReceived(childFD: number, data: Uint8Array): void;
  /** The pipe to the child's fd `childFD` closed. */
  childConnectionLost(childFD: number): void;
  /** The child exited (`ProcessDone`) or died (`ProcessTerminated`); pipes may still be open. */
  processExited(reason: Failure): void;
  /** The child exited and every pipe closed: the last call. */
  processEnded(reason: Failure): void;
}

/**
 * A running child process as a transport; Twisted's `IProcessTransport`.
 * `write` goes to the child's stdin (with producer/consumer backpressure);
 * `writeToChild` to any fd mapped `"w"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { type IProcessTransport, PosixReactor, ProcessDone } from "@skein/skein/reactor";
 *
 * // Talk to `cat` over its stdin and stdout.
 * class Cat extends ProcessProtocol {
 *   out = "";
 *   ended: Failure | null = null;
 *   override connectionMade(): void {
 *     const transport: IProcessTransport = this.transport!;
 *     transport.write("meow");
 *     transport.closeStdin();
 *   }
 *   override outReceived(data: Uint8Array): void {
 *     this.out += new TextDecoder().decode(data);
 *   }
 *   override processEnded(reason: Failure): void {
 *     this.ended = reason;
 *     reactor.stop();
 *   }
 * }
 * const reactor = new PosixReactor("poll");
 * const cat = new Cat();
 * reactor.spawnProcess(cat, "cat", ["cat"]);
 * await reactor.run();
 * assert.equal(cat.out, "meow");
 * assert.ok(cat.ended?.check(ProcessDone));
 * ```
 */
export interface IProcessTransport extends IConsumer {
  /** The child's process id, or `null` once it has been reaped. */
  readonly pid: number | null;
  /** Bytes written to stdin and not yet handed to the pipe. */
  readonly bufferedAmount: number;
  /** Write several chunks to the child's stdin. */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /** Write to the child's fd `childFD` (one mapped `"w"`). */
  writeToChild(childFD: number, data: Uint8Array | string): void;
  /** Close the child's stdin (after what was written is sent). */
  closeStdin(): void;
  /** Close our end of the child's stdout. */
  closeStdout(): void;
  /** Close our end of the child's stderr. */
  closeStderr(): void;
  /** Close our end of the pipe to the child's fd `childFD`. */
  closeChildFD(childFD: number): void;
  /** Close stdin, stdout and stderr (the child is not signalled). */
  loseConnection(): void;
  /**
   * Send the child a signal: `"TERM"`, `"KILL"`, `"INT"`, `"HUP"` (and the
   * other common names, without `SIG`) or a number. Throws
   * `ProcessExitedAlready` once the child has been reaped.
   */
  signalProcess(signal: ProcessSignal): void;
}

/**
 * A signal for `signalProcess`: a name without `SIG`, or a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessSignal } from "@skein/skein/reactor";
 *
 * const signals: ProcessSignal[] = ["TERM", "KILL", 9];
 * assert.equal(signals.length, 3);
 * ```
 */
export type ProcessSignal =
  | "TERM"
  | "KILL"
  | "INT"
  | "HUP"
  | "QUIT"
  | "USR1"
  | "USR2"
  | "STOP"
  | "CONT"
  | "ALRM"
  | "PIPE"
  | number;

/**
 * Options of `spawnProcess`.
 *
 * **`env` differs from Twisted on purpose**: omitted, the child inherits the
 * environment this program sees (`process.env`, with any changes made to
 * it); `{}` gives an empty environment. Twisted's default is an empty one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SpawnProcessOptions } from "@skein/skein/reactor";
 *
 * const options: SpawnProcessOptions = {
 *   env: { LANG: "C" },
 *   path: "/tmp",
 *   childFDs: { 0: "w", 1: "r", 2: 2, 3: "r" }, // stderr shared with ours; a pipe on fd 3
 * };
 * assert.equal(options.childFDs?.[3], "r");
 * ```
 */
export interface SpawnProcessOptions {
  /** The child's whole environment. @default {the parent's (`process.env`)} */
  env?: Record<string, string>;
  /** The child's working directory. @default {the parent's} */
  path?: string;
  /**
   * Child fd → `"w"` (a pipe we write to), `"r"` (a pipe we read from) or one
   * of our fds to pass through. @default {{ 0: "w", 1: "r", 2: "r" }}
   */
  childFDs?: Record<number, "r" | "w" | number>;
  /**
   * Run the child on a new pseudo-terminal (24 × 80) instead of pipes: it is
   * a session leader with the terminal as its controlling terminal and as
   * fds 0–2; `childFDs` is ignored, its output arrives as fd 1 and writes go
   * to the terminal. The FFI reactor on Linux only. @default {false}
   */
  usePTY?: boolean;
  /** Run as this user id (not supported yet: throws). */
  uid?: number;
  /** Run as this group id (not supported yet: throws). */
  gid?: number;
}

/**
 * Starting child processes; Twisted's `IReactorProcess`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Failure } from "@skein/skein/deferred";
 * import { ProcessProtocol } from "@skein/skein/protocols";
 * import { type IReactorProcess, PosixReactor, ProcessTerminated } from "@skein/skein/reactor";
 *
 * class Exit extends ProcessProtocol {
 *   code: number | null = null;
 *   override processEnded(reason: Failure): void {
 *     this.code = (reason.value as ProcessTerminated).exitCode;
 *     reactor.stop();
 *   }
 * }
 * const run = (r: IReactorProcess, p: Exit): void => {
 *   r.spawnProcess(p, "sh", ["sh", "-c", "exit 3"]);
 * };
 * const reactor = new PosixReactor("poll");
 * const exit = new Exit();
 * run(reactor, exit);
 * await reactor.run();
 * assert.equal(exit.code, 3);
 * ```
 */
export interface IReactorProcess {
  /**
   * Start `executable` (a path, or a name looked up on the child's `PATH`)
   * with `args` (`args[0]` is the program's name) and connect `protocol` to
   * it. A program that does not exist or cannot run throws at the call.
   */
  spawnProcess(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options?: SpawnProcessOptions,
  ): IProcessTransport;
}

/**
 * A whole reactor: everything a Skein reactor offers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IReactor } from "@skein/skein/reactor";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const stopSoon = (r: IReactor): void => { r.callLater(1, () => r.stop()); };
 * const r = new MemoryReactorClock();
 * r.running = true;
 * stopSoon(r);
 * r.advance(1);
 * assert.equal(r.hasStopped, true);
 * ```
 */
export interface IReactor
  extends IReactorCore, IReactorTime, IReactorFromThreads, IReactorTCP, IReactorUDP, IReactorUNIX
{
  /** The name of the poller or backend (`"epoll"`, `"poll"`, `"select"`, `"kqueue"`, `"host"`). */
  readonly kind: string;
  /** Resolve a host name without blocking the loop (to the first address). */
  resolve(name: string, options?: { family?: 0 | 4 | 6; }): Deferred<string>;
}

// ---------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------

/**
 * A place to listen; Twisted's `IStreamServerEndpoint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ServerEndpoint } from "@skein/skein/endpoints";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IStreamServerEndpoint } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const up = (e: IStreamServerEndpoint, f: IProtocolFactory): void => { e.listen(f); };
 * const r = new MemoryReactor();
 * up(new TCP4ServerEndpoint(r, 8080), new Factory());
 * assert.equal(r.tcpServers[0][0], 8080);
 * ```
 */
export interface IStreamServerEndpoint<A extends IAddress = IAddress> {
  /** Listen with `factory`; fires with the port. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<A>>;
}

/**
 * A place to connect to; Twisted's `IStreamClientEndpoint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP4ClientEndpoint } from "@skein/skein/endpoints";
 * import { Factory } from "@skein/skein/protocols";
 * import type { IProtocolFactory, IStreamClientEndpoint } from "@skein/skein/reactor";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const go = (e: IStreamClientEndpoint, f: IProtocolFactory): void => { e.connect(f); };
 * const r = new MemoryReactor();
 * go(new TCP4ClientEndpoint(r, "127.0.0.1", 80), new Factory());
 * assert.equal(r.tcpClients[0][1], 80);
 * ```
 */
export interface IStreamClientEndpoint {
  /** Connect with `factory`; fires with the connected protocol once `connectionMade` ran. */
  connect<P extends IProtocol>(factory: IProtocolFactory): Deferred<P>;
}
