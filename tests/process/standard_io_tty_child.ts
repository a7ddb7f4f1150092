/**
 * A child process for tests/process/standard_io_tty_test.ts, run on a
 * terminal: `standard_io_tty_child.ts KIND RAW END`. Connects StandardIO
 * (raw mode when RAW is "raw") on a reactor of KIND, prints the terminal's
 * `stty -a` while connected between "<<during" and "during>>", then on the
 * byte "q" ends: END "close" loses the connection (the reactor stops, the
 * script returns), END "exit" calls process.exit(0) with the transport open.
 */
import { execFileSync } from "node:child_process";
import process from "node:process";
import { StandardIO } from "../../process/standard_io.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { createReactor, type ReactorKind } from "../../reactor/install.ts";

const [kind, raw, end] = process.argv.slice(-3) as [ReactorKind, string, string];
const reactor = createReactor(kind);

class Quit extends Protocol {
  override connectionMade(): void {
    const mode = execFileSync("stty", ["-a"], { stdio: ["inherit", "pipe", "inherit"] });
    this.transport!.write(`<<during\n${new TextDecoder().decode(mode)}during>>\n`);
  }
  override dataReceived(data: Uint8Array): void {
    if (!new TextDecoder().decode(data).includes("q")) return;
    if (end === "exit") process.exit(0);
    this.transport!.loseConnection();
  }
  override connectionLost(): void {
    reactor.stop();
  }
}

reactor.callWhenRunning(() => new StandardIO(new Quit(), { reactor, raw: raw === "raw" }));
await reactor.run({ installSignalHandlers: false });
