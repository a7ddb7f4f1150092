/**
 * Fake reactors for tests: Twisted's `MemoryReactor`, `MemoryReactorClock`
 * and `RaisingMemoryReactor` (`twisted/internet/testing.py`). They record
 * every listen and connect call, with fake ports and connectors, and never
 * touch the network; connections complete only when a test completes them.
 *
 * @example Testing that a service listens where it should
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * reactor.listenTCP(8080, Factory.forProtocol(Protocol), { interface: "127.0.0.1" });
 * const [port, , backlog, iface] = reactor.tcpServers[0];
 * assert.equal(port, 8080);
 * assert.equal(backlog, 50);
 * assert.equal(iface, "127.0.0.1");
 * ```
 *
 * @module
 */

import { isIP } from "node:net";
import { type Deferred, fail, succeed } from "../deferred/deferred.ts";
import type {
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IAddress,
  IClientFactory,
  IConnector,
  IDatagramProtocol,
  IDelayedCall,
  IListeningPort,
  IPAddress,
  IProcessProtocol,
  IProtocolFactory,
  IReactor,
  IReactorCore,
  IReactorFDSet,
  IReactorProcess,
  IReactorTCP,
  IReactorUDP,
  IReactorUNIX,
  IReadWriteDescriptor,
  IUDPTransport,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  SpawnProcessOptions,
  SystemEvent,
  TriggerHandle,
  TriggerPhase,
} from "../interfaces.ts";
import { bindMethods } from "../reactor/_bind_methods.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../reactor/address.ts";
import { DNSLookupError } from "../reactor/errors.ts";
import { ReactorThreads } from "../reactor/reactor_threads.ts";
import { Clock } from "../task/clock.ts";
import { MemoryProcessTransport, type SpawnProcessRecord } from "./memory_process.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => unknown;

/**
 * A fake listening port (Twisted's `_FakePort`): `getHost()` returns the
 * address it pretends to listen on; `stopListening()` fires at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakePort } from "@skein/skein/testing";
 * const p = new FakePort(new IPv4Address("TCP", "0.0.0.0", 80));
 * p.stopListening();
 * assert.equal(p.listening, false);
 * ```
 */
export class FakePort<A extends IAddress = IAddress> implements IListeningPort<A> {
  /** False once `stopListening()` was called. */
  listening: boolean = true;
  /** Build a port pretending to listen on `address`. */
  constructor(readonly address: A) {}
  /** Does nothing. */
  startListening(): void {}
  /** Marks the port stopped; the Deferred has already fired. */
  stopListening(): Deferred<void> {
    this.listening = false;
    return succeed<void>(undefined);
  }
  /** The address given to the constructor. */
  getHost(): A {
    return this.address;
  }
}

/**
 * A fake connector (Twisted's `_FakeConnector`) that records what it was
 * asked to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeConnector } from "@skein/skein/testing";
 * const c = new FakeConnector(new IPv4Address("TCP", "127.0.0.1", 80));
 * c.stopConnecting();
 * assert.ok(c.stoppedConnecting);
 * ```
 */
export class FakeConnector implements IConnector {
  /** True once `stopConnecting()` was called. */
  stoppedConnecting: boolean = false;
  /** True once `disconnect()` was called. */
  disconnected: boolean = false;
  /** How many times `connect()` was called. */
  connectCalls: number = 0;
  /** Build a connector to `address`. */
  constructor(readonly address: IAddress) {}
  /** Records the call. */
  stopConnecting(): void {
    this.stoppedConnecting = true;
  }
  /** Records the call. */
  disconnect(): void {
    this.disconnected = true;
  }
  /** Records the call (nothing connects). */
  connect(): void {
    this.connectCalls++;
  }
  /** The address given to the constructor. */
  getDestination(): IAddress {
    return this.address;
  }
}

/**
 * A fake UDP port returned by {@linkcode MemoryReactor.listenUDP}: it
 * records datagrams written to it in {@linkcode FakeDatagramTransport.written}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 * const t = new FakeDatagramTransport(new IPv4Address("UDP", "0.0.0.0", 53));
 * t.write("ping", ["127.0.0.1", 9]);
 * assert.equal(t.written.length, 1);
 * ```
 */
