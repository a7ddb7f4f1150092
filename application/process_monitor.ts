/**
 * `ProcessMonitor`: Twisted's `twisted.runner.procmon.ProcessMonitor`, a
 * service that keeps child processes running.
 *
 * @module
 */

import { Deferred, succeed } from "../deferred/deferred.ts";
import { DeferredList } from "../deferred/deferred_list.ts";
import type { Failure } from "../deferred/failure.ts";
import type {
  IDelayedCall,
  IProcessTransport,
  IReactorProcess,
  IReactorTime,
} from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { ProcessProtocol } from "../protocols/process_protocol.ts";
import { ServiceStateError } from "./errors.ts";
import { Service } from "./service.ts";

/**
 * What `ProcessMonitor` needs of a reactor: time and child processes.
 *
 * @example
 * ```ts
 * import type { ProcessMonitorReactor } from "@skein/skein/application";
 * import { PosixReactor } from "@skein/skein/reactor";
 * const reactor: ProcessMonitorReactor = new PosixReactor("poll");
 * ```
 */
export type ProcessMonitorReactor = IReactorTime & IReactorProcess;

/**
 * Options for {@linkcode ProcessMonitor}: Twisted's, with its defaults.
 *
 * @example
 * ```ts
 * import type { ProcessMonitorOptions } from "@skein/skein/application";
 * const options: ProcessMonitorOptions = { threshold: 2, killTime: 1, minRestartDelay: 0.5 };
 * ```
 */
export interface ProcessMonitorOptions {
  /** A process that ran less than this many seconds died too soon: its restart delay doubles (default 1). */
  threshold?: number;
  /** Seconds between SIGTERM and SIGKILL when stopping a process (default 5). */
  killTime?: number;
  /** The first restart delay after a quick death, in seconds (default 1). */
  minRestartDelay?: number;
  /** The longest restart delay, in seconds (default 3600). */
  maxRestartDelay?: number;
}

/**
 * How to start one monitored process.
 *
 * @example
 * ```ts
 * import type { ProcessSpec } from "@skein/skein/application";
 * const spec: ProcessSpec = { args: ["sleep", "60"], cwd: "/tmp" };
 * ```
 */
export interface ProcessSpec {
  /** The program (looked up on `PATH`) and its arguments. */
  args: string[];
  /** The child's whole environment (default: this process's). */
  env?: Record<string, string>;
  /** The child's working directory. */
  cwd?: string;
  /** The user id to run it as (root only). */
  uid?: number;
  /** The group id to run it as (root only). */
  gid?: number;
}

/** Logs a child's output line by line, and tells the monitor when it ends. */
class LoggingProtocol extends ProcessProtocol {
  readonly #name: string;
  readonly #log: Logger;
  readonly #ended: (reason: Failure) => void;
  #partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  readonly #decoder: Record<"stdout" | "stderr", TextDecoder> = {
    stdout: new TextDecoder(),
    stderr: new TextDecoder(),
  };

  constructor(name: string, log: Logger, ended: (reason: Failure) => void) {
    super();
    this.#name = name;
    this.#log = log;
    this.#ended = ended;
  }

  override outReceived(data: Uint8Array): void {
    this.#lines("stdout", data);
  }

  override errReceived(data: Uint8Array): void {
    this.#lines("stderr", data);
  }

  #lines(stream: "stdout" | "stderr", data: Uint8Array): void {
    const text = this.#partial[stream] + this.#decoder[stream].decode(data, { stream: true });
    const lines = text.split("\n");
    this.#partial[stream] = lines.pop()!;
    for (const line of lines) this.#emit(stream, line);
  }

  #emit(stream: "stdout" | "stderr", line: string): void {
    this.#log.info("[{name}] {line}", { name: this.#name, line, stream });
  }

  override processEnded(reason: Failure): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.#partial[stream] !== "") this.#emit(stream, this.#partial[stream]);
      this.#partial[stream] = "";
    }
    this.#ended(reason);
  }
}

interface Running {
  protocol: LoggingProtocol;
  transport: IProcessTransport;
  started: number;
  ended: Deferred<void>;
  murder: IDelayedCall | null;
}

/**
 * Keep named child processes running (Twisted's `ProcessMonitor`). Each is
 * started with `reactor.spawnProcess`; its stdout and stderr are logged line
 * by line (`[name] line`). When one ends while the monitor runs, it is started
 * again: at once if it ran at least `threshold` seconds, else after a delay
 * that starts at `minRestartDelay` and doubles on each quick death, up to
 * `maxRestartDelay`. Stopping a process sends SIGTERM, then SIGKILL after
 * `killTime` seconds. Unlike Twisted's, `stopService` returns a Deferred that
 * fires once every child has ended, so a runner's shutdown waits for them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessMonitor } from "@skein/skein/application";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * const reactor = new PosixReactor("poll");
 * const monitor = new ProcessMonitor(reactor, { minRestartDelay: 0.05 });
 * monitor.addProcess("short", { args: ["sh", "-c", "echo hello"] });
 * let restarts = 0;
 * monitor.onProcessStarted = (name, count) => {
 *   restarts = count - 1;
 *   if (count === 3) monitor.stopService().addCallback(() => reactor.stop());
 * };
 * reactor.callWhenRunning(() => monitor.startService());
 * await reactor.run();
 * assert.equal(restarts, 2);
 * ```
 */
