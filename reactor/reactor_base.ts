/**
 * The reactor core every Skein reactor shares: Twisted's `ReactorBase` from
 * `twisted/internet/base.py`. It owns the life cycle (`run`, `stop`, `crash`,
 * system event triggers in three phases), timed calls (`callLater` on a binary
 * heap, driven by one host timer), `callFromThread`, and `resolve`.
 *
 * The loop lives on the host event loop: timers are armed with one host
 * `setTimeout` for the earliest deadline (re-armed as needed), due work runs
 * in a `setImmediate` turn, and I/O readiness is the subclass's business
 * (`PosixReactor` parks on a poller off-thread; `HostReactor` uses the
 * runtime's own sockets). While running, the reactor holds the process open;
 * when not running, it never does.
 *
 * @module
 */

import { lookup } from "node:dns";
import { isIP } from "node:net";
import process from "node:process";
import { flushUnhandledFailures } from "../deferred/debug.ts";
import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type {
  IDelayedCall,
  IReactorCore,
  IReactorThreads,
  IReactorTime,
  SystemEvent,
  TriggerHandle,
  TriggerPhase,
} from "../interfaces.ts";
import * as log from "../log/log.ts";
import { bindMethods } from "./_bind_methods.ts";
import { ThreePhaseEvent, Trigger } from "./_system_event.ts";
import { TimerHeap } from "./_timer_heap.ts";
import { checkDelay, DelayedCall } from "./delayed_call.ts";
import {
  DNSLookupError,
  ReactorAlreadyRunning,
  ReactorNotRestartable,
  ReactorNotRunning,
} from "./errors.ts";
import { monotonicSeconds } from "./ffi/mod.ts";
import { ReactorThreads } from "./reactor_threads.ts";

/** The longest a host timer is armed for (Twisted's 2147483 s cap, in ms). */
const LONGEST_MS = 2_147_483_000;
/** Keep-alive interval: never fires in practice; only holds the process open. */
const KEEPALIVE_MS = 0x7fffffff;

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => unknown;

/**
 * Options for {@linkcode ReactorBase.run}.
 *
 * @example A reactor embedded in a program that handles its own signals
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor, type RunOptions } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const options: RunOptions = { installSignalHandlers: false };
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run(options);
 * assert.equal(reactor.running, false);
 * ```
 */
export interface RunOptions {
  /**
   * Stop the reactor on SIGTERM, and on SIGINT unless the process already
   * listens for it (through `callFromThread(stop)`), as Twisted's `run()`
   * does. The handlers are removed when the reactor stops. @default {true}
   */
  installSignalHandlers?: boolean;
}

const scheduleImmediate: (fn: () => void) => unknown = typeof setImmediate === "function"
  ? setImmediate
  : (fn: () => void): unknown => setTimeout(fn, 0);

/**
 * The shared core of every reactor: Twisted's `twisted.internet.base.ReactorBase`.
 *
 * Subclasses add I/O (they override the protected hooks `startLoop`,
 * `stopLoop` and `disconnectAll`) and the networking methods of `IReactor`.
 *
 * Semantics kept from Twisted:
 * - `run()` fires `startup` (`before`, then `during` — where `running` becomes
 *   true — then `after`, where `callWhenRunning` hooks run). Running twice
 *   throws `ReactorAlreadyRunning`; running after `stop()` throws
 *   `ReactorNotRestartable`. After a bare `crash()` the reactor may run again.
 * - `stop()` throws `ReactorNotRunning` unless running; it fires `shutdown`
 *   on the next iteration. `during shutdown` the reactor crashes (leaves the
 *   loop) and disconnects every descriptor; `after shutdown` triggers follow,
 *   and then the promise from `run()` resolves.
 * - A `before` trigger that returns a Deferred (or a promise) delays the
 *   `during` phase until it fires; the loop keeps running meanwhile.
 * - `callLater(0)` scheduled from a timed call runs on the next iteration;
 *   equal-time calls run in the order they were scheduled; an exception in a
 *   call is logged with `log.err` and the loop goes on.
 * - `callFromThread` queues and wakes the loop; the queue is drained first in
 *   each iteration.
 *
 * Every method works unbound (`reactor.callLater(1, reactor.stop)`,
 * `d.addBoth(reactor.stop)`), as Twisted code expects: the constructor binds
 * them, the most-derived override of each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const seen: string[] = [];
 * reactor.callLater(0.01, () => seen.push("timer"));
 * reactor.callLater(0.02, reactor.stop);
 * reactor.addSystemEventTrigger("after", "shutdown", () => seen.push("shut down"));
 * await reactor.run();
 * assert.deepEqual(seen, ["timer", "shut down"]);
 * ```
 */
