/**
 * `Service`: Twisted's `twisted.application.service.Service`, the base of
 * every service.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";
import type { IService, IServiceCollection } from "../interfaces.ts";
import { ServiceStateError } from "./errors.ts";

/**
 * The base service: it only keeps `running`, `name` and `parent`. Subclass it
 * and override `startService`/`stopService` (call `super`'s, which set
 * `running`); `stopService` may return a Deferred, which holds the
 * application's shutdown until it fires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultiService, Service } from "@skein/skein/application";
 *
 * class Greeter extends Service {
 *   said: string[] = [];
 *   override startService(): void {
 *     super.startService();
 *     this.said.push("hello");
 *   }
 *   override stopService(): void {
 *     super.stopService();
 *     this.said.push("bye");
 *   }
 * }
 * const app = new MultiService();
 * const greeter = new Greeter();
 * greeter.setServiceParent(app);
 * app.startService();
 * app.stopService();
 * assert.deepEqual(greeter.said, ["hello", "bye"]);
 * ```
 */
export class Service implements IService {
  #name: string | null = null;
  #running = false;
  #parent: IServiceCollection | null = null;

  /** The name, unique within the parent (null: unnamed). */
  get name(): string | null {
    return this.#name;
  }

  /** True between `startService` and `stopService`. */
  get running(): boolean {
    return this.#running;
  }

  /** The collection this service belongs to, if any. */
  get parent(): IServiceCollection | null {
    return this.#parent;
  }

  /**
   * Name the service. Throws a `ServiceStateError` once it has a parent, as
   * Twisted does (the parent indexes its children by name).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Service } from "@skein/skein/application";
   * const s = new Service();
   * s.setName("db");
   * assert.equal(s.name, "db");
   * ```
   */
  setName(name: string): void {
    if (typeof name !== "string" || name === "") {
      throw new TypeError("setName: the name must be a non-empty string");
    }
    if (this.#parent !== null) {
      throw new ServiceStateError(
        `cannot rename a service that has a parent; call setName(${
          JSON.stringify(name)
        }) before setServiceParent`,
      );
    }
    this.#name = name;
  }

  /**
   * Join `parent` (leaving the current parent first), which adds this service
   * to it; a running parent starts it.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const parent = new MultiService();
   * const s = new Service();
   * s.setServiceParent(parent);
   * assert.deepEqual(parent.services(), [s]);
   * ```
   */
  setServiceParent(parent: IServiceCollection): void {
    if (this.#parent !== null) this.disownServiceParent();
    this.#parent = parent;
    try {
      parent.addService(this);
    } catch (e) {
      this.#parent = null;
      throw e;
    }
  }

  /**
   * Leave the parent. A running parent stops this service: its
   * `stopService` result is returned.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { MultiService, Service } from "@skein/skein/application";
   * const parent = new MultiService();
   * const s = new Service();
   * s.setServiceParent(parent);
   * s.disownServiceParent();
   * assert.equal(s.parent, null);
   * assert.deepEqual(parent.services(), []);
   * ```
   */
  disownServiceParent(): Deferred<unknown> | void {
    const parent = this.#parent;
    if (parent === null) return;
    const result = parent.removeService(this);
    this.#parent = null;
    return result;
  }

  /**
   * Work to do before the process gives up root (binding a port below 1024):
   * nothing here.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Service } from "@skein/skein/application";
   * const s = new Service();
   * s.privilegedStartService();
   * assert.equal(s.running, false);
   * ```
   */
  privilegedStartService(): void {}

  /**
   * Mark the service running. Subclasses call `super.startService()`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Service } from "@skein/skein/application";
   * const s = new Service();
   * s.startService();
   * assert.equal(s.running, true);
   * ```
   */
  startService(): void {
    this.#running = true;
  }

  /**
   * Mark the service stopped. Subclasses call `super.stopService()` and may
   * return a Deferred that fires once they have really stopped.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Service } from "@skein/skein/application";
   * const s = new Service();
   * s.startService();
   * s.stopService();
   * assert.equal(s.running, false);
   * ```
   */
  stopService(): Deferred<unknown> | void {
    this.#running = false;
  }

  /**
   * `<Service name>`, for logs.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Service } from "@skein/skein/application";
   * const s = new Service();
   * s.setName("db");
   * assert.equal(String(s), "<Service db>");
   * ```
   */
  toString(): string {
    return `<${this.constructor.name}${this.#name === null ? "" : ` ${this.#name}`}>`;
  }
}