export class FakeDatagramTransport implements IUDPTransport {
  /** Every datagram written, with the address given (null when connected). */
  written: Array<[data: Uint8Array, addr: [string, number] | null]> = [];
  /** The `[host, port]` given to `connect()`, if any. */
  connectedTo: [string, number] | null = null;
  /** False once `stopListening()` was called. */
  listening: boolean = true;
  /** Multicast groups joined. */
  groups: Set<string> = new Set();
  /** Whether broadcast is allowed. */
  broadcastAllowed: boolean = false;
  /** The largest datagram accepted by `setMaxPacketSize`. */
  maxPacketSize: number = 8192;
  /** The protocol this port delivers to, set by `listenUDP`. */
  protocol: IDatagramProtocol | null = null;
  #ttl = 1;
  #loopback = true;

  /** Build a port bound to `address`. */
  constructor(readonly address: IPAddress) {}

  /** Record a datagram (strings as UTF-8). */
  write(data: Uint8Array | string, addr?: [string, number]): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    this.written.push([bytes, addr ?? null]);
  }
  /** Record the connected peer. */
  connect(host: string, port: number): void {
    this.connectedTo = [host, port];
  }
  /** The bound address. */
  getHost(): IPAddress {
    return this.address;
  }
  /** Fires at once with the bound address. */
  whenListening(): Deferred<IPAddress> {
    return succeed(this.address);
  }
  /** Marks the port stopped and calls the protocol's `doStop()`. */
  stopListening(): Deferred<void> {
    if (this.listening) {
      this.listening = false;
      this.protocol?.doStop();
    }
    return succeed<void>(undefined);
  }
  /** Records the size. */
  setMaxPacketSize(size: number): void {
    this.maxPacketSize = size;
  }
  /** Records the flag. */
  setBroadcastAllowed(enabled: boolean): void {
    this.broadcastAllowed = enabled;
  }
  /** Records the group. */
  joinGroup(addr: string, _iface?: string): Deferred<void> {
    this.groups.add(addr);
    return succeed<void>(undefined);
  }
  /** Forgets the group. */
  leaveGroup(addr: string, _iface?: string): Deferred<void> {
    this.groups.delete(addr);
    return succeed<void>(undefined);
  }
  /** Records the TTL. */
  setTTL(ttl: number): void {
    this.#ttl = ttl;
  }
  /** Reads back the TTL. */
  getTTL(): number {
    return this.#ttl;
  }
  /** Records the mode. */
  setLoopbackMode(mode: boolean): void {
    this.#loopback = mode;
  }
  /** Reads back the mode. */
  getLoopbackMode(): boolean {
    return this.#loopback;
  }
}

/**
 * A `listenTCP` call: `[port, factory, backlog, interface]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import { MemoryReactor, type TCPServerRecord } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * r.listenTCP(80, new Factory());
 * const rec: TCPServerRecord = r.tcpServers[0];
 * assert.equal(rec[2], 50);
 * ```
 */
export type TCPServerRecord = [
  port: number,
  factory: IProtocolFactory,
  backlog: number,
  iface: string,
];
/**
 * A `connectTCP` call: `[host, port, factory, timeout, bindAddress]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import { MemoryReactor, type TCPClientRecord } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * r.connectTCP("example.com", 80, new ClientFactory());
 * const [host, , , timeout]: TCPClientRecord = r.tcpClients[0];
 * assert.equal(host, "example.com");
 * assert.equal(timeout, 30);
 * ```
 */
export type TCPClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  timeout: number,
  bindAddress: [string, number] | null,
];
/**
 * A `listenUNIX` call: `[path, factory, backlog, mode, wantPID]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory } from "@skein/skein/protocols";
 * import { MemoryReactor, type UNIXServerRecord } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * r.listenUNIX("/tmp/s", new Factory());
 * const rec: UNIXServerRecord = r.unixServers[0];
 * assert.equal(rec[3], 0o666);
 * ```
 */
