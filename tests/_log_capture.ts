/**
 * Capture what is logged while a test runs, with the default (stderr)
 * observer off meanwhile, for the suites that assert on log events.
 */

import * as log from "../log/log.ts";

/** Captures log events from construction until {@linkcode LogCapture.close}. */
export class LogCapture {
  /** Every event logged. */
  readonly events: log.LogEvent[] = [];
  /** The error events (`log.err`, unhandled failures) among them. */
  readonly errors: log.LogEvent[] = [];
  readonly #obs = (e: log.LogEvent): void => {
    this.events.push(e);
    if (e.isError) this.errors.push(e);
  };
  constructor() {
    log.setDefaultObserver(false);
    log.addObserver(this.#obs);
  }
  /** Stop capturing; the default observer is back on. */
  close(): void {
    log.removeObserver(this.#obs);
    log.setDefaultObserver(true);
  }
  /** The messages of the captured failures. */
  messages(): string[] {
    return this.errors.map((e) => e.failure?.getErrorMessage() ?? String(e.why));
  }
}
