/**
 * Address classes: Twisted's `twisted/internet/address.py`.
 *
 * @module
 */

import type { IAddress } from "../interfaces.ts";

/**
 * An IPv4 address and port, for TCP or UDP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv4Address } from "@skein/skein/reactor";
 *
 * const a = new IPv4Address("TCP", "127.0.0.1", 8080);
 * assert.equal(a.toString(), "IPv4Address(TCP, '127.0.0.1', 8080)");
 * assert.equal(a.port, 8080);
 * ```
 */
export class IPv4Address implements IAddress {
  /** Builds an address. */
  constructor(
    /** `"TCP"` or `"UDP"`. */
    readonly type: "TCP" | "UDP",
    /** Dotted-quad host. */
    readonly host: string,
    /** Port number. */
    readonly port: number,
  ) {}
  /** Twisted's repr: `IPv4Address(TCP, '127.0.0.1', 8080)`. */
  toString(): string {
    return `IPv4Address(${this.type}, '${this.host}', ${this.port})`;
  }
  /** True when type, host and port are equal. */
  equals(other: unknown): boolean {
    return other instanceof IPv4Address && other.type === this.type
      && other.host === this.host && other.port === this.port;
  }
}

/**
 * An IPv6 address and port, for TCP or UDP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPv6Address } from "@skein/skein/reactor";
 *
 * const a = new IPv6Address("TCP", "::1", 8080);
 * assert.equal(a.host, "::1");
 * assert.equal(a.type, "TCP");
 * ```
 */
export class IPv6Address implements IAddress {
  /** Builds an address. */
  constructor(
    /** `"TCP"` or `"UDP"`. */
    readonly type: "TCP" | "UDP",
    /** Host in the compressed textual form (`::1`). */
    readonly host: string,
    /** Port number. */
    readonly port: number,
    /** Flow info. */
    readonly flowInfo: number = 0,
    /** Scope id (interface index for link-local addresses). */
    readonly scopeID: number = 0,
  ) {}
  /** Twisted's repr: `IPv6Address(TCP, '::1', 8080)`. */
  toString(): string {
    return `IPv6Address(${this.type}, '${this.host}', ${this.port})`;
  }
  /** True when type, host and port are equal. */
  equals(other: unknown): boolean {
    return other instanceof IPv6Address && other.type === this.type
      && other.host === this.host && other.port === this.port;
  }
}

/**
 * A Unix-domain socket path (null for an unnamed socket).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UNIXAddress } from "@skein/skein/reactor";
 *
 * const a = new UNIXAddress("/tmp/s.sock");
 * assert.equal(a.name, "/tmp/s.sock");
 * assert.equal(a.type, "UNIX");
 * ```
 */
export class UNIXAddress implements IAddress {
  /** Always `"UNIX"`. */
  readonly type: "UNIX" = "UNIX";
  /** Builds an address. */
  constructor(
    /** The socket path, or null. */
    readonly name: string | null,
  ) {}
  /** Twisted's repr: `UNIXAddress('/tmp/s.sock')`. */
  toString(): string {
    return this.name === null ? "UNIXAddress(None)" : `UNIXAddress('${this.name}')`;
  }
  /** True when both name the same path. */
  equals(other: unknown): boolean {
    return other instanceof UNIXAddress && other.name === this.name;
  }
}
