/**
 * Shared set-up for the pool tests: where the pool's connections run (its
 * Workers, as users get it, and in-process, as Twisted's tests swap in a
 * NonThreadPool), temporary database files, and the fake driver.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inProcessThreads, THREAD_SOURCE } from "../../adbapi/_runner.ts";
import { ConnectionPool, type ConnectionPoolOptions } from "../../adbapi/connection_pool.ts";
import { defineDriver, type DriverSpec } from "../../adbapi/driver.ts";
import type { IReactorCore, SystemEvent, TriggerHandle, TriggerPhase } from "../../interfaces.ts";
import type { FakeOptions } from "./_fake_driver.ts";

/** Where a test pool's connections run. */
export type ThreadKind = "workers" | "in-process";

/** Every kind the pool suites run on. */
export const THREAD_KINDS: readonly ThreadKind[] = ["workers", "in-process"];

/** The fake driver (SQLite with failures on demand). */
export const fake: DriverSpec<FakeOptions> = defineDriver(
  new URL("./_fake_driver.ts", import.meta.url),
  "fake",
);

/** A pool of `kind`, not started. */
export function makePool<O>(
  kind: ThreadKind,
  driver: DriverSpec<O>,
  connectOptions: O,
  options: ConnectionPoolOptions = {},
): ConnectionPool<O> {
  const extra = kind === "in-process" ? { [THREAD_SOURCE]: inProcessThreads } : {};
  return new ConnectionPool(driver, connectOptions, {
    reactor: new EventReactor(false),
    ...options,
    ...extra,
  });
}

/** A fresh directory for database files, removed by `cleanup()`. */
export function tempDir(): { path: (name: string) => string; cleanup: () => void; } {
  const dir = mkdtempSync(join(tmpdir(), "skein-adbapi-"));
  return {
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

interface Trigger extends TriggerHandle {
  readonly fn: () => unknown;
}

/**
 * A reactor that only records its start and shutdown hooks (Twisted's
 * `EventReactor` in test_adbapi): `running` is fixed; `callWhenRunning`
 * runs at once when running, else adds an "after startup" trigger.
 */
export class EventReactor implements IReactorCore {
  readonly running: boolean;
  readonly triggers: Trigger[] = [];

  constructor(running: boolean) {
    this.running = running;
  }

  run(): Promise<void> {
    return Promise.resolve();
  }

  stop(): void {}

  crash(): void {}

  // deno-lint-ignore no-explicit-any
  callWhenRunning<A extends any[]>(fn: (...args: A) => unknown, ...args: A): TriggerHandle | null {
    if (this.running) {
      fn(...args);
      return null;
    }
    return this.addSystemEventTrigger("after", "startup", () => fn(...args));
  }

  addSystemEventTrigger(phase: TriggerPhase, event: SystemEvent, fn: () => unknown): TriggerHandle {
    const t: Trigger = { phase, event, fn };
    this.triggers.push(t);
    return t;
  }

  removeSystemEventTrigger(handle: TriggerHandle): void {
    const i = this.triggers.indexOf(handle as Trigger);
    if (i < 0) throw new Error("unknown trigger");
    this.triggers.splice(i, 1);
  }

  fireSystemEvent(event: SystemEvent): void {
    for (const phase of ["before", "during", "after"] as const) {
      for (const t of this.triggers.filter((x) => x.phase === phase && x.event === event)) t.fn();
    }
  }
}
