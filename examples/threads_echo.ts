/**
 * A blocking computation kept off the reactor: while `deferToThread` counts
 * primes in a pool thread, an echo server on the reactor thread keeps
 * answering a client that pings it every 2 ms.
 *
 * Run it: `deno run -A examples/threads_echo.ts [LIMIT]` or
 * `bun examples/threads_echo.ts [LIMIT]`. It prints the prime count, how many
 * pings were answered while the thread computed, and their round-trip
 * latency, then stops the reactor and exits.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import type { IReactor } from "../interfaces.ts";
import { ClientFactory, Protocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";
import { deferToThread } from "../threads/mod.ts";
import { EchoFactory } from "./echo_server.ts";

/**
 * Count the primes below `limit` by trial division: deliberately slow,
 * self-contained (it uses only its parameter), so it can run in a thread
 * shipped by its source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countPrimes } from "./threads_echo.ts";
 * assert.equal(countPrimes(100), 25);
 * ```
 */
export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/**
 * Connect to the echo server at `127.0.0.1:port` and ping it (one byte, wait
 * for it back, 2 ms pause) until `done` fires; the Deferred fires with every
 * round-trip time in milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deferred } from "@skein/skein/deferred";
 * import { createReactor } from "@skein/skein/reactor";
 * import { EchoFactory } from "./echo_server.ts";
 * import { pingWhile } from "./threads_echo.ts";
 *
 * const reactor = createReactor("host");
 * const port = reactor.listenTCP(0, new EchoFactory(), { interface: "127.0.0.1" });
 * const done = new Deferred<void>();
 * reactor.callLater(0.05, () => done.callback(undefined));
 * reactor.callWhenRunning(async () => {
 *   const times = await pingWhile(reactor, port.getHost().port, done);
 *   assert.ok(times.length > 0);
 *   await port.stopListening();
 *   reactor.stop();
 * });
 * await reactor.run();
 * ```
 */
export function pingWhile(
  reactor: IReactor,
  port: number,
  done: Deferred<void>,
): Deferred<number[]> {
  const times: number[] = [];
  const result = new Deferred<number[]>();
  let finished = false;
  done.addCallback(() => {
    finished = true;
  });
  class Pinger extends Protocol {
    #sent = 0;
    override connectionMade(): void {
      this.#ping();
    }
    #ping(): void {
      if (finished) {
        this.transport!.loseConnection();
        return;
      }
      this.#sent = performance.now();
      this.transport!.write(new Uint8Array([42]));
    }
    override dataReceived(): void {
      times.push(performance.now() - this.#sent);
      reactor.callLater(0.002, () => this.#ping());
    }
    override connectionLost(): void {
      result.callback(times);
    }
  }
  reactor.connectTCP("127.0.0.1", port, ClientFactory.forProtocol(Pinger));
  return result;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

if (import.meta.main) {
  const arg = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args[0]
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv[2];
  const limit = Number(arg ?? 3_000_000);
  const listening = reactor.listenTCP(0, new EchoFactory(), { interface: "127.0.0.1" });
  const port = listening.getHost().port;
  reactor.callWhenRunning(async () => {
    const computed = new Deferred<void>();
    const pings = pingWhile(reactor, port, computed);
    const t0 = performance.now();
    const primes = await deferToThread(countPrimes, limit);
    const ms = performance.now() - t0;
    computed.callback(undefined);
    const times = (await pings).sort((a, b) => a - b);
    console.log(`primes below ${limit}: ${primes} (computed in a thread in ${ms.toFixed(0)} ms)`);
    console.log(
      `meanwhile the echo server answered ${times.length} pings: p50 ${
        percentile(times, 0.5).toFixed(2)
      } ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, max ${
        (times[times.length - 1] ?? NaN).toFixed(2)
      } ms`,
    );
    await listening.stopListening();
    reactor.stop();
  });
  await reactor.run();
}
