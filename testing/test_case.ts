/**
 * Twisted's trial on `node:test`: `SynchronousTestCase` and `TestCase`
 * classes whose `test*` methods {@linkcode runTests} registers with
 * `node:test`, so the same file runs under `deno test` and `bun test`.
 *
 * For each test method a fresh instance runs `setUp`, the method, the
 * cleanups (LIFO) and `tearDown`, in trial's order; any of them may return a Deferred or a promise
 * (`TestCase`) and the kit waits for it. After each test: the test's own
 * reactor (`this.reactor`) must be clean (Twisted's `DirtyReactorAggregateError`
 * otherwise) and nothing may have logged an error (`log.err`, a reactor
 * exception, an unhandled Deferred failure) that `flushLoggedErrors` did not
 * take; such errors are reported once, in the test's failure, and not also
 * printed while it runs. A test is skipped by a `skip` marker (on the class, or the method's
 * `methodOptions`) or by throwing {@linkcode SkipTest} from `setUp` or the
 * method, and expected to fail by a {@linkcode Todo}; the runner shows both.
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { flushUnhandledFailures } from "../deferred/debug.ts";
import { Deferred } from "../deferred/deferred.ts";
import { TimeoutError } from "../deferred/errors.ts";
import { type ErrorType, Failure } from "../deferred/failure.ts";
import type { IProcessTransport, IReactorProcess } from "../interfaces.ts";
import { addObserver, type LogEvent, removeObserver } from "../log/log.ts";
import { globalLogBeginner } from "../logger/global.ts";
import { createReactor, reactor as globalReactor } from "../reactor/install.ts";
import type { Reactor, ReactorKind } from "../reactor/install.ts";
import { ThreadPoolStopped, WorkerCrashed } from "../threads/errors.ts";
import {
  cleanReactor,
  DirtyReactorAggregateError,
  type JanitorReactor,
  watchProcesses,
} from "./_dirty_reactor.ts";
import { makeTodo, todoExpects } from "./_todo.ts";
import { type CollectedWarning, collectWarnings, reemitWarning } from "./_warnings.ts";
import {
  assertApproximates,
  assertFailure,
  assertNoResult,
  assertSubstring,
  assertWarns,
  failureResultOf,
  successResultOf,
} from "./assertions.ts";
import { SkipTest, type TestOutcome, type Todo, UnexpectedSuccess } from "./test_outcome.ts";

export { DirtyReactorAggregateError } from "./_dirty_reactor.ts";
export type { CollectedWarning } from "./_warnings.ts";

/** Twisted's `DEFAULT_TIMEOUT_DURATION`: a `TestCase` method may run this many seconds. */
export const DEFAULT_TIMEOUT_DURATION = 120;

/**
 * Per-method settings, in a class's static `methodOptions` (Twisted sets them
 * as attributes of the method).
 *
 * @example
 * ```ts
 * import type { MethodOptions } from "@skein/skein/testing";
 * const o: MethodOptions = { timeout: 5, skip: "needs IPv6" };
 * ```
 */
export interface MethodOptions {
  /** Seconds the method (and each of its fixtures) may take (`TestCase` only). */
  timeout?: number;
  /** Skip it, with this reason. */
  skip?: string;
  /**
   * It is expected to fail (Twisted's `todo`): a reason, or a reason and the
   * error types expected (see {@linkcode Todo}).
   */
  todo?: string | Todo;
}

/** The errors of thread work the janitor ends. */
const JANITOR_ENDED: ErrorType[] = [WorkerCrashed, ThreadPoolStopped];

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null
    && typeof (v as { then?: unknown; }).then === "function";
}

function errorOf(f: unknown): unknown {
  return f instanceof Failure ? f.value : f;
}

