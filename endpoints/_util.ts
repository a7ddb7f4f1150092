/**
 * Internal helpers shared by the endpoint classes.
 *
 * @module
 */

import { lookup } from "node:dns";
import { isIP } from "node:net";

/** Throw a clear error unless `port` is an integer in 0..65535. */
export function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${what}: port must be an integer from 0 to 65535, got ${String(port)}`);
  }
}

/** Throw a clear error unless `seconds` is a positive number. */
export function checkTimeout(seconds: number, what: string): void {
  if (typeof seconds !== "number" || !(seconds > 0)) {
    throw new RangeError(
      `${what}: timeout must be a positive number of seconds, got ${String(seconds)}`,
    );
  }
}

/** `[host, port]` for `connectTCP`'s bindAddress from the forms endpoints accept. */
export function toBindAddress(
  bind: string | [string, number] | null | undefined,
  what: string,
): [string, number] | undefined {
  if (bind === null || bind === undefined) return undefined;
  if (typeof bind === "string") return [bind, 0];
  if (!Array.isArray(bind) || bind.length !== 2 || typeof bind[0] !== "string") {
    throw new TypeError(
      `${what}: bindAddress must be "HOST" or ["HOST", PORT], got ${String(bind)}`,
    );
  }
  checkPort(bind[1], `${what} bindAddress`);
  return [bind[0], bind[1]];
}

/** True for an IPv6 literal (optionally with a `%scope`). */
export function isIPv6Literal(host: string): boolean {
  return isIP(host) === 6;
}

/** Every address of `host` (IPv4 and IPv6, in resolver order), through getaddrinfo. */
export function lookupAll(host: string, family: 0 | 4 | 6 = 0): Promise<string[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { all: true, family, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => a.address));
    });
  });
}
