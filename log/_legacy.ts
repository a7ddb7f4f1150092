/**
 * How legacy observers see events (Twisted's `LegacyLogObserverWrapper`):
 * private to the package.
 *
 * @module
 */

import { Failure } from "../deferred/failure.ts";
import type { LogEvent as ModernEvent } from "../logger/event.ts";
import { formatEvent } from "../logger/format.ts";
import { LogLevel } from "../logger/levels.ts";
import type { LogEvent, LogObserver } from "./log.ts";

const legacyCopies = new WeakMap<object, LogEvent>();

/**
 * The event as a legacy observer sees it: Twisted's
 * `LegacyLogObserverWrapper` keys added to a copy (one copy per event,
 * shared by every legacy observer); a legacy event is given as it is.
 */
function asLegacy(event: ModernEvent): LogEvent {
  if (Array.isArray(event.message) && typeof event.isError === "boolean") return event as LogEvent;
  const hit = legacyCopies.get(event);
  if (hit !== undefined) return hit;
  const copy: LogEvent = {
    ...event,
    message: Array.isArray(event.message) ? event.message : [],
    time: typeof event.time === "number" ? event.time : event.log_time ?? Date.now() / 1000,
    system: typeof event.system === "string" ? event.system : event.log_system ?? "-",
    isError: false,
  };
  if (event.log_failure instanceof Failure) {
    if (copy.failure === undefined) copy.failure = event.log_failure;
    copy.isError = typeof event.isError === "boolean" ? event.isError : true;
    if (copy.why === undefined) copy.why = formatEvent(event);
  } else if (typeof event.isError === "boolean") {
    copy.isError = event.isError;
  } else {
    const level = event.log_level;
    copy.isError = level === LogLevel.error || level === LogLevel.critical;
  }
  legacyCopies.set(event, copy);
  return copy;
}

const wrappers = new Map<LogObserver, (event: ModernEvent) => void>();

/** The publisher-side observer for a legacy `observer` (made once, kept until dropped). */
export function wrapperFor(observer: LogObserver): (event: ModernEvent) => void {
  let wrapper = wrappers.get(observer);
  if (wrapper === undefined) {
    wrapper = (event: ModernEvent): void => observer(asLegacy(event));
    Object.defineProperty(wrapper, "name", { value: observer.name });
    wrappers.set(observer, wrapper);
  }
  return wrapper;
}

/** Forget `observer`'s wrapper, returning it (undefined if it had none). */
export function dropWrapper(observer: LogObserver): ((event: ModernEvent) => void) | undefined {
  const wrapper = wrappers.get(observer);
  wrappers.delete(observer);
  return wrapper;
}
