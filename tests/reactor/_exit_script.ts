/**
 * A child process for the clean-exit tests: `_exit_script.ts KIND MODE`.
 * Prints what happened on stdout; the parent checks it exits promptly.
 */
import process from "node:process";
import {
  createReactor,
  installReactor,
  reactor as processReactor,
  type ReactorKind,
} from "../../reactor/install.ts";
import type { PosixReactor } from "../../reactor/posix_reactor.ts";
import { FdDescriptor, socketpair } from "./_fds.ts";

const [kind, mode] = process.argv.slice(-2) as [ReactorKind, string];
const reactor = createReactor(kind);
const t0 = performance.now();
reactor.addSystemEventTrigger("after", "shutdown", () => {
  console.log(`stopped after ${Math.round(performance.now() - t0)} ms`);
});

switch (mode) {
  case "stop":
    // Twisted style: run() without await keeps the process alive until stop().
    reactor.callLater(0.2, () => reactor.stop());
    reactor.run();
    break;
  case "never-run":
    // A reactor that is not running must not hold the process open.
    reactor.callLater(30, () => console.log("must not run"));
    reactor.callFromThread(() => console.log("must not run either"));
    console.log("not running");
    break;
  case "reader": {
    const [a] = socketpair();
    (reactor as PosixReactor).addReader(new FdDescriptor(a));
    reactor.callLater(0.1, () => reactor.stop());
    reactor.run();
    break;
  }
  case "blocking": {
    const [a] = socketpair();
    (reactor as PosixReactor).addReader(new FdDescriptor(a));
    reactor.callLater(0.1, () => reactor.stop());
    (reactor as PosixReactor).runBlocking();
    break;
  }
  case "signal":
    // Stopped by SIGTERM from the parent (Twisted installs SIGINT/SIGTERM handlers in run()).
    reactor.callWhenRunning(() => console.log("running"));
    reactor.run();
    break;
  case "listeners": {
    // Twisted leaves SIGINT alone when someone already handles it.
    const own = (): void => {};
    process.on("SIGINT", own);
    const counts = (): string =>
      `SIGINT=${process.listenerCount("SIGINT")} SIGTERM=${process.listenerCount("SIGTERM")}`;
    reactor.callWhenRunning(() => {
      console.log(`running ${counts()}`);
      reactor.stop();
    });
    reactor.run().then(() => {
      console.log(`after ${counts()}`);
      process.off("SIGINT", own);
    });
    break;
  }
  case "crash":
    reactor.callLater(0.1, () => reactor.crash());
    reactor.run().then(() => console.log("crashed"));
    break;
  case "unbound":
    // A straight port of a Twisted script: the process-wide reactor's methods
    // passed on without their object.
    installReactor(reactor);
    processReactor.callLater(0.05, processReactor.stop);
    await processReactor.run();
    console.log("run returned");
    break;
}
