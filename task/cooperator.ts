/**
 * Cooperative multitasking over iterators: Twisted's `Cooperator`,
 * `CooperativeTask`, `cooperate` and `coiterate`. Each `next()` of an
 * iterator is one unit of work; a cooperator runs its tasks round-robin in
 * time slices (10 ms by default) scheduled on the reactor, so long jobs never
 * block the loop. An iterator that yields a Deferred (or a promise) pauses
 * until it fires.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { Failure } from "../deferred/failure.ts";
import type { IDelayedCall } from "../interfaces.ts";
import { familyName } from "../reactor/_error_name.ts";
import { reactor } from "../reactor/install.ts";

/** The scheduler's error classes, whose names their errors take (filled in after them). */
const SCHEDULER_ERRORS: WeakSet<object> = new WeakSet();

/**
 * The base of the scheduler's errors (Twisted's `SchedulerError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchedulerError, TaskDone } from "@skein/skein/task";
 * assert.ok(new TaskDone() instanceof SchedulerError);
 * assert.equal(new TaskDone().name, "TaskDone");
 * // A subclass declared elsewhere keeps the name of the class it extends.
 * class Mine extends TaskDone {}
 * assert.equal(new Mine().name, "TaskDone");
 * ```
 */
export class SchedulerError extends Error {
  /** Builds the error with `message`, named after its class. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = familyName(new.target, SCHEDULER_ERRORS, "SchedulerError");
  }
}

/**
 * The cooperator was stopped, with the task still in it (`SchedulerStopped`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchedulerStopped } from "@skein/skein/task";
 * assert.equal(new SchedulerStopped().name, "SchedulerStopped");
 * ```
 */
export class SchedulerStopped extends SchedulerError {}

/**
 * The task has finished, one way or another (`TaskFinished`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskFinished, TaskStopped } from "@skein/skein/task";
 * assert.ok(new TaskStopped() instanceof TaskFinished);
 * ```
 */
export class TaskFinished extends SchedulerError {}

/**
 * The task's iterator is exhausted (`TaskDone`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskDone } from "@skein/skein/task";
 * assert.equal(new TaskDone().name, "TaskDone");
 * ```
 */
export class TaskDone extends TaskFinished {}

/**
 * The task was stopped with `stop()` (`TaskStopped`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskStopped } from "@skein/skein/task";
 * assert.equal(new TaskStopped().name, "TaskStopped");
 * ```
 */
export class TaskStopped extends TaskFinished {}

/**
 * The task's iterator threw (or a Deferred it yielded failed) (`TaskFailed`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TaskFailed } from "@skein/skein/task";
 * assert.equal(new TaskFailed().name, "TaskFailed");
 * ```
 */
export class TaskFailed extends TaskFinished {}

/**
 * `resume()` on a task that is not paused (`NotPaused`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotPaused } from "@skein/skein/task";
 * assert.equal(new NotPaused().name, "NotPaused");
 * ```
 */
export class NotPaused extends SchedulerError {}

for (
  const c of [
    SchedulerError,
    SchedulerStopped,
    TaskFinished,
    TaskDone,
    TaskStopped,
    TaskFailed,
    NotPaused,
  ]
) SCHEDULER_ERRORS.add(c);

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null
    && typeof (v as { then?: unknown; }).then === "function";
}

/**
 * One task inside a {@linkcode Cooperator}: pause, resume, stop, and learn
 * when it is done. Made by `Cooperator.cooperate` (or `cooperate`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, Cooperator } from "@skein/skein/task";
 * const clock = new Clock();
 * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
 * const seen: number[] = [];
 * function* work(): Generator<void> {
 *   for (let i = 0; i < 3; i++) {
 *     seen.push(i);
 *     yield;
 *   }
 * }
 * const task = coop.cooperate(work());
 * task.pause();
 * clock.advance(0);
 * assert.deepEqual(seen, []); // paused: no work
 * task.resume();
 * let done = false;
 * task.whenDone().addCallback(() => {
 *   done = true;
 * });
 * clock.advance(0);
 * assert.deepEqual(seen, [0, 1, 2]);
 * assert.equal(done, true);
 * ```
 */
