/**
 * An app with a manhole: a greeting server, a little key-value "database"
 * whose lookups answer later through a Deferred, and a manhole into both.
 *
 * Run it: `deno run -A examples/manhole_app.ts SECRET_FILE [MANHOLE] [GREETING_PORT]`
 * or `bun examples/manhole_app.ts …`. SECRET_FILE holds the password on its
 * first line (`chmod 600`); MANHOLE defaults to `tcp:127.0.0.1:4040`,
 * GREETING_PORT to 0 (any free one). It prints where both listen, then
 * serves until SIGTERM or SIGINT. Then `telnet 127.0.0.1 4040`, type the
 * password, and try:
 *
 *     >>> factory.greeting = "bonjour"      // the next client is greeted so
 *     >>> db.get("answer")                  // <Deferred #1>, then it fires
 *     >>> await db.get("answer")            // 42
 *     >>> status()                          // delayed calls, connections, …
 *
 * @module
 */

import process from "node:process";
import { Deferred } from "../deferred/deferred.ts";
import type { IReactorTime } from "../interfaces.ts";
import { textFileLogObserver } from "../logger/file_observer.ts";
import { globalLogBeginner } from "../logger/global.ts";
import { listenManhole } from "../manhole/listen.ts";
import { Factory, Protocol } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/**
 * Greets each client with the factory's greeting and its number, then hangs up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { GreetingFactory } from "./manhole_app.ts";
 * import { IPv4Address } from "@skein/skein/reactor";
 *
 * const factory = new GreetingFactory();
 * const transport = new StringTransport();
 * factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!.makeConnection(transport);
 * assert.equal(transport.valueString(), "hello #1\r\n");
 * ```
 */
export class Greeter extends Protocol {
  declare factory: GreetingFactory | null;
  override connectionMade(): void {
    const factory = this.factory!;
    factory.greeted += 1;
    this.transport!.write(`${factory.greeting} #${factory.greeted}\r\n`);
    this.transport!.loseConnection();
  }
}

/**
 * Holds the greeting (change it from the manhole) and the count of clients.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GreetingFactory } from "./manhole_app.ts";
 * assert.equal(new GreetingFactory().greeting, "hello");
 * ```
 */
export class GreetingFactory extends Factory {
  override protocol = Greeter;
  /** What clients are greeted with. */
  greeting: string = "hello";
  /** How many clients were greeted. */
  greeted: number = 0;
}

/**
 * A key-value store whose lookups answer after `latency` seconds, as a
 * database's would: through a Deferred.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock } from "@skein/skein/task";
 * import { SlowStore } from "./manhole_app.ts";
 *
 * const clock = new Clock();
 * const db = new SlowStore(clock, 0.5);
 * let got: unknown;
 * db.get("answer").addCallback((v) => { got = v; });
 * clock.advance(0.5);
 * assert.equal(got, 42);
 * ```
 */
export class SlowStore {
  /** The data. */
  readonly data: Map<string, unknown> = new Map<string, unknown>([["answer", 42]]);
  #clock: IReactorTime;
  #latency: number;

  /** A store answering after `latency` seconds on `clock`. */
  constructor(clock: IReactorTime, latency: number) {
    this.#clock = clock;
    this.#latency = latency;
  }

  /** The value under `key`, later. */
  get(key: string): Deferred<unknown> {
    const d = new Deferred<unknown>();
    this.#clock.callLater(this.#latency, () => d.callback(this.data.get(key)));
    return d;
  }

  /** Store `value` under `key`. */
  set(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const [secretFile, listen = "tcp:127.0.0.1:4040", greetingPort = "0"] = args;
  if (secretFile === undefined) {
    console.error("usage: manhole_app.ts SECRET_FILE [MANHOLE] [GREETING_PORT]");
    throw new Error("no secret file given: the manhole has no default password");
  }
  // Log to stderr: logins, and refused ones, show there.
  globalLogBeginner.beginLoggingTo(
    [textFileLogObserver({ write: (t) => process.stderr.write(t) })],
    {
      redirectStandardIO: false,
    },
  );
  const factory = new GreetingFactory();
  factory.noisy = false;
  const db = new SlowStore(reactor, 0.3);
  const greeting = reactor.listenTCP(Number(greetingPort), factory, { interface: "127.0.0.1" });
  const manhole = listenManhole({
    reactor,
    listen,
    passwordFile: secretFile,
    namespace: { reactor, factory, db },
  });
  // Said once running, when SIGTERM and SIGINT already stop the reactor.
  reactor.callWhenRunning(() => {
    console.log(`greeting on ${greeting.getHost()}`);
    console.log(`manhole on ${manhole.getHost()}`);
  });
  await reactor.run();
}
