/**
 * The machinery that runs a Deferred's chain: appending stages, firing, and
 * the trampoline that runs stages and hands results between Deferreds that
 * wait on each other (Twisted's `_runCallbacks`). `deferred.ts` holds the
 * public API and calls in here; the fields it works on are the Deferred's
 * own, seen through {@linkcode DeferredState}.
 *
 * @module
 */

import { captureStack, DebugInfo, debugState } from "./_debug.ts";
import { NO_RESULT, type StageFn } from "./_internals.ts";
import {
  isHandedOff,
  markHandedOff,
  trackFailure,
  type UnhandledBox,
  untrackFailure,
} from "./_unhandled.ts";
import { Deferred } from "./deferred.ts";
import { AlreadyCalledError } from "./errors.ts";
import { Failure } from "./failure.ts";

/**
 * A Deferred's fields, as this module sees them (the class declares them
 * `private` so that they stay out of its public type).
 */
export interface DeferredState {
  /**
   * Flat list of stages: [callback, errback, args] × n; `null` passes
   * through. `args` is the extra arguments of whichever function runs, or a
   * {@linkcode SplitArgs} when the two differ.
   */
  _stages: unknown[] | null;
  _pos: number;
  _result: unknown;
  _called: boolean;
  _paused: number;
  _running: boolean;
  _suppressAlreadyCalled: boolean;
  _canceller: ((d: never) => void) | null;
  /** The Deferred this one waits on (for toString), or null. */
  _chainedTo: object | null;
  _unhandled: UnhandledBox | null;
  _rare: Rare | BoundCallback | null;
}

/** Marks a stage that hands the result on to a Deferred waiting on this one. */
const CONTINUE: StageFn = (): void => {};
/** Marks a `chainDeferred` stage: fire the Deferred in the args with the result. */
export const CHAIN: StageFn = (): void => {};

/** A Deferred's bound `callback`. */
export type BoundCallback = (result?: unknown) => void;

/**
 * What few Deferreds need, kept off the Deferred itself so the common one
 * stays small: the debug stacks, and the bound callback/errback/cancel made
 * on first use. While the bound callback is all a Deferred needs (most
 * fired ones), its slot holds just that function.
 */
export class Rare {
  debug: DebugInfo | null = null;
  callback: BoundCallback | null = null;
  errback: ((reason?: unknown) => void) | null = null;
  cancel: (() => void) | null = null;
}

/** `d`'s Rare record, made (keeping a bound callback already there) if missing. */
export function rareOf(d: DeferredState): Rare {
  const r = d._rare;
  if (r !== null && typeof r !== "function") return r;
  const rare = new Rare();
  rare.callback = r;
  d._rare = rare;
  return rare;
}

/** `d`'s debug record, or null. */
export function debugOf(d: DeferredState): DebugInfo | null {
  const r = d._rare;
  return r === null || typeof r === "function" ? null : r.debug;
}

/** `d`'s debug record, made if missing. */
function debugInfo(d: DeferredState): DebugInfo {
  const rare = rareOf(d);
  return rare.debug ?? (rare.debug = new DebugInfo());
}

/** Record where `d` was created (debug mode). */
export function noteCreator(d: DeferredState): void {
  debugInfo(d).creator = captureStack(3);
}

/** `d.callback(result)`: refuses a Deferred, then fires. */
export function fireCallback(d: DeferredState, result: unknown): void {
  if (result instanceof Deferred) throw callbackGotDeferred();
  start(d, result);
}

function callbackGotDeferred(): TypeError {
  return new TypeError(
    "Deferred.callback() was given a Deferred; return it from a callback or use chainDeferred() to wait for it",
  );
}

/** `d.errback(reason)` with a reason given: wraps it in a Failure unless it is one. */
export function fireErrback(d: DeferredState, reason: unknown): void {
  start(d, reason instanceof Failure ? reason : new Failure(reason));
}

/** A stage's extra arguments when its callback and errback take different ones. */
export class SplitArgs {
  constructor(readonly cb: unknown[] | undefined, readonly eb: unknown[] | undefined) {}
}

/** The one `args` slot of a stage for these functions and arguments. */
export function stageArgs(
  cb: unknown,
  eb: unknown,
  cbArgs: unknown[] | undefined,
  ebArgs: unknown[] | undefined,
): unknown[] | SplitArgs | undefined {
  if (cbArgs === ebArgs || eb === null) return cbArgs;
  if (cb === null) return ebArgs;
  return new SplitArgs(cbArgs, ebArgs);
}

