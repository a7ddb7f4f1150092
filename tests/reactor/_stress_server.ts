// A Skein server for stress_test.ts, run as its own process (so its fd limit and
// RSS are its own): listens on 127.0.0.1:0 with the poller named in argv, prints
// the port, then answers each stdin line with "<open connections> <VmRSS kB>".
import { openSync, readSync } from "node:fs";
import { createInterface } from "node:readline";
import { Factory, Protocol } from "../../protocols/mod.ts";
import { type PollerKind, PosixReactor } from "../../reactor/posix_reactor.ts";

const g = globalThis as { Deno?: { args: string[]; }; process?: { argv: string[]; }; };
const kind = (g.Deno ? g.Deno.args[0] : g.process!.argv[2]) as PollerKind;
let open = 0;
// Opened once: under an fd limit (the EMFILE test) opening it later would fail.
const statusFd = openSync("/proc/self/status", "r");
const statusBuf = new Uint8Array(8192);

/** Idle unless spoken to; then it echoes (to prove the server still serves). */
class Idle extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
  override connectionMade(): void {
    open++;
  }
  override connectionLost(): void {
    open--;
  }
}
class F extends Factory {
  override protocol = Idle;
  override noisy = false;
}

const r = new PosixReactor(kind);
const port = r.listenTCP(0, new F(), { interface: "127.0.0.1", backlog: 4096 });
console.log(port.getHost().port);
const rl = createInterface({
  input: (globalThis as unknown as { process: { stdin: NodeJS.ReadableStream; }; }).process.stdin,
});
rl.on("line", (line: string) => {
  if (line === "quit") {
    rl.close();
    r.stop();
    return;
  }
  const n = readSync(statusFd, statusBuf, 0, statusBuf.length, 0);
  const status = new TextDecoder().decode(statusBuf.subarray(0, n));
  const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0";
  console.log(`${open} ${rss}`);
});
r.run({ installSignalHandlers: false }).then(() => {
  (globalThis as unknown as { process: { exit(code: number): never; }; }).process.exit(0);
});
