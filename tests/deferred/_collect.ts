// collect(d): the results and failures a Deferred delivers, for the Deferred suites.
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