/** Append one stage; run it now if the Deferred has fired. */
export function add(
  d: DeferredState,
  cb: unknown,
  eb: unknown,
  cbArgs: unknown[] | undefined,
  ebArgs: unknown[] | undefined,
): void {
  const args = stageArgs(cb, eb, cbArgs, ebArgs);
  const stages = d._stages;
  if (stages === null) d._stages = [cb, eb, args];
  else stages.push(cb, eb, args);
  if (d._called) run(d);
}

/**
 * Fire the Deferred (Twisted's `_startRunCallbacks`). Kept small, so that it
 * inlines where a Deferred is fired: the second firing and debug mode go to
 * `startRare`.
 */
export function start(d: DeferredState, result: unknown): void {
  if (d._called || debugState.on) {
    if (startRare(d)) return;
  }
  d._called = true;
  d._canceller = null; // no longer needed; drop the reference (Twisted does too)
  d._result = result;
  if (d._stages === null) {
    // Nothing to run yet (succeed(), fail(), most producers): only the
    // bookkeeping run() would do.
    d._chainedTo = null;
    if (result instanceof Failure) noteFailure(d, result);
    return;
  }
  run(d);
}

/**
 * `start` on an already fired Deferred (throws `AlreadyCalledError`, or
 * returns true for the one call swallowed after a cancel), or in debug mode
 * (records the invoker, returns false).
 */
function startRare(d: DeferredState): boolean {
  if (d._called) {
    if (d._suppressAlreadyCalled) {
      d._suppressAlreadyCalled = false;
      return true;
    }
    throw alreadyCalled(d);
  }
  debugInfo(d).invoker = captureStack(4);
  return false;
}

/** A fresh chain ends in `failure`: track it unless a Promise took it. */
function noteFailure(d: DeferredState, failure: Failure): void {
  if (!isHandedOff(failure)) trackFailure(d, failure, debugOf(d));
}

/** The error for a second firing, with debug stacks when available. */
function alreadyCalled(d: DeferredState): AlreadyCalledError {
  if (!debugState.on && debugOf(d) === null) return new AlreadyCalledError();
  return new AlreadyCalledError(`\n${debugInfo(d).describe()}`);
}

/** The final result of a fired, idle chain, or NO_RESULT. */
function settled(x: DeferredState): unknown {
  if (!x._called || x._paused > 0 || x._running) return NO_RESULT;
  const r = x._result;
  if (r instanceof Deferred) return NO_RESULT;
  const stages = x._stages;
  if (stages !== null && x._pos < stages.length) return NO_RESULT;
  return r;
}

/** `d` seen as its chain state (the other modules of the package hold Deferreds). */
export function stateOf(d: object): DeferredState {
  return d as DeferredState;
}

/** Insert a stage before all pending ones (the Deferred must not be running). */
export function prepend(
  x: DeferredState,
  cb: StageFn | null,
  eb: StageFn | null,
  ca: unknown[] | undefined,
  ea: unknown[] | undefined,
): void {
  const args = stageArgs(cb, eb, ca, ea);
  if (x._stages === null) x._stages = [cb, eb, args];
  else x._stages.splice(x._pos, 0, cb, eb, args);
}

/**
 * Like `take`, but leave the result in place (a Failure is marked as
 * handled), as Twisted's `Deferred.send` does for `yield from` / `await`.
 */
export function peek(x: DeferredState): unknown {
  const r = settled(x);
  if (r instanceof Failure) {
    markHandedOff(r);
    if (x._unhandled !== null) untrackFailure(x);
  }
  return r;
}

/**
 * If `x` has fired, is not paused, not running its callbacks and not
 * waiting on another Deferred, take its result (leaving `undefined`, as a
 * consuming `addBoth` stage would) and return it; otherwise return
 * `NO_RESULT` and leave `x` alone.
 */
export function take(x: DeferredState): unknown {
  const r = settled(x);
  if (r === NO_RESULT) return r;
  x._result = undefined;
  if (x._unhandled !== null) untrackFailure(x);
  return r;
}

/**
 * Run as much of the chain as can run now. Iterative (a trampoline): when a
 * Deferred that others wait on fires, the waiting ones are pushed on
 * `chain` and continued in this same loop, as Twisted's `_runCallbacks`.
 */
