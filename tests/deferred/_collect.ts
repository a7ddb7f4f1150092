// collect(d): the results and failures a Deferred delivers, for the Deferred suites;
// resultsOf(d): the results only, as Twisted's tests record them with d.addCallback(l.append).
import type { Deferred } from "../../deferred/deferred.ts";
import type { Failure } from "../../deferred/failure.ts";

export function collect<T>(d: Deferred<T>): { results: T[]; failures: Failure[]; } {
  const out = { results: [] as T[], failures: [] as Failure[] };
  d.addCallbacks(
    (r) => {
      out.results.push(r);
    },
    (f) => {
      out.failures.push(f);
    },
  );
  return out;
}

/**
 * The results that reach this point of `d`'s chain, recorded by an
 * addCallback that returns nothing (so the chain holds undefined after it, as
 * after Twisted's `d.addCallback(l.append)`); failures pass it by.
 */
export function resultsOf<T>(d: Deferred<T>): T[] {
  const out: T[] = [];
  d.addCallback((r) => {
    out.push(r);
  });
  return out;
}
