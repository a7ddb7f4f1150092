/**
 * Child script for log_file_test.ts: writes to a LogFile and then ends in
 * the way argv[3] names, so the test can check nothing buffered was lost.
 */
import process from "node:process";
import { LogFile } from "../../log/mod.ts";
import { createReactor } from "../../reactor/install.ts";

const [dir, mode] = process.argv.slice(2);
const log = new LogFile("app.log", dir);
switch (mode) {
  case "exit":
    log.write("before exit\n");
    process.exit(0);
    break;
  case "throw":
    log.write("before throw\n");
    throw new Error("uncaught on purpose");
  case "reactor": {
    const reactor = createReactor("host");
    reactor.callWhenRunning(() => {
      log.write("in the reactor\n");
      reactor.stop();
      log.write("after stop\n");
    });
    await reactor.run({ installSignalHandlers: false });
    break;
  }
}
