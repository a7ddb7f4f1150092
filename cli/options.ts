/**
 * The options of `skein`: what twistd and twist take, in their spirit, parsed
 * without a library.
 *
 * @module
 */

import { REACTOR_KINDS, type ReactorKind } from "../reactor/install.ts";

/**
 * A bad command line: `skein` prints the message and the usage and exits with
 * status 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine, UsageError } from "@skein/skein/cli";
 * assert.throws(() => parseCommandLine(["--log-format", "xml", "run", "app.ts"]), UsageError);
 * ```
 */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
}

/**
 * A `--log-level` name.
 *
 * @example
 * ```ts
 * import type { LogLevelName } from "@skein/skein/cli";
 * const level: LogLevelName = "warn";
 * ```
 */
export type LogLevelName = "debug" | "info" | "warn" | "error" | "critical";

/** The log levels `--log-level` takes. */
const LEVELS: readonly LogLevelName[] = ["debug", "info", "warn", "error", "critical"];

/**
 * The runner's options: everything before (or right after) the command name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine, type RunnerOptions } from "@skein/skein/cli";
 * const options: RunnerOptions = parseCommandLine(["run", "--pidfile", "app.pid", "app.ts"]).options;
 * assert.equal(options.pidfile, "app.pid");
 * ```
 */
export interface RunnerOptions {
  /** `--daemon`: detach (new session, stdio closed, pid file, log file). `-n` forces the foreground. */
  daemon: boolean;
  /** `--pidfile PATH` (a daemon's default: `skein.pid`). */
  pidfile: string | null;
  /** `-l/--logfile PATH` (`-`: stdout; a daemon's default: `skein.log`). */
  logfile: string | null;
  /** `--log-level` (default info). */
  logLevel: LogLevelName;
  /** `--log-format text|json` (default: text on a terminal, json otherwise, as twist). */
  logFormat: "text" | "json" | null;
  /** `-r/--reactor KIND`. */
  reactor: ReactorKind | null;
  /** `-d/--rundir DIR`: change to it before starting. */
  rundir: string | null;
  /** `--umask MASK` (octal; a daemon's default: 077, as twistd). */
  umask: number | null;
  /** `-u/--uid UID` (only when started as root). */
  uid: number | null;
  /** `-g/--gid GID` (only when started as root). */
  gid: number | null;
  /** `--workers N`: N worker processes sharing the listening ports (SO_REUSEPORT). */
  workers: number | null;
  /** `-b/--debug`: run under the inspector, stopped on the first line; Deferred and DelayedCall debugging on. */
  debug: boolean;
  /** `--inspect[=HOST:PORT]`: run under the inspector without stopping. */
  inspect: string | null;
  /** `--shutdown-timeout SECONDS` (default 30): the longest the services may take to stop. */
  shutdownTimeout: number;
  /** `--plugin MODULE` (repeatable): load more commands from a module. */
  plugins: string[];
  /** `--manhole DESCRIPTION`: serve a manhole beside the app (loopback or a 0600 Unix socket). */
  manhole: string | null;
  /** `--manhole-password-file PATH`: the manhole's password or token (needed with `--manhole`). */
  manholePasswordFile: string | null;
  /** `-h/--help`. */
  help: boolean;
  /** `--help-reactors`. */
  helpReactors: boolean;
  /** `--version`. */
  version: boolean;
}

/**
 * A parsed command line: the runner options, the command, and the
 * command's own arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine, type CommandLineParts } from "@skein/skein/cli";
 * const parts: CommandLineParts = parseCommandLine(["run", "app.ts", "--port", "80"]);
 * assert.deepEqual([parts.command, parts.args], ["run", ["app.ts", "--port", "80"]]);
 * ```
 */
export interface CommandLineParts {
  /** The runner's options. */
  options: RunnerOptions;
  /** The command (`run`, `procmon`, a plugin's name), or null when none was given. */
  command: string | null;
  /** What follows the command and its runner options. */
  args: string[];
}

/**
 * The runner's defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultRunnerOptions } from "@skein/skein/cli";
 * assert.equal(defaultRunnerOptions().daemon, false);
 * ```
 */
export function defaultRunnerOptions(): RunnerOptions {
  return {
    daemon: false,
    pidfile: null,
    logfile: null,
    logLevel: "info",
    logFormat: null,
    reactor: null,
    rundir: null,
    umask: null,
    uid: null,
    gid: null,
    workers: null,
    debug: false,
    inspect: null,
    shutdownTimeout: 30,
    plugins: [],
    manhole: null,
    manholePasswordFile: null,
    help: false,
    helpReactors: false,
    version: false,
  };
}

