// Helpers for endpoint tests on a MemoryReactor: complete or fail the
// connection attempts it recorded, as a real connector would.

import assert from "node:assert/strict";
import { Failure } from "../../deferred/failure.ts";
import type { IAddress, IPAddress, IProtocol } from "../../interfaces.ts";
import { IPv4Address, IPv6Address } from "../../reactor/address.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import type { MemoryReactor } from "../../testing/memory_reactor.ts";
import { StringTransport } from "../../testing/string_transport.ts";

/** Complete TCP attempt `i`: build the protocol and connect it to a StringTransport. */
export function completeTCP(
  reactor: MemoryReactor,
  i: number,
): { proto: IProtocol; transport: StringTransport; } {
  const factory = reactor.tcpClients[i][2];
  const connector = reactor.connectors[i];
  const proto = factory.buildProtocol(connector.getDestination());
  if (proto === null) throw new Error("buildProtocol refused");
  const transport = new StringTransport({ peerAddress: connector.getDestination() });
  proto.makeConnection(transport);
  return { proto, transport };
}

/** Fail TCP attempt `i` with `error` (ConnectionRefusedError by default). */
export function failTCP(
  reactor: MemoryReactor,
  i: number,
  error: Error = new ConnectionRefusedError(),
): void {
  reactor.tcpClients[i][2].clientConnectionFailed(reactor.connectors[i], new Failure(error));
}

/** Settle pending promise callbacks (for asynchronous resolvers). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** `address`, checked to be an IP address (a transport's kind is not in its type). */
export function ipOf(address: IAddress): IPAddress {
  assert.ok(
    address instanceof IPv4Address || address instanceof IPv6Address,
    `not an IP address: ${address}`,
  );
  return address;
}