export type UNIXServerRecord = [
  path: string,
  factory: IProtocolFactory,
  backlog: number,
  mode: number,
  wantPID: boolean,
];
/**
 * A `connectUNIX` call: `[path, factory, timeout, checkPID]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory } from "@skein/skein/protocols";
 * import { MemoryReactor, type UNIXClientRecord } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * r.connectUNIX("/tmp/s", new ClientFactory());
 * const rec: UNIXClientRecord = r.unixClients[0];
 * assert.equal(rec[3], false);
 * ```
 */
export type UNIXClientRecord = [
  path: string,
  factory: IClientFactory,
  timeout: number,
  checkPID: boolean,
];
/**
 * A `listenUDP` call: `[port, protocol, interface, maxPacketSize]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import { MemoryReactor, type UDPPortRecord } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * const p = new DatagramProtocol();
 * p.noisy = false;
 * r.listenUDP(53, p);
 * const rec: UDPPortRecord = r.udpPorts[0];
 * assert.equal(rec[3], 8192);
 * ```
 */
export type UDPPortRecord = [
  port: number,
  protocol: IDatagramProtocol,
  iface: string,
  maxPacketSize: number,
];

/**
 * A system event trigger recorded by {@linkcode MemoryReactor.addSystemEventTrigger}
 * (also its handle).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactor } from "@skein/skein/testing";
 * const r = new MemoryReactor();
 * r.addSystemEventTrigger("before", "shutdown", () => {});
 * const [t] = r.triggers.get("before")!.get("shutdown")!;
 * assert.equal(t.phase, "before");
 * assert.equal(t.args.length, 0);
 * ```
 */
export interface TriggerRecord extends TriggerHandle {
  /** The function to call. */
  // deno-lint-ignore no-explicit-any
  fn: (...args: any[]) => unknown;
  /** Its arguments. */
  args: unknown[];
}

/**
 * A fake reactor for tests (Twisted's `MemoryReactor`): `listenTCP`,
 * `connectTCP`, `listenUNIX`, `connectUNIX` and `listenUDP` record their
 * arguments (with the defaults filled in) in
 * {@linkcode MemoryReactor.tcpServers}, {@linkcode MemoryReactor.tcpClients},
 * {@linkcode MemoryReactor.unixServers}, {@linkcode MemoryReactor.unixClients}
 * and {@linkcode MemoryReactor.udpPorts}, and return a {@linkcode FakePort},
 * {@linkcode FakeConnector} or {@linkcode FakeDatagramTransport}. Connects
 * call `factory.startedConnecting(connector)` and never complete on their
 * own: complete one with `factory.buildProtocol(addr)` and
 * `protocol.makeConnection(new StringTransport())`, or fail it with
 * `factory.clientConnectionFailed(connector, failure)`.
 *
 * `resolve(name)` answers from {@linkcode MemoryReactor.hostnames} (IP
 * literals resolve to themselves). For time, use
 * {@linkcode MemoryReactorClock}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientFactory, Protocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactor();
 * const factory = ClientFactory.forProtocol(Protocol);
 * reactor.connectTCP("example.com", 80, factory);
 * const [host, port, , timeout] = reactor.tcpClients[0];
 * assert.equal(host, "example.com");
 * assert.equal(port, 80);
 * assert.equal(timeout, 30);
 * ```
 */
