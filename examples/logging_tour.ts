/**
 * A tour of Skein's logging: Twisted's `log.startLogging(sys.stdout)`, then
 * the same log into a file that rotates, and the modern `Logger` beside the
 * legacy `msg`/`err` on the one event system.
 *
 *     deno run -A examples/logging_tour.ts [directory]
 *     bun examples/logging_tour.ts [directory]
 *
 * The log files go to `directory` (a new temporary directory by default);
 * the last lines say which files were written.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { callWithLogger, err, FileLogObserver, LogFile, msg, startLogging } from "../log/mod.ts";
import { Logger } from "../logger/mod.ts";
import { createReactor } from "../reactor/install.ts";

const directory = process.argv[2] ?? mkdtempSync(join(tmpdir(), "skein-logging-tour-"));
const stdout = { write: (text: string): void => void process.stdout.write(text) };

// 1. Log to stdout. console.log output goes into the log too (setStdout).
const toStdout = startLogging(stdout);
msg("hello from the legacy face");
const log = new Logger({ namespace: "tour" });
log.info("hello from the modern face, {who}", { who: "world" });
console.log("a console.log line, now a log event");

// 2. Then to a file that rotates every 200 bytes, keeping 3 old files.
const file = new LogFile("tour.log", directory, { rotateLength: 200, maxRotatedFiles: 3 });
const toFile = new FileLogObserver(file);
toFile.start();
toStdout.stop();
msg("this line and the next ones go to", file.path);

const reactor = createReactor("host");
let ticks = 0;
const protocolLike = { logPrefix: (): string => "Ticker,0" };
function tick(): void {
  ticks++;
  callWithLogger(protocolLike, () => msg("tick", ticks, "of 10"));
  if (ticks === 5) err(new RangeError("a handled error, logged with its traceback"), "on tick 5");
  if (ticks < 10) reactor.callLater(0.001, tick);
  else reactor.stop();
}
reactor.callWhenRunning(tick);
await reactor.run({ installSignalHandlers: false });

log.info("done after {ticks} ticks", { ticks });
toFile.stop();
file.close();
const files = readdirSync(directory).filter((f) => f.startsWith("tour.log")).sort();
process.stdout.write(`log files in ${directory}: ${files.join(" ")}\n`);
