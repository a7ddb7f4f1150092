/**
 * A child process for react_test.ts: `_react_script.ts MODE` runs react() on
 * the default (process-wide) reactor; the parent checks the exit status.
 */
import process from "node:process";
import { setDefaultObserver } from "../../log/log.ts";
import { deferLater } from "../../task/defer_later.ts";
import { react, SystemExit } from "../../task/react.ts";

const mode = process.argv[process.argv.length - 1];
setDefaultObserver(mode !== "fail-quiet");
await react((reactor) => {
  switch (mode) {
    case "ok":
      return deferLater(reactor, 0.01, () => console.log(`ok on ${reactor.kind}`));
    case "exit3":
      return deferLater(reactor, 0.01, () => {
        throw new SystemExit(3);
      });
    default:
      return deferLater(reactor, 0.01, () => {
        throw new Error("main failed");
      });
  }
});
