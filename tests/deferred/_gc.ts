// Test helper: force garbage collection on Deno (needs
// `--v8-flags=--expose-gc`, which scripts/check.sh passes) and on Bun
// (`Bun.gc(true)`), then let FinalizationRegistry callbacks run.

type GcGlobal = { gc?: () => void; Bun?: { gc(force: boolean): void; }; };

/** The runtime's "collect now" hook; throws with the fix if there is none. */
export function gcHook(): () => void {
  const g = globalThis as GcGlobal;
  if (g.Bun !== undefined) return () => g.Bun?.gc(true);
  if (typeof g.gc === "function") return g.gc;
  throw new Error("no GC hook: run `deno test -A --v8-flags=--expose-gc` (Bun needs nothing)");
}

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Collect garbage repeatedly (bounded: at most `rounds` rounds) until `done()`
 * says what we wait for has happened. Returns whether it did.
 */
export async function collectUntil(done: () => boolean, rounds = 40): Promise<boolean> {
  const gc = gcHook();
  for (let i = 0; i < rounds; i++) {
    // A WeakRef's target stays alive until the end of the job that created
    // or deref()'d it, so never collect in the same job as `done()` runs.
    await tick(0);
    gc();
    await tick(i < 5 ? 0 : 10);
    if (done()) return true;
  }
  return done();
}
