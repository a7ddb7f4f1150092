/**
 * Reporting of unhandled failures: a Deferred garbage-collected while its
 * chain ends in a Failure logs "Unhandled error in Deferred:" with the
 * traceback (Twisted's `DebugInfo.__del__`), through a FinalizationRegistry.
 *
 * A Deferred is registered only when a pass of its chain ends in a Failure,
 * and unregistered when a later stage handles it, so the success path costs
 * nothing.
 *
 * The registry holds its "held value" strongly, and the held value must not
 * reach the Deferred, or the Deferred could never be collected. An Error does
 * reach it on V8: the Error keeps the structured frames of its stack, with
 * each frame's receiver and function (the Deferred running the callback, the
 * closures that capture it). So the held box keeps the Failure only until the
 * end of the current microtask checkpoint (most failures are handled by then
 * and cost nothing more), then swaps it for a snapshot: the value's prototype,
 * name, message and formatted stack, from which the report rebuilds an
 * equivalent error.
 *
 * The registry only reports what the collector collects, and collectors do
 * not run at exit (Deno never calls the callbacks of a dropped Deferred
 * then). So the boxes of Deferreds that end in a failure right now are also
 * kept in `live` (the boxes, never the Deferreds), and `flushUnhandled`
 * reports those when the reactor stops and when the process exits, as
 * Twisted reports both by exit. A failure is reported at most once, by
 * whichever comes first.
 *
 * @module
 */

import process from "node:process";
import { err } from "../log/log.ts";
import type { DebugInfo } from "./_debug.ts";
import { Failure } from "./failure.ts";

/** A detached copy of a thrown value, enough to report it. */
interface Snapshot {
  /** For an Error: its prototype, and the texts to rebuild it. */
  proto: object | null;
  name: string;
  message: string;
  stack: string | undefined;
  props: [string, unknown][];
  cause: Snapshot | undefined;
  hasCause: boolean;
  /** For a non-Error value: the value itself. */
  plain: unknown;
  isError: boolean;
}

/** What the registry holds for a Deferred: never the Deferred itself. */
export interface UnhandledBox {
  /** The failure, until it is snapshotted (or the box is dropped). */
  failure: Failure | null;
  snapshot: Snapshot | null;
  debug: DebugInfo | null;
  /** Queued for snapshotting. */
  queued: boolean;
  /** The failure, weakly, once snapshotted (to remember it was reported). */
  ref: WeakRef<Failure> | null;
}

interface Trackable {
  _unhandled: UnhandledBox | null;
}

/** Deferreds' boxes whose chains end in an unreported failure now, oldest first. */
const live: Set<UnhandledBox> = new Set();

/** Failures already reported: never again, whichever Deferred holds them next. */
const reported: WeakSet<Failure> = new WeakSet();

let exitHooked = false;

/** Report `box`'s failure (once) and forget it; returns the failure reported. */
function report(box: UnhandledBox): Failure | null {
  live.delete(box);
  const original = box.failure ?? box.ref?.deref() ?? null;
  const failure = box.failure
    ?? (box.snapshot !== null ? new Failure(rebuild(box.snapshot)) : null);
  box.failure = null;
  box.snapshot = null;
  box.ref = null;
  if (failure === null || original !== null && reported.has(original)) return null;
  if (original !== null) reported.add(original);
  reported.add(failure);
  const debug = box.debug !== null ? box.debug.describe() : "";
  err(
    failure,
    debug ? `Unhandled error in Deferred:\n(debug: ${debug})` : "Unhandled error in Deferred:",
    {
      system: "skein.deferred",
      isUnhandledDeferred: true,
    },
  );
  return failure;
}

const registry: FinalizationRegistry<UnhandledBox> = new FinalizationRegistry(report);

/**
 * Report every failure that ends a Deferred's chain now and has not been
 * reported yet, oldest first, and return them (the reactor calls it after
 * shutdown; a process `exit` listener calls it too).
 */
export function flushUnhandled(): Failure[] {
  const out: Failure[] = [];
  for (const box of [...live]) {
    registry.unregister(box);
    const f = report(box);
    if (f !== null) out.push(f);
  }
  return out;
}

function onExit(): void {
  flushUnhandled();
}

let queue: UnhandledBox[] = [];

function flushQueue(): void {
  const boxes = queue;
  queue = [];
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    box.queued = false;
    const f = box.failure;
    if (f === null) continue; // handled meanwhile
    box.snapshot = snapshot(f.value, 0);
    box.ref = new WeakRef(f);
    box.failure = null;
  }
}