export class CooperativeTask<I extends Iterator<unknown> = Iterator<unknown>> {
  readonly #iterator: I;
  readonly #cooperator: Cooperator;
  #deferreds: Deferred<I>[] = [];
  #pauseCount = 0;
  #completionState: TaskFinished | null = null;
  #completionResult: I | Failure | null = null;

  /** Private: use `Cooperator.cooperate`. */
  constructor(iterator: I, cooperator: Cooperator) {
    this.#iterator = iterator;
    this.#cooperator = cooperator;
    cooperator.addTask(this);
  }

  /**
   * A Deferred that fires with the iterator once it is exhausted, or fails
   * with its error, with `TaskStopped` after `stop()`, or with
   * `SchedulerStopped` if the cooperator stops.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * const it = work();
   * let finished: unknown = null;
   * coop.cooperate(it).whenDone().addCallback((i) => {
   *   finished = i;
   * });
   * clock.advance(0);
   * assert.equal(finished, it);
   * ```
   */
  whenDone(): Deferred<I> {
    const d = new Deferred<I>();
    if (this.#completionState === null) this.#deferreds.push(d);
    else d.callback(this.#completionResult as I);
    return d;
  }

  /**
   * Stop doing work until `resume()`. Pauses nest: resume as many times as
   * paused. Throws the `TaskFinished` subclass if the task has finished.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * const task = coop.cooperate(work());
   * task.pause();
   * clock.advance(0);
   * assert.deepEqual(seen, []);
   * task.stop();
   * ```
   */
  pause(): void {
    this.#checkFinish();
    this.#pauseCount++;
    if (this.#pauseCount === 1) this.#cooperator.removeTask(this);
  }

  /**
   * Undo one `pause()`. Throws `NotPaused` if the task is not paused.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * const task = coop.cooperate(work());
   * task.pause();
   * task.pause();
   * task.resume(); // still paused once
   * clock.advance(0);
   * assert.deepEqual(seen, []);
   * task.resume();
   * clock.advance(0);
   * assert.deepEqual(seen, [0, 1, 2]);
   * ```
   */
  resume(): void {
    if (this.#pauseCount === 0) throw new NotPaused("This task is not paused.");
    this.#pauseCount--;
    if (this.#pauseCount === 0 && this.#completionState === null) this.#cooperator.addTask(this);
  }

  /**
   * Stop the task for good: `whenDone()` Deferreds fail with `TaskStopped`.
   * Throws the `TaskFinished` subclass if it has already finished.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator, TaskStopped } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * function* forever(): Generator<void> {
   *   while (true) yield;
   * }
   * const task = coop.cooperate(forever());
   * const done = task.whenDone().addErrback((f) => f.check(TaskStopped) ? "stopped" : f);
   * task.stop();
   * assert.equal(done.result, "stopped");
   * ```
   */
  stop(): void {
    this.#checkFinish();
    this.completeWith(new TaskStopped(), new Failure(new TaskStopped()));
  }

  /** @internal Finish with `state`, firing every `whenDone()` Deferred with `result`. */
  completeWith(state: TaskFinished, result: I | Failure): void {
    this.#completionState = state;
    this.#completionResult = result;
    if (this.#pauseCount === 0) this.#cooperator.removeTask(this);
    // Fire after the bookkeeping: a callback may act on the cooperator.
    const ds = this.#deferreds;
    this.#deferreds = [];
    for (const d of ds) d.callback(result as I);
  }

  #checkFinish(): void {
    if (this.#completionState !== null) throw this.#completionState;
  }

  /** @internal One unit of work: one `next()` of the iterator. */
  oneWorkUnit(): void {
    let step: IteratorResult<unknown>;
    try {
      step = this.#iterator.next();
    } catch (e) {
      this.completeWith(new TaskFailed(), new Failure(e));
      return;
    }
    if (step.done) {
      this.completeWith(new TaskDone(), this.#iterator);
      return;
    }
    const value = step.value;
    if (value instanceof Deferred || isThenable(value)) {
      this.pause();
      const d = value instanceof Deferred ? value : Deferred.fromPromise(value);
      d.addCallbacks(
        (): null => {
          this.resume();
          return null;
        },
        (f: Failure): null => {
          this.completeWith(new TaskFailed(), f);
          return null;
        },
      );
    }
  }
}

/**
 * Options for a {@linkcode Cooperator}.
 *
 * @example
 * ```ts
 * import type { CooperatorOptions } from "@skein/skein/task";
 * const o: CooperatorOptions = { started: false };
 * ```
 */
export interface CooperatorOptions {
  /**
   * Called at the start of each tick; returns a predicate that says when the
   * tick must end. Default: a 10 ms time slice.
   */
  terminationPredicateFactory?: () => () => boolean;
  /**
   * Schedules the next tick: takes a function and runs it later, returning
   * something with `cancel()`. Default: `reactor.callLater(1e-8, fn)`.
   */
  scheduler?: (fn: () => void) => { cancel(): void; };
  /** Run tasks as soon as they are added (else wait for `start()`). @default {true} */
  started?: boolean;
}

/** The default time slice of one cooperator tick, in milliseconds. */
const MAX_SLICE_MS = 10;
const EPSILON = 0.00000001;

function defaultTimer(): () => boolean {
  const end = performance.now() + MAX_SLICE_MS;
  return (): boolean => performance.now() >= end;
}

function defaultScheduler(fn: () => void): IDelayedCall {
  return reactor.callLater(EPSILON, fn);
}

/**
 * A cooperative task scheduler (Twisted's `Cooperator`): add iterators with
 * `cooperate`/`coiterate`; each tick runs them round-robin until the time
 * slice is used up, then schedules the next tick.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock, Cooperator } from "@skein/skein/task";
 * const clock = new Clock();
 * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
 * function* count(): Generator<void> { for (let i = 0; i < 3; i++) yield; }
 * let done = false;
 * coop.coiterate(count()).addCallback(() => { done = true; });
 * clock.advance(0);
 * assert.ok(done);
 * ```
 */
export class Cooperator {
  #tasks: CooperativeTask<Iterator<unknown>>[] = [];
  #cursor = 0;
  readonly #terminationPredicateFactory: () => () => boolean;
  readonly #scheduler: (fn: () => void) => { cancel(): void; };
  #delayedCall: { cancel(): void; } | null = null;
  #stopped = false;
  #started: boolean;
  #mustScheduleOnStart = false;

  /** A cooperator; see {@linkcode CooperatorOptions}. */
  constructor(options: CooperatorOptions = {}) {
    this.#terminationPredicateFactory = options.terminationPredicateFactory ?? defaultTimer;
    this.#scheduler = options.scheduler ?? defaultScheduler;
    this.#started = options.started ?? true;
  }

  /**
   * Run `iterator` as a task; the Deferred fires with the iterator when it is
   * exhausted (or fails as `CooperativeTask.whenDone` does). A given
   * `doneDeferred` is used instead of a new one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * let done = false;
   * coop.coiterate(work()).addCallback(() => {
   *   done = true;
   * });
   * clock.advance(0);
   * assert.equal(done, true);
   * ```
   */
  coiterate<I extends Iterator<unknown>>(iterator: I, doneDeferred?: Deferred<I>): Deferred<I> {
    const d = doneDeferred ?? new Deferred<I>();
    new CooperativeTask(iterator, this).whenDone().chainDeferred(d);
    return d;
  }

  /**
   * Run `iterator` as a task and return it, for `pause`/`resume`/`stop`/`whenDone`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * const task = coop.cooperate(work());
   * clock.advance(0);
   * assert.deepEqual(seen, [0, 1, 2]);
   * assert.ok(task.whenDone().called);
   * ```
   */
  cooperate<I extends Iterator<unknown>>(iterator: I): CooperativeTask<I> {
    return new CooperativeTask(iterator, this);
  }

  /** @internal Add a task (or fail it at once if the cooperator is stopped). */
  addTask(task: CooperativeTask<Iterator<unknown>>): void {
    if (this.#stopped) {
      this.#tasks.push(task);
      task.completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
      return;
    }
    this.#tasks.push(task);
    this.#reschedule();
  }

  /** @internal Remove a task; cancel the tick when none is left. */
  removeTask(task: CooperativeTask<Iterator<unknown>>): void {
    const i = this.#tasks.indexOf(task);
    if (i < 0) return;
    this.#tasks.splice(i, 1);
    if (i < this.#cursor) this.#cursor--;
    if (this.#tasks.length === 0 && this.#delayedCall !== null) {
      this.#delayedCall.cancel();
      this.#delayedCall = null;
    }
  }

  readonly #tick = (): void => {
    this.#delayedCall = null;
    const terminate = this.#terminationPredicateFactory();
    // Round-robin, resuming where the previous tick stopped.
    while (this.#tasks.length > 0) {
      if (this.#cursor >= this.#tasks.length) this.#cursor = 0;
      const task = this.#tasks[this.#cursor++];
      task.oneWorkUnit();
      if (terminate()) break;
    }
    this.#reschedule();
  };

  #reschedule(): void {
    if (!this.#started) {
      this.#mustScheduleOnStart = true;
      return;
    }
    if (this.#delayedCall === null && this.#tasks.length > 0) {
      this.#delayedCall = this.#scheduler(this.#tick);
    }
  }

  /**
   * Begin (or resume) scheduling ticks.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f), started: false });
   * const seen: number[] = [];
   * function* work(): Generator<void> {
   *   for (let i = 0; i < 3; i++) {
   *     seen.push(i);
   *     yield;
   *   }
   * }
   * coop.cooperate(work());
   * clock.advance(0);
   * assert.deepEqual(seen, []); // not started yet
   * coop.start();
   * clock.advance(0);
   * assert.deepEqual(seen, [0, 1, 2]);
   * ```
   */
  start(): void {
    this.#stopped = false;
    this.#started = true;
    if (this.#mustScheduleOnStart) {
      this.#mustScheduleOnStart = false;
      this.#reschedule();
    }
  }

  /**
   * Stop: every task's `whenDone()` fails with `SchedulerStopped`, and tasks
   * added later fail at once, until `start()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock, Cooperator, SchedulerStopped } from "@skein/skein/task";
   * const clock = new Clock();
   * const coop = new Cooperator({ scheduler: (f) => clock.callLater(0, f) });
   * function* forever(): Generator<void> {
   *   while (true) yield;
   * }
   * const done = coop.coiterate(forever()).addErrback((f) => f.check(SchedulerStopped) ? "stopped" : f);
   * coop.stop();
   * assert.equal(done.result, "stopped");
   * assert.equal(coop.running, false);
   * ```
   */
  stop(): void {
    this.#stopped = true;
    const tasks = this.#tasks;
    for (const t of tasks.slice()) {
      t.completeWith(new SchedulerStopped(), new Failure(new SchedulerStopped()));
    }
    this.#tasks = [];
    this.#cursor = 0;
    if (this.#delayedCall !== null) {
      this.#delayedCall.cancel();
      this.#delayedCall = null;
    }
  }

  /**
   * True when started and not stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Cooperator } from "@skein/skein/task";
   * const coop = new Cooperator({ started: false });
   * assert.equal(coop.running, false);
   * coop.start();
   * assert.equal(coop.running, true);
   * coop.stop();
   * assert.equal(coop.running, false);
   * ```
   */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }
}

let theCooperator: Cooperator | null = null;

function globalCooperator(): Cooperator {
  return theCooperator ??= new Cooperator();
}

/**
 * Run `iterator` on the global cooperator (on the reactor); the Deferred fires
 * with the iterator when it is exhausted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reactor } from "@skein/skein/reactor";
 * import { coiterate } from "@skein/skein/task";
 * let n = 0;
 * function* work(): Generator<void> {
 *   for (let i = 0; i < 1000; i++) {
 *     n++;
 *     yield;
 *   }
 * }
 * coiterate(work()).addCallback(() => reactor.stop());
 * await reactor.run({ installSignalHandlers: false });
 * assert.equal(n, 1000);
 * ```
 */
export function coiterate<I extends Iterator<unknown>>(iterator: I): Deferred<I> {
  return globalCooperator().coiterate(iterator);
}

/**
 * Run `iterator` as a task on the global cooperator (on the reactor).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cooperate, TaskStopped } from "@skein/skein/task";
 * function* work(): Generator<void> {
 *   while (true) yield;
 * }
 * const task = cooperate(work());
 * const done = task.whenDone().addErrback((f) => f.check(TaskStopped) ? "stopped" : f);
 * task.stop(); // before the reactor ever ran it
 * assert.equal(done.result, "stopped");
 * ```
 */
export function cooperate<I extends Iterator<unknown>>(iterator: I): CooperativeTask<I> {
  return globalCooperator().cooperate(iterator);
}
