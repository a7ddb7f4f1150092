/** Helpers of the TLS tests: the engines under test, and pumping an in-memory pair. */

import type { Failure } from "../../deferred/failure.ts";
import { Protocol } from "../../protocols/protocol.ts";
import type { TLSEngineName } from "../../ssl/mod.ts";
import type { IOPump } from "../../testing/iosim.ts";

/** Both engines: the conformance suite runs against each. */
export const ENGINES: readonly TLSEngineName[] = ["openssl", "node"];

/** The next turn of the host loop (the node:tls engine answers on later turns). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Pump until `done()` holds, letting the host loop turn between rounds;
 * throws after `rounds` rounds with what `describe()` says.
 */
export async function pumpUntil(
  pump: IOPump,
  done: () => boolean,
  what: string,
  rounds = 500,
): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    pump.flush();
    if (done()) return;
    await turn();
  }
  pump.flush();
  if (!done()) throw new Error(`pumpUntil: still waiting for ${what} after ${rounds} rounds`);
}

/** A protocol that records what happens to it. */
export class Recorder extends Protocol {
  received = "";
  chunks: Uint8Array[] = [];
  made = 0;
  handshakes = 0;
  lost: Failure | null = null;
  override connectionMade(): void {
    this.made++;
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.received += new TextDecoder().decode(data);
  }
  handshakeCompleted(): void {
    this.handshakes++;
  }
  override connectionLost(reason: Failure): void {
    this.lost = reason;
  }
}

/** Echo plaintext back. */
export class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport!.write(data);
  }
}