export class MemoryReactor extends ReactorThreads
  implements IReactorCore, IReactorTCP, IReactorUNIX, IReactorUDP, IReactorFDSet, IReactorProcess
{
  /** Always `"memory"`. */
  readonly kind: string = "memory";
  /** True between `run()` and `stop()`/`crash()`. */
  running: boolean = false;
  /** True once `run()` was called. */
  hasRun: boolean = false;
  /** True once `stop()` was called. */
  hasStopped: boolean = false;
  /** True once `crash()` was called. */
  hasCrashed: boolean = false;
  /** `callWhenRunning` calls not yet run: `[fn, args]`. */
  // deno-lint-ignore no-explicit-any
  whenRunningHooks: Array<[fn: (...args: any[]) => unknown, args: unknown[]]> = [];
  /** `addSystemEventTrigger` registrations, by phase then event. */
  triggers: Map<TriggerPhase, Map<SystemEvent, TriggerRecord[]>> = new Map();
  /** Every `listenTCP` call. */
  tcpServers: TCPServerRecord[] = [];
  /** Every `connectTCP` call. */
  tcpClients: TCPClientRecord[] = [];
  /** Every `listenUNIX` call. */
  unixServers: UNIXServerRecord[] = [];
  /** Every `connectUNIX` call. */
  unixClients: UNIXClientRecord[] = [];
  /** Every `listenUDP` call. */
  udpPorts: UDPPortRecord[] = [];
  /** Every connector returned, in order. */
  connectors: FakeConnector[] = [];
  /** Readers added with `addReader`. */
  readers: Set<IReadWriteDescriptor> = new Set();
  /** Writers added with `addWriter`. */
  writers: Set<IReadWriteDescriptor> = new Set();
  /** Name → address answers for `resolve()`. */
  hostnames: Map<string, string> = new Map();
  /** Every `spawnProcess` call. */
  processes: SpawnProcessRecord[] = [];

  /** Binds every method, so that `reactor.callLater(1, reactor.stop)` works as on a real reactor. */
  constructor() {
    super();
    bindMethods(this);
  }

  /** Sets `running`, runs the `callWhenRunning` hooks, then `stop()`s (as Twisted's does). */
  run(): Promise<void> {
    if (this.running) throw new Error("MemoryReactor.run(): already running");
    this.running = true;
    this.hasRun = true;
    const hooks = this.whenRunningHooks;
    this.whenRunningHooks = [];
    for (const [fn, args] of hooks) fn(...args);
    this.stop();
    return Promise.resolve();
  }

  /** Clears `running`, sets `hasStopped`. */
  stop(): void {
    this.running = false;
    this.hasStopped = true;
  }

  /** Clears `running`, sets `hasCrashed`. */
  crash(): void {
    this.running = false;
    this.hasCrashed = true;
  }

  /** Records the hook in `whenRunningHooks` (run by `run()`). */
  // deno-lint-ignore no-explicit-any
  override callWhenRunning<A extends any[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerHandle | null {
    this.whenRunningHooks.push([fn as AnyFn, args]);
    return null;
  }

  /** Records the trigger in `triggers`. */
  override addSystemEventTrigger(
    phase: TriggerPhase,
    event: SystemEvent,
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => unknown,
    ...args: unknown[]
  ): TriggerHandle {
    let byEvent = this.triggers.get(phase);
    if (byEvent === undefined) this.triggers.set(phase, byEvent = new Map());
    let list = byEvent.get(event);
    if (list === undefined) byEvent.set(event, list = []);
    const record: TriggerRecord = { phase, event, fn, args };
    list.push(record);
    return record;
  }

  /** Removes a trigger added by `addSystemEventTrigger`. */
  removeSystemEventTrigger(handle: TriggerHandle): void {
    const list = this.triggers.get(handle.phase)?.get(handle.event);
    const i = list ? list.indexOf(handle as TriggerRecord) : -1;
    if (list === undefined || i < 0) {
      throw new Error("removeSystemEventTrigger: unknown trigger handle");
    }
    list.splice(i, 1);
  }

  /** Runs the event's triggers synchronously, `before`, `during`, then `after`. */
  fireSystemEvent(event: SystemEvent): void {
    for (const phase of ["before", "during", "after"] as const) {
      for (const t of [...(this.triggers.get(phase)?.get(event) ?? [])]) t.fn(...t.args);
    }
  }

  /**
   * Records `[port, factory, backlog, interface]`; returns a {@linkcode FakePort}
   * on `0.0.0.0:port`, or on `interface:port` for an IPv6 interface.
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    options: ListenTCPOptions = {},
  ): IListeningPort<IPAddress> {
    const iface = options.interface ?? "";
    this.tcpServers.push([port, factory, options.backlog ?? 50, iface]);
    const address = isIP(iface) === 6
      ? new IPv6Address("TCP", iface, port)
      : new IPv4Address("TCP", "0.0.0.0", port);
    return new FakePort(address);
  }

  /** Records `[host, port, factory, timeout, bindAddress]`, calls `startedConnecting`. */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    options: ConnectTCPOptions = {},
  ): IConnector {
    this.tcpClients.push([host, port, factory, options.timeout ?? 30, options.bindAddress ?? null]);
    const address = isIP(host) === 6
      ? new IPv6Address("TCP", host, port)
      : new IPv4Address("TCP", host, port);
    const connector = new FakeConnector(address);
    factory.startedConnecting(connector);
    this.connectors.push(connector);
    return connector;
  }

  /** Records `[protocol, executable, args, options, transport]`; connects the protocol to a {@linkcode MemoryProcessTransport}. */
  spawnProcess(
    protocol: IProcessProtocol,
    executable: string,
    args: readonly string[],
    options: SpawnProcessOptions = {},
  ): MemoryProcessTransport {
    const transport = new MemoryProcessTransport();
    this.processes.push([protocol, executable, [...args], options, transport]);
    protocol.makeConnection(transport);
    return transport;
  }

  /** Records `[path, factory, backlog, mode, wantPID]`; returns a {@linkcode FakePort}. */
  listenUNIX(
    path: string,
    factory: IProtocolFactory,
    options: ListenUNIXOptions = {},
  ): IListeningPort<UNIXAddress> {
    this.unixServers.push([
      path,
      factory,
      options.backlog ?? 50,
      options.mode ?? 0o666,
      options.wantPID ?? false,
    ]);
    return new FakePort(new UNIXAddress(path));
  }

  /** Records `[path, factory, timeout, checkPID]`, calls `startedConnecting`. */
  connectUNIX(path: string, factory: IClientFactory, options: ConnectUNIXOptions = {}): IConnector {
    this.unixClients.push([path, factory, options.timeout ?? 30, options.checkPID ?? false]);
    const connector = new FakeConnector(new UNIXAddress(path));
    factory.startedConnecting(connector);
    this.connectors.push(connector);
    return connector;
  }

  /**
   * Records `[port, protocol, interface, maxPacketSize]`; returns a
   * {@linkcode FakeDatagramTransport} already given to `protocol.makeConnection`.
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    options: ListenUDPOptions = {},
  ): IUDPTransport {
    const iface = options.interface ?? "";
    const max = options.maxPacketSize ?? 8192;
    this.udpPorts.push([port, protocol, iface, max]);
    const address = isIP(iface) === 6
      ? new IPv6Address("UDP", iface, port)
      : new IPv4Address("UDP", iface || "0.0.0.0", port);
    const transport = new FakeDatagramTransport(address);
    transport.maxPacketSize = max;
    transport.protocol = protocol;
    protocol.makeConnection(transport);
    return transport;
  }

  /** IP literals resolve to themselves; names from `hostnames`, else `DNSLookupError`. */
  resolve(name: string, _options?: { family?: 0 | 4 | 6; }): Deferred<string> {
    if (isIP(name) !== 0) return succeed(name);
    const known = this.hostnames.get(name);
    if (known !== undefined) return succeed(known);
    return fail<string>(new DNSLookupError(`MemoryReactor: no address for ${name} in hostnames`));
  }

  /** Adds to `readers`. */
  addReader(reader: IReadWriteDescriptor): void {
    this.readers.add(reader);
  }
  /** Adds to `writers`. */
  addWriter(writer: IReadWriteDescriptor): void {
    this.writers.add(writer);
  }
  /** Removes from `readers`. */
  removeReader(reader: IReadWriteDescriptor): void {
    this.readers.delete(reader);
  }
  /** Removes from `writers`. */
  removeWriter(writer: IReadWriteDescriptor): void {
    this.writers.delete(writer);
  }
  /** Empties both sets; returns what they held. */
  removeAll(): IReadWriteDescriptor[] {
    const all = [...new Set([...this.readers, ...this.writers])];
    this.readers.clear();
    this.writers.clear();
    return all;
  }
  /** The readers. */
  getReaders(): IReadWriteDescriptor[] {
    return [...this.readers];
  }
  /** The writers. */
  getWriters(): IReadWriteDescriptor[] {
    return [...this.writers];
  }
}

