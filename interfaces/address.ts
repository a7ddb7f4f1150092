/**
 * Addresses: what `getHost()`/`getPeer()` return. Part of the contracts map, `interfaces.ts`.
 *
 * @module
 */

import type { IPv4Address, IPv6Address } from "../reactor/address.ts";

/**
 * An endpoint address. Concrete classes live in `reactor/address.ts`
 * (`IPv4Address`, `IPv6Address`, `UNIXAddress`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IAddress } from "@skein/skein/reactor";
 * import { IPv4Address } from "@skein/skein/reactor";
 * const describe = (a: IAddress): string => a.toString();
 * assert.equal(describe(new IPv4Address("TCP", "127.0.0.1", 80)), "IPv4Address(TCP, '127.0.0.1', 80)");
 * ```
 */
export interface IAddress {
  /** `"TCP"`, `"UDP"`, `"UNIX"`, or `"PROCESS"` (a child's stdio, `ProcessAddress`). */
  readonly type: "TCP" | "UDP" | "UNIX" | "PROCESS";
  /** A human-readable form, e.g. `IPv4Address(TCP, '127.0.0.1', 8080)`. */
  toString(): string;
}

/**
 * The address of an IP socket (TCP or UDP): what `listenTCP` ports,
 * `listenUDP` ports and TCP transports give from `getHost()`/`getPeer()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type IPAddress, IPv6Address } from "@skein/skein/reactor";
 *
 * const a: IPAddress = new IPv6Address("TCP", "::1", 8080);
 * assert.equal(a.port, 8080);
 * ```
 */
export type IPAddress = IPv4Address | IPv6Address;
