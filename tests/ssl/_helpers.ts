/**
 * Helpers of the TLS tests: the engines and reactors under test, an
 * in-memory TLS pair and pumping it, waiting on real sockets, and recording
 * server factories.
 */

import type { Failure } from "../../deferred/failure.ts";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import type { ReactorKind } from "../../reactor/install.ts";
import { defaultPollerKind } from "../../reactor/pollers/mod.ts";
import { type TLSContextFactory, type TLSEngineName, TLSMemoryBIOProtocol } from "../../ssl/mod.ts";
import { connect, FakeTransport, type IOPump } from "../../testing/iosim.ts";
import { waitFor } from "../reactor/_helpers.ts";

/** Both engines: the conformance suite runs against each. */
export const ENGINES: readonly TLSEngineName[] = ["openssl", "node"];

/** The reactors the socket tests run on: the default FFI poller and the host reactor. */
export const KINDS: readonly ReactorKind[] = [defaultPollerKind() as ReactorKind, "host"];

/** Wait until `cond()` holds on real sockets, polling the host loop (bounded by `ms`). */
export function waitUntil(cond: () => boolean, ms = 15000): Promise<void> {
  return waitFor(cond, ms);
}

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

/** Two TLS protocols wired to each other over iosim, with their applications. */
export interface TLSPair {
  client: Recorder;
  server: Recorder;
  clientTLS: TLSMemoryBIOProtocol;
  serverTLS: TLSMemoryBIOProtocol;
  pump: IOPump;
}

/** How {@link tlsPair} builds the pair: its applications, and whether iosim greets at once. */
export interface TLSPairOptions {
  server?: Recorder;
  client?: Recorder;
  greet?: boolean;
}

/** A server (echoing by default) and a client over TLS in memory, on `engine`. */
export function tlsPair(
  engine: TLSEngineName,
  serverOptions: TLSContextFactory,
  clientOptions: TLSContextFactory,
  { server = new Echo(), client = new Recorder(), greet = true }: TLSPairOptions = {},
): TLSPair {
  const serverTLS = new TLSMemoryBIOProtocol(serverOptions, server, { engine });
  const clientTLS = new TLSMemoryBIOProtocol(clientOptions, client, { engine });
  const pump = connect(
    serverTLS,
    new FakeTransport(serverTLS, true),
    clientTLS,
    new FakeTransport(clientTLS, false),
    { greet },
  );
  return { client, server, clientTLS, serverTLS, pump };
}

/** A server factory that builds with `make` (an {@link Echo} by default) and records what it built. */
export function recordingFactory(
  make: () => Recorder = () => new Echo(),
): { factory: Factory; made: Recorder[]; } {
  const made: Recorder[] = [];
  const factory = new Factory();
  factory.noisy = false;
  factory.buildProtocol = () => {
    const p = make();
    made.push(p);
    return p;
  };
  return { factory, made };
}