/**
 * Several things went wrong in one test (the method, a fixture, a cleanup,
 * the reactor check, logged errors); each is in `errors`, and the message
 * lists them all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TestErrors } from "@skein/skein/testing";
 * const e = new TestErrors([new Error("a"), new Error("b")]);
 * assert.match(e.message, /2 errors/);
 * ```
 */
export class TestErrors extends AggregateError {
  /** Always `"TestErrors"`. */
  override name = "TestErrors";
  /** Collect `errors` under one message that lists them. */
  constructor(errors: unknown[]) {
    const lines = errors.map((e, i) =>
      `[${i + 1}] ${e instanceof Error ? (e.stack ?? String(e)) : String(e)}`
    );
    super(errors, `${errors.length} errors in this test:\n${lines.join("\n")}`);
  }
}

/**
 * Errors logged during a test and not taken by `flushLoggedErrors` (Twisted
 * reports each as an error of the test); `failures` holds them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Failure } from "@skein/skein/deferred";
 * import { LoggedErrors } from "@skein/skein/testing";
 * const e = new LoggedErrors([new Failure(new Error("oops"))]);
 * assert.match(e.message, /1 error logged during the test/);
 * ```
 */
export class LoggedErrors extends Error {
  /** Always `"LoggedErrors"`. */
  override name = "LoggedErrors";
  /** The logged failures. */
  readonly failures: readonly Failure[];
  /** Report `failures` (with the `why` each was logged with, when given). */
  constructor(failures: readonly Failure[], whys: readonly (string | undefined)[] = []) {
    const parts = failures.map((f, i) => `${whys[i] ?? "Logged error"}\n${f.getTraceback()}`);
    super(
      `${failures.length} error${failures.length === 1 ? "" : "s"} logged during the test `
        + `(take expected ones with this.flushLoggedErrors(...types)):\n${parts.join("\n")}`,
    );
    this.failures = failures;
  }
}

/**
 * The base of both test case classes: fixtures, cleanups, logged errors,
 * warnings (`flushWarnings`, `assertWarns`), `patch`, `mktemp` and trial's
 * assertions. Use {@linkcode TestCase} or
 * {@linkcode SynchronousTestCase}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BaseTestCase, SynchronousTestCase } from "@skein/skein/testing";
 * assert.ok(SynchronousTestCase.prototype instanceof BaseTestCase);
 * ```
 */
export abstract class BaseTestCase {
  /** Per-method settings, by method name (see {@linkcode MethodOptions}). */
  static methodOptions: Record<string, MethodOptions> = {};
  /** Skip every test of the class, with this reason. */
  skip?: string;
  /** Every test of the class is expected to fail (see {@linkcode Todo}). */
  todo?: string | Todo;
  /** The name of the test method this instance runs. */
  readonly methodName: string;
  #cleanups: (() => unknown)[] = [];
  #logged: LogEvent[] = [];
  #warnings: CollectedWarning[] = [];

  /** An instance that runs the method `methodName` (as Twisted's `TestCase(methodName)`). */
  constructor(methodName: string) {
    this.methodName = methodName;
  }

  /** Run before each test method; may return a Deferred or a promise (`TestCase`). */
  setUp(): unknown {
    return undefined;
  }

  /** Run after each test method whose `setUp` succeeded; may return a Deferred or a promise (`TestCase`). */
  tearDown(): unknown {
    return undefined;
  }