export class ProcessMonitor extends Service {
  /** Seconds a process must run not to count as a quick death. */
  readonly threshold: number;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly killTime: number;
  /** The first restart delay. */
  readonly minRestartDelay: number;
  /** The longest restart delay. */
  readonly maxRestartDelay: number;
  /** Called each time a process starts, with how many times it has started. */
  onProcessStarted: ((name: string, count: number) => void) | null = null;
  readonly #reactor: ProcessMonitorReactor;
  readonly #log: Logger = new Logger({ namespace: "skein.procmon" });
  readonly #specs = new Map<string, ProcessSpec>();
  readonly #running = new Map<string, Running>();
  readonly #delay = new Map<string, number>();
  readonly #restarts = new Map<string, IDelayedCall>();
  readonly #starts = new Map<string, number>();

  /** A monitor spawning on `reactor`. */
  constructor(reactor: ProcessMonitorReactor, options: ProcessMonitorOptions = {}) {
    super();
    this.#reactor = reactor;
    this.threshold = seconds("threshold", options.threshold ?? 1);
    this.killTime = seconds("killTime", options.killTime ?? 5);
    this.minRestartDelay = seconds("minRestartDelay", options.minRestartDelay ?? 1);
    this.maxRestartDelay = seconds("maxRestartDelay", options.maxRestartDelay ?? 3600);
  }

  /**
   * Monitor a process called `name`; a running monitor starts it at once.
   * A second process with the same name is a `ServiceStateError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * monitor.addProcess("worker", { args: ["sleep", "60"] });
   * assert.deepEqual(monitor.processes(), ["worker"]);
   * ```
   */
  addProcess(name: string, spec: ProcessSpec): void {
    if (this.#specs.has(name)) {
      throw new ServiceStateError(
        `a process named ${JSON.stringify(name)} is already monitored; remove it first`,
      );
    }
    if (
      !Array.isArray(spec.args) || spec.args.length === 0
      || spec.args.some((a) => typeof a !== "string")
    ) {
      throw new TypeError(
        `addProcess(${JSON.stringify(name)}): args must be a non-empty list of strings`,
      );
    }
    this.#specs.set(name, { ...spec, args: [...spec.args] });
    this.#delay.set(name, this.minRestartDelay);
    if (this.running) this.startProcess(name);
  }

  /**
   * Stop monitoring `name`: stop it (if it runs) and forget it; the Deferred
   * fires once it has ended.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * monitor.addProcess("worker", { args: ["sleep", "60"] });
   * monitor.removeProcess("worker");
   * assert.deepEqual(monitor.processes(), []);
   * ```
   */
  removeProcess(name: string): Deferred<void> {
    const ended = this.stopProcess(name);
    this.#specs.delete(name);
    this.#delay.delete(name);
    return ended;
  }

