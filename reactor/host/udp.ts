/**
 * UDP for the host backend over `node:dgram`: Twisted's `udp.Port` (with the
 * multicast methods of `udp.MulticastPort`).
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as net from "node:net";
import { constants as osConstants, networkInterfaces } from "node:os";
import { Deferred, fail, succeed } from "../../deferred/deferred.ts";
import { Failure } from "../../deferred/failure.ts";
import type {
  IDatagramProtocol,
  IPAddress,
  IUDPTransport,
  ListenUDPOptions,
} from "../../interfaces.ts";
import * as log from "../../log/log.ts";
import { logPrefixOf } from "../_log_prefix.ts";
import { PendingStop } from "../_pending_stop.ts";
import {
  checkPacketSize,
  listenUDPArgs,
  notBytes,
  udpConnectArgs,
  udpWriteTarget,
} from "../_validate.ts";
import {
  CannotListenError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
  SystemCallError,
} from "../errors.ts";
import type { NodeError } from "./_common.ts";
import { ipAddress, systemError } from "./_common.ts";
import type { HostReactorLike, HostSelectable } from "./types.ts";

const ENCODER = new TextEncoder();
const EMPTY_ITEM: [Uint8Array, string | null, number] = [new Uint8Array(0), null, 0];

/**
 * Addresses given to this port are IP literals (checked before use), so the
 * lookup `node:dgram` insists on can answer at once; on runtimes whose
 * `dgram` honours it (Node, Deno) that makes `bind` synchronous.
 */
function literalLookup(
  host: string,
  options: unknown,
  callback?: (err: Error | null, address: string, family: number) => void,
): void {
  const cb = (typeof options === "function" ? options : callback) as (
    err: Error | null,
    address: string,
    family: number,
  ) => void;
  const family = net.isIP(host);
  if (family === 0) {
    const e = new InvalidAddressError(`${host}: not an IPv4 or IPv6 address`);
    cb(e, host, 4);
    return;
  }
  cb(null, host, family);
}

let broadcastAddresses: Set<string> | null = null;

/**
 * The IPv4 broadcast addresses of this host's interfaces (plus the limited
 * broadcast address), so a broadcast write without `setBroadcastAllowed`
 * fails at the call with EACCES, as `sendto` does for Twisted. Where the
 * interface list is not readable (Deno without --allow-sys), only
 * 255.255.255.255 is known; the kernel still refuses the others, later.
 */
function isBroadcast(host: string): boolean {
  if (host === "255.255.255.255") return true;
  if (broadcastAddresses === null) {
    broadcastAddresses = new Set();
    try {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) {
          if (a.family !== "IPv4" && (a.family as unknown) !== 4) continue;
          const ip = a.address.split(".").map(Number);
          const mask = a.netmask.split(".").map(Number);
          if (ip.length !== 4 || mask.length !== 4) continue;
          broadcastAddresses.add(ip.map((b, i) => (b | (~mask[i] & 0xff)) & 0xff).join("."));
        }
      }
    } catch {
      // not allowed to list interfaces
    }
  }
  return broadcastAddresses.has(host);
}

/** Largest UDP payload for the family (65535 minus the IP and UDP headers). */
function maxDatagram(family: 4 | 6): number {
  return family === 6 ? 65527 : 65507;
}