export function run(d: DeferredState): void {
  if (d._running) return;
  let current: DeferredState = d;
  let chain: DeferredState[] | null = null;
  while (true) {
    if (current._paused > 0) {
      // Nothing can run here now. Twisted returns from the whole loop at
      // this point; going back to the Deferreds below instead lets a fired,
      // unpaused Deferred finish its own pending stages (it is where the
      // recursive form of chainDeferred would be).
      const r = current._result;
      if (r instanceof Failure && !isHandedOff(r)) {
        trackFailure(current, r, debugOf(current));
      }
      if (chain === null) return;
      chain.pop();
      if (chain.length === 0) return;
      current = chain[chain.length - 1];
      current._running = false;
      continue;
    }
    let finished = true;
    current._chainedTo = null;
    const stages = current._stages;
    if (stages !== null) {
      while (current._pos < stages.length) {
        const i = current._pos;
        current._pos = i + 3;
        let result = current._result;
        const failed = result instanceof Failure;
        const fn = (failed ? stages[i + 1] : stages[i]) as StageFn | null;
        if (fn === null) continue;
        let args = stages[i + 2] as unknown[] | SplitArgs | undefined;
        if (args !== undefined && !Array.isArray(args)) args = failed ? args.eb : args.cb;
        if (fn === CONTINUE) {
          // Hand our result to the Deferred that waits on us, and forget it.
          const waiter = (args as unknown[])[0] as DeferredState;
          waiter._result = result;
          current._result = undefined;
          if (current._unhandled !== null) untrackFailure(current);
          waiter._paused--;
          if (chain === null) chain = [current, waiter];
          else chain.push(waiter);
          finished = false;
          break;
        }
        if (fn === CHAIN) {
          // chainDeferred: fire the target with our result, in this loop
          // rather than by recursion; our own result becomes undefined.
          const target = (args as unknown[])[0] as DeferredState;
          current._result = undefined;
          if (target._called || target._paused > 0 || debugState.on) {
            // The rare cases keep the plain call (AlreadyCalledError, the
            // swallowed call after a cancel, debug stacks).
            current._running = true;
            try {
              start(target, result);
            } catch (e) {
              current._result = new Failure(e);
            }
            current._running = false;
            continue;
          }
          target._called = true;
          target._canceller = null;
          target._result = result;
          current._running = true; // as while inside target.callback()
          if (chain === null) chain = [current, target];
          else chain.push(target);
          finished = false;
          break;
        }
        current._running = true;
        try {
          if (args === undefined) result = fn(result);
          else if (args.length === 1) result = fn(result, args[0]);
          else result = fn(result, ...args);
        } catch (e) {
          current._running = false;
          current._result = new Failure(e);
          continue;
        }
        current._running = false;
        current._result = result;
        if (typeof result === "object" && result !== null || typeof result === "function") {
          let inner: DeferredState;
          if (result instanceof Deferred) {
            if ((result as unknown) === current) {
              // Twisted warns ("will raise an exception in the future"); waiting
              // on itself could never finish, so it is an error here.
              current._result = new Failure(
                new TypeError(
                  "A callback returned the Deferred it was attached to; this would wait forever",
                ),
              );
              continue;
            }
            inner = result as unknown as DeferredState;
          } else {
            let then: unknown;
            try {
              then = (result as PromiseLike<unknown>).then;
            } catch (e) {
              current._result = new Failure(e); // as a Promise would reject
              continue;
            }
            if (typeof then !== "function") continue;
            const wrapped = Deferred.fromPromise(result as PromiseLike<unknown>);
            current._result = wrapped;
            inner = wrapped as unknown as DeferredState;
          }
          if (!inner._called || inner._result instanceof Deferred || inner._paused > 0) {
            // Not ready: pause, and let `inner` continue us when it fires.
            current._paused++;
            current._chainedTo = inner;
            const s = inner._stages;
            if (s === null) inner._stages = [CONTINUE, CONTINUE, [current]];
            else s.push(CONTINUE, CONTINUE, [current]);
            break;
          }
          // Already has a result: take it, leaving `undefined` behind.
          current._result = inner._result;
          inner._result = undefined;
          if (inner._unhandled !== null) untrackFailure(inner);
        }
      }
    }
    if (finished) {
      if (stages !== null && current._pos >= stages.length) {
        // All stages ran: drop the list (a fired Deferred often lives on).
        current._stages = null;
        current._pos = 0;
      }
      const r = current._result;
      if (r instanceof Failure) {
        if (!isHandedOff(r)) trackFailure(current, r, debugOf(current));
        else if (current._unhandled !== null) untrackFailure(current);
      } else if (current._unhandled !== null) {
        untrackFailure(current);
      }
      if (chain === null) return;
      chain.pop();
      if (chain.length === 0) return;
      current = chain[chain.length - 1];
      current._running = false;
    } else {
      current = (chain as DeferredState[])[(chain as DeferredState[]).length - 1];
    }
  }
}
