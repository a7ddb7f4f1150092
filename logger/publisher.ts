/**
 * `LogPublisher`, Twisted's fan-out observer: every event goes to every
 * observer; one that throws is reported to the others and kept.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import { deliver, type ILogObserver, type LogEvent, type Observer } from "./event.ts";
import { LogLevel } from "./levels.ts";

/**
 * An observer that forwards each event to its observers, in the order they
 * were added. An observer that throws is not removed: the error goes to the
 * other observers as a critical event ("Temporarily disabling observer … due
 * to exception"), and nothing is thrown to whoever logged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LogEvent, LogPublisher } from "@skein/skein/logger";
 * const seen: LogEvent[] = [];
 * const publisher = new LogPublisher((e) => { seen.push(e); });
 * publisher.observe({ log_format: "hello" });
 * assert.equal(seen[0].log_format, "hello");
 * ```
 */
export class LogPublisher implements ILogObserver {
  #observers: Observer[];

  /**
   * A publisher forwarding to `observers`.
   *
   * @example
   * ```ts
   * import { LogPublisher } from "@skein/skein/logger";
   * const publisher = new LogPublisher(() => {}, new LogPublisher());
   * ```
   */
  constructor(...observers: Observer[]) {
    this.#observers = observers;
  }

  /**
   * The observers, in order (a copy).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogPublisher } from "@skein/skein/logger";
   * const o = (): void => {};
   * assert.deepEqual(new LogPublisher(o).observers, [o]);
   * ```
   */
  get observers(): Observer[] {
    return this.#observers.slice();
  }

  /**
   * Add an observer (once: adding it again does nothing).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogPublisher } from "@skein/skein/logger";
   * const publisher = new LogPublisher();
   * const o = (): void => {};
   * publisher.addObserver(o);
   * publisher.addObserver(o);
   * assert.equal(publisher.observers.length, 1);
   * ```
   */
  addObserver(observer: Observer): void {
    if (!this.#observers.includes(observer)) this.#observers = [...this.#observers, observer];
  }

  /**
   * Remove an observer; no error if it is absent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LogPublisher } from "@skein/skein/logger";
   * const o = (): void => {};
   * const publisher = new LogPublisher(o);
   * publisher.removeObserver(o);
   * assert.equal(publisher.observers.length, 0);
   * ```
   */
  removeObserver(observer: Observer): void {
    if (this.#observers.includes(observer)) {
      this.#observers = this.#observers.filter((o) => o !== observer);
    }
  }

  /**
   * Forward `event` to every observer.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { type LogEvent, LogPublisher } from "@skein/skein/logger";
   * const seen: LogEvent[] = [];
   * const publisher = new LogPublisher(() => { throw new Error("broken"); }, (e) => { seen.push(e); });
   * publisher.observe({ log_format: "x" });
   * assert.equal(seen[0].log_format, "x");
   * assert.match(String(seen[1].log_format), /Temporarily disabling observer/);
   * ```
   */
  observe(event: LogEvent): void {
    const observers = this.#observers;
    let broken: [Observer, unknown][] | undefined;
    for (const observer of observers) {
      try {
        deliver(observer, event);
      } catch (e) {
        (broken ??= []).push([observer, e]);
      }
    }
    if (broken === undefined) return;
    for (const [observer, error] of broken) {
      const others = new LogPublisher(...observers.filter((o) => o !== observer));
      others.observe({
        log_format: "Temporarily disabling observer {observer} due to exception",
        log_level: LogLevel.critical,
        log_namespace: "skein.logger.publisher",
        log_source: this,
        log_time: Date.now() / 1000,
        log_failure: new Failure(error),
        observer: observerName(observer),
      });
    }
  }
}

function observerName(observer: Observer): string {
  if (typeof observer === "function") return `<observer ${observer.name || "anonymous"}>`;
  const name = (observer as { constructor?: { name?: string; }; }).constructor?.name;
  return `<${name || "observer"} object>`;
}
