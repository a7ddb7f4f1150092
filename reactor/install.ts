/**
 * Choosing and installing the reactor, as Twisted's `twisted.internet.default`
 * and `*reactor.install()` do.
 *
 * - `createReactor(kind?)` makes a fresh reactor (tests want one each).
 * - `installReactor(kind | reactor)` picks the process-wide reactor; it must
 *   come before the first use of `reactor`, else it throws
 *   `ReactorAlreadyInstalledError`.
 * - The `SKEIN_REACTOR` environment variable (`epoll`, `poll`, `select`,
 *   `kqueue`, `host`) picks it without code.
 * - `reactor` is the process-wide reactor, bound lazily on first use to the
 *   installed one or the platform's best: epoll on Linux, kqueue on macOS and
 *   the BSDs, and the host reactor (the runtime's own sockets) where FFI is
 *   not allowed, with a one-line notice.
 *
 * @module
 */

import type { IReactor, IReactorFDSet, IReactorProcess, IReactorThreads } from "../interfaces.ts";
import * as log from "../log/log.ts";
import type { IReactorSSL } from "../ssl/reactor_ssl.ts";
import { bindMethods } from "./_bind_methods.ts";
import { ReactorAlreadyInstalledError } from "./errors.ts";
import { envVar, ffiAvailable } from "./ffi/mod.ts";
import { HostReactor } from "./host/host_reactor.ts";
import { defaultPollerKind, POLLER_KINDS, type PollerKind } from "./pollers/mod.ts";
import { PosixReactor } from "./posix_reactor.ts";
import type { ReactorBase, RunOptions } from "./reactor_base.ts";

/**
 * The reactors Skein offers: an FFI poller, or `"host"` (the runtime's own
 * sockets, for places without FFI).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type ReactorKind } from "@skein/skein/reactor";
 *
 * const kind: ReactorKind = "poll";
 * assert.equal(createReactor(kind).kind, "poll");
 * ```
 */
export type ReactorKind = PollerKind | "host";

/**
 * What `createReactor` and `getReactor` return: a full reactor with
 * `ReactorBase`'s life cycle. FFI reactors are also `IReactorFDSet`s
 * (`reactor instanceof PosixReactor`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type Reactor } from "@skein/skein/reactor";
 *
 * function stopSoon(r: Reactor): void {
 *   r.callLater(0.01, () => r.stop());
 * }
 * const reactor = createReactor("poll");
 * stopSoon(reactor);
 * await reactor.run();
 * assert.equal(reactor.running, false);
 * ```
 */
export type Reactor = ReactorBase & IReactor & IReactorSSL;

/**
 * Every reactor kind: the poller kinds, then `"host"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REACTOR_KINDS } from "@skein/skein/reactor";
 *
 * assert.deepEqual(REACTOR_KINDS, ["epoll", "poll", "select", "kqueue", "host"]);
 * ```
 */
export const REACTOR_KINDS: readonly ReactorKind[] = [...POLLER_KINDS, "host"];

function isKind(s: string): s is ReactorKind {
  return (REACTOR_KINDS as readonly string[]).includes(s);
}

/**
 * The kind `createReactor()` picks with no argument: `SKEIN_REACTOR` if set,
 * else the platform's best poller (`defaultPollerKind()`), else `"host"`
 * when FFI is not allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { defaultPollerKind, defaultReactorKind } from "@skein/skein/reactor";
 *
 * // With SKEIN_REACTOR unset: the best poller here, or "host" without FFI.
 * if (!process.env.SKEIN_REACTOR) {
 *   assert.equal(defaultReactorKind(), defaultPollerKind() ?? "host");
 * }
 * ```
 */
