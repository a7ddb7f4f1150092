/**
 * A child process for the host-reactor process tests: `_echo_script.ts MODE`.
 * It runs an echo server and a client on the host reactor over loopback,
 * prints what happened, and must then exit by itself.
 *
 * Modes:
 * - `stop`: the client stops the reactor after its echo; the server port is
 *   still listening and a connection still open (shutdown must close them).
 * - `crash`: as `stop` but `crash()` (no shutdown triggers, nothing is
 *   closed): the runtime's sockets must not hold the process open.
 * - `install`: the reactor comes from `createReactor()` (auto choice), which
 *   must pick `host` when FFI is not allowed.
 * - `never-run`: listen (TCP and UDP) and start connecting but never run the
 *   reactor: a reactor that is not running must not hold the process open.
 */
import process from "node:process";
import type { Failure } from "../../../deferred/failure.ts";
import type { IReactor } from "../../../interfaces.ts";
import { ClientFactory, DatagramProtocol, Factory, Protocol } from "../../../protocols/mod.ts";
import { HostReactor } from "../../../reactor/host/host_reactor.ts";

const mode = process.argv[process.argv.length - 1];

function ffiState(): string {
  const D = (globalThis as {
    Deno?: { permissions: { querySync(d: { name: string; }): { state: string; }; }; };
  }).Deno;
  if (D === undefined) return "n/a";
  return D.permissions.querySync({ name: "ffi" }).state;
}

let reactor: IReactor & { run(o?: { installSignalHandlers?: boolean; }): Promise<void>; };
if (mode === "install") {
  const { createReactor } = await import("../../../reactor/install.ts");
  reactor = createReactor() as unknown as typeof reactor;
} else {
  reactor = new HostReactor();
}
console.log(`kind ${reactor.kind} ffi ${ffiState()}`);

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
  override connectionLost(reason: Failure): void {
    console.log(`server lost ${(reason.value as Error).name}`);
  }
}
const factory = Factory.forProtocol(Echo);
factory.noisy = false;
const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
const portNo = port.getHost().port;

class Client extends Protocol {
  got = "";
  override connectionMade(): void {
    this.transport!.write("ping over the host reactor");
  }
  override dataReceived(data: Uint8Array): void {
    this.got += new TextDecoder().decode(data);
    if (this.got === "ping over the host reactor") {
      console.log(`echo ok ${this.transport!.getPeer()}`);
      // Leave the connection and the port open: stop()/crash() must cope.
      if (mode === "crash") reactor.crash();
      else reactor.stop();
    }
  }
}
const cf = ClientFactory.forProtocol(Client);
cf.noisy = false;
reactor.connectTCP("127.0.0.1", portNo, cf);
if (mode === "never-run") {
  // A UDP port too, with a datagram on its way.
  const udp = reactor.listenUDP(0, new DatagramProtocol(), { interface: "127.0.0.1" });
  udp.write("x", ["127.0.0.1", 9]);
  console.log("not running");
} else {
  await runIt();
}

async function runIt(): Promise<void> {
  const deadline = setTimeout(() => {
    console.log("deadline: no echo");
    process.exit(3);
  }, 15000);
  await reactor.run({ installSignalHandlers: false });
  clearTimeout(deadline);
  console.log(`run returned (${mode})`);
}