  /**
   * Call `fn(...args)` after the test method and before `tearDown` (trial's
   * order), in the reverse order of `addCleanup` calls; it may return a Deferred or a promise (`TestCase`). Every cleanup
   * runs, even when an earlier one failed.
   */
  addCleanup<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    this.#cleanups.push(() => fn(...args));
  }

  /**
   * Return, and stop counting against the test, the failures logged during
   * it that match `types` (all of them when none are given).
   */
  flushLoggedErrors(...types: ErrorType[]): Failure[] {
    const taken: Failure[] = [];
    this.#logged = this.#logged.filter((e) => {
      const f = e.failure as Failure;
      if (types.length === 0 || f.check(...types) !== null) {
        taken.push(f);
        return false;
      }
      return true;
    });
    return taken;
  }

  /**
   * Return, and stop re-emitting after the test, the warnings
   * (`process.emitWarning`) emitted during it whose category is one of
   * `categories` (all of them when none are given). Twisted's
   * `flushWarnings` picks them by the function they point to; a JavaScript
   * function has no line range to match, so the kit picks by category, as
   * `flushLoggedErrors` picks by type.
   */
  flushWarnings(...categories: string[]): CollectedWarning[] {
    const taken: CollectedWarning[] = [];
    this.#warnings = this.#warnings.filter((w) => {
      if (categories.length === 0 || categories.includes(w.category)) {
        taken.push(w);
        return false;
      }
      return true;
    });
    return taken;
  }

  /** Set `obj[name] = value` until the test ends; returns a function that restores it sooner. */
  patch<O extends object, K extends keyof O>(obj: O, name: K, value: O[K]): () => void {
    const had = Object.prototype.hasOwnProperty.call(obj, name);
    const old = obj[name];
    obj[name] = value;
    let restored = false;
    const restore = (): void => {
      if (restored) return;
      restored = true;
      if (had) obj[name] = old;
      else delete obj[name];
    };
    this.addCleanup(restore);
    return restore;
  }

  /**
   * A path, unique to this call, that does not exist yet, in a fresh
   * directory named after the test; the directory is removed after the test
   * (Twisted keeps `_trial_temp`; a removed one leaves nothing behind).
   */
  mktemp(): string {
    const safe = `${this.constructor.name}-${this.methodName}`.replace(/[^A-Za-z0-9_.-]/g, "_");
    const dir = mkdtempSync(join(tmpdir(), `skein-trial-${safe}-`));
    this.addCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, "temp");
  }

  /** {@linkcode successResultOf}. */
  successResultOf<T>(d: Deferred<T>): T {
    return successResultOf(d);
  }

  /** {@linkcode failureResultOf}. */
  failureResultOf(d: Deferred<unknown>, ...types: ErrorType[]): Failure {
    return failureResultOf(d, ...types);
  }

  /** {@linkcode assertNoResult}. */
  assertNoResult(d: Deferred<unknown>): void {
    assertNoResult(d);
  }

  /** {@linkcode assertFailure}. */
  assertFailure<E extends ErrorType>(
    d: Deferred<unknown>,
    ...types: E[]
  ): Deferred<InstanceType<E>> {
    return assertFailure(d, ...types);
  }

  /** {@linkcode assertApproximates}. */
  assertApproximates(first: number, second: number, tolerance: number, message?: string): number {
    return assertApproximates(first, second, tolerance, message);
  }

  /** {@linkcode assertSubstring}. */
  assertSubstring(substring: string, text: string, message?: string): string {
    return assertSubstring(substring, text, message);
  }

  /**
   * The reason this test is skipped, if it is (Twisted's `getSkip`): its
   * method's `methodOptions` first, then the instance and class `skip`.
   */
  getSkip(): string | undefined {
    return this.#options().skip ?? this.skip;
  }

  /**
   * The {@linkcode Todo} this test is marked with, if any (Twisted's
   * `getTodo`): its method's `methodOptions` first, then the instance and
   * class `todo`.
   */
  getTodo(): Todo | undefined {
    return makeTodo(this.#options().todo ?? this.todo);
  }

  #options(): MethodOptions {
    const cls = this.constructor as { methodOptions?: Record<string, MethodOptions>; };
    return cls.methodOptions?.[this.methodName] ?? {};
  }

  /** {@linkcode assertWarns}. */
  assertWarns<A extends unknown[], R>(
    category: string,
    message: string,
    fn: (...args: A) => R,
    ...args: A
  ): R {
    return assertWarns(category, message, fn, ...args);
  }

  /** Twisted's test id rendering, `<Class testMethod=name>`. */
  toString(): string {
    return `<${this.constructor.name} testMethod=${this.methodName}>`;
  }

  /** Wait for what a fixture, test or cleanup returned (the two classes differ here). */
  // protected: the two kit subclasses implement it; it is not for test code.
  protected abstract settle(value: unknown, phase: string, timeout: number): Promise<unknown>;

  /** Called after the cleanups: the reactor check (`TestCase`); returns the error it found. */
  // protected: TestCase overrides it; it is not for test code.
  protected afterTest(): Promise<unknown> {
    return Promise.resolve(null);
  }

  /**
   * Run this instance's test with its fixtures, as trial does: skipped
   * without running anything when {@linkcode getSkip} gives a reason;
   * otherwise `setUp`, the method, the cleanups, `tearDown`, then the after-test
   * checks. Throws what failed (one error, or `TestErrors`); resolves to how
   * it ended otherwise ({@linkcode TestOutcome}).
   */
  async run(timeout: number): Promise<TestOutcome> {
    const skip = this.getSkip();
    if (skip !== undefined) return { skipped: skip };
    const todo = this.getTodo();
    const errors: unknown[] = [];
    let skipped: string | undefined;
    let expected: { error: unknown; } | undefined;
    flushUnhandledFailures(); // failures from before this test are not its own
    const observer = (e: LogEvent): void => {
      if (e.isError && e.failure instanceof Failure) this.#logged.push(e);
    };
    addObserver(observer);
    // Warnings are taken for the test, as trial's _collectWarnings does.
    const restoreWarnings = collectWarnings((w) => this.#warnings.push(w));
    // Logged errors are the test's report, not also printed while it runs.
    const printing = globalLogBeginner.errorsToStderr;
    globalLogBeginner.errorsToStderr = false;
    try {
      let setUpOk = false;
      try {
        await this.settle(this.setUp(), "setUp", timeout);
        setUpOk = true;
      } catch (e) {
        if (errorOf(e) instanceof SkipTest) skipped = (errorOf(e) as SkipTest).reason;
        else errors.push(errorOf(e));
      }
      if (setUpOk) {
        try {
          const method = (this as unknown as Record<string, () => unknown>)[this.methodName];
          await this.settle(method.call(this), this.methodName, timeout);
          if (todo !== undefined) errors.push(new UnexpectedSuccess(String(this), todo.reason));
        } catch (e) {
          // trial's order: the todo's expectation first, then SkipTest, then an error.
          const error = errorOf(e);
          if (todo !== undefined && todoExpects(todo, e)) expected = { error };
          else if (error instanceof SkipTest) skipped = error.reason;
          else errors.push(error);
        }
      }
      // Cleanups before tearDown, as trial runs them (after a failed setUp too).
      while (this.#cleanups.length > 0) {
        const fn = this.#cleanups.pop()!;
        try {
          await this.settle(fn(), "cleanup", timeout);
        } catch (e) {
          errors.push(errorOf(e));
        }
      }
      if (setUpOk) {
        try {
          await this.settle(this.tearDown(), "tearDown", timeout);
        } catch (e) {
          errors.push(errorOf(e));
        }
      }
      const loggedBefore = this.#logged.length;
      const dirty = await this.afterTest();
      if (dirty !== null) errors.push(dirty);
      flushUnhandledFailures();
      if (dirty instanceof DirtyReactorAggregateError && dirty.threads.length > 0) {
        // The work the janitor's ending of the threads failed is in its report already.
        const ended = this.#logged.splice(loggedBefore);
        this.#logged.push(
          ...ended.filter((e) => (e.failure as Failure).check(...JANITOR_ENDED) === null),
        );
      }
    } finally {
      restoreWarnings();
      globalLogBeginner.errorsToStderr = printing;
      removeObserver(observer);
    }
    // The ones the test did not flush are emitted again, as trial re-emits them.
    for (const w of this.#warnings.splice(0)) reemitWarning(w);
    if (this.#logged.length > 0) {
      errors.push(
        new LoggedErrors(
          this.#logged.map((e) => e.failure as Failure),
          this.#logged.map((e) => e.why),
        ),
      );
      this.#logged = [];
    }
    // A skipped or expected-to-fail test still fails on its fixtures' errors, as in trial.
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new TestErrors(errors);
    if (skipped !== undefined) return { skipped };
    if (expected !== undefined) return { expectedFailure: expected.error, todo: todo!.reason };
    return {};
  }
}

