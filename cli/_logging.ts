/**
 * The runner's logging: where `--logfile`, `--log-level` and `--log-format`
 * send the global log.
 *
 * @module
 */

import { writeSync } from "node:fs";
import { LogFile } from "../log/log_file.ts";
import type { LogOutput } from "../logger/file_observer.ts";
import { textFileLogObserver } from "../logger/file_observer.ts";
import { FilteringLogObserver, LogLevelFilterPredicate } from "../logger/filter.ts";
import { globalLogBeginner } from "../logger/global.ts";
import { jsonFileLogObserver } from "../logger/json.ts";
import { LogLevel } from "../logger/levels.ts";
import type { RunnerOptions } from "./options.ts";

/** What `startRunnerLogging` set up. */
export interface RunnerLogging {
  /** The rotating log file, when logging to a file. */
  readonly logFile: LogFile | null;
  /** The format chosen. */
  readonly format: "text" | "json";
  /** Flush what is buffered (before exit). */
  flush(): void;
}

/** Standard output written synchronously, so lines are out before an exit. */
const stdoutOutput: LogOutput = {
  write(text: string): void {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(1, bytes, off);
      } catch (e) {
        if ((e as { code?: string; }).code === "EAGAIN") continue;
        return; // stdout is gone: drop the line rather than crash the service
      }
    }
  },
};

/**
 * Begin logging for the process: to `logfile` (a rotating `LogFile`, 1 MB per
 * file) or stdout (`-`, or none given in the foreground), as text or JSON
 * (JSON unless stdout is a terminal, as twist chooses), at `logLevel` and up.
 * `console` output goes into the log, as Twisted redirects stdio.
 */
export function startRunnerLogging(
  options: RunnerOptions,
  defaults: { logfile: string | null; stdoutIsTTY: boolean; timestamps?: boolean; },
): RunnerLogging {
  const path = options.logfile ?? defaults.logfile;
  const logFile = path === null || path === "-" ? null : LogFile.fromFullPath(path);
  const output: LogOutput = logFile ?? stdoutOutput;
  const format = options.logFormat ?? (defaults.stdoutIsTTY ? "text" : "json");
  const observer = format === "json"
    ? jsonFileLogObserver(output)
    : defaults.timestamps === false
    ? textFileLogObserver(output, null)
    : textFileLogObserver(output);
  const filtered = new FilteringLogObserver(observer, [
    new LogLevelFilterPredicate(LogLevel.levelWithName(options.logLevel)),
  ]);
  globalLogBeginner.beginLoggingTo([filtered], { redirectStandardIO: true });
  return {
    logFile,
    format,
    flush(): void {
      logFile?.flush();
    },
  };
}