/**
 * A UDP port on the host backend (Twisted's `udp.Port`), returned by
 * `HostReactor.listenUDP`: it delivers datagrams to the protocol's
 * `datagramReceived(data, [host, port])` (truncated to `maxPacketSize`) and
 * sends with `write(data, [host, port])`, or `write(data)` once `connect()`ed.
 *
 * Binding: on Deno, `bind` completes inside `listenUDP`, so `getHost()`
 * knows the real port at once, as with Twisted. On Bun the kernel bind also
 * happens inside `listenUDP` (a failure such as EADDRINUSE throws
 * `CannotListenError` at the call on both runtimes), but Bun's `dgram` hands
 * the bound socket over in a promise callback (`Bun.udpSocket(...).then`),
 * and no `node:dgram` call reads the address before that. So on Bun, for a
 * port asked for as 0, `getHost()` reads port 0 until `whenListening()` fires (a
 * microtask later: `await port.whenListening()` is enough); an explicit port
 * is known at once. Writes and socket options given meanwhile are queued
 * and applied in order once bound. Should a runtime report a bind failure
 * late, `whenListening()` fails with `CannotListenError` and it is logged.
 *
 * Connected UDP: Bun reports ICMP port-unreachable, which calls the
 * protocol's `connectionRefused()` as in Twisted; Deno's `dgram` does not
 * report it (no error reaches `node:dgram`), so `connectionRefused()` is
 * never called there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, HostUDPPort } from "@skein/skein/reactor";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor("host");
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * let got = "";
 * class Ping extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array): void {
 *     got = new TextDecoder().decode(data);
 *     Promise.all([server.stopListening(), client.stopListening()]).then(() => reactor.stop());
 *   }
 * }
 * const server = reactor.listenUDP(0, new Echo(), { interface: "127.0.0.1" });
 * assert.ok(server instanceof HostUDPPort);
 * const client = reactor.listenUDP(0, new Ping(), { interface: "127.0.0.1" });
 * server.whenListening().addCallback((addr) => client.write("ping", ["127.0.0.1", addr.port]));
 * await reactor.run();
 * assert.equal(got, "ping");
 * ```
 */
export class HostUDPPort implements IUDPTransport, HostSelectable {
  /** The reactor. */
  readonly reactor: HostReactorLike;
  /** The port asked for (0 = any free one). */
  readonly port: number;
  /** The protocol datagrams go to. */
  readonly protocol: IDatagramProtocol;
  /** The interface asked for (`""` = all IPv4 interfaces). */
  readonly interface: string;
  /** Datagrams longer than this are truncated on receipt. */
  maxPacketSize: number;
  /** True while the port is open. */
  connected: boolean = false;

  #family: 4 | 6 = 4;
  #socket: dgram.Socket | null = null;
  #host: IPAddress | null = null;
  /** True once the socket is bound and usable (options, sends). */
  #bound = false;
  #bindError: Error | null = null;
  #waiters: Deferred<IPAddress>[] = [];
  #whenBound: Array<() => void> = [];
  #connectedAddr: [string, number] | null = null;
  #socketConnected = false;
  /** Datagrams not handed to the socket yet: [bytes, host or null (connected), port]. */
  #out: Array<[Uint8Array, string | null, number]> = [];
  #outHead = 0;
  #inFlight = false;
  #broadcast = false;
  #ttl = 1;
  #loopback = true;
  #outgoingInterface = "";
  readonly #stop: PendingStop = new PendingStop();
  /** False from `stopListening()` on: no datagram is delivered after it. */
  #reading = false;

  /** A port on `port`; call `startListening()` (the reactor does). */
  constructor(
    reactor: HostReactorLike,
    port: number,
    protocol: IDatagramProtocol,
    options: ListenUDPOptions = {},
  ) {
    const args = listenUDPArgs(port, options);
    this.reactor = reactor;
    this.port = args.port;
    this.protocol = protocol;
    this.interface = args.interface;
    this.maxPacketSize = args.maxPacketSize;
  }

