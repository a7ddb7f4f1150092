/**
 * The errors of `@skein/skein/application`.
 *
 * @module
 */

/**
 * `getServiceNamed` found no child of that name (Twisted raises `KeyError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultiService, ServiceNotFoundError } from "@skein/skein/application";
 *
 * assert.throws(() => new MultiService().getServiceNamed("web"), ServiceNotFoundError);
 * ```
 */
export class ServiceNotFoundError extends Error {
  /** Always `"ServiceNotFoundError"`. */
  override name = "ServiceNotFoundError";
  /** The name asked for. */
  readonly serviceName: string;

  /** No service called `serviceName`. */
  constructor(serviceName: string) {
    super(
      `no service named ${JSON.stringify(serviceName)}; name it with setName() before adding it`,
    );
    this.serviceName = serviceName;
  }
}

/**
 * A service was used in a way its state does not allow: two children with one
 * name, renaming a service that has a parent, adding a service twice
 * (Twisted raises `RuntimeError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MultiService, Service, ServiceStateError } from "@skein/skein/application";
 *
 * const parent = new MultiService();
 * const child = new Service();
 * child.setServiceParent(parent);
 * assert.throws(() => child.setName("late"), ServiceStateError);
 * ```
 */
export class ServiceStateError extends Error {
  /** Always `"ServiceStateError"`. */
  override name = "ServiceStateError";
}
