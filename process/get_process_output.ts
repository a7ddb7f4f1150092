/**
 * `getProcessOutput`, `getProcessValue` and `getProcessOutputAndValue`:
 * run a program and get its output and/or exit code as a `Deferred`
 * (Twisted's `twisted.internet.utils`).
 *
 * As in Twisted, `args` does **not** include the program's name (it is
 * added as `argv[0]`), and a program that cannot be started throws at the
 * call. Unlike Twisted: the environment is inherited unless `env` is given
 * (`env: {}` is empty), a child killed by a signal fails
 * `getProcessOutputAndValue` with a {@linkcode ProcessKilledError} (not a
 * bare tuple), and `UnexpectedErrorOutput.processEnded` calls back (so no
 * unhandled `ProcessDone` is logged).
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IReactorProcess } from "../interfaces.ts";
import { concatBytes } from "../protocols/basic/_buffer.ts";
import { ProcessProtocol } from "../protocols/process_protocol.ts";
import { type ProcessDone, ProcessTerminated } from "../reactor/errors.ts";
import { getReactor } from "../reactor/install.ts";
import { ProcessKilledError, UnexpectedErrorOutput } from "./errors.ts";

/**
 * Options of {@linkcode getProcessValue} (and the base of the others).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessValueOptions } from "@skein/skein/process";
 *
 * const options: ProcessValueOptions = { env: { LANG: "C" }, path: "/" };
 * assert.equal(options.path, "/");
 * ```
 */
export interface ProcessValueOptions {
  /** The child's whole environment. @default {this process's (`process.env`)} */
  env?: Record<string, string>;
  /** The child's working directory. @default {this process's} */
  path?: string;
  /** The reactor to spawn on. @default {the process-wide reactor} */
  reactor?: IReactorProcess;
}

/**
 * Options of {@linkcode getProcessOutput}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessOutputOptions } from "@skein/skein/process";
 *
 * const options: ProcessOutputOptions = { errortoo: true };
 * assert.equal(options.errortoo, true);
 * ```
 */
export interface ProcessOutputOptions extends ProcessValueOptions {
  /**
   * Mix stderr into the result. When false, the first stderr bytes fail the
   * result with {@linkcode UnexpectedErrorOutput} and close the pipes.
   * @default {false}
   */
  errortoo?: boolean;
}

/**
 * Options of {@linkcode getProcessOutputAndValue}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ProcessOutputAndValueOptions } from "@skein/skein/process";
 *
 * const options: ProcessOutputAndValueOptions = { stdinBytes: "input" };
 * assert.equal(options.stdinBytes, "input");
 * ```
 */
export interface ProcessOutputAndValueOptions extends ProcessValueOptions {
  /** Written to the child's stdin, which is then closed (left open when omitted, as in Twisted). */
  stdinBytes?: Uint8Array | string;
}

function spawn(
  protocol: ProcessProtocol,
  executable: string,
  args: readonly string[],
  options: ProcessValueOptions,
): void {
  if (!Array.isArray(args)) {
    throw new TypeError("args must be an array of strings (without the program's name)");
  }
  const reactor = options.reactor ?? (getReactor() as unknown as IReactorProcess);
  const spawnOptions = {
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  };
  reactor.spawnProcess(protocol, executable, [executable, ...args], spawnOptions);
}

class BackRelay extends ProcessProtocol {
  readonly #out: Uint8Array[] = [];
  readonly #errortoo: boolean;
  #deferred: Deferred<Uint8Array> | null;
  #onProcessEnded: Deferred<ProcessDone | ProcessTerminated> | null = null;

  constructor(deferred: Deferred<Uint8Array>, errortoo: boolean) {
    super();
    this.#deferred = deferred;
    this.#errortoo = errortoo;
  }

  override outReceived(data: Uint8Array): void {
    this.#out.push(data);
  }

