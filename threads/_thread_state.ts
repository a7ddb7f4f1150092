/**
 * The link between a pool thread's entry module and the worker-side API
 * (`callFromThread`, `blockingCallFromThread`). It lives on `globalThis` under
 * a registered symbol, so a task module that reaches the worker-side API
 * through another specifier (the package name, a relative path) still finds it.
 *
 * @module
 */

/** What the entry module of a pool thread provides to the worker-side API. */
export interface ThreadLink {
  /** Post a fire-and-forget call of an exposed function. */
  call(name: string, args: unknown[]): void;
  /** Call an exposed function and wait for its outcome (throws its error). */
  blockingCall(name: string, args: unknown[]): unknown;
  /** The pool's name and this thread's number, for messages. */
  readonly where: string;
}

const KEY: unique symbol = Symbol.for("skein.threads.link") as never;

/** The link of this thread, or undefined outside a pool thread. */
export function threadLink(): ThreadLink | undefined {
  return (globalThis as { [KEY]?: ThreadLink; })[KEY];
}

/** Install the link (once, by the thread's entry module). */
export function setThreadLink(link: ThreadLink): void {
  (globalThis as { [KEY]?: ThreadLink; })[KEY] = link;
}
