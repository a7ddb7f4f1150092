/**
 * A child process for tests/reactor/process_credentials_test.ts, run as a
 * user who is not root: `process_credentials_child.ts KIND`. Asks
 * spawnProcess for uid 0 and prints the error it gets ("refused CODE:
 * MESSAGE"), then for its own uid and gid and prints what `id -u` says.
 */
import process from "node:process";
import type { IReactorProcess } from "../../interfaces.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";
import { createReactor, type ReactorKind } from "../../reactor/install.ts";

const kind = process.argv.at(-1) as ReactorKind;
const reactor = createReactor(kind);
const spawner = reactor as unknown as IReactorProcess;

class Id extends ProcessProtocol {
  override outReceived(data: Uint8Array): void {
    process.stdout.write(`own: ${new TextDecoder().decode(data)}`);
  }
  override processEnded(): void {
    reactor.stop();
  }
}

reactor.callWhenRunning(() => {
  try {
    spawner.spawnProcess(new ProcessProtocol(), "true", ["true"], { uid: 0, gid: 0 });
    console.log("not refused");
  } catch (e) {
    console.log(`refused ${(e as { code?: string; }).code}: ${(e as Error).message}`);
  }
  spawner.spawnProcess(new Id(), "id", ["id", "-u"], {
    uid: process.geteuid!(),
    gid: process.getegid!(),
  });
});
await reactor.run({ installSignalHandlers: false });