/**
 * A test case that does not run a reactor (Twisted's `SynchronousTestCase`):
 * every fixture, test and cleanup must finish before it returns. Unlike
 * Twisted, which passes such a test silently, a returned promise or a
 * Deferred without a result fails the test (its work would never be
 * checked); use {@linkcode TestCase} for asynchronous tests. A returned
 * Deferred that already holds a failure fails with that failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SynchronousTestCase } from "@skein/skein/testing";
 * class Arithmetic extends SynchronousTestCase {
 *   testAdd(): void {
 *     assert.equal(1 + 1, 2);
 *   }
 * }
 * await new Arithmetic("testAdd").run(0);
 * await assert.rejects(
 *   new (class extends SynchronousTestCase {
 *     testAsync(): Promise<void> {
 *       return Promise.resolve();
 *     }
 *   })("testAsync").run(0),
 *   /returned a promise/,
 * );
 * ```
 */
export class SynchronousTestCase extends BaseTestCase {
  /** Reject what cannot be checked synchronously. */
  // protected: implements BaseTestCase's hook; not for test code.
  protected settle(value: unknown, phase: string): Promise<unknown> {
    if (value instanceof Deferred) {
      if (!value.called || value.result instanceof Deferred) {
        value.addErrback(() => undefined); // whatever it does later is not this test's report
        throw new TypeError(
          `${this} ${phase} returned a Deferred that has no result; a SynchronousTestCase does not `
            + `run the reactor, so it would never be checked: fire it before returning, or use TestCase`,
        );
      }
      const f = value.result;
      value.addErrback(() => undefined);
      if (f instanceof Failure) throw f.value;
      return Promise.resolve(f);
    }
    if (isThenable(value)) {
      Promise.resolve(value).catch(() => undefined);
      throw new TypeError(
        `${this} ${phase} returned a promise; a SynchronousTestCase cannot wait for it, so it would `
          + `never be checked: make it synchronous, or use TestCase`,
      );
    }
    return Promise.resolve(value);
  }
}

