/**
 * The reactor's own thread pool (Twisted's `ReactorBase._initThreadPool`):
 * made on first use with 0 to 10 threads, started when the reactor runs and
 * stopped in the `during` phase of its shutdown. Reactors call
 * {@linkcode reactorThreadPool} from `getThreadPool()`.
 *
 * @module
 */

import type { IReactorCore, IReactorFromThreads } from "../interfaces.ts";
import { ThreadPool } from "./thread_pool.ts";

/** Make the pool of `reactor` and tie its life to the reactor's. */
export function reactorThreadPool(
  reactor: IReactorCore & Partial<IReactorFromThreads>,
): ThreadPool {
  const pool = new ThreadPool({
    minThreads: 0,
    maxThreads: 10,
    name: "skein.reactor",
    ...(typeof reactor.callFromThread === "function"
      ? { reactor: reactor as IReactorFromThreads }
      : {}),
  });
  reactor.callWhenRunning(() => pool.start());
  reactor.addSystemEventTrigger("during", "shutdown", (): void => {
    pool.stop();
  });
  return pool;
}
