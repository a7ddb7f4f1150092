// Child script for unhandled_exit_test.ts: leaves Deferred failures in the
// state the first argument names, then ends, so the test can read what the
// process reported on stderr. Markers on stdout say how far it got.
import process from "node:process";
import { setDebugging } from "../../deferred/debug.ts";
import { Deferred, fail } from "../../deferred/deferred.ts";
import { createReactor } from "../../reactor/install.ts";

const mode = process.argv[2];
const kept: Deferred<unknown>[] = [];

function makeDeferred(): Deferred<number> {
  return new Deferred<number>();
}

function dropFailed(tag: string): void {
  fail(new Error(tag)); // nothing keeps it: only the collector could report it
}

switch (mode) {
  case "referenced":
    kept.push(fail(new RangeError("still-referenced")));
    break;
  case "dropped":
    dropFailed("dropped-failure");
    break;
  case "handled":
    kept.push(fail(new Error("handled-failure")).addErrback(() => null));
    dropFailed("control-dropped");
    kept[0].addErrback(() => null);
    break;
  case "handled-later": {
    const d = fail(new Error("handled-later"));
    setTimeout(() => d.addErrback(() => null), 5);
    break;
  }
  case "debug": {
    setDebugging(true);
    const d = makeDeferred();
    d.errback(new Error("debug-failure"));
    kept.push(d);
    break;
  }
  case "exit-call":
    kept.push(fail(new Error("before-process-exit")));
    process.exit(3);
    break;
  case "reactor": {
    const reactor = createReactor(process.argv[3] as Parameters<typeof createReactor>[0]);
    reactor.callWhenRunning(() => {
      kept.push(fail(new Error("at-reactor-stop")));
      reactor.stop();
    });
    await reactor.run({ installSignalHandlers: false });
    console.log("run-returned");
    console.error("marker:run-returned");
    kept.push(fail(new Error("after-reactor-stop")));
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
console.log("script-end");
