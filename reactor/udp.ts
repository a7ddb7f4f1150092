/**
 * UDP over raw sockets through FFI: Twisted's `twisted/internet/udp.py`
 * (`Port` + `MulticastMixin`), made by `listenUDP`.
 *
 * @module
 */

import { type Deferred, fail, succeed } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IDatagramProtocol,
  IPAddress,
  IReadWriteDescriptor,
  IUDPTransport,
  ListenUDPOptions,
} from "../interfaces.ts";
import { err as logErr, msg as logMsg } from "../log/log.ts";
import { PendingStop } from "./_pending_stop.ts";
import { ReadInterest } from "./_read_interest.ts";
import {
  ADDR_BUF_SIZE,
  closeFd,
  decode,
  encodeIP,
  ENCODER,
  ERRNO as E,
  getIntOpt,
  getSockName,
  isIPv4Address,
  isIPv6Address,
  lastError,
  lib,
  notBytes,
  openSocket,
  setBytesOpt,
  setIntOpt,
  setIntOptOrThrow,
  SOCKET_CONSTANTS as K,
  sysError,
} from "./_socket.ts";
import { checkPacketSize, listenUDPArgs, udpConnectArgs, udpWriteTarget } from "./_validate.ts";
import type { FDReactor } from "./abstract.ts";
import { IPv4Address, IPv6Address } from "./address.ts";
import {
  CannotListenError,
  InvalidAddressError,
  MessageLengthError,
  MulticastJoinError,
} from "./errors.ts";
import type { Libc } from "./ffi/types.ts";

/** Bytes one readiness event may read before yielding (Twisted's `maxThroughput`). */
const MAX_THROUGHPUT = 256 * 1024;
/** Datagrams one readiness event may read. */
const MAX_DATAGRAMS = 256;

/**
 * A bound UDP socket: Twisted's `udp.Port` with multicast support. Delivers
 * each datagram to `protocol.datagramReceived(data, [host, port])`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, UDPPort } from "@skein/skein/reactor";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 *
 * const reactor = createReactor();
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
 * assert.ok(server instanceof UDPPort);
 * const client = reactor.listenUDP(0, new Ping(), { interface: "127.0.0.1" });
 * server.whenListening().addCallback((addr) => client.write("ping", ["127.0.0.1", addr.port]));
 * await reactor.run();
 * assert.equal(got, "ping");
 * ```
 */
export class UDPPort implements IUDPTransport, IReadWriteDescriptor {
  /** The reactor the port registers with. */
  readonly reactor: FDReactor;
  /** The port asked for (0 = any). */
  readonly port: number;
  /** The protocol datagrams go to. */
  readonly protocol: IDatagramProtocol;
  /** The interface asked for (`""` = all IPv4). */
  readonly interface: string;
  /** The largest datagram received (longer ones are truncated by the kernel). */
  maxPacketSize: number;
  /** The socket, or -1. */
  fd: number = -1;
  /** True while bound. */
  connected: boolean = false;
  readonly #family: number;
  readonly #kind: "INET" | "INET6";
  #host: IPv4Address | IPv6Address | null = null;
  #connectedAddr: [string, number] | null = null;
  readonly #reading: ReadInterest;
  #buf: Uint8Array;
  readonly #addrBuf = new Uint8Array(ADDR_BUF_SIZE);
  readonly #addrLen = new Uint32Array(1);
  readonly #stop: PendingStop = new PendingStop();
  #outgoingInterface = "";
  #L: Libc | null = null;

  /** Prepare a port; `startListening()` binds it. */
  constructor(
    reactor: FDReactor,
    port: number,
    protocol: IDatagramProtocol,
    options?: ListenUDPOptions,
  ) {
    const args = listenUDPArgs(port, options);
    this.reactor = reactor;
    this.#reading = new ReadInterest(reactor, this);
    this.port = args.port;
    this.protocol = protocol;
    this.interface = args.interface;
    this.maxPacketSize = args.maxPacketSize;
    this.#buf = new Uint8Array(args.maxPacketSize);
    this.#family = this.interface.includes(":") ? K.AF_INET6 : K.AF_INET;
    this.#kind = this.#family === K.AF_INET6 ? "INET6" : "INET";
  }