  /**
   * The names of the monitored processes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * assert.deepEqual(new ProcessMonitor(new PosixReactor("poll")).processes(), []);
   * ```
   */
  processes(): string[] {
    return [...this.#specs.keys()];
  }

  /**
   * The pid of `name` while it runs, else null.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * monitor.addProcess("worker", { args: ["sleep", "60"] });
   * assert.equal(monitor.pidOf("worker"), null);
   * ```
   */
  pidOf(name: string): number | null {
    return this.#running.get(name)?.transport.pid ?? null;
  }

  /**
   * Start every monitored process.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const reactor = new PosixReactor("poll");
   * const monitor = new ProcessMonitor(reactor);
   * monitor.addProcess("sleeper", { args: ["sleep", "60"] });
   * let pid: number | null = null;
   * reactor.callWhenRunning(async () => {
   *   monitor.startService();
   *   pid = monitor.pidOf("sleeper");
   *   await monitor.stopService();
   *   reactor.stop();
   * });
   * await reactor.run();
   * assert.ok(pid !== null && pid > 0);
   * ```
   */
  override startService(): void {
    super.startService();
    for (const name of this.#specs.keys()) this.startProcess(name);
  }

  /**
   * Cancel pending restarts and stop every process; the Deferred fires once
   * all have ended.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * await monitor.stopService();
   * assert.equal(monitor.running, false);
   * ```
   */
  override stopService(): Deferred<unknown> {
    super.stopService();
    for (const call of this.#restarts.values()) if (call.active()) call.cancel();
    this.#restarts.clear();
    const ended = [...this.#specs.keys()].map((name) => this.stopProcess(name));
    const done = new Deferred<unknown>();
    new DeferredList(ended).addCallback(() => done.callback(undefined));
    return done;
  }

  /**
   * Start `name` unless it runs already.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * assert.throws(() => monitor.startProcess("nobody"), /not monitored/);
   * ```
   */
  startProcess(name: string): void {
    const spec = this.#spec(name);
    if (this.#running.has(name)) return;
    this.#restarts.delete(name);
    const ended = new Deferred<void>();
    const protocol = new LoggingProtocol(
      name,
      this.#log,
      (reason) => this.#processEnded(name, reason),
    );
    const options: { env?: Record<string, string>; path?: string; uid?: number; gid?: number; } =
      {};
    if (spec.env !== undefined) options.env = spec.env;
    if (spec.cwd !== undefined) options.path = spec.cwd;
    if (spec.uid !== undefined) options.uid = spec.uid;
    if (spec.gid !== undefined) options.gid = spec.gid;
    const transport = this.#reactor.spawnProcess(protocol, spec.args[0], spec.args, options);
    this.#running.set(name, {
      protocol,
      transport,
      started: this.#reactor.seconds(),
      ended,
      murder: null,
    });
    const count = (this.#starts.get(name) ?? 0) + 1;
    this.#starts.set(name, count);
    this.#log.info("Started {name} (pid {pid}).", { name, pid: transport.pid });
    this.onProcessStarted?.(name, count);
  }

  /**
   * Stop `name`: SIGTERM now, SIGKILL after `killTime` if it is still there.
   * While the monitor runs, it is started again as after any other end (see
   * `restartAll`). The Deferred fires once it has ended.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * const monitor = new ProcessMonitor(new PosixReactor("poll"));
   * monitor.addProcess("worker", { args: ["sleep", "60"] });
   * assert.equal(monitor.stopProcess("worker").called, true); // not running: nothing to wait for
   * ```
   */
  stopProcess(name: string): Deferred<void> {
    this.#spec(name);
    const running = this.#running.get(name);
    if (running === undefined) return succeed(undefined);
    const waiter = new Deferred<void>();
    running.ended.addCallback(() => waiter.callback(undefined));
    if (running.murder === null) {
      this.#signal(running, "TERM");
      running.murder = this.#reactor.callLater(this.killTime, () => {
        running.murder = null;
        this.#log.warn("{name} did not stop within {seconds} s of SIGTERM; sending SIGKILL.", {
          name,
          seconds: this.killTime,
        });
        this.#signal(running, "KILL");
      });
    }
    return waiter;
  }

  /**
   * Stop every process; a running monitor starts them again.
   *
   * @example
   * ```ts
   * import { ProcessMonitor } from "@skein/skein/application";
   * import { PosixReactor } from "@skein/skein/reactor";
   * new ProcessMonitor(new PosixReactor("poll")).restartAll();
   * ```
   */
  restartAll(): void {
    for (const name of this.#specs.keys()) this.stopProcess(name);
  }

  #spec(name: string): ProcessSpec {
    const spec = this.#specs.get(name);
    if (spec === undefined) {
      throw new ServiceStateError(`${JSON.stringify(name)} is not monitored; addProcess it first`);
    }
    return spec;
  }

  #signal(running: Running, signal: "TERM" | "KILL"): void {
    try {
      running.transport.signalProcess(signal);
    } catch {
      // it has exited already; processEnded is on its way
    }
  }

  #processEnded(name: string, reason: Failure): void {
    const running = this.#running.get(name);
    if (running === undefined) return;
    this.#running.delete(name);
    running.murder?.cancel();
    running.murder = null;
    const ranFor = this.#reactor.seconds() - running.started;
    const value = reason.value as { exitCode?: number | null; signal?: number | null; };
    this.#log.info("{name} ended (exit code {code}, signal {signal}) after {seconds} s.", {
      name,
      code: value.exitCode ?? null,
      signal: value.signal ?? null,
      seconds: Math.round(ranFor * 1000) / 1000,
    });
    running.ended.callback(undefined);
    if (!this.running || !this.#specs.has(name)) return;
    let nextDelay = 0;
    const delay = this.#delay.get(name) ?? this.minRestartDelay;
    if (ranFor < this.threshold) {
      nextDelay = delay;
      this.#delay.set(name, Math.min(delay * 2, this.maxRestartDelay));
    } else {
      this.#delay.set(name, this.minRestartDelay);
    }
    this.#restarts.set(name, this.#reactor.callLater(nextDelay, () => this.startProcess(name)));
  }
}

function seconds(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `ProcessMonitor: ${name} must be a finite number of seconds >= 0, got ${value}`,
    );
  }
  return value;
}