/**
 * A {@linkcode MemoryReactor} with a deterministic {@linkcode Clock} for
 * time (Twisted's `MemoryReactorClock`): a complete fake {@linkcode IReactor}.
 * Move time with {@linkcode MemoryReactorClock.advance};
 * `callFromThread` schedules at the current time (run by the next `advance`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const reactor = new MemoryReactorClock();
 * let fired = false;
 * reactor.callLater(5, () => { fired = true; });
 * reactor.advance(5);
 * assert.ok(fired);
 * assert.equal(reactor.seconds(), 5);
 * ```
 */
export class MemoryReactorClock extends MemoryReactor implements IReactor {
  /** The clock behind `seconds`, `callLater` and `advance`. */
  readonly clock: Clock = new Clock();

  /** The current fake time, in seconds. */
  get rightNow(): number {
    return this.clock.rightNow;
  }

  /** The current fake time, in seconds. */
  seconds(): number {
    return this.clock.seconds();
  }

  /** Schedule `fn(...args)` `delay` seconds from now on the fake clock. */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }

  /** Every pending call. */
  getDelayedCalls(): IDelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /** Move time forward by `amount` seconds, running what becomes due. */
  advance(amount: number): void {
    this.clock.advance(amount);
  }

  /** Advance by each amount in turn. */
  pump(timings: Iterable<number>): void {
    this.clock.pump(timings);
  }

  /** Schedule `fn(...args)` at the current time (it runs on the next `advance`). */
  // deno-lint-ignore no-explicit-any
  callFromThread<A extends any[]>(fn: (...args: A) => unknown, ...args: A): void {
    this.clock.callLater(0, fn, ...args);
  }
}