  /** Bind, then connect the protocol. Throws `CannotListenError`. */
  startListening(): void {
    if (this.connected) return;
    const iface = this.interface;
    const host = iface === "" ? "0.0.0.0" : iface;
    this.#family = net.isIPv6(host) ? 6 : 4;
    const socket = dgram.createSocket({
      type: this.#family === 6 ? "udp6" : "udp4",
      lookup: literalLookup as unknown as dgram.SocketOptions["lookup"],
    });
    let early: Error | null = null;
    const onBindError = (e: Error): void => {
      early = e;
    };
    socket.on("error", onBindError);
    socket.once("listening", this.#onListening);
    // Before bind: Deno starts its first receive at bind time, and only a
    // receive started after unref() stops holding the process open.
    socket.unref();
    this.#socket = socket;
    try {
      socket.bind({ port: this.port, address: host });
    } catch (e) {
      early = e instanceof Error ? e : new Error(String(e));
    }
    socket.off("error", onBindError);
    if (early !== null) {
      this.#socket = null;
      this.#host = null;
      this.#bound = false;
      socket.off("listening", this.#onListening);
      try {
        socket.close();
      } catch {
        // never bound
      }
      throw new CannotListenError(iface, this.port, systemError(early, "bind"));
    }
    socket.on("error", this.#onError);
    socket.on("message", this.#onMessage);
    // Bound but not yet readable (Bun): an explicit port is known already;
    // getsockname refines it (e.g. the canonical IPv6 text) once bound.
    if (this.#host === null && this.port !== 0) this.#host = ipAddress("UDP", host, this.port);
    this.connected = true;
    this.#reading = true;
    this.reactor.addSelectable(this);
    const h = this.#host;
    if (h !== null) log.msg(`${logPrefixOf(this.protocol)} starting on ${h.port}`);
    this.protocol.makeConnection(this);
  }

  readonly #onListening = (): void => {
    const socket = this.#socket;
    if (socket === null || this.#bound) return;
    const known = this.#host !== null;
    try {
      const a = socket.address();
      this.#host = ipAddress("UDP", a.address, a.port);
      this.#bound = true;
      // Bound asynchronously (Bun): startListening could log only a known port.
      if (this.connected && !known) log.msg(`${logPrefixOf(this.protocol)} starting on ${a.port}`);
    } catch (e) {
      this.#bindError = systemError(e, "getsockname");
    }
    if (!this.connected) return; // synchronous bind: startListening carries on
    const fns = this.#whenBound;
    this.#whenBound = [];
    for (const fn of fns) {
      try {
        fn();
      } catch (e) {
        log.err(e, "UDP socket option");
      }
    }
    this.#pump();
    this.#fireWaiters();
  };

  #fireWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const d of waiters) {
      if (this.#bound && this.#host !== null) d.callback(this.#host);
      else {d.errback(
          new Failure(this.#bindError ?? new Error("UDP port closed before it was bound")),
        );}
    }
  }

  readonly #onMessage = (msg: Uint8Array, rinfo: dgram.RemoteInfo): void => {
    if (!this.#reading) return;
    const c = this.#connectedAddr;
    // Deno's dgram "connects" in user space only: filter as the kernel would.
    if (c !== null && (rinfo.port !== c[1] || rinfo.address !== c[0])) return;
    // A plain Uint8Array view (no copy), truncated as recvfrom(maxPacketSize) would.
    const data = new Uint8Array(
      msg.buffer,
      msg.byteOffset,
      Math.min(msg.byteLength, this.maxPacketSize),
    );
    try {
      this.protocol.datagramReceived(data, [rinfo.address, rinfo.port]);
    } catch (e) {
      log.err(e, undefined, { system: this.logPrefix() });
    }
  };

  readonly #onError = (e: NodeError): void => {
    if (!this.connected) return;
    if (e.code === "ECONNREFUSED") {
      // ICMP port unreachable: meaningful only on a connected port (Twisted).
      if (this.#connectedAddr !== null) {
        try {
          this.protocol.connectionRefused?.();
        } catch (err) {
          log.err(err, undefined, { system: this.logPrefix() });
        }
      }
      return;
    }
    if (!this.#bound) {
      // An asynchronous bind failed (a runtime that reports it late).
      const err = new CannotListenError(this.interface, this.port, systemError(e, "bind"));
      this.#bindError = err;
      log.err(err, "listenUDP failed");
      this.#fireWaiters();
      this.connectionLost(new Failure(err));
      return;
    }
    if (e.code === "EMSGSIZE") {
      log.err(new MessageLengthError("message too long"), undefined, { system: this.logPrefix() });
      return;
    }
    log.err(systemError(e, "send"), "UDP socket error", { system: this.logPrefix() });
  };

  /**
   * Fires with the bound address once the socket is bound (at once on Deno,
   * a microtask after `listenUDP` on Bun), or fails with `CannotListenError`.
   */
  whenListening(): Deferred<IPAddress> {
    if (this.#bound && this.#host !== null) return succeed(this.#host);
    if (this.#bindError !== null) return fail(this.#bindError);
    if (!this.connected) return fail(new Error("UDP port is not listening"));
    const d = new Deferred<IPAddress>();
    this.#waiters.push(d);
    return d;
  }

  #afterBind(fn: () => void): void {
    if (this.#bound) fn();
    else this.#whenBound.push(fn);
  }

  /**
   * Send one datagram: to `addr`, or to the connected peer when omitted.
   * Throws `InvalidAddressError` for a host name or a family mismatch and
   * `MessageLengthError` for a datagram too long for UDP.
   */
  write(data: Uint8Array | string, addr?: [string, number]): void {
    const socket = this.#socket;
    if (!this.connected || socket === null) return;
    if (typeof data !== "string" && !(data instanceof Uint8Array)) throw notBytes(data);
    const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
    if (bytes.byteLength > maxDatagram(this.#family)) {
      throw new MessageLengthError("message too long");
    }
    const target = udpWriteTarget(addr, this.#connectedAddr, this.#family);
    if (target === null) {
      this.#out.push([bytes, null, 0]);
      this.#pump();
      return;
    }
    const host = target.host;
    const fam = this.#family;
    if (fam === 4 && !this.#broadcast && isBroadcast(host)) {
      throw new SystemCallError(
        "sendto",
        (osConstants.errno as Record<string, number | undefined>).EACCES ?? 13,
        "EACCES",
        `${host} is a broadcast address: call setBroadcastAllowed(true) first`,
      );
    }
    this.#out.push([bytes, host, target.port]);
    this.#pump();
  }

  /**
   * Connect to `host:port` (an IP address): only its datagrams are received,
   * and `write(data)` needs no address. Connecting twice throws, as in Twisted.
   */
  connect(host: string, port: number): void {
    if (this.#connectedAddr !== null) {
      throw new Error("already connected; reconnecting is not supported");
    }
    udpConnectArgs(host, port);
    this.#connectedAddr = [host, port];
    this.#afterBind(() => {
      const socket = this.#socket;
      if (socket === null) return;
      socket.connect(port, host, () => {
        this.#socketConnected = true;
        this.#pump();
      });
    });
  }

  /**
   * Hand queued datagrams to the socket one at a time, in order. (Deno's
   * `dgram` sends a burst of sends in reverse order; Twisted's `sendto` keeps
   * the order, so the next send waits for the previous one to complete.)
   */
  #pump(): void {
    const socket = this.#socket;
    if (this.#inFlight || socket === null || !this.#bound) return;
    const q = this.#out;
    if (this.#outHead >= q.length) return;
    const [bytes, host, port] = q[this.#outHead];
    if (host === null && !this.#socketConnected) return; // waits for connect()
    q[this.#outHead++] = EMPTY_ITEM;
    if (this.#outHead === q.length) {
      this.#out = [];
      this.#outHead = 0;
    }
    this.#inFlight = true;
    try {
      if (host === null) socket.send(bytes, this.#onSent);
      else socket.send(bytes, port, host, this.#onSent);
    } catch (e) {
      this.#inFlight = false;
      log.err(systemError(e, "send"), "UDP send", { system: this.logPrefix() });
      queueMicrotask(() => this.#pump());
    }
  }

  readonly #onSent = (err: Error | null): void => {
    this.#inFlight = false;
    if (err) this.#onError(err as NodeError);
    this.#pump();
  };

  /**
   * The bound address (the real port when 0 was asked for). Never throws: on
   * Bun, a port asked for as 0 reads as the requested address (port 0) until
   * `whenListening()` has fired.
   */
  getHost(): IPAddress {
    return this.#host
      ?? ipAddress("UDP", this.interface === "" ? "0.0.0.0" : this.interface, this.port);
  }

  /** Stop listening; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void> {
    this.#reading = false; // Twisted stops reading at once; the socket closes next iteration
    return this.#stop.request(
      this.connected,
      this.reactor,
      () => this.connectionLost(new Failure(new Error("stopListening"))),
    );
  }

  /** Twisted's name for `stopListening`. */
  loseConnection(): Deferred<void> {
    return this.stopListening();
  }

  /** Stop the protocol and close the socket (also at reactor shutdown). */
  connectionLost(_reason: Failure): void {
    const fire = this.#stop.beginClose(this.connected);
    if (fire === null) return;
    this.connected = false;
    this.#reading = false;
    this.reactor.removeSelectable(this);
    const port = this.#host?.port ?? this.port;
    log.msg(`(UDP Port ${port} Closed)`);
    let error: unknown = null;
    try {
      this.protocol.doStop();
    } catch (e) {
      error = e;
    }
    const socket = this.#socket;
    this.#socket = null;
    this.#out = [];
    this.#outHead = 0;
    const finish = (): void => {
      if (fire(error) === 0 && error !== null) log.err(error, "Error in protocol.doStop");
    };
    if (socket === null) {
      finish();
      return;
    }
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      finish();
    };
    try {
      socket.close(once);
    } catch {
      once();
    }
    this.#fireWaiters();
  }

  /** Change the largest datagram delivered (longer ones are truncated). */
  setMaxPacketSize(size: number): void {
    checkPacketSize(size, "setMaxPacketSize");
    this.maxPacketSize = size;
  }

  /** Allow sending to broadcast addresses. */
  setBroadcastAllowed(enabled: boolean): void {
    this.#broadcast = !!enabled;
    this.#afterBind(() => this.#socket?.setBroadcast(this.#broadcast));
  }

  /** Whether sending to broadcast addresses is allowed. */
  getBroadcastAllowed(): boolean {
    return this.#broadcast;
  }

  /** Join a multicast group (on `iface`, an interface address; default: any). */
  joinGroup(addr: string, iface?: string): Deferred<void> {
    return this.#membership(addr, iface, true);
  }

  /** Leave a multicast group. */
  leaveGroup(addr: string, iface?: string): Deferred<void> {
    return this.#membership(addr, iface, false);
  }

  #membership(addr: string, iface: string | undefined, join: boolean): Deferred<void> {
    const d = new Deferred<void>();
    this.#afterBind(() => {
      const socket = this.#socket;
      try {
        if (socket === null) throw new Error("the port is closed");
        const i = iface === undefined || iface === "" ? undefined : iface;
        if (join) socket.addMembership(addr, i);
        else socket.dropMembership(addr, i);
      } catch (e) {
        d.errback(
          new Failure(
            new MulticastJoinError(
              `${join ? "joinGroup" : "leaveGroup"}(${addr}${iface ? `, ${iface}` : ""}): ${
                (e as Error).message ?? String(e)
              }`,
              { cause: e },
            ),
          ),
        );
        return;
      }
      d.callback(undefined);
    });
    return d;
  }

  /** Multicast TTL for outgoing datagrams. */
  setTTL(ttl: number): void {
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) {
      throw new RangeError(`setTTL: the TTL must be an integer from 0 to 255, got ${ttl}`);
    }
    this.#ttl = ttl;
    this.#afterBind(() => this.#socket?.setMulticastTTL(ttl));
  }

  /** The multicast TTL (default 1). */
  getTTL(): number {
    return this.#ttl;
  }

  /** Whether our own multicast datagrams loop back to us. */
  setLoopbackMode(mode: boolean): void {
    this.#loopback = !!mode;
    this.#afterBind(() => this.#socket?.setMulticastLoopback(this.#loopback));
  }

  /** The multicast loopback mode (default true). */
  getLoopbackMode(): boolean {
    return this.#loopback;
  }

  /** Send multicast datagrams through the interface with address `addr`. */
  setOutgoingInterface(addr: string): Deferred<void> {
    const d = new Deferred<void>();
    this.#afterBind(() => {
      try {
        this.#socket?.setMulticastInterface(addr);
        this.#outgoingInterface = addr;
      } catch (e) {
        d.errback(new Failure(e));
        return;
      }
      d.callback(undefined);
    });
    return d;
  }

  /** The outgoing multicast interface set with `setOutgoingInterface` (`""` = default). */
  getOutgoingInterface(): string {
    return this.#outgoingInterface;
  }

  /** The protocol's name, for log lines. */
  logPrefix(): string {
    return logPrefixOf(this.protocol);
  }

  /** `<HostUDPPort of Protocol on 9999>`. */
  toString(): string {
    const p = this.#host?.port;
    return `<HostUDPPort of ${logPrefixOf(this.protocol)} on ${p ?? "(not bound)"}>`;
  }
}
