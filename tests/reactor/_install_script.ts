/**
 * A child process for install_test.ts: `_install_script.ts MODE`. The
 * process-wide reactor is global state, so each case runs in its own process.
 */
import process from "node:process";
import { getReactor, installReactor, reactor } from "../../reactor/install.ts";

const mode = process.argv[process.argv.length - 1];
try {
  switch (mode) {
    case "kind":
      console.log(`kind=${reactor.kind}`);
      break;
    case "install-then-use": {
      const r = installReactor("poll");
      console.log(`kind=${reactor.kind} same=${getReactor() === r && reactor.target === r}`);
      break;
    }
    case "install-after-use":
      reactor.seconds();
      installReactor("select");
      console.log("no error");
      break;
    case "run": {
      // The lazy reactor runs, schedules and stops like the real one.
      reactor.callLater(0.01, () => reactor.stop());
      reactor.addSystemEventTrigger(
        "after",
        "shutdown",
        () => console.log(`stopped kind=${reactor.kind}`),
      );
      reactor.run({ installSignalHandlers: false });
      break;
    }
    case "threads": {
      // The lazy reactor forwards the thread API (Twisted's IReactorThreads).
      reactor.suggestThreadPoolSize(3);
      reactor.callWhenRunning(() => {
        reactor.callInThread((n: number) => n * 2, 21);
        reactor.getThreadPool().callInThreadWithCallback(
          (ok, value) => {
            console.log(`ok=${ok} value=${value} max=${reactor.getThreadPool().maxThreads}`);
            reactor.stop();
          },
          (n: number) => n + 1,
          41,
        );
      });
      reactor.run({ installSignalHandlers: false });
      break;
    }
  }
} catch (e) {
  console.log(`error=${(e as Error).name}: ${(e as Error).message}`);
}
