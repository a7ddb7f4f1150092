/**
 * `MultiService`: Twisted's `twisted.application.service.MultiService`, a
 * service made of services.
 *
 * @module
 */

import { Deferred } from "../deferred/deferred.ts";
import { DeferredList } from "../deferred/deferred_list.ts";
import { maybeDeferred } from "../deferred/maybe_deferred.ts";
import type { IService, IServiceCollection } from "../interfaces.ts";
import { ServiceNotFoundError, ServiceStateError } from "./errors.ts";
import { Service } from "./service.ts";

/**
 * A service that starts its children in the order they were added and stops
 * them in the reverse order. As in Twisted, every child's `stopService` is
 * called (last added first) without waiting for the previous one, and the
 * Deferred `stopService` returns fires once all of theirs have fired. A child
 * added to a running MultiService is started at once; one removed from it is
 * stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultiService, Service } from "@skein/skein/application";
 *
 * const order: string[] = [];
 * class Step extends Service {
 *   constructor(readonly label: string) {
 *     super();
 *   }
 *   override startService(): void {
 *     super.startService();
 *     order.push(`start ${this.label}`);
 *   }
 *   override stopService(): void {
 *     super.stopService();
 *     order.push(`stop ${this.label}`);
 *   }
 * }
 * const app = new MultiService();
 * new Step("db").setServiceParent(app);
 * new Step("web").setServiceParent(app);
 * app.startService();
 * await app.stopService();
 * assert.deepEqual(order, ["start db", "start web", "stop web", "stop db"]);
 * ```
 */
export class MultiService extends Service implements IServiceCollection {
  #services: IService[] = [];
  #named = new Map<string, IService>();

  /**
   * Run every child's `privilegedStartService`, in order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * let bound = false;
   * class Binder extends Service {
   *   override privilegedStartService(): void {
   *     bound = true;
   *   }
   * }
   * const app = new MultiService();
   * new Binder().setServiceParent(app);
   * app.privilegedStartService();
   * assert.equal(bound, true);
   * ```
   */
  override privilegedStartService(): void {
    super.privilegedStartService();
    for (const service of [...this.#services]) service.privilegedStartService();
  }

  /**
   * Mark this running, then start every child in the order they were added.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const app = new MultiService();
   * const child = new Service();
   * child.setServiceParent(app);
   * app.startService();
   * assert.equal(child.running, true);
   * ```
   */
  override startService(): void {
    super.startService();
    for (const service of [...this.#services]) service.startService();
  }

  /**
   * Mark this stopped, then stop every child, last added first; the Deferred
   * fires (with `undefined`) once every child's `stopService` result has
   * fired. A child whose stop fails does not keep the others from stopping;
   * the failure is logged as unhandled.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Deferred } from "@skein/skein/deferred";
   * import { MultiService, Service } from "@skein/skein/application";
   * const slow = new Deferred<void>();
   * class Slow extends Service {
   *   override stopService(): Deferred<void> {
   *     super.stopService();
   *     return slow;
   *   }
   * }
   * const app = new MultiService();
   * new Slow().setServiceParent(app);
   * app.startService();
   * let stopped = false;
   * app.stopService().addCallback(() => {
   *   stopped = true;
   * });
   * assert.equal(stopped, false);
   * slow.callback();
   * assert.equal(stopped, true);
   * ```
   */
  override stopService(): Deferred<unknown> {
    super.stopService();
    const waiting: Deferred<unknown>[] = [];
    for (const service of [...this.#services].reverse()) {
      waiting.push(maybeDeferred(() => service.stopService()) as Deferred<unknown>);
    }
    const done = new Deferred<unknown>();
    new DeferredList(waiting).addCallback(() => done.callback(undefined));
    return done;
  }

  /**
   * The child named `name`; a `ServiceNotFoundError` when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const app = new MultiService();
   * const db = new Service();
   * db.setName("db");
   * db.setServiceParent(app);
   * assert.equal(app.getServiceNamed("db"), db);
   * ```
   */
  getServiceNamed(name: string): IService {
    const service = this.#named.get(name);
    if (service === undefined) throw new ServiceNotFoundError(name);
    return service;
  }

  /**
   * The children, in the order they were added.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService } from "@skein/skein/application";
   * assert.deepEqual(new MultiService().services(), []);
   * ```
   */
  services(): IService[] {
    return [...this.#services];
  }

  /**
   * Add `service` (normally through `service.setServiceParent(this)`). A
   * second child with the same name, or the same child twice, is a
   * `ServiceStateError`. A running MultiService starts it at once (its
   * `privilegedStartService`, then `startService`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const app = new MultiService();
   * app.startService();
   * const late = new Service();
   * late.setServiceParent(app);
   * assert.equal(late.running, true);
   * ```
   */
  addService(service: IService): void {
    if (this.#services.includes(service)) {
      throw new ServiceStateError(`${String(service)} is already a child of this MultiService`);
    }
    const name = service.name;
    if (name !== null) {
      if (this.#named.has(name)) {
        throw new ServiceStateError(
          `cannot have two services named ${JSON.stringify(name)}; give one another name`,
        );
      }
      this.#named.set(name, service);
    }
    this.#services.push(service);
    if (this.running) {
      service.privilegedStartService();
      service.startService();
    }
  }

  /**
   * Remove `service`; a running MultiService stops it and returns its
   * `stopService` result.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const app = new MultiService();
   * const s = new Service();
   * s.setServiceParent(app);
   * app.startService();
   * s.disownServiceParent();
   * assert.equal(s.running, false);
   * ```
   */
  removeService(service: IService): Deferred<unknown> | void {
    const at = this.#services.indexOf(service);
    if (at < 0) {
      throw new ServiceStateError(`${String(service)} is not a child of this MultiService`);
    }
    if (service.name !== null) this.#named.delete(service.name);
    this.#services.splice(at, 1);
    if (this.running) return service.stopService();
  }
}