/**
 * An asynchronous test case (Twisted's `TestCase`): a fixture, test or
 * cleanup may return a Deferred or a promise (or be `async`), and the kit
 * waits for it, up to `timeout` seconds (default 120) each, failing with
 * Twisted's `TimeoutError: <Class testMethod=name> (name) still running at N
 * secs` and cancelling a returned Deferred.
 *
 * `this.reactor` is a fresh reactor for this test, made and run on first use,
 * checked when the test ends (pending delayed calls, listening ports, open
 * connections, running processes, thread-pool work running or queued:
 * `DirtyReactorAggregateError`, then cancelled, closed, for a process sent
 * KILL as Twisted's janitor does, and for the pool its threads ended) and
 * stopped (which also stops its thread pool). Set `useGlobalReactor = true` to get the process-wide reactor
 * instead (not checked nor stopped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { TestCase } from "@skein/skein/testing";
 * class Later extends TestCase {
 *   testFires(): Deferred<void> {
 *     const d = new Deferred<void>();
 *     this.reactor.callLater(0.01, () => d.callback());
 *     return d.addCallback(() => assert.ok(true));
 *   }
 * }
 * await new Later("testFires").run(5);
 * ```
 */
export class TestCase extends BaseTestCase {
  /** Seconds each fixture and test may take (Twisted's 120 s default); `methodOptions` may override it. */
  timeout: number = DEFAULT_TIMEOUT_DURATION;
  /** Use the process-wide reactor as `this.reactor` rather than a fresh one per test. */
  useGlobalReactor = false;
  /** The kind of reactor each test gets (`createReactor`'s default unless set). */
  reactorKind?: ReactorKind;
  #reactor: (Reactor & IReactorProcess) | null = null;
  #running: Promise<void> | null = null;
  #processes: Set<IProcessTransport> = new Set();