interface OptionSpec {
  names: string[];
  value: string | null;
  help: string;
  apply(options: RunnerOptions, value: string): void;
}

function integer(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${name} takes a whole number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

const SPECS: OptionSpec[] = [
  {
    names: ["-n", "--nodaemon"],
    value: null,
    help: "run in the foreground (the default)",
    apply: (o) => {
      o.daemon = false;
    },
  },
  {
    names: ["--daemon"],
    value: null,
    help: "detach: new session, stdio closed, pid file (skein.pid), log file (skein.log)",
    apply: (o) => {
      o.daemon = true;
    },
  },
  {
    names: ["--pidfile"],
    value: "PATH",
    help: "write the pid here; refuse to start if a live process holds it",
    apply: (o, v) => {
      o.pidfile = v;
    },
  },
  {
    names: ["-l", "--logfile", "--log-file"],
    value: "PATH",
    help: "log to this file, rotated at 1 MB and on SIGUSR2 (Bun: SIGUSR1 too); - is stdout",
    apply: (o, v) => {
      o.logfile = v;
    },
  },
  {
    names: ["--log-level"],
    value: "LEVEL",
    help: `the lowest level logged: ${LEVELS.join(", ")} (default info)`,
    apply: (o, v) => {
      if (!(LEVELS as readonly string[]).includes(v)) {
        throw new UsageError(
          `--log-level takes one of ${LEVELS.join(", ")}, got ${JSON.stringify(v)}`,
        );
      }
      o.logLevel = v as LogLevelName;
    },
  },
  {
    names: ["--log-format"],
    value: "FORMAT",
    help: "text or json (default: text on a terminal, json otherwise)",
    apply: (o, v) => {
      if (v !== "text" && v !== "json") {
        throw new UsageError(`--log-format takes text or json, got ${JSON.stringify(v)}`);
      }
      o.logFormat = v;
    },
  },
  {
    names: ["-r", "--reactor"],
    value: "KIND",
    help: `the reactor: ${REACTOR_KINDS.join(", ")} (see --help-reactors)`,
    apply: (o, v) => {
      if (!(REACTOR_KINDS as readonly string[]).includes(v)) {
        throw new UsageError(
          `--reactor takes one of ${REACTOR_KINDS.join(", ")}, got ${
            JSON.stringify(v)
          }; see --help-reactors`,
        );
      }
      o.reactor = v as ReactorKind;
    },
  },
  {
    names: ["--help-reactors"],
    value: null,
    help: "list the reactors this platform offers",
    apply: (o) => {
      o.helpReactors = true;
    },
  },
  {
    names: ["-d", "--rundir"],
    value: "DIR",
    help:
      "change to this directory before starting (--pidfile and --logfile are relative to it, APP is not)",
    apply: (o, v) => {
      o.rundir = v;
    },
  },
  {
    names: ["--umask"],
    value: "MASK",
    help: "the umask, in octal (a daemon's default: 077)",
    apply: (o, v) => {
      if (!/^[0-7]{1,4}$/.test(v)) {
        throw new UsageError(`--umask takes an octal mask such as 022, got ${JSON.stringify(v)}`);
      }
      o.umask = parseInt(v, 8);
    },
  },
  {
    names: ["-u", "--uid"],
    value: "UID",
    help: "switch to this user id after binding (only when started as root)",
    apply: (o, v) => {
      o.uid = integer("--uid", v, 0);
    },
  },
  {
    names: ["-g", "--gid"],
    value: "GID",
    help: "switch to this group id after binding (only when started as root)",
    apply: (o, v) => {
      o.gid = integer("--gid", v, 0);
    },
  },
  {
    names: ["--workers"],
    value: "N",
    help: "run N worker processes sharing the TCP ports (SO_REUSEPORT); restart any that dies",
    apply: (o, v) => {
      o.workers = integer("--workers", v, 1);
    },
  },
  {
    names: ["-b", "--debug"],
    value: null,
    help:
      "run under the inspector, stopped on the first line; Deferred and DelayedCall debugging on",
    apply: (o) => {
      o.debug = true;
    },
  },
  {
    names: ["--inspect"],
    value: "[=HOST:PORT]",
    help: "run under the inspector (default 127.0.0.1:9229) without stopping",
    apply: (o, v) => {
      o.inspect = v === "" ? "127.0.0.1:9229" : v;
    },
  },
  {
    names: ["--shutdown-timeout"],
    value: "SECONDS",
    help: "the longest the services may take to stop before the process exits anyway (default 30)",
    apply: (o, v) => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) {
        throw new UsageError(
          `--shutdown-timeout takes a number of seconds > 0, got ${JSON.stringify(v)}`,
        );
      }
      o.shutdownTimeout = n;
    },
  },
  {
    names: ["--plugin"],
    value: "MODULE",
    help: "load commands from this module (its export plugin or plugins); repeatable",
    apply: (o, v) => {
      o.plugins.push(v);
    },
  },
  {
    names: ["--manhole"],
    value: "DESCRIPTION",
    help: "serve a manhole (a REPL over telnet) on this loopback endpoint, e.g. tcp:127.0.0.1:4040",
    apply: (o, v) => {
      o.manhole = v;
    },
  },
  {
    names: ["--manhole-password-file"],
    value: "PATH",
    help: "the manhole's password or token: the first line of this file (mode 0600)",
    apply: (o, v) => {
      o.manholePasswordFile = v;
    },
  },
  {
    names: ["-h", "--help"],
    value: null,
    help: "show this help (after a command: that command's help)",
    apply: (o) => {
      o.help = true;
    },
  },
  {
    names: ["--version"],
    value: null,
    help: "print the version",
    apply: (o) => {
      o.version = true;
    },
  },
];