export abstract class ReactorBase extends ReactorThreads
  implements IReactorCore, IReactorTime, IReactorThreads
{
  /** True from `during startup` until `during shutdown` (or `crash()`). */
  running: boolean = false;

  /** True between `run()` and the loop ending (Twisted's `_started`). */
  #started = false;
  #stopped = true;
  #justStopped = false;
  #startedBefore = false;

  #events = new Map<SystemEvent, ThreePhaseEvent>();

  #threadQueue: Array<[AnyFn, unknown[]]> = [];
  #heap = new TimerHeap<DelayedCall>();
  #newCalls: DelayedCall[] = [];
  #newMin = Infinity;
  #cancellations = 0;

  /**
   * False while a subclass drives timers itself (`PosixReactor.runBlocking`):
   * then no host timer is armed and the subclass calls `runUntilCurrent()`
   * and asks `timeout()`.
   */
  // protected: PosixReactor (a package subclass) switches it for runBlocking().
  protected useHostTimers: boolean = true;
  #timerHandle: ReturnType<typeof setTimeout> | null = null;
  #timerAt = Infinity;
  #immediatePending = false;
  #keepAlive: ReturnType<typeof setInterval> | null = null;
  #runDone: (() => void) | null = null;
  #signalHandler: (() => void) | null = null;

  readonly #cancelCall = (_call: DelayedCall): void => {
    this.#cancellations++;
  };
  readonly #moveSooner = (call: DelayedCall): void => {
    // Still among the new calls (not in the heap yet): only the earliest
    // new deadline needs updating.
    if (!this.#heap.siftUp(call) && call.time < this.#newMin) this.#newMin = call.time;
    this.#armTimer();
  };
  readonly #secondsFn = (): number => this.seconds();
  readonly #onTimer = (): void => {
    this.#timerHandle = null;
    this.#timerAt = Infinity;
    this.#iterate();
  };
  readonly #onImmediate = (): void => {
    this.#immediatePending = false;
    this.#iterate();
  };

  /**
   * Binds every method to this reactor (the most-derived one of each name),
   * so that `reactor.callLater(1, reactor.stop)` works as in Twisted, and sets
   * up the built-in triggers, as Twisted's constructor does.
   */
  constructor() {
    super();
    bindMethods(this);
    this.addSystemEventTrigger("during", "startup", () => this.#reallyStartRunning());
    this.addSystemEventTrigger("during", "shutdown", () => this.crash());
    this.addSystemEventTrigger("during", "shutdown", () => this.disconnectAll());
    this.addSystemEventTrigger("after", "shutdown", flushUnhandledFailures); // unhandled Deferred failures left at stop
  }

  // -------------------------------------------------------------------------
  // Hooks for subclasses
  // -------------------------------------------------------------------------

  /** Start the subclass's I/O machinery; called by `run()` before `startup` fires. */
  // protected (as the hooks below): a hook that subclasses in the package override or call.
  protected startLoop(): void {}

  /**
   * Stop the subclass's I/O machinery and release anything that would hold the
   * process open (a parker, a worker). Called by `crash()`.
   */
  protected stopLoop(): void {}

  /**
   * Disconnect every descriptor (`during shutdown`). The default has none;
   * `PosixReactor` calls `connectionLost(ConnectionLost)` on each.
   */
  protected disconnectAll(): void {}

  /**
   * Make the loop come round soon: the `wakeUp` of Twisted. The base runs an
   * iteration in the next host turn. (A loop that drives timers itself, like
   * `runBlocking`, sees queued work through `timeout()` returning 0.)
   */
  protected wakeUp(): void {
    if (!this.#started || !this.useHostTimers || this.#immediatePending) return;
    this.#immediatePending = true;
    scheduleImmediate(this.#onImmediate);
  }

  // -------------------------------------------------------------------------
  // IReactorCore
  // -------------------------------------------------------------------------

  /**
   * Run the loop until `stop()` (or `crash()`), and return a promise that
   * resolves once the loop has ended, after the shutdown triggers.
   *
   * Write `await reactor.run();`: unlike Twisted's `reactor.run()` it cannot
   * block, because the reactor runs on the host event loop, which must keep
   * turning; without `await` the code after it runs at once (the process
   * still runs until `stop()`). To run a main function and stop when its
   * Deferred fires, use `react()` from `@skein/skein/task`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const seen: string[] = [];
   * reactor.callWhenRunning(() => seen.push("up"));
   * reactor.callLater(0.01, reactor.stop);
   * await reactor.run();
   * seen.push("stopped"); // after the reactor stopped, thanks to await
   * assert.deepEqual(seen, ["up", "stopped"]);
   * ```
   */
  run(options: RunOptions = {}): Promise<void> {
    const done = this.startRunning(options);
    return done;
  }

  /**
   * The first half of `run()`: checks the state, starts the loop machinery
   * and fires `startup`. Subclasses with another way of running
   * (`runBlocking`) call it too.
   */
  // protected: PosixReactor.runBlocking (a package subclass) starts through it.
  protected startRunning(options: RunOptions = {}): Promise<void> {
    if (this.#started) throw new ReactorAlreadyRunning("The reactor is already running.");
    if (this.#startedBefore) throw new ReactorNotRestartable();
    this.#started = true;
    this.#stopped = false;
    const done = new Promise<void>((resolve) => {
      this.#runDone = resolve;
    });
    this.#keepAlive = setInterval(() => {}, KEEPALIVE_MS);
    if (options.installSignalHandlers !== false) this.#installSignalHandlers();
    try {
      this.startLoop();
    } catch (e) {
      // Could not start (e.g. no parker): back to the state before run().
      this.#started = false;
      this.#stopped = true;
      this.#runDone = null;
      this.#removeSignalHandlers();
      clearInterval(this.#keepAlive);
      this.#keepAlive = null;
      throw e;
    }
    if (this.#threadQueue.length > 0) this.wakeUp();
    this.#armTimer();
    this.fireSystemEvent("startup");
    return done;
  }

  #reallyStartRunning(): void {
    this.running = true;
  }

  /**
   * Stop the reactor: `shutdown` fires on the next iteration, and `run()`'s
   * promise resolves once it has. Throws `ReactorNotRunning` if the reactor is
   * not running or is already stopping.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor, ReactorNotRunning } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * assert.throws(() => reactor.stop(), ReactorNotRunning); // not running yet
   * let stoppedAt = -1;
   * reactor.addSystemEventTrigger("after", "shutdown", () => (stoppedAt = reactor.seconds()));
   * reactor.callLater(0.01, reactor.stop);
   * await reactor.run();
   * assert.ok(stoppedAt > 0);
   * ```
   */
  stop(): void {
    if (this.#stopped) throw new ReactorNotRunning();
    this.#stopped = true;
    this.#justStopped = true;
    this.#startedBefore = true;
    this.wakeUp();
  }

  /**
   * Leave the loop at once, without the shutdown triggers (Twisted's
   * `crash()`). The reactor may be run again afterwards. A no-op when it is
   * not running.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * let shutDown = false;
   * reactor.addSystemEventTrigger("before", "shutdown", () => (shutDown = true));
   * reactor.callLater(0.01, reactor.crash);
   * await reactor.run();
   * assert.equal(shutDown, false); // crash() skips the shutdown triggers
   * reactor.callLater(0, reactor.stop); // a crashed reactor may run again
   * await reactor.run();
   * assert.equal(shutDown, true);
   * ```
   */
  crash(): void {
    const wasStarted = this.#started;
    this.#started = false;
    this.running = false;
    if (!wasStarted) return;
    // The startup trigger that sets `running` was consumed: re-add it so a
    // crashed (not stopped) reactor can run again, as in Twisted.
    this.addSystemEventTrigger("during", "startup", () => this.#reallyStartRunning());
    this.#disarm();
    this.#removeSignalHandlers();
    try {
      this.stopLoop();
    } finally {
      if (this.#keepAlive !== null) {
        clearInterval(this.#keepAlive);
        this.#keepAlive = null;
      }
      const done = this.#runDone;
      this.#runDone = null;
      done?.();
    }
  }

  /**
   * Call `fn(...args)` once the reactor is running: at once (returning null)
   * if it already is, else as an `after startup` trigger (returning its handle).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const seen: string[] = [];
   * reactor.callWhenRunning((who: string) => seen.push(`hello ${who}`), "world");
   * reactor.callWhenRunning(reactor.stop);
   * await reactor.run();
   * assert.deepEqual(seen, ["hello world"]);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  override callWhenRunning<A extends any[]>(
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerHandle | null {
    if (this.running) {
      fn(...args);
      return null;
    }
    return this.addSystemEventTrigger("after", "startup", fn as AnyFn, ...args);
  }

  /**
   * Add a trigger for `phase` of `event`. Triggers fire once: a fired event
   * forgets them.
   *
   * A `before` trigger that returns a Deferred (or a promise) delays the
   * `during` phase until it fires.
   *
   * @example Saving state before shutdown
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   * import { deferLater } from "@skein/skein/task";
   *
   * const reactor = createReactor();
   * const seen: string[] = [];
   * reactor.addSystemEventTrigger("after", "shutdown", () => seen.push("after"));
   * reactor.addSystemEventTrigger("before", "shutdown", () => seen.push("before"));
   * reactor.addSystemEventTrigger(
   *   "before",
   *   "shutdown",
   *   () => deferLater(reactor, 0.01, () => seen.push("saved")),
   * );
   * reactor.callWhenRunning(reactor.stop);
   * await reactor.run();
   * assert.deepEqual(seen, ["before", "saved", "after"]);
   * ```
   */
  override addSystemEventTrigger(
    phase: TriggerPhase,
    event: SystemEvent,
    // deno-lint-ignore no-explicit-any -- the same signature as IReactorCore's
    fn: (...args: any[]) => unknown,
    ...args: unknown[]
  ): TriggerHandle {
    if (phase !== "before" && phase !== "during" && phase !== "after") {
      throw new TypeError(
        `invalid trigger phase ${JSON.stringify(phase)}: use "before", "during" or "after"`,
      );
    }
    if (typeof fn !== "function") throw new TypeError(`${String(fn)} is not callable`);
    let ev = this.#events.get(event);
    if (ev === undefined) {
      ev = new ThreePhaseEvent();
      this.#events.set(event, ev);
    }
    const t = new Trigger(phase, event, fn, args);
    ev.add(t);
    return t;
  }

  /**
   * Remove a trigger added by `addSystemEventTrigger`. Throws a `RangeError`
   * for a handle that was already removed or has fired, and a `TypeError` for
   * something that is not a handle.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const handle = reactor.addSystemEventTrigger("before", "shutdown", () => assert.fail());
   * reactor.removeSystemEventTrigger(handle);
   * assert.throws(() => reactor.removeSystemEventTrigger(handle), RangeError);
   * reactor.callWhenRunning(reactor.stop);
   * await reactor.run();
   * ```
   */
  removeSystemEventTrigger(handle: TriggerHandle): void {
    if (!(handle instanceof Trigger)) {
      throw new TypeError("removeSystemEventTrigger: not a handle from addSystemEventTrigger");
    }
    const ev = this.#events.get(handle.event);
    if (ev === undefined) {
      throw new RangeError(`removeSystemEventTrigger: no triggers for event ${handle.event}`);
    }
    ev.remove(handle);
  }

  /**
   * Fire every trigger of `event`, phase by phase.
   *
   * @example An event of your own
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const seen: string[] = [];
   * reactor.addSystemEventTrigger("after", "reload", () => seen.push("reloaded"));
   * reactor.addSystemEventTrigger("during", "reload", () => seen.push("reloading"));
   * reactor.fireSystemEvent("reload");
   * assert.deepEqual(seen, ["reloading", "reloaded"]);
   * reactor.fireSystemEvent("reload"); // its triggers fired once and are gone
   * assert.equal(seen.length, 2);
   * ```
   */
  fireSystemEvent(event: SystemEvent): void {
    this.#events.get(event)?.fire();
  }

  // -------------------------------------------------------------------------
  // IReactorTime
  // -------------------------------------------------------------------------

  /**
   * Monotonic seconds (`CLOCK_MONOTONIC` through the FFI layer's
   * `monotonicSeconds`, whichever of it and `performance.now()` is faster
   * here), with sub-microsecond precision.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const t0 = reactor.seconds();
   * assert.ok(reactor.seconds() >= t0);
   * ```
   */
  seconds(): number {
    return monotonicSeconds();
  }

  /**
   * Run `fn(...args)` `delay` seconds from now (at the earliest on the next
   * iteration). Returns the `DelayedCall`, which can be cancelled, reset or
   * delayed. A `delay` that is not a finite number >= 0 (`"5"`, `null`,
   * `-1`, `Infinity`) is a `TypeError`; Twisted's `task.Clock` would take a
   * negative one as "now", Skein's schedulers all refuse it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const seen: string[] = [];
   * const hi = reactor.callLater(0.01, (who: string) => seen.push(`hi ${who}`), "you");
   * reactor.callLater(5, () => seen.push("never")).cancel();
   * reactor.callLater(0.02, reactor.stop);
   * assert.throws(() => reactor.callLater("5" as unknown as number, () => {}), TypeError);
   * await reactor.run();
   * assert.deepEqual(seen, ["hi you"]);
   * assert.equal(hi.active(), false);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay, "callLater(delay)");
    if (typeof fn !== "function") throw new TypeError(`callLater: ${String(fn)} is not callable`);
    const when = this.seconds() + delay;
    const call = new DelayedCall(
      when,
      fn as AnyFn,
      args,
      this.#cancelCall,
      this.#moveSooner,
      this.#secondsFn,
    );
    this.#newCalls.push(call);
    if (when < this.#newMin) {
      this.#newMin = when;
      if (when < this.#timerAt) this.#armTimer();
    }
    return call;
  }

  /**
   * Every timed call that has not run or been cancelled, in no particular order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const kept = reactor.callLater(1, () => {});
   * reactor.callLater(2, () => {}).cancel();
   * assert.deepEqual(reactor.getDelayedCalls(), [kept]);
   * kept.cancel();
   * ```
   */
  getDelayedCalls(): IDelayedCall[] {
    const out: IDelayedCall[] = [];
    for (const c of this.#heap.items) if (!c.cancelled && !c.called) out.push(c);
    for (const c of this.#newCalls) if (!c.cancelled && !c.called) out.push(c);
    return out;
  }

  // -------------------------------------------------------------------------
  // IReactorFromThreads
  // -------------------------------------------------------------------------

  /**
   * Run `fn(...args)` on the reactor at its next iteration, waking it. Safe
   * from any host callback (a Worker's `message` handler, a signal handler,
   * a promise continuation).
   *
   * @example Handing a result from a promise continuation to the reactor
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * const seen: number[] = [];
   * reactor.callWhenRunning(() => {
   *   Promise.resolve(42).then((n) => reactor.callFromThread((v: number) => seen.push(v), n))
   *     .then(() => reactor.callFromThread(reactor.stop));
   * });
   * await reactor.run();
   * assert.deepEqual(seen, [42]);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  callFromThread<A extends any[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (typeof fn !== "function") {
      throw new TypeError(`callFromThread: ${String(fn)} is not callable`);
    }
    this.#threadQueue.push([fn as AnyFn, args]);
    this.wakeUp();
  }

  // -------------------------------------------------------------------------
  // Name resolution
  // -------------------------------------------------------------------------

  /**
   * Resolve `name` to one address without blocking the loop (`getaddrinfo`
   * through `node:dns`). `""` gives `"0.0.0.0"` and IP literals come back as
   * they are, as in Twisted. `family` defaults to 4 (Twisted's `resolve` is
   * IPv4-only); pass 6 for IPv6 or 0 for whatever the system prefers.
   * Failures are `DNSLookupError`s.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { createReactor, DNSLookupError } from "@skein/skein/reactor";
   *
   * const reactor = createReactor();
   * assert.equal(await reactor.resolve("127.0.0.1"), "127.0.0.1");
   * assert.equal(await reactor.resolve("localhost"), "127.0.0.1");
   * await assert.rejects(reactor.resolve("no such host!").toPromise(), DNSLookupError);
   * ```
   */
  resolve(name: string, options: { family?: 0 | 4 | 6; } = {}): Deferred<string> {
    const d = new Deferred<string>();
    if (!name) {
      d.callback(options.family === 6 ? "::" : "0.0.0.0");
      return d;
    }
    if (isIP(name) !== 0) {
      d.callback(name);
      return d;
    }
    const family = options.family ?? 4;
    try {
      lookup(name, { family }, (error, address) => {
        if (d.called) return;
        if (error) {
          d.errback(
            new Failure(
              new DNSLookupError(`address ${JSON.stringify(name)} not found: ${error.message}`),
            ),
          );
        } else d.callback(address);
      });
    } catch (e) {
      d.errback(
        new Failure(new DNSLookupError(`address ${JSON.stringify(name)} not found: ${String(e)}`)),
      );
    }
    return d;
  }

  // -------------------------------------------------------------------------
  // The iteration
  // -------------------------------------------------------------------------

  /**
   * Seconds until the earliest timed call (0 when work is due or queued), or
   * null when there is none. Used by loops that block (`runBlocking`).
   */
  // protected: PosixReactor's blocking loop (a package subclass) asks it.
  protected timeout(): number | null {
    if (this.#threadQueue.length > 0 || this.#justStopped) return 0;
    this.#insertNewCalls();
    const top = this.#liveTop();
    if (top === undefined) return null;
    const delay = top.time - this.seconds();
    return Math.max(0, Math.min(LONGEST_MS / 1000, delay));
  }

  /**
   * Run the calls queued by `callFromThread`, then every timed call that is
   * due, then fire `shutdown` if `stop()` was called: Twisted's
   * `runUntilCurrent`.
   */
  // protected: PosixReactor's loops (a package subclass) call it.
  protected runUntilCurrent(): void {
    const q = this.#threadQueue;
    if (q.length > 0) {
      const total = q.length;
      let count = 0;
      try {
        while (count < total) {
          const [fn, args] = q[count++];
          try {
            fn(...args);
          } catch (e) {
            log.err(e);
          }
        }
      } finally {
        q.splice(0, count);
      }
      if (q.length > 0) this.wakeUp();
    }

    this.#insertNewCalls();
    const heap = this.#heap;
    const now = this.seconds();
    let top = heap.peek();
    while (top !== undefined && top.time <= now) {
      const call = heap.pop()!;
      if (call.cancelled) {
        this.#cancellations--;
      } else if (call.delayedTime > 0) {
        call.activateDelay();
        heap.push(call);
      } else if (!call.called) {
        try {
          call.run();
        } catch (e) {
          log.err(e);
          if (call.creator !== undefined) {
            log.msg(
              ` C: previous exception occurred in a DelayedCall created here:\n C:${call.creator}`,
            );
          }
        }
      }
      top = heap.peek();
    }

    if (this.#cancellations > 50 && this.#cancellations > heap.size >> 1) {
      this.#cancellations = 0;
      heap.filter((c) => !c.cancelled);
    }

    if (this.#justStopped) {
      this.#justStopped = false;
      this.fireSystemEvent("shutdown");
    }
  }

  #insertNewCalls(): void {
    const calls = this.#newCalls;
    if (calls.length === 0) return;
    this.#newCalls = [];
    this.#newMin = Infinity;
    const heap = this.#heap;
    for (const call of calls) {
      if (call.cancelled) {
        this.#cancellations--;
      } else {
        call.activateDelay();
        heap.push(call);
      }
    }
  }

  #iterate(): void {
    if (!this.#started) return;
    this.runUntilCurrent();
    this.#armTimer();
  }

  /** The earliest call in the heap that is not cancelled (cancelled ones on top are dropped). */
  #liveTop(): DelayedCall | undefined {
    const heap = this.#heap;
    let top = heap.peek();
    while (top !== undefined && top.cancelled) {
      heap.pop();
      this.#cancellations--;
      top = heap.peek();
    }
    return top;
  }

  /** Arm (or re-arm) the host timer for the earliest deadline. */
  #armTimer(): void {
    if (!this.#started || !this.useHostTimers) return;
    let next = this.#newMin;
    const top = this.#liveTop();
    if (top !== undefined && top.time < next) next = top.time;
    if (next >= this.#timerAt) return; // an earlier (or the same) wake-up is armed
    if (this.#timerHandle !== null) {
      clearTimeout(this.#timerHandle);
      this.#timerHandle = null;
    }
    if (next === Infinity) {
      this.#timerAt = Infinity;
      return;
    }
    const ms = (next - this.seconds()) * 1000;
    if (ms <= 0) {
      this.#timerAt = Infinity;
      this.wakeUp();
      return;
    }
    this.#timerAt = next;
    this.#timerHandle = setTimeout(this.#onTimer, Math.min(LONGEST_MS, Math.ceil(ms)));
  }

  #disarm(): void {
    if (this.#timerHandle !== null) {
      clearTimeout(this.#timerHandle);
      this.#timerHandle = null;
    }
    this.#timerAt = Infinity;
  }

  #installSignalHandlers(): void {
    const handler = (): void => {
      log.msg("Received a shutdown signal, shutting down.");
      this.callFromThread(() => {
        if (!this.#stopped) this.stop();
      });
    };
    try {
      // As Twisted: SIGINT only when nobody else handles it already.
      if (process.listenerCount("SIGINT") === 0) process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      this.#signalHandler = handler;
    } catch {
      // No signal support here (e.g. a sandbox without --allow-run); run without.
    }
  }

  #removeSignalHandlers(): void {
    const h = this.#signalHandler;
    if (h === null) return;
    this.#signalHandler = null;
    process.off("SIGINT", h);
    process.off("SIGTERM", h);
  }
}