function enqueue(box: UnhandledBox): void {
  if (box.queued) return;
  box.queued = true;
  if (queue.length === 0) queueMicrotask(flushQueue);
  queue.push(box);
}

/** Failures that have been handed to a Promise (through `then`): not "unhandled" here. */
const handedOff: WeakSet<Failure> = new WeakSet();

/** `failure` went to a Promise (or a `yield*`): it is that side's to report. */
export function markHandedOff(failure: Failure): void {
  handedOff.add(failure);
}

/** Whether `failure` was handed to a Promise. */
export function isHandedOff(failure: Failure): boolean {
  return handedOff.has(failure);
}

/** Active captures (see `captureUnhandledFailures` in debug.ts). */
const captures: Set<Set<UnhandledBox>> = new Set();

/** Record that `d`'s chain currently ends in `failure`. */
export function trackFailure(d: object, failure: Failure, debug: DebugInfo | null): void {
  const t = d as unknown as Trackable;
  if (reported.has(failure)) {
    // Reported already (at a reactor stop, say): not again from here.
    if (t._unhandled !== null) untrackFailure(d);
    return;
  }
  let box = t._unhandled;
  if (box === null) {
    box = { failure, snapshot: null, debug, queued: false, ref: null };
    t._unhandled = box;
    registry.register(d, box, box);
  } else if (box.failure === failure) {
    return;
  } else {
    if (!live.has(box)) registry.register(d, box, box); // reported: watch it again
    box.failure = failure;
    box.snapshot = null;
    box.ref = null;
    box.debug = debug;
  }
  live.add(box);
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", onExit);
  }
  enqueue(box);
  if (captures.size > 0) { for (const c of captures) c.add(box); }
}

/** `d`'s chain no longer ends in a failure (handled, or taken by another Deferred). */
export function untrackFailure(d: object): void {
  const t = d as unknown as Trackable;
  const box = t._unhandled;
  if (box !== null) {
    registry.unregister(box);
    live.delete(box);
    box.failure = null;
    box.snapshot = null;
    box.ref = null;
    t._unhandled = null;
    if (captures.size > 0) { for (const c of captures) c.delete(box); }
  }
}

/** Start recording the Deferreds whose chains end in a failure. */
export function startCapture(): Set<UnhandledBox> {
  const c = new Set<UnhandledBox>();
  captures.add(c);
  return c;
}

/** Stop recording into `c`. */
export function stopCapture(c: Set<UnhandledBox>): void {
  captures.delete(c);
}

/** The failures `c` holds now, oldest first. */
export function failuresOf(c: Set<UnhandledBox>): Failure[] {
  const out: Failure[] = [];
  for (const box of c) {
    if (box.failure !== null) out.push(box.failure);
    else if (box.snapshot !== null) out.push(new Failure(rebuild(box.snapshot)));
  }
  return out;
}

function snapshot(value: unknown, depth: number): Snapshot {
  const s: Snapshot = {
    proto: null,
    name: "",
    message: "",
    stack: undefined,
    props: [],
    cause: undefined,
    hasCause: false,
    plain: undefined,
    isError: false,
  };
  if (!(value instanceof Error)) {
    s.plain = value;
    return s;
  }
  s.isError = true;
  try {
    s.proto = Object.getPrototypeOf(value);
    s.name = String(value.name);
    s.message = String(value.message);
    const stack: unknown = value.stack;
    s.stack = typeof stack === "string" ? stack : undefined;
    for (const key of Object.keys(value)) {
      const v = (value as unknown as Record<string, unknown>)[key];
      if (v === null || typeof v !== "object" && typeof v !== "function") s.props.push([key, v]);
    }
    if ("cause" in value && depth < 16) {
      s.hasCause = true;
      s.cause = snapshot(value.cause, depth + 1);
    }
  } catch {
    // keep what we have
  }
  return s;
}

function rebuild(s: Snapshot): unknown {
  if (!s.isError) return s.plain;
  const e = Object.create(s.proto) as Error;
  const define = (key: string, value: unknown): void => {
    Object.defineProperty(e, key, { value, writable: true, configurable: true, enumerable: false });
  };
  for (const [k, v] of s.props) {
    Object.defineProperty(e, k, { value: v, writable: true, configurable: true, enumerable: true });
  }
  define("message", s.message);
  if (Object.prototype.hasOwnProperty.call(e, "name") || e.name !== s.name) define("name", s.name);
  if (s.stack !== undefined) define("stack", s.stack);
  if (s.hasCause && s.cause !== undefined) define("cause", rebuild(s.cause));
  return e;
}
