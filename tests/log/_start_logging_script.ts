/**
 * Child script for log_test.ts: startLogging begins logging for the whole
 * process, so each case runs in its own process. Prints the log on stdout.
 */
import process from "node:process";
import { discardLogs, err, msg, startLogging } from "../../log/mod.ts";
import { Logger } from "../../logger/mod.ts";

const out = { write: (text: string): void => void process.stdout.write(text) };
switch (process.argv[2]) {
  case "start": {
    msg("before start");
    new Logger({ namespace: "app" }).warn("modern {n}", { n: 1 });
    startLogging(out);
    console.log("printed", 2);
    console.error("complained");
    err(new RangeError("bad thing"), "while testing");
    msg("two\nlines");
    break;
  }
  case "no-stdout": {
    startLogging(out, { setStdout: false, timeFormat: "[%H]" });
    console.log("to the real stdout");
    msg("logged");
    break;
  }
  case "discard": {
    err(new Error("kept then dropped"));
    discardLogs();
    err(new Error("after discard"));
    console.log("done");
    break;
  }
}