/**
 * A fake reactor whose listen calls throw `listenError` and connect calls
 * throw `connectError` (Twisted's `RaisingMemoryReactor`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Factory, Protocol } from "@skein/skein/protocols";
 * import { CannotListenError } from "@skein/skein/reactor";
 * import { RaisingMemoryReactor } from "@skein/skein/testing";
 * const r = new RaisingMemoryReactor({ listenError: new CannotListenError("", 80, new Error("EACCES")) });
 * assert.throws(() => r.listenTCP(80, Factory.forProtocol(Protocol)), CannotListenError);
 * ```
 */
export class RaisingMemoryReactor implements IReactorTCP, IReactorUNIX {
  #listenError: unknown;
  #connectError: unknown;

  /** Build a reactor that throws the given errors. */
  constructor(options: { listenError?: unknown; connectError?: unknown; } = {}) {
    this.#listenError = options.listenError ?? new Error("RaisingMemoryReactor: listen");
    this.#connectError = options.connectError ?? new Error("RaisingMemoryReactor: connect");
  }
  /** Throws the listen error. */
  listenTCP(
    _port: number,
    _factory: IProtocolFactory,
    _options?: ListenTCPOptions,
  ): IListeningPort<IPAddress> {
    throw this.#listenError;
  }
  /** Throws the connect error. */
  connectTCP(
    _host: string,
    _port: number,
    _factory: IClientFactory,
    _options?: ConnectTCPOptions,
  ): IConnector {
    throw this.#connectError;
  }
  /** Throws the listen error. */
  listenUNIX(
    _path: string,
    _factory: IProtocolFactory,
    _options?: ListenUNIXOptions,
  ): IListeningPort<UNIXAddress> {
    throw this.#listenError;
  }
  /** Throws the connect error. */
  connectUNIX(_path: string, _factory: IClientFactory, _options?: ConnectUNIXOptions): IConnector {
    throw this.#connectError;
  }
}