  override errReceived(data: Uint8Array): void {
    if (this.#errortoo) {
      this.#out.push(data);
      return;
    }
    const deferred = this.#deferred;
    if (deferred === null) return;
    this.#deferred = null;
    this.#onProcessEnded = new Deferred<ProcessDone | ProcessTerminated>();
    deferred.errback(
      new Failure(new UnexpectedErrorOutput(data, concatBytes(this.#out), this.#onProcessEnded)),
    );
    this.transport?.loseConnection();
  }

  override processEnded(reason: Failure): void {
    if (this.#deferred !== null) this.#deferred.callback(concatBytes(this.#out));
    else this.#onProcessEnded?.callback(reason.value as ProcessDone | ProcessTerminated);
  }
}

/**
 * Run `executable` with `args` (not including its name) and fire with what
 * it wrote to stdout once it has ended, whatever its exit code (as in
 * Twisted). With `errortoo`, stderr is mixed in; without, the first bytes on
 * stderr fail the result with {@linkcode UnexpectedErrorOutput}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getProcessOutput } from "@skein/skein/process";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * const reactor = new PosixReactor("poll");
 * const running = reactor.run();
 * const out = await getProcessOutput("sh", ["-c", "echo hello"], { reactor });
 * assert.equal(new TextDecoder().decode(out), "hello\n");
 * reactor.stop();
 * await running;
 * ```
 */
export function getProcessOutput(
  executable: string,
  args: readonly string[] = [],
  options: ProcessOutputOptions = {},
): Deferred<Uint8Array> {
  const deferred = new Deferred<Uint8Array>();
  spawn(new BackRelay(deferred, options.errortoo ?? false), executable, args, options);
  return deferred;
}

class ValueGetter extends ProcessProtocol {
  readonly #deferred: Deferred<number | null>;

  constructor(deferred: Deferred<number | null>) {
    super();
    this.#deferred = deferred;
  }

  override processEnded(reason: Failure): void {
    const e = reason.value;
    this.#deferred.callback(e instanceof ProcessTerminated ? e.exitCode : 0);
  }
}

/**
 * Run `executable` with `args` (not including its name) and fire with its
 * exit code, or `null` when a signal killed it (Twisted's `None`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getProcessValue } from "@skein/skein/process";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * const reactor = new PosixReactor("poll");
 * const running = reactor.run();
 * assert.equal(await getProcessValue("sh", ["-c", "exit 7"], { reactor }), 7);
 * reactor.stop();
 * await running;
 * ```
 */
export function getProcessValue(
  executable: string,
  args: readonly string[] = [],
  options: ProcessValueOptions = {},
): Deferred<number | null> {
  const deferred = new Deferred<number | null>();
  spawn(new ValueGetter(deferred), executable, args, options);
  return deferred;
}

class EverythingGetter extends ProcessProtocol {
  readonly #deferred: Deferred<[Uint8Array, Uint8Array, number]>;
  readonly #stdin: Uint8Array | string | undefined;
  readonly #out: Uint8Array[] = [];
  readonly #err: Uint8Array[] = [];

  constructor(
    deferred: Deferred<[Uint8Array, Uint8Array, number]>,
    stdin: Uint8Array | string | undefined,
  ) {
    super();
    this.#deferred = deferred;
    this.#stdin = stdin;
  }

  override connectionMade(): void {
    if (this.#stdin === undefined) return;
    this.transport!.writeToChild(0, this.#stdin);
    this.transport!.closeStdin();
  }

  override outReceived(data: Uint8Array): void {
    this.#out.push(data);
  }

  override errReceived(data: Uint8Array): void {
    this.#err.push(data);
  }

  override processEnded(reason: Failure): void {
    const out = concatBytes(this.#out);
    const err = concatBytes(this.#err);
    const e = reason.value;
    if (e instanceof ProcessTerminated && e.signal !== null) {
      this.#deferred.errback(new Failure(new ProcessKilledError(out, err, e.signal)));
    } else {
      this.#deferred.callback([out, err, e instanceof ProcessTerminated ? e.exitCode ?? 0 : 0]);
    }
  }
}

/**
 * Run `executable` with `args` (not including its name), writing
 * `stdinBytes` to its stdin and closing it when given, and fire with
 * `[stdout, stderr, exitCode]`. A child killed by a signal fails with
 * {@linkcode ProcessKilledError} (carrying `out`, `err` and `signal`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getProcessOutputAndValue } from "@skein/skein/process";
 * import { PosixReactor } from "@skein/skein/reactor";
 *
 * const reactor = new PosixReactor("poll");
 * const running = reactor.run();
 * const [out, err, code] = await getProcessOutputAndValue(
 *   "sh",
 *   ["-c", "cat; echo e >&2; exit 2"],
 *   { reactor, stdinBytes: "o\n" },
 * );
 * const text = new TextDecoder();
 * assert.deepEqual([text.decode(out), text.decode(err), code], ["o\n", "e\n", 2]);
 * reactor.stop();
 * await running;
 * ```
 */
export function getProcessOutputAndValue(
  executable: string,
  args: readonly string[] = [],
  options: ProcessOutputAndValueOptions = {},
): Deferred<[Uint8Array, Uint8Array, number]> {
  const deferred = new Deferred<[Uint8Array, Uint8Array, number]>();
  spawn(new EverythingGetter(deferred, options.stdinBytes), executable, args, options);
  return deferred;
}