  /** This test's reactor (see the class documentation). */
  get reactor(): Reactor & IReactorProcess {
    if (this.useGlobalReactor) return globalReactor as unknown as Reactor & IReactorProcess;
    if (this.#reactor === null) {
      // Made once per test; after the test it stays (stopped), never remade.
      const r = createReactor(this.reactorKind) as Reactor & IReactorProcess; // both kinds spawn processes
      this.#reactor = r;
      this.#processes = watchProcesses(r);
      this.#running = r.run({ installSignalHandlers: false }); // one of many: the process's signals are not its own
    }
    return this.#reactor;
  }

  /** Wait for a Deferred or promise, at most `timeout` seconds. */
  // protected: implements BaseTestCase's hook; not for test code.
  protected settle(value: unknown, phase: string, timeout: number): Promise<unknown> {
    if (!(value instanceof Deferred) && !isThenable(value)) return Promise.resolve(value);
    const promise = value instanceof Deferred ? value.toPromise() : Promise.resolve(value);
    if (!(timeout > 0) || !Number.isFinite(timeout)) return promise;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const name = phase === this.methodName ? this.methodName : phase;
        reject(new TimeoutError(`${this} (${name}) still running at ${timeout} secs`));
        if (value instanceof Deferred) value.cancel();
        promise.catch(() => undefined);
      }, timeout * 1000);
      promise.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** Check, clean and stop this test's own reactor. */
  // protected: overrides BaseTestCase's hook; not for test code.
  protected override async afterTest(): Promise<unknown> {
    const r = this.#reactor;
    if (r === null) return null;
    // What is already due runs first: two reactor turns, as Twisted's janitor
    // iterates the reactor twice (a call scheduled by a due call is not dirty).
    for (let turn = 0; turn < 2 && r.running; turn++) {
      await new Promise<void>((resolve) => r.callLater(0, resolve));
    }
    const dirty = await cleanReactor(r as unknown as JanitorReactor, this.#processes);
    if (r.running) r.stop();
    await this.#running;
    return dirty;
  }
}

type TestCaseClass = (abstract new(methodName: string) => BaseTestCase) & {
  methodOptions?: Record<string, MethodOptions>;
};

