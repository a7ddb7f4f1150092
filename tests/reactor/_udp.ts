/**
 * The datagram protocols the UDP suites (every reactor kind, and the host
 * reactor's own) run against: one that records what happens to it, and an
 * echo.
 */

import { DatagramProtocol } from "../../protocols/mod.ts";

/** A quiet DatagramProtocol recording datagrams (copied), refusals, and start/stop calls. */
export class Collector extends DatagramProtocol {
  /** Each datagram received, with its sender. */
  got: Array<[Uint8Array, [string, number]]> = [];
  /** connectionRefused calls. */
  refused = 0;
  /** startProtocol calls. */
  started = 0;
  /** stopProtocol calls. */
  stopped = 0;
  constructor() {
    super();
    this.noisy = false;
  }
  override startProtocol(): void {
    this.started++;
  }
  override stopProtocol(): void {
    this.stopped++;
  }
  override datagramReceived(data: Uint8Array, addr: [string, number]): void {
    this.got.push([data.slice(), addr]);
  }
  override connectionRefused(): void {
    this.refused++;
  }
}

/** A quiet DatagramProtocol writing each datagram back to its sender. */
export class EchoUDP extends DatagramProtocol {
  constructor() {
    super();
    this.noisy = false;
  }
  override datagramReceived(data: Uint8Array, addr: [string, number]): void {
    this.transport!.write(data, addr);
  }
}
