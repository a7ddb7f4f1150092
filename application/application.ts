/**
 * `Application` and `startApplication`: Twisted's `service.Application` and
 * `app.startApplication`, the top of a service tree and how a reactor runs it.
 *
 * @module
 */

import type { IProcess, IReactorCore, IService } from "../interfaces.ts";
import { MultiService } from "./multi_service.ts";

/**
 * Options for {@linkcode Application}.
 *
 * @example
 * ```ts
 * import type { ApplicationOptions } from "@skein/skein/application";
 * const options: ApplicationOptions = { uid: 1000, gid: 1000 };
 * ```
 */
export interface ApplicationOptions {
  /** The user id `skein run` switches to when started as root. */
  uid?: number | null;
  /** The group id `skein run` switches to when started as root. */
  gid?: number | null;
}

/**
 * The root of a program's services: a named {@linkcode MultiService} that
 * also carries what the process should run as ({@linkcode IProcess}). A
 * module run by `skein run` exports one as `application`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, TimerService } from "@skein/skein/application";
 * import { Clock } from "@skein/skein/testing";
 *
 * const clock = new Clock();
 * let ticks = 0;
 * export const application = new Application("ticker");
 * const timer = new TimerService(1, () => ticks++);
 * timer.clock = clock;
 * timer.setServiceParent(application);
 * application.startService();
 * clock.advance(1);
 * await application.stopService();
 * assert.equal(ticks, 2);
 * assert.equal(application.name, "ticker");
 * ```
 */
export class Application extends MultiService implements IProcess {
  /** The name the process shows (`skein run` sets `process.title` to it). */
  processName: string | null;
  /** The user id to run as, when started as root (null: leave it). */
  uid: number | null;
  /** The group id to run as, when started as root (null: leave it). */
  gid: number | null;

  /** An application called `name`. */
  constructor(name: string, options: ApplicationOptions = {}) {
    super();
    this.setName(name);
    this.processName = name;
    this.uid = options.uid ?? null;
    this.gid = options.gid ?? null;
  }
}

/**
 * Tie `service` to `reactor`'s life, as Twisted's `startApplication` does:
 * `privilegedStartService` now, `startService` once the reactor runs, and
 * `stopService` as a `before shutdown` trigger, so a Deferred it returns
 * holds the reactor's shutdown until every service has stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application, Service, startApplication } from "@skein/skein/application";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const seen: string[] = [];
 * class Noisy extends Service {
 *   override startService(): void {
 *     super.startService();
 *     seen.push("started");
 *   }
 *   override stopService(): void {
 *     super.stopService();
 *     seen.push("stopped");
 *   }
 * }
 * const reactor = createReactor();
 * const app = new Application("noisy");
 * new Noisy().setServiceParent(app);
 * startApplication(app, reactor);
 * reactor.callWhenRunning(reactor.stop);
 * await reactor.run();
 * assert.deepEqual(seen, ["started", "stopped"]);
 * ```
 */
export function startApplication(service: IService, reactor: IReactorCore): void {
  service.privilegedStartService();
  reactor.callWhenRunning(() => service.startService());
  reactor.addSystemEventTrigger("before", "shutdown", () => service.stopService());
}
