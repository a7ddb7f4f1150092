/**
 * A child process for the host reactor's EMFILE test: an echo server on the
 * host reactor (127.0.0.1, port printed first; with arguments `unix PATH`, on
 * that Unix socket, path printed first), run under a small fd limit.
 * It answers stdin lines:
 * - `fill`: open /dev/null until the fd limit is reached (`filled N`);
 * - `tick`: `ticked` after two full turns of the event loop, so that an
 *   accept made ready before the `tick` has been tried;
 * - `free`: close those files again (`freed`);
 * - `relisten`: stop listening, then listen again on the same address
 *   (`relistened`, or `relisten failed: REASON`);
 * - `quit`: stop the reactor and exit.
 * It prints `recovered` when the port logs that it listens again after its
 * accept loop stalled (a Unix port on Deno).
 */
import * as fs from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";
import type { IListeningPort, IPAddress } from "../../../interfaces.ts";
import * as log from "../../../log/log.ts";
import { Factory, Protocol } from "../../../protocols/mod.ts";
import { HostReactor } from "../../../reactor/host/host_reactor.ts";

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
}
const factory = Factory.forProtocol(Echo);
factory.noisy = false;

const reactor = new HostReactor();
const unixPath = process.argv[2] === "unix" ? process.argv[3] : undefined;
const listen = (): IListeningPort =>
  unixPath === undefined
    ? reactor.listenTCP(0, factory, { interface: "127.0.0.1" })
    : reactor.listenUNIX(unixPath, factory);
let port = listen();
log.addObserver((event) => {
  if (/listening again/.test(log.textFromEvent(event))) console.log("recovered");
});
const files: number[] = [];
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

createInterface({ input: process.stdin }).on("line", async (line: string) => {
  if (line === "fill") {
    try {
      for (;;) files.push(fs.openSync("/dev/null", "r"));
    } catch {
      console.log(`filled ${files.length}`);
    }
  } else if (line === "tick") {
    await turn();
    await turn();
    console.log("ticked");
  } else if (line === "free") {
    for (const fd of files.splice(0)) fs.closeSync(fd);
    console.log("freed");
  } else if (line === "relisten") {
    port.stopListening().addCallback(() => {
      try {
        port = listen();
        console.log("relistened");
      } catch (e) {
        console.log(`relisten failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  } else if (line === "quit") {
    reactor.stop();
  }
});

// The signal handlers run() installs matter: Deno sets up its signal driver
// (which needs fds) on the first handler, and panics if that comes only once
// the fds are gone.
reactor.callWhenRunning(() => console.log(unixPath ?? (port.getHost() as IPAddress).port));
await reactor.run();
process.exit(0);