/** The names of `cls`'s methods that start with `test`, sorted as trial sorts them. */
function testMethodNames(cls: TestCaseClass): string[] {
  const names = new Set<string>();
  for (let p = cls.prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const desc = Object.getOwnPropertyDescriptor(p, name);
      if (name.startsWith("test") && typeof desc?.value === "function") names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * Where {@linkcode runTests} registers tests: `node:test`'s `describe` and
 * `it` by default; another runner's (or a recorder's) of the same shape.
 *
 * @example
 * ```ts
 * import type { TestRegistrar } from "@skein/skein/testing";
 * const names: string[] = [];
 * const recorder: TestRegistrar = {
 *   describe: (_name, body) => body(),
 *   it: (name) => names.push(name),
 * };
 * ```
 */
export interface TestRegistrar {
  /** Declare a suite; `body` declares its tests, synchronously. */
  describe(name: string, body: () => void): unknown;
  /**
   * Declare a test; `fn` runs it and rejects when it fails. The runner passes
   * its test context, through which a skip or an expected failure found at
   * run time is reported.
   */
  it(
    name: string,
    options: { skip?: string; timeout?: number; },
    fn: (context?: RunnerContext) => Promise<void>,
  ): unknown;
}

/**
 * The part of a `node:test` test context the kit uses to report a test's
 * outcome found at run time: `skip` (Bun's runner shows the test skipped),
 * `todo`, and `test`, for the skipped step that Deno's runner, whose
 * context's `skip` does nothing, shows as ignored.
 *
 * @example
 * ```ts
 * import type { RunnerContext } from "@skein/skein/testing";
 * const skipped: string[] = [];
 * const context: RunnerContext = { skip: (reason) => void skipped.push(reason ?? "") };
 * ```
 */
export interface RunnerContext {
  /** Mark the running test skipped. */
  skip?(message?: string): void;
  /** Mark the running test a todo. */
  todo?(message?: string): void;
  /** Run a subtest (the kit declares a skipped one). */
  test?(name: string, options: { skip?: string; }, fn: () => void): unknown;
}

/** Tell the runner how a test that did not fail ended. */
async function report(outcome: TestOutcome, context: RunnerContext | undefined): Promise<void> {
  if (context === undefined) return;
  if (outcome.skipped !== undefined) {
    const reason = outcome.skipped;
    context.skip?.(reason);
    // Deno's node:test cannot skip a running test; an ignored step shows the skip there.
    await context.test?.(`skipped: ${reason}`, { skip: reason }, () => undefined);
  } else if (outcome.todo !== undefined) {
    context.todo?.(outcome.todo);
  }
}

/**
 * Register every `test*` method of `cls` with `node:test` (or `registrar`),
 * one test each in a suite named after the class, so `deno test` and `bun
 * test` run them. Each test runs on a fresh instance. Call it at the top
 * level of a test file: `runTests(MyTests);`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTests, SynchronousTestCase } from "@skein/skein/testing";
 * class Strings extends SynchronousTestCase {
 *   testUpper(): void {
 *     assert.equal("a".toUpperCase(), "A");
 *   }
 *   testLower(): void {
 *     assert.equal("A".toLowerCase(), "a");
 *   }
 * }
 * // In a test file this is just `runTests(Strings);`. Here a recorder runs them.
 * const ran: string[] = [];
 * const pending: Promise<void>[] = [];
 * runTests(Strings, {
 *   describe: (_suite, body) => body(),
 *   it: (name, _options, fn) => pending.push(fn().then(() => void ran.push(name))),
 * });
 * await Promise.all(pending);
 * assert.deepEqual(ran, ["testLower", "testUpper"]);
 * ```
 */
export function runTests(
  cls: abstract new(methodName: string) => BaseTestCase,
  registrar: TestRegistrar = { describe, it },
): void {
  const klass = cls as TestCaseClass;
  if (typeof cls !== "function" || !(cls.prototype instanceof BaseTestCase)) {
    throw new TypeError("runTests needs a class that extends TestCase or SynchronousTestCase");
  }
  const names = testMethodNames(klass);
  registrar.describe(cls.name, () => {
    for (const name of names) {
      const instance = new (cls as unknown as new(m: string) => BaseTestCase)(name);
      const skip = instance.getSkip();
      const todo = instance.getTodo();
      const timeout = klass.methodOptions?.[name]?.timeout
        ?? (instance instanceof TestCase ? instance.timeout : 0);
      // The runner's own limit (Bun's is 5 s) must not cut the kit's timeout short.
      const opts: { skip?: string; timeout?: number; } = {
        timeout: timeout > 0 ? (timeout + 30) * 1000 : undefined,
      };
      if (skip !== undefined) opts.skip = skip;
      // Deno and Bun do not run a node:test `todo` test; trial runs it, so the kit does.
      const label = todo === undefined ? name : `${name} (todo: ${todo.reason})`;
      registrar.it(label, opts, async (context) => report(await instance.run(timeout), context));
    }
  });
}
