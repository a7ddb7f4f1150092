/**
 * A child process for tests/reactor/process_shutdown_test.ts:
 * `process_shutdown_child.ts KIND`. Starts `sleep 30` on a reactor of KIND,
 * prints its pid, stops the reactor and prints "stopped"; then this process
 * must exit by itself, leaving the child running (as Twisted does).
 */
import process from "node:process";
import type { IReactorProcess } from "../../interfaces.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";
import { createReactor, type ReactorKind } from "../../reactor/install.ts";

const kind = process.argv.at(-1) as ReactorKind;
const reactor = createReactor(kind);
reactor.callWhenRunning(() => {
  const child = (reactor as unknown as IReactorProcess).spawnProcess(
    new ProcessProtocol(),
    "sleep",
    ["sleep", "30"],
  );
  console.log(`pid ${child.pid}`);
  reactor.stop();
});
await reactor.run({ installSignalHandlers: false });
console.log("stopped");
