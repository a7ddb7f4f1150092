/**
 * The "async trail" of a thrown value: the inlineCallbacks bodies it passed
 * through uncaught on its way out, innermost first. A thrown error's own stack
 * ends at the generator driver, so without this the calling bodies are lost
 * (Twisted users' long-standing complaint, twisted#5854). `Failure.getTraceback`
 * prints the trail as `at async <name> (inlineCallbacks)` lines.
 *
 * @module
 */

const trails: WeakMap<object, string[]> = new WeakMap();

/** Record that `value` left the body named `label` uncaught. */
export function noteAsyncFrame(value: unknown, label: string): void {
  if (typeof value !== "object" || value === null) return;
  const trail = trails.get(value);
  if (trail === undefined) trails.set(value, [label]);
  else if (trail.length < 64) trail.push(label);
}

/** The trail of `value`, innermost first (empty if none). */
export function asyncTrailOf(value: unknown): readonly string[] {
  if (typeof value !== "object" || value === null) return [];
  return trails.get(value) ?? [];
}