export function defaultReactorKind(): ReactorKind {
  const fromEnv = envVar("SKEIN_REACTOR");
  if (fromEnv !== undefined) {
    if (!isKind(fromEnv)) {
      throw new TypeError(
        `SKEIN_REACTOR=${JSON.stringify(fromEnv)} is not a reactor; use one of ${
          REACTOR_KINDS.join(", ")
        }`,
      );
    }
    return fromEnv;
  }
  return defaultPollerKind() ?? "host";
}

/**
 * A fresh reactor of `kind` (default: {@linkcode defaultReactorKind}). It is
 * not installed: pass it around explicitly. Asking for an FFI kind where FFI
 * is not allowed throws, saying so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor("poll");
 * assert.equal(reactor.kind, "poll");
 * let ran = false;
 * reactor.callLater(0, () => {
 *   ran = true;
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.ok(ran);
 * assert.throws(() => createReactor("iocp" as "poll"), TypeError);
 * ```
 */
export function createReactor(kind?: ReactorKind): Reactor {
  const explicit = kind !== undefined;
  const k = kind ?? defaultReactorKind();
  if (!isKind(k)) {
    throw new TypeError(
      `${JSON.stringify(k)} is not a reactor kind; use one of ${REACTOR_KINDS.join(", ")}`,
    );
  }
  if (k === "host") {
    if (!explicit && envVar("SKEIN_REACTOR") === undefined) {
      log.msgWith(
        { system: "skein", forceStderr: true },
        "skein: FFI is not available (Deno needs --allow-ffi); using the host reactor.",
      );
    }
    return new HostReactor() as Reactor;
  }
  if (!ffiAvailable()) {
    throw new Error(
      `The ${k} reactor needs FFI, which is not available here (run Deno with --allow-ffi), or use "host".`,
    );
  }
  return new PosixReactor(k);
}

let installed: Reactor | null = null;

/**
 * Install the process-wide reactor: a kind, or a reactor you made. Must come
 * before the first use of {@linkcode reactor} (or of `getReactor()`); later it
 * throws `ReactorAlreadyInstalledError`, as Twisted's `install()` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installReactor, reactor, ReactorAlreadyInstalledError } from "@skein/skein/reactor";
 *
 * installReactor("poll");
 * assert.equal(reactor.kind, "poll");
 * // Twisted's install(): only before the first use.
 * assert.throws(() => installReactor("select"), ReactorAlreadyInstalledError);
 * ```
 */
export function installReactor(kind: ReactorKind | Reactor): Reactor {
  if (installed !== null) {
    throw new ReactorAlreadyInstalledError(
      `A reactor (${installed.kind}) is already installed; installReactor must come before the first use of the reactor.`,
    );
  }
  installed = typeof kind === "string" ? createReactor(kind) : kind;
  return installed;
}

/**
 * The process-wide reactor: the installed one, or the default, installed now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getReactor, reactor } from "@skein/skein/reactor";
 *
 * const r = getReactor();
 * assert.equal(getReactor(), r);
 * assert.equal(reactor.target, r);
 * r.callWhenRunning(() => r.stop());
 * await r.run();
 * ```
 */
export function getReactor(): Reactor {
  return installed ??= createReactor();
}

/**
 * Every member of {@linkcode LazyReactor} that forwards to its `target`,
 * with the documentation of its interface. The class defines them from a
 * table; the FFI reactors' `IReactorFDSet` methods throw a `TypeError` on the
 * host reactor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LazyReactor, reactor } from "@skein/skein/reactor";
 *
 * const lazy: LazyReactor = reactor;
 * assert.equal(typeof lazy.callLater, "function");
 * ```
 */
export interface LazyReactor
  extends IReactor, IReactorSSL, IReactorFDSet, IReactorProcess, IReactorThreads
{}

/**
 * Where {@linkcode LazyReactor} sends each forwarded member: to the bound
 * reactor, or to it as an FFI reactor (`"fdset"`: the host reactor has no
 * `IReactorFDSet`). A member missing here is a type error.
 */
const ROUTES: Record<
  Exclude<keyof LazyReactor, "target" | "running" | "kind" | "run" | "runBlocking">,
  "reactor" | "fdset"
