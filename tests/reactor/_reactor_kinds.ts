/**
 * Helpers for the reactor-core suites: the reactor kinds every suite runs
 * against, a log capture, and a `runFor` that runs a reactor under a
 * deadline. Raw fds and a descriptor over them are in `_fds.ts`.
 */

import { createReactor, type Reactor, type ReactorKind } from "../../reactor/install.ts";
import { availablePollers } from "../../reactor/pollers/mod.ts";
import { PosixReactor } from "../../reactor/posix_reactor.ts";
import { LogCapture, sleep } from "./_helpers.ts";

export { LogCapture, sleep };

/** Every reactor kind here: each FFI poller this OS has, plus the host reactor. */
export const ALL_KINDS: ReactorKind[] = [...(availablePollers() as ReactorKind[]), "host"];

/** The FFI kinds only (the fd-level suites). */
export const FFI_KINDS: ReactorKind[] = availablePollers() as ReactorKind[];

/** A fresh reactor of `kind`. */
export function make(kind: ReactorKind): Reactor {
  return createReactor(kind);
}

/** A fresh FFI reactor of `kind`. */
export function makePosix(kind: ReactorKind): PosixReactor {
  const r = createReactor(kind);
  if (!(r instanceof PosixReactor)) throw new Error(`${kind} is not an FFI reactor`);
  return r;
}

/**
 * Run `reactor` (after `setup` ran) until it stops by itself; fail if it has
 * not stopped within `ms` (then crash it so the test run goes on).
 */
export async function runFor(reactor: Reactor, ms: number, what = "reactor run"): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = reactor.run({ installSignalHandlers: false });
  try {
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject first: crash() resolves run()'s promise, which must not win the race.
          reject(new Error(`timed out after ${ms} ms: ${what}`));
          if (reactor.running) reactor.crash();
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