  /** Bind the socket, attach the protocol, start reading. Throws `CannotListenError`. */
  startListening(): void {
    if (this.connected) return;
    const l = this.#L = lib();
    let fd = -1;
    try {
      fd = openSocket(this.#family, K.SOCK_DGRAM);
      const sa = encodeIP(this.#family, this.interface, this.port);
      if (l.bind(fd, sa, sa.byteLength) < 0) throw lastError("bind");
      const h = getSockName(fd);
      this.#host = h.family === "INET6"
        ? new IPv6Address("UDP", h.host, h.port, h.flowInfo, h.scopeID)
        : new IPv4Address(
          "UDP",
          h.family === "INET" ? h.host : "",
          h.family === "INET" ? h.port : 0,
        );
    } catch (e) {
      closeFd(fd);
      throw new CannotListenError(
        this.interface,
        this.port,
        e instanceof Error ? e : new Error(String(e)),
      );
    }
    this.fd = fd;
    this.connected = true;
    logMsg(`${this.logPrefix()} starting on ${this.#host!.port}`);
    this.protocol.makeConnection(this);
    this.#reading.start();
  }

  /** The socket's fd (-1 when closed). */
  fileno(): number {
    return this.fd;
  }

  /** The protocol's name, for log lines. */
  logPrefix(): string {
    const p = this.protocol as { logPrefix?: () => string; };
    return typeof p.logPrefix === "function" ? p.logPrefix() : this.protocol.constructor.name;
  }

  /** Read the waiting datagrams (bounded per call) and deliver each. */
  doRead(): Error | null {
    const l = this.#L!;
    let read = 0;
    // Stop early when the protocol stopped the port from datagramReceived.
    for (let i = 0; i < MAX_DATAGRAMS && read < MAX_THROUGHPUT && this.#reading.on; i++) {
      this.#addrLen[0] = ADDR_BUF_SIZE;
      const buf = this.#buf;
      const n = l.recvfrom(this.fd, buf, buf.byteLength, 0, this.#addrBuf, this.#addrLen);
      if (n < 0) {
        const err = l.errno();
        if (err === E.EAGAIN || err === E.EINTR) return null;
        if (err === E.ECONNREFUSED) {
          if (this.#connectedAddr !== null) this.#callConnectionRefused();
          return null;
        }
        logErr(sysError(err, "recvfrom"), "UDP read failed", { system: this.logPrefix() });
        return null;
      }
      read += n;
      let addr: [string, number];
      try {
        const sa = decode(this.#addrBuf, this.#addrLen[0]);
        addr = sa.family === "UNIX" ? ["", 0] : [sa.host, sa.port];
      } catch {
        addr = ["", 0];
      }
      try {
        this.protocol.datagramReceived(buf.slice(0, n), addr);
      } catch (e) {
        logErr(e, "Unhandled error in datagramReceived", { system: this.logPrefix() });
      }
    }
    return null;
  }

  /** Tell the protocol about ECONNREFUSED on a connected port. */
  #callConnectionRefused(): void {
    const p = this.protocol;
    if (typeof p.connectionRefused === "function") {
      try {
        p.connectionRefused();
      } catch (e) {
        logErr(e, "Unhandled error in connectionRefused", { system: this.logPrefix() });
      }
    }
  }

  /** UDP ports never wait for writability. */
  doWrite(): Error | null {
    return null;
  }

  /**
   * Send one datagram to `addr`, or to the connected peer. Throws
   * `MessageLengthError` when it is too long, `InvalidAddressError` for a host
   * name or the wrong family. A datagram the kernel has no room for is dropped
   * (UDP's usual loss).
   */
  write(data: Uint8Array | string, addr?: [string, number]): void {
    if (this.fd < 0) return;
    const bytes = typeof data === "string" ? ENCODER.encode(data) : data;
    if (!(bytes instanceof Uint8Array)) throw notBytes(data);
    const l = this.#L!;
    const target = udpWriteTarget(addr, this.#connectedAddr, this.#family === K.AF_INET6 ? 6 : 4);
    if (target === null) {
      for (;;) {
        if (l.send(this.fd, bytes, bytes.byteLength, 0) >= 0) return;
        const err = l.errno();
        if (err === E.EINTR) continue;
        if (err === E.EMSGSIZE) throw new MessageLengthError("message too long");
        if (err === E.ECONNREFUSED) {
          this.#callConnectionRefused();
          return;
        }
        if (err === E.EAGAIN || err === E.ENOBUFS) return;
        throw sysError(err, "send");
      }
    }
    const { host, port } = target;
    const sa = encodeIP(this.#family, host, port);
    for (;;) {
      if (l.sendto(this.fd, bytes, bytes.byteLength, 0, sa, sa.byteLength) >= 0) return;
      const err = l.errno();
      if (err === E.EINTR) continue;
      if (err === E.EMSGSIZE) throw new MessageLengthError("message too long");
      if (err === E.ECONNREFUSED || err === E.EAGAIN || err === E.ENOBUFS) return;
      throw sysError(err, "sendto");
    }
  }

  /**
   * Connect to `host:port` (an IP literal): only its datagrams are received,
   * `write` needs no address, and ICMP port-unreachable calls
   * `protocol.connectionRefused()`.
   */
  connect(host: string, port: number): void {
    if (this.#connectedAddr !== null) {
      throw new Error("already connected; reconnecting is not supported");
    }
    udpConnectArgs(host, port);
    const sa = encodeIP(this.#family, host, port);
    if (this.#L!.connect(this.fd, sa, sa.byteLength) < 0) throw lastError("connect");
    this.#connectedAddr = [host, port];
  }

  /** The bound address. */
  getHost(): IPv4Address | IPv6Address {
    return this.#host ?? new IPv4Address("UDP", this.interface, this.port);
  }

  /** Fires with the bound address: at once, since FFI sockets bind synchronously. */
  whenListening(): Deferred<IPAddress> {
    if (!this.connected) return fail(new Error("UDP port is not listening"));
    return succeed(this.getHost());
  }

  /** Change the largest datagram that can be received. */
  setMaxPacketSize(size: number): void {
    checkPacketSize(size, "setMaxPacketSize");
    this.maxPacketSize = size;
    this.#buf = new Uint8Array(size);
  }

  /** Stop listening; the Deferred fires once the socket is closed. */
  stopListening(): Deferred<void> {
    this.#reading.stop();
    return this.#stop.request(this.connected, this.reactor, () => this.connectionLost());
  }

  /** Twisted's name for `stopListening` (without the Deferred). */
  loseConnection(): void {
    this.stopListening();
  }

  /** Close the socket and stop the protocol. */
  connectionLost(_reason?: Failure): void {
    if (!this.connected) return;
    logMsg(`(UDP Port ${this.#host?.port ?? this.port} Closed)`);
    this.#reading.stop();
    this.connected = false;
    closeFd(this.fd);
    this.fd = -1;
    try {
      this.protocol.doStop();
    } catch (e) {
      logErr(e, "Error in protocol.doStop", { system: this.logPrefix() });
    }
    this.#stop.done();
  }

  // -- broadcast and multicast ------------------------------------------------

  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  setBroadcastAllowed(enabled: boolean): void {
    setIntOptOrThrow(this.fd, K.SOL_SOCKET, K.SO_BROADCAST, enabled ? 1 : 0);
  }

  /** Whether SO_BROADCAST is on. */
  getBroadcastAllowed(): boolean {
    return getIntOpt(this.fd, K.SOL_SOCKET, K.SO_BROADCAST) !== 0;
  }

  /** Multicast TTL (IPv6: hop limit) of outgoing datagrams. */
  setTTL(ttl: number): void {
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) {
      throw new RangeError(`TTL must be an integer in 0..255, not ${ttl}`);
    }
    if (this.#kind === "INET6") {
      setIntOptOrThrow(this.fd, K.IPPROTO_IPV6, K.IPV6_MULTICAST_HOPS, ttl);
    } else setSmallOpt(this.fd, K.IPPROTO_IP, K.IP_MULTICAST_TTL, ttl);
  }

  /** Read back the multicast TTL. */
  getTTL(): number {
    return this.#kind === "INET6"
      ? getIntOpt(this.fd, K.IPPROTO_IPV6, K.IPV6_MULTICAST_HOPS)
      : getIntOpt(this.fd, K.IPPROTO_IP, K.IP_MULTICAST_TTL);
  }

  /** Whether our own multicast datagrams are looped back to us. */
  setLoopbackMode(mode: boolean): void {
    if (this.#kind === "INET6") {
      setIntOptOrThrow(this.fd, K.IPPROTO_IPV6, K.IPV6_MULTICAST_LOOP, mode ? 1 : 0);
    } else setSmallOpt(this.fd, K.IPPROTO_IP, K.IP_MULTICAST_LOOP, mode ? 1 : 0);
  }

  /** Read back the multicast loopback mode. */
  getLoopbackMode(): boolean {
    return (this.#kind === "INET6"
      ? getIntOpt(this.fd, K.IPPROTO_IPV6, K.IPV6_MULTICAST_LOOP)
      : getIntOpt(this.fd, K.IPPROTO_IP, K.IP_MULTICAST_LOOP)) !== 0;
  }

  /**
   * Send multicast datagrams through the interface with address `addr`
   * (IP_MULTICAST_IF; for an IPv6 port, an interface index as a string, "0"
   * for the default). Twisted's `setOutgoingInterface`.
   */
  setOutgoingInterface(addr: string): Deferred<void> {
    try {
      if (this.#kind === "INET6") {
        const index = Number(addr || "0");
        if (!Number.isInteger(index) || index < 0) {
          throw new InvalidAddressError(`${addr}: an IPv6 port takes an interface index`);
        }
        setIntOptOrThrow(this.fd, K.IPPROTO_IPV6, K.IPV6_MULTICAST_IF, index);
      } else {
        if (addr !== "" && !isIPv4Address(addr)) {
          throw new InvalidAddressError(`${addr}: the outgoing interface must be an IPv4 address`);
        }
        const sa = encodeIP(K.AF_INET, addr, 0);
        setBytesOpt(this.fd, K.IPPROTO_IP, K.IP_MULTICAST_IF, sa.slice(4, 8));
      }
      this.#outgoingInterface = addr;
    } catch (e) {
      return fail<void>(e);
    }
    return succeed<void>(undefined);
  }

  /** The interface set by `setOutgoingInterface` (`""` = the default). */
  getOutgoingInterface(): string {
    return this.#outgoingInterface;
  }

  /**
   * Join the multicast group `addr` on the interface with address `iface`
   * (default: any). Fails with `MulticastJoinError`.
   */
  joinGroup(addr: string, iface: string = ""): Deferred<void> {
    return this.#membership(addr, iface, true);
  }

  /** Leave the multicast group `addr`. */
  leaveGroup(addr: string, iface: string = ""): Deferred<void> {
    return this.#membership(addr, iface, false);
  }

  /** Resolve the group and interface, then join or leave. */
  #membership(addr: string, iface: string, join: boolean): Deferred<void> {
    const resolveIt = (name: string, family: 4 | 6): Deferred<string> =>
      isIPv4Address(name) || isIPv6Address(name) || name === ""
        ? succeed(name)
        : this.reactor.resolve(name, { family });
    const fam: 4 | 6 = this.#kind === "INET6" ? 6 : 4;
    return resolveIt(addr, fam).addCallback((group: string) =>
      resolveIt(iface, fam).addCallback((ifaceAddr: string) => {
        try {
          this.#setMembership(group, ifaceAddr, join);
        } catch (e) {
          return fail<void>(
            new MulticastJoinError(
              `${join ? "join" : "leave"} ${group} on ${ifaceAddr || "any"}: ${
                (e as Error).message
              }`,
            ),
          );
        }
        return succeed<void>(undefined);
      })
    ) as unknown as Deferred<void>;
  }

  /** IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (IPv6: IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP). */
  #setMembership(group: string, iface: string, join: boolean): void {
    if (this.#kind === "INET6") {
      // struct ipv6_mreq { in6_addr (16), unsigned int ifindex }
      const g = encodeIP(K.AF_INET6, group, 0);
      const mreq = new Uint8Array(20);
      mreq.set(g.subarray(8, 24), 0);
      setBytesOpt(this.fd, K.IPPROTO_IPV6, join ? K.IPV6_JOIN_GROUP : K.IPV6_LEAVE_GROUP, mreq);
      return;
    }
    // struct ip_mreq { in_addr group, in_addr interface }
    const g = encodeIP(K.AF_INET, group, 0);
    const i = encodeIP(K.AF_INET, iface, 0);
    const mreq = new Uint8Array(8);
    mreq.set(g.subarray(4, 8), 0);
    mreq.set(i.subarray(4, 8), 4);
    setBytesOpt(this.fd, K.IPPROTO_IP, join ? K.IP_ADD_MEMBERSHIP : K.IP_DROP_MEMBERSHIP, mreq);
  }

  /** `<UDPPort on 9999>`. */
  toString(): string {
    return this.connected ? `<UDPPort on ${this.getHost().port}>` : "<UDPPort (not listening)>";
  }
}

/** Set an IPv4 multicast option: an `int` on Linux, a `u_char` on the BSDs. */
function setSmallOpt(fd: number, level: number, name: number, value: number): void {
  if (setIntOpt(fd, level, name, value) === 0) return;
  const b = new Uint8Array([value & 0xff]);
  if (lib().setsockopt(fd, level, name, b, 1) < 0) throw lastError("setsockopt");
}