> = {
  stop: "reactor",
  crash: "reactor",
  callWhenRunning: "reactor",
  addSystemEventTrigger: "reactor",
  removeSystemEventTrigger: "reactor",
  fireSystemEvent: "reactor",
  seconds: "reactor",
  callLater: "reactor",
  getDelayedCalls: "reactor",
  callFromThread: "reactor",
  resolve: "reactor",
  getThreadPool: "reactor",
  callInThread: "reactor",
  suggestThreadPoolSize: "reactor",
  listenTCP: "reactor",
  connectTCP: "reactor",
  listenSSL: "reactor",
  connectSSL: "reactor",
  listenUNIX: "reactor",
  connectUNIX: "reactor",
  listenUDP: "reactor",
  spawnProcess: "reactor", // both reactors have it
  addReader: "fdset",
  addWriter: "fdset",
  removeReader: "fdset",
  removeWriter: "fdset",
  removeAll: "fdset",
  getReaders: "fdset",
  getWriters: "fdset",
};

// The class's forwarded members are declared by the interface of the same name.
/**
 * The lazy stand-in for the process-wide reactor: every member forwards to
 * `getReactor()`, so importing it creates nothing and the first use binds it.
 * The file-descriptor methods throw a `TypeError` on the host reactor.
 * Use the exported {@linkcode reactor} instance rather than making another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LazyReactor, reactor } from "@skein/skein/reactor";
 *
 * assert.ok(reactor instanceof LazyReactor);
 * const seen: boolean[] = [];
 * reactor.callWhenRunning(() => {
 *   seen.push(reactor.running);
 *   reactor.stop();
 * });
 * await reactor.run(); // binds the platform's default reactor first
 * assert.deepEqual(seen, [true]);
 * ```
 */
export class LazyReactor {
  static {
    for (const [name, route] of Object.entries(ROUTES)) {
      const method = function(this: LazyReactor, ...args: unknown[]): unknown {
        const to = route === "fdset" ? this.#fdset() : this.target;
        return (to as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
      };
      Object.defineProperty(method, "name", { value: name });
      Object.defineProperty(LazyReactor.prototype, name, {
        value: method,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
  /** Binds every method, so that `reactor.callLater(1, reactor.stop)` works as in Twisted. */
  constructor() {
    bindMethods(this);
  }
  /** The reactor this forwards to (binding it on first use). */
  get target(): Reactor {
    return installed ?? getReactor();
  }
  /** See `IReactorCore.running`. */
  get running(): boolean {
    return this.target.running;
  }
  /** See `IReactor.kind`. */
  get kind(): string {
    return this.target.kind;
  }
  /** See `ReactorBase.run` (the run options of both reactors). */
  run(options?: RunOptions): Promise<void> {
    return this.target.run(options);
  }
  /** See `PosixReactor.runBlocking` (FFI reactors only). */
  runBlocking(options?: RunOptions): Promise<void> {
    const t = this.target;
    if (!(t instanceof PosixReactor)) {
      throw new TypeError(`The ${t.kind} reactor has no runBlocking()`);
    }
    return t.runBlocking(options);
  }
  #fdset(): PosixReactor {
    const t = this.target;
    if (!(t instanceof PosixReactor)) {
      throw new TypeError(`The ${t.kind} reactor does not watch file descriptors (IReactorFDSet)`);
    }
    return t;
  }
}

/**
 * The process-wide reactor, Twisted's `from twisted.internet import reactor`.
 * Bound on first use to the installed reactor or the platform default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@skein/skein/reactor";
 *
 * let fired = 0;
 * reactor.callLater(0.01, () => {
 *   fired++;
 *   reactor.stop();
 * });
 * await reactor.run();
 * assert.equal(fired, 1);
 * ```
 */
export const reactor: LazyReactor = new LazyReactor();