function find(name: string): OptionSpec | undefined {
  return SPECS.find((s) => s.names.includes(name));
}

/**
 * Parse runner options from the front of `argv` into `options`; returns how
 * many arguments were consumed (it stops at the first argument that is not a
 * runner option, or after `--`). Throws a `UsageError` for a runner option
 * without its value or with a bad one.
 */
function parseRunnerOptions(
  argv: readonly string[],
  options: RunnerOptions,
  stopAtUnknown: boolean,
): number {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg === "--") return i + 1;
    if (!arg.startsWith("-") || arg === "-") return i;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = find(name);
    if (spec === undefined) {
      if (stopAtUnknown) return i;
      throw new UsageError(`unknown option ${name}; see skein --help`);
    }
    if (spec.value === null) {
      if (eq > 0 && name !== arg) throw new UsageError(`${name} takes no value`);
      spec.apply(options, "");
      i += 1;
    } else if (spec.value.startsWith("[")) {
      spec.apply(options, eq > 0 && name !== arg ? arg.slice(eq + 1) : "");
      i += 1;
    } else if (eq > 0 && name !== arg) {
      spec.apply(options, arg.slice(eq + 1));
      i += 1;
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value (${spec.value})`);
      spec.apply(options, argv[i + 1]);
      i += 2;
    }
  }
  return i;
}

/**
 * Split a `skein` command line: runner options, then the command, then runner
 * options again (up to the first argument the runner does not know), then
 * the command's own arguments. A runner option before the command that the
 * runner does not know is a `UsageError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "@skein/skein/cli";
 *
 * const parts = parseCommandLine(["--log-format=json", "run", "-n", "--pidfile", "a.pid", "app.ts", "--port", "8080"]);
 * assert.equal(parts.options.logFormat, "json");
 * assert.equal(parts.options.pidfile, "a.pid");
 * assert.equal(parts.command, "run");
 * assert.deepEqual(parts.args, ["app.ts", "--port", "8080"]);
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLineParts {
  const options = defaultRunnerOptions();
  let i = parseRunnerOptions(argv, options, false);
  if (i >= argv.length) return { options, command: null, args: [] };
  const command = argv[i];
  i += 1;
  i += parseRunnerOptions(argv.slice(i), options, true);
  if (options.daemon && options.logfile === "-") {
    throw new UsageError("a daemon cannot log to stdout (--logfile -); give it a file");
  }
  return { options, command, args: argv.slice(i) };
}

/**
 * The runner's options as help text, one per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runnerOptionsHelp } from "@skein/skein/cli";
 * assert.match(runnerOptionsHelp(), /--pidfile PATH/);
 * ```
 */
export function runnerOptionsHelp(): string {
  const rows = SPECS.map((s) => {
    const names = s.names.join(", ");
    const value = s.value === null ? "" : s.value.startsWith("[") ? s.value : ` ${s.value}`;
    return [`${names}${value}`, s.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`).join("\n");
}
