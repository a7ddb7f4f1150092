/**
 * Applications and services: what `skein run` starts and stops. Part of the
 * contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { Deferred } from "../deferred/deferred.ts";

/**
 * A long-running part of a program that can be started and stopped;
 * Twisted's `IService`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Service } from "@skein/skein/application";
 * import type { IService } from "@skein/skein/application";
 *
 * const service: IService = new Service();
 * service.startService();
 * assert.equal(service.running, true);
 * service.stopService();
 * assert.equal(service.running, false);
 * ```
 */
export interface IService {
  /** The service's name, unique within its parent (null: unnamed). */
  readonly name: string | null;
  /** True between `startService` and `stopService`. */
  readonly running: boolean;
  /** The collection this service belongs to. */
  readonly parent: IServiceCollection | null;
  /** Name the service; throws once it has a parent. */
  setName(name: string): void;
  /** Add this service to `parent` (leaving the one it had). */
  setServiceParent(parent: IServiceCollection): void;
  /** Leave the parent; a running parent stops the service (the result may be a Deferred). */
  disownServiceParent(): Deferred<unknown> | void;
  /** Work done before privileges are shed (e.g. binding a low port). */
  privilegedStartService(): void;
  /** Start the service. */
  startService(): void;
  /** Stop the service; a Deferred result holds the shutdown until it fires. */
  stopService(): Deferred<unknown> | void;
}

/**
 * A service that holds services; Twisted's `IServiceCollection`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultiService, Service } from "@skein/skein/application";
 * import type { IServiceCollection } from "@skein/skein/application";
 *
 * const collection: IServiceCollection = new MultiService();
 * const child = new Service();
 * child.setName("child");
 * child.setServiceParent(collection);
 * assert.equal(collection.getServiceNamed("child"), child);
 * ```
 */
export interface IServiceCollection {
  /** The child named `name`; throws a `ServiceNotFoundError` when there is none. */
  getServiceNamed(name: string): IService;
  /** The children, in the order they were added (the order they start in). */
  services(): IService[];
  /** Add `service`; a running collection starts it at once. */
  addService(service: IService): void;
  /** Remove `service`; a running collection stops it (the result may be a Deferred). */
  removeService(service: IService): Deferred<unknown> | void;
}

/**
 * What a process runs as; Twisted's `IProcess`. `skein run` uses `uid` and
 * `gid` (when run as root) and `processName`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Application } from "@skein/skein/application";
 * import type { IProcess } from "@skein/skein/application";
 *
 * const app: IProcess = new Application("echo", { uid: 1000 });
 * assert.equal(app.uid, 1000);
 * assert.equal(app.gid, null);
 * ```
 */
export interface IProcess {
  /** The name the process shows (null: the runtime's). */
  processName: string | null;
  /** The user id to run as (null: leave it). */
  uid: number | null;
  /** The group id to run as (null: leave it). */
  gid: number | null;
}
