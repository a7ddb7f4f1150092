/**
 * `runService`: run one plugin's service in this process under the runner —
 * pid file, logging, reactor, signals, privileges — as twistd's
 * `ApplicationRunner` and twist's `Runner` do.
 *
 * @module
 */

import { chdir } from "node:process";
import process from "node:process";
import { startApplication } from "../application/application.ts";
import { setDebugging } from "../deferred/debug.ts";
import type {
  IListeningPort,
  IPAddress,
  IProcess,
  IProtocolFactory,
  IReactorProcess,
  IService,
  ListenTCPOptions,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { withManhole } from "../manhole/plugin.ts";
import { DelayedCall } from "../reactor/delayed_call.ts";
import { logRotationSignals } from "../reactor/ffi/runtime_command.ts";
import { getReactor, installReactor, type Reactor } from "../reactor/install.ts";
import { startRunnerLogging } from "./_logging.ts";
import { type CommandLineParts, UsageError } from "./options.ts";
import { AlreadyRunningError, PIDFile, processAlive } from "./pid_file.ts";
import type { SkeinPlugin } from "./plugin.ts";

/**
 * How a run ended: the exit status, or the signal that stopped it (which the
 * entry point delivers to itself again, so the parent sees the real cause).
 *
 * @example
 * ```ts
 * import type { RunOutcome } from "@skein/skein/cli";
 * const outcome: RunOutcome = { code: 0, signal: "SIGTERM" };
 * ```
 */
export interface RunOutcome {
  /** The exit status when no signal ended the run. */
  code: number;
  /** The signal that stopped the run, if one did. */
  signal: "SIGTERM" | "SIGINT" | null;
}

/** Where the runner is in a family of processes started by `skein`. */
export type RunnerRole = "main" | "daemon" | "worker";

const log = new Logger({ namespace: "skein.runner" });

function isProcess(service: IService): service is IService & IProcess {
  const p = service as Partial<IProcess>;
  return "uid" in p && "gid" in p && "processName" in p;
}

/** Make every TCP listen of `reactor` share its port with other processes (SO_REUSEPORT). */
function shareTCPPorts(reactor: Reactor): void {
  if (reactor.kind === "host") {
    throw new UsageError("--workers needs an FFI reactor (SO_REUSEPORT); drop --reactor host");
  }
  const listen = reactor.listenTCP;
  reactor.listenTCP = (
    port: number,
    factory: IProtocolFactory,
    options?: ListenTCPOptions,
  ): IListeningPort<IPAddress> =>
    listen.call(reactor, port, factory, { ...options, reusePort: true });
}

function switchPrivileges(uid: number | null, gid: number | null): void {
  if (uid === null && gid === null) return;
  if (process.getuid?.() !== 0) {
    log.warn("--uid/--gid are ignored: the process does not run as root");
    return;
  }
  if (gid !== null) process.setgid!(gid);
  if (uid !== null) process.setuid!(uid);
  log.info("Switched to uid {uid}, gid {gid}.", {
    uid: process.getuid?.(),
    gid: process.getgid?.(),
  });
}

/**
 * Run `plugin`'s service under the runner in this process until SIGTERM or
 * SIGINT (or `reactor.stop()`): change to `--rundir`, set the umask, claim
 * the pid file, choose the reactor, begin logging, build the service,
 * `startApplication` it, shed root, run the reactor with SIGUSR2 (and
 * SIGUSR1 on Bun) rotating the log file; on a stop signal, stop the services
 * (waiting up to `--shutdown-timeout` seconds for their Deferreds), remove the
 * pid file and report the signal.
 */
export async function runService(
  plugin: SkeinPlugin,
  parts: CommandLineParts,
  role: RunnerRole,
): Promise<RunOutcome> {
  const options = role === "worker"
    ? { ...parts.options, logfile: "-", logFormat: "text" as const, pidfile: null }
    : parts.options;
  const startedIn = process.cwd();
  if (options.rundir !== null) chdir(options.rundir);
  const daemonized = role === "daemon";
  const umask = options.umask ?? (daemonized ? 0o077 : null);
  if (umask !== null) process.umask(umask);
  const pidPath = role === "worker" ? null : options.pidfile ?? (daemonized ? "skein.pid" : null);
  const pidFile = pidPath === null ? null : new PIDFile(pidPath);
  // Refuse at once when a live process holds the pid file; claim it once the
  // ports are bound, so a daemon's launcher sees it only when startup worked.
  const holder = pidFile?.read() ?? null;
  if (pidFile !== null && holder !== null && holder !== process.pid && processAlive(holder)) {
    throw new AlreadyRunningError(pidFile.path, holder);
  }
  let logging: ReturnType<typeof startRunnerLogging> | null = null;
  let stopSignal: "SIGTERM" | "SIGINT" | null = null;
  const handlers: [string, () => void][] = [];
  const removeHandlers = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
    handlers.length = 0;
  };
  try {
    if (options.reactor !== null) installReactor(options.reactor);
    const reactor = getReactor() as Reactor & IReactorProcess;
    logging = startRunnerLogging(options, {
      logfile: daemonized ? "skein.log" : null,
      stdoutIsTTY: process.stdout.isTTY === true,
      // A worker's lines go into its supervisor's log, which stamps them.
      timestamps: role !== "worker",
    });
    if (options.debug) {
      setDebugging(true);
      DelayedCall.debug = true;
      log.info("Debug mode: Deferred and DelayedCall creation stacks are recorded.");
    }
    if (role === "worker") shareTCPPorts(reactor);
    const service = await plugin.makeService({
      argv: parts.args,
      reactor,
      runner: options,
      cwd: startedIn,
    });
    const name = service.name ?? plugin.name;
    if (isProcess(service) && service.processName !== null) {
      try {
        process.title = service.processName;
      } catch {
        // the runtime does not let us rename the process: keep its name
      }
    }
    // With --workers the one manhole is the supervisor's (workers would share its port).
    startApplication(
      options.manhole === null || role === "worker" ? service : withManhole(service, reactor, {
        listen: options.manhole,
        passwordFile: options.manholePasswordFile,
        cwd: startedIn,
      }),
      reactor,
    );
    if (pidFile !== null && pidFile.claim() === "replaced a stale pid file") {
      log.info("Replaced the stale pid file {path}.", { path: pidFile.path });
    }
    switchPrivileges(
      options.uid ?? (isProcess(service) ? service.uid : null),
      options.gid ?? (isProcess(service) ? service.gid : null),
    );
    let shutdownTimer: ReturnType<typeof setTimeout> | null = null;
    const onStop = (signal: "SIGTERM" | "SIGINT"): void => {
      if (stopSignal !== null) return;
      stopSignal = signal;
      log.info("Received {signal}, shutting down.", { signal });
      shutdownTimer = setTimeout(() => {
        log.critical("The services did not stop within {seconds} s; exiting anyway.", {
          seconds: options.shutdownTimeout,
        });
        logging?.flush();
        pidFile?.remove();
        process.exit(1);
      }, options.shutdownTimeout * 1000);
      reactor.callFromThread(() => {
        if (reactor.running) reactor.stop();
      });
    };
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const h = (): void => onStop(signal);
      process.on(signal, h);
      handlers.push([signal, h]);
    }
    const logFile = logging.logFile;
    if (logFile !== null) {
      for (const signal of logRotationSignals()) {
        const h = (): void => {
          reactor.callFromThread(() => {
            logFile.rotate();
            log.info("Rotated the log file on {signal}.", { signal });
          });
        };
        process.on(signal, h);
        handlers.push([signal, h]);
      }
    }
    reactor.callWhenRunning(() => {
      log.info("{name} started (pid {pid}, reactor {kind}).", {
        name,
        pid: process.pid,
        kind: reactor.kind,
      });
    });
    await reactor.run({ installSignalHandlers: false });
    if (shutdownTimer !== null) clearTimeout(shutdownTimer);
    log.info("{name} stopped.", { name });
    return { code: 0, signal: stopSignal };
  } finally {
    removeHandlers();
    logging?.flush();
    pidFile?.remove();
  }
}
