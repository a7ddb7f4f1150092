/**
 * Datagram protocols: Twisted's `AbstractDatagramProtocol` and
 * `DatagramProtocol` (from `twisted/internet/protocol.py`), the UDP
 * counterpart of `Protocol`.
 *
 * @example A UDP echo, driven by a MemoryReactor
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import { MemoryReactor } from "@skein/skein/testing";
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * const reactor = new MemoryReactor();
 * const echo = new Echo();
 * echo.noisy = false;
 * reactor.listenUDP(0, echo);
 * assert.equal(reactor.udpPorts[0][1], echo);
 * ```
 *
 * @module
 */

import type { IDatagramProtocol, IUDPTransport } from "../interfaces.ts";
import { msgWith } from "../log/log.ts";

/**
 * The base of datagram protocols: Twisted's `AbstractDatagramProtocol`. A
 * port calls `makeConnection(port)` as it starts (which calls `doStart()`)
 * and `doStop()` as it stops; the first start runs `startProtocol()` and the
 * last stop `stopProtocol()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AbstractDatagramProtocol } from "@skein/skein/protocols";
 *
 * class Sink extends AbstractDatagramProtocol {
 *   started = 0;
 *   override startProtocol(): void {
 *     this.started++;
 *   }
 * }
 * const sink = new Sink();
 * sink.noisy = false;
 * sink.doStart();
 * sink.doStart();
 * assert.equal(sink.started, 1);
 * assert.equal(sink.numPorts, 2);
 * ```
 */
export class AbstractDatagramProtocol {
  /** The port, set by `makeConnection`; null when not bound. */
  transport: IUDPTransport | null = null;
  /** How many ports are using this protocol. */
  numPorts: number = 0;
  /** Log "Starting protocol"/"Stopping protocol". */
  noisy: boolean = true;

  /** Called by `makeConnection`; do not call it yourself. */
  doStart(): void {
    if (this.numPorts === 0) {
      this.#log(`Starting protocol ${this.toString()}`);
      this.startProtocol();
    }
    this.numPorts += 1;
  }

  /** Called by the port as it stops; do not call it yourself. */
  doStop(): void {
    if (this.numPorts <= 0) {
      throw new Error(`${this.constructor.name}.doStop() called more often than doStart()`);
    }
    this.numPorts -= 1;
    this.transport = null;
    if (this.numPorts === 0) {
      this.#log(`Stopping protocol ${this.toString()}`);
      this.stopProtocol();
    }
  }

  /** The transport is ready (runs once, even with several ports). */
  startProtocol(): void {}

  /** The last port stopped. */
  stopProtocol(): void {}

  /** Attach the port and start the protocol. Throws if a transport is already attached. */
  makeConnection(transport: IUDPTransport): void {
    if (this.transport !== null) {
      throw new Error(
        `${this.constructor.name} is already attached to a transport; `
          + "use one protocol instance per port",
      );
    }
    this.transport = transport;
    this.doStart();
  }

  /** A datagram arrived from `addr` (`[host, port]`). The default discards it. */
  datagramReceived(_data: Uint8Array, _addr: [string, number]): void {}

  /** `<ClassName>`, for log lines. */
  toString(): string {
    return `<${this.constructor.name}>`;
  }

  #log(text: string): void {
    if (this.noisy) msgWith({ system: this.constructor.name }, text);
  }
}

/**
 * A UDP protocol: Twisted's `DatagramProtocol`.
 *
 * @example Answering each datagram
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { FakeDatagramTransport } from "@skein/skein/testing";
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * const port = new FakeDatagramTransport(new IPv4Address("UDP", "127.0.0.1", 5353));
 * const echo = new Echo();
 * echo.noisy = false;
 * echo.makeConnection(port);
 * echo.datagramReceived(new TextEncoder().encode("ping"), ["127.0.0.1", 4000]);
 * assert.deepEqual(port.written.map(([d, a]) => [new TextDecoder().decode(d), a]), [
 *   ["ping", ["127.0.0.1", 4000]],
 * ]);
 * ```
 *
 * @example A ping and its echo over loopback UDP
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatagramProtocol } from "@skein/skein/protocols";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * class Echo extends DatagramProtocol {
 *   override datagramReceived(data: Uint8Array, addr: [string, number]): void {
 *     this.transport!.write(data, addr);
 *   }
 * }
 * class Pinger extends DatagramProtocol {
 *   got = "";
 *   override datagramReceived(data: Uint8Array): void {
 *     this.got = new TextDecoder().decode(data);
 *     reactor.stop();
 *   }
 * }
 * const reactor = createReactor();
 * const echo = new Echo();
 * const pinger = new Pinger();
 * echo.noisy = pinger.noisy = false;
 * const server = reactor.listenUDP(0, echo, { interface: "127.0.0.1" });
 * const client = reactor.listenUDP(0, pinger, { interface: "127.0.0.1" });
 * reactor.callWhenRunning(async () => {
 *   // whenListening(): some runtimes learn a port-0 address a moment later.
 *   const { port } = await server.whenListening();
 *   client.write("ping", ["127.0.0.1", port]);
 * });
 * reactor.addSystemEventTrigger("before", "shutdown", async () => {
 *   await server.stopListening();
 *   await client.stopListening();
 * });
 * await reactor.run();
 * assert.equal(pinger.got, "ping");
 * ```
 */
export class DatagramProtocol extends AbstractDatagramProtocol implements IDatagramProtocol {
  /** The name used in log lines: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }

  /**
   * A connected UDP port got ICMP port-unreachable for an earlier write
   * (ECONNREFUSED). The default does nothing.
   */
  connectionRefused(): void {}
}
