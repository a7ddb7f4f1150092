/**
 * Socket addresses packed by hand into `Uint8Array`s, per OS:
 * `sockaddr_in`/`sockaddr_in6`/`sockaddr_un`, with IPv4/IPv6 text parsing
 * and RFC 5952 formatting.
 *
 * @module
 */

import { InvalidAddressError } from "../errors.ts";
import { TABLE_OS } from "./_platform.ts";
import { constantsFor } from "./constants.ts";
import { loadLibc } from "./libc.ts";
import type { OSName } from "./types.ts";

/**
 * Bytes in a `struct sockaddr_storage`: big enough for any address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSockaddr, encodeSockaddr, SOCKADDR_STORAGE_SIZE } from "./mod.ts";
 *
 * // A buffer for whatever address getsockname/accept/recvfrom fill in.
 * const name = new Uint8Array(SOCKADDR_STORAGE_SIZE);
 * const filled = encodeSockaddr("::1", 443);
 * name.set(filled); // as the kernel would, reporting filled.length
 * assert.equal(decodeSockaddr(name, filled.length).family, "INET6");
 * ```
 */
export const SOCKADDR_STORAGE_SIZE = 128;
/**
 * Bytes in a `struct sockaddr_in`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSockaddr, SOCKADDR_IN_SIZE } from "./mod.ts";
 *
 * assert.equal(encodeSockaddr("127.0.0.1", 80).length, SOCKADDR_IN_SIZE);
 * ```
 */
export const SOCKADDR_IN_SIZE = 16;
/**
 * Bytes in a `struct sockaddr_in6`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSockaddr, SOCKADDR_IN6_SIZE } from "./mod.ts";
 *
 * assert.equal(encodeSockaddr("::1", 80).length, SOCKADDR_IN6_SIZE);
 * ```
 */
export const SOCKADDR_IN6_SIZE = 28;

/**
 * Bytes in `sockaddr_un.sun_path` (108 on Linux, 104 on macOS/FreeBSD).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sunPathSize } from "./mod.ts";
 *
 * assert.equal(sunPathSize("linux"), 108);
 * assert.equal(sunPathSize("darwin"), 104);
 * ```
 */
export function sunPathSize(os: OSName = TABLE_OS): number {
  return os === "linux" ? 108 : 104;
}

/**
 * A decoded IPv4 or IPv6 socket address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { InetSockaddr } from "@skein/skein/reactor";
 * import { decodeSockaddr, encodeSockaddr } from "./mod.ts";
 *
 * const sa = encodeSockaddr("::1", 8080);
 * const decoded = decodeSockaddr(sa, sa.length) as InetSockaddr;
 * assert.deepEqual(decoded, { family: "INET6", host: "::1", port: 8080, flowInfo: 0, scopeID: 0 });
 * ```
 */
export interface InetSockaddr {
  /** `"INET"` (IPv4) or `"INET6"` (IPv6). */
  family: "INET" | "INET6";
  /** The address in text: dotted quad, or RFC 5952 IPv6 without brackets or zone. */
  host: string;
  /** The port. */
  port: number;
  /** IPv6 flow information (0 for IPv4). */
  flowInfo: number;
  /** IPv6 scope id (0 for IPv4). */
  scopeID: number;
}

/**
 * A decoded Unix-domain socket address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UnixSockaddr } from "@skein/skein/reactor";
 * import { decodeSockaddr, encodeSockaddrUn } from "./mod.ts";
 *
 * const sa = encodeSockaddrUn("/tmp/app.sock");
 * const decoded = decodeSockaddr(sa, sa.length) as UnixSockaddr;
 * assert.deepEqual(decoded, { family: "UNIX", path: "/tmp/app.sock" });
 * ```
 */
export interface UnixSockaddr {
  /** `"UNIX"`. */
  family: "UNIX";
  /**
   * The path; `""` for an unnamed socket; a Linux abstract-namespace name
   * starts with `"\0"`.
   */
  path: string;
}

/**
 * What {@linkcode decodeSockaddr} returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DecodedSockaddr } from "@skein/skein/reactor";
 * import { decodeSockaddr, encodeSockaddr } from "./mod.ts";
 *
 * function describe(a: DecodedSockaddr): string {
 *   return a.family === "UNIX" ? a.path : `${a.host}:${a.port}`;
 * }
 * const sa = encodeSockaddr("10.0.0.1", 53);
 * assert.equal(describe(decodeSockaddr(sa, sa.length)), "10.0.0.1:53");
 * ```
 */
export type DecodedSockaddr = InetSockaddr | UnixSockaddr;

/**
 * Options for {@linkcode encodeSockaddr}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSockaddr, encodeSockaddr, type SockaddrOptions } from "./mod.ts";
 *
 * const options: SockaddrOptions = { os: "darwin" };
 * const sa = encodeSockaddr("127.0.0.1", 80, options);
 * assert.equal(sa[1], 2); // AF_INET in the byte after sin_len, as macOS lays it out
 * assert.equal(decodeSockaddr(sa, sa.length, "darwin").family, "INET");
 * ```
 */
export interface SockaddrOptions {
  /** Write into this buffer (at least 28 bytes) instead of allocating one. */
  out?: Uint8Array;
  /** IPv6 flow information. @default {0} */
  flowInfo?: number;
  /** IPv6 scope id; overrides a numeric `%zone` in the host. @default {0} */
  scopeID?: number;
  /** Lay out for this OS instead of the host's (for tests). */
  os?: OSName;
}

const quad = new Uint8Array(4);

/**
 * Parse a dotted-quad IPv4 address into 4 bytes at `out[off]`. Returns false
 * (writing nothing) when `text` is not a strict dotted quad (four decimal
 * parts 0–255, no leading zeros, as `inet_pton`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIPv4 } from "./sockaddr.ts";
 * const b = new Uint8Array(4);
 * assert.ok(parseIPv4("127.0.0.1", b, 0));
 * assert.equal(b[0], 127);
 * ```
 */
export function parseIPv4(text: string, out: Uint8Array, off: number): boolean {
  const len = text.length;
  if (len < 7 || len > 15) return false;
  let part = 0;
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const ch = i < len ? text.charCodeAt(i) : 46; // a final "." ends the last part
    if (ch >= 48 && ch <= 57) {
      if (digits > 0 && n === 0) return false; // a leading zero
      n = n * 10 + (ch - 48);
      if (n > 255) return false;
      digits++;
    } else if (ch === 46) {
      if (digits === 0 || part === 4) return false;
      quad[part++] = n;
      n = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (part !== 4) return false;
  out[off] = quad[0];
  out[off + 1] = quad[1];
  out[off + 2] = quad[2];
  out[off + 3] = quad[3];
  return true;
}

const words = new Uint16Array(8);

function hexValue(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  if (ch >= 97 && ch <= 102) return ch - 87;
  if (ch >= 65 && ch <= 70) return ch - 55;
  return -1;
}

/**
 * Parse an IPv6 address (RFC 4291 text, optional embedded IPv4, no brackets,
 * no zone) into 16 bytes at `out[off]`. Returns false (writing nothing) when
 * malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIPv6 } from "./sockaddr.ts";
 * const b = new Uint8Array(16);
 * assert.ok(parseIPv6("::1", b, 0));
 * assert.equal(b[15], 1);
 * ```
 */
export function parseIPv6(text: string, out: Uint8Array, off: number): boolean {
  const len = text.length;
  if (len < 2 || len > 45) return false;
  let nw = 0;
  let gap = -1; // index in `words` where "::" stands
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let j = i;
    let v = 0;
    for (; j < len && j - i < 5; j++) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
    }
    if (j < len && text.charCodeAt(j) === 46) {
      // An embedded IPv4 address ends the text and fills two groups.
      if (nw > 6 || !parseIPv4(text.slice(i), quad, 0)) return false;
      words[nw++] = (quad[0] << 8) | quad[1];
      words[nw++] = (quad[2] << 8) | quad[3];
      i = len;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || nw === 8) return false;
    words[nw++] = v;
    i = j;
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < len && text.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = nw;
      i++;
    } else if (i === len) {
      return false; // a single trailing colon
    }
  }
  if (gap === -1 ? nw !== 8 : nw > 7) return false;
  out.fill(0, off, off + 16);
  const head = gap === -1 ? nw : gap;
  for (let k = 0; k < head; k++) {
    out[off + 2 * k] = words[k] >> 8;
    out[off + 2 * k + 1] = words[k] & 0xff;
  }
  const start = 8 - (nw - head);
  for (let k = head; k < nw; k++) {
    const g = start + (k - head);
    out[off + 2 * g] = words[k] >> 8;
    out[off + 2 * g + 1] = words[k] & 0xff;
  }
  return true;
}

const scratch16 = new Uint8Array(16);

/**
 * Whether `text` is a strict dotted-quad IPv4 address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIPv4Address } from "./sockaddr.ts";
 * assert.ok(isIPv4Address("10.0.0.1"));
 * assert.equal(isIPv4Address("10.0.0"), false);
 * ```
 */
export function isIPv4Address(text: string): boolean {
  return parseIPv4(text, quad, 0);
}

/**
 * Whether `text` is an IPv6 address, optionally with a `%zone` suffix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIPv6Address } from "./sockaddr.ts";
 * assert.ok(isIPv6Address("fe80::1%2"));
 * assert.equal(isIPv6Address("1.2.3.4"), false);
 * ```
 */
export function isIPv6Address(text: string): boolean {
  const pct = text.indexOf("%");
  if (pct === 0 || pct === text.length - 1) return false;
  return parseIPv6(pct === -1 ? text : text.slice(0, pct), scratch16, 0);
}

/**
 * Format 4 bytes at `bytes[off]` as a dotted quad.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIPv4 } from "./sockaddr.ts";
 * assert.equal(formatIPv4(new Uint8Array([10, 0, 0, 1]), 0), "10.0.0.1");
 * ```
 */
export function formatIPv4(bytes: Uint8Array, off: number): string {
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
}

/**
 * Format 16 bytes at `bytes[off]` as an IPv6 address in RFC 5952 canonical
 * form: lower-case hex, no leading zeros, the longest run (first on a tie) of
 * two or more zero groups as `::`, and IPv4-mapped addresses as
 * `::ffff:a.b.c.d`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIPv6 } from "./sockaddr.ts";
 * const b = new Uint8Array(16);
 * b[15] = 1;
 * assert.equal(formatIPv6(b, 0), "::1");
 * ```
 */
export function formatIPv6(bytes: Uint8Array, off: number): string {
  let mapped = bytes[off + 10] === 0xff && bytes[off + 11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (bytes[off + i] !== 0) mapped = false;
  if (mapped) return `::ffff:${formatIPv4(bytes, off + 12)}`;
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && bytes[off + 2 * g] === 0 && bytes[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart === -1) runStart = g;
    } else if (runStart !== -1) {
      const len = g - runStart;
      if (len > bestLen && len >= 2) {
        bestStart = runStart;
        bestLen = len;
      }
      runStart = -1;
    }
  }
  let s = "";
  let colon = false;
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += "::";
      g += bestLen - 1;
      colon = false;
      continue;
    }
    if (colon) s += ":";
    s += ((bytes[off + 2 * g] << 8) | bytes[off + 2 * g + 1]).toString(16);
    colon = true;
  }
  return s;
}

function writeFamily(out: Uint8Array, family: number, size: number, os: OSName): void {
  if (os === "linux") {
    out[0] = family & 0xff;
    out[1] = family >> 8;
  } else {
    out[0] = size;
    out[1] = family;
  }
}

/** A `%zone` as an interface index: digits, or a name looked up with `if_nametoindex`. */
function zoneIndex(zone: string): number {
  if (/^\d+$/.test(zone)) return Number(zone);
  let index = 0;
  if (zone !== "" && !zone.includes("\0")) {
    try {
      index = loadLibc().libc.if_nametoindex(zone);
    } catch {
      index = 0; // no FFI here: names cannot be resolved
    }
  }
  if (index === 0) {
    throw new InvalidAddressError(`unknown IPv6 zone ${JSON.stringify(zone)} (no such interface)`);
  }
  return index;
}

/**
 * Encode a numeric IPv4 or IPv6 address (an IPv6 host may carry a `%zone`
 * suffix: an interface index or name) and a port as a `sockaddr_in`/`sockaddr_in6`. Returns a view
 * of exactly the struct's length (16 or 28) over `options.out` when given.
 * Throws `InvalidAddressError` for anything but a numeric address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSockaddr } from "./sockaddr.ts";
 * const sa = encodeSockaddr("127.0.0.1", 8080);
 * assert.equal(sa.length, 16);
 * ```
 */
export function encodeSockaddr(host: string, port: number, options?: SockaddrOptions): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidAddressError(`port must be an integer in 0..65535, not ${port}`);
  }
  const os = options?.os ?? TABLE_OS;
  const c = constantsFor(os);
  const out = options?.out ?? new Uint8Array(SOCKADDR_IN6_SIZE);
  if (out.length < SOCKADDR_IN6_SIZE) {
    throw new RangeError(`sockaddr buffer must hold ${SOCKADDR_IN6_SIZE} bytes`);
  }
  if (parseIPv4(host, out, 4)) {
    writeFamily(out, c.AF_INET, SOCKADDR_IN_SIZE, os);
    out[2] = port >> 8;
    out[3] = port & 0xff;
    out.fill(0, 8, 16);
    return out.subarray(0, SOCKADDR_IN_SIZE);
  }
  let addr = host;
  let scope = options?.scopeID ?? 0;
  const pct = host.indexOf("%");
  if (pct !== -1) {
    addr = host.slice(0, pct);
    const zone = host.slice(pct + 1);
    if (options?.scopeID === undefined) scope = zoneIndex(zone);
  }
  if (!parseIPv6(addr, out, 8)) {
    throw new InvalidAddressError(
      `${JSON.stringify(host)} is not a numeric IPv4 or IPv6 address (resolve names first)`,
    );
  }
  writeFamily(out, c.AF_INET6, SOCKADDR_IN6_SIZE, os);
  out[2] = port >> 8;
  out[3] = port & 0xff;
  const flow = options?.flowInfo ?? 0;
  out[4] = flow >>> 24;
  out[5] = (flow >>> 16) & 0xff;
  out[6] = (flow >>> 8) & 0xff;
  out[7] = flow & 0xff;
  out[24] = scope & 0xff;
  out[25] = (scope >>> 8) & 0xff;
  out[26] = (scope >>> 16) & 0xff;
  out[27] = scope >>> 24;
  return out.subarray(0, SOCKADDR_IN6_SIZE);
}

/**
 * Encode a Unix-domain socket path as a `sockaddr_un`. A path starting with
 * `"\0"` is a Linux abstract-namespace name. Returns the struct trimmed to the
 * length to pass as `addrlen`. Throws `InvalidAddressError` when the path is
 * too long.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSockaddrUn } from "./sockaddr.ts";
 * const sa = encodeSockaddrUn("/tmp/x.sock");
 * assert.equal(sa.length, 2 + "/tmp/x.sock".length + 1);
 * ```
 */
export function encodeSockaddrUn(path: string, os: OSName = TABLE_OS): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  const abstract = bytes.length > 0 && bytes[0] === 0;
  // A filesystem path needs its terminating NUL inside sun_path.
  const room = sunPathSize(os) - (abstract ? 0 : 1);
  if (bytes.length > room) {
    throw new InvalidAddressError(
      `Unix socket path is ${bytes.length} bytes; the limit here is ${room}`,
    );
  }
  if (abstract && os !== "linux") {
    throw new InvalidAddressError("abstract Unix socket names exist only on Linux");
  }
  const len = 2 + bytes.length + (abstract ? 0 : 1);
  const out = new Uint8Array(len);
  writeFamily(out, constantsFor(os).AF_UNIX, len, os);
  out.set(bytes, 2);
  return out;
}

/**
 * Decode a socket address that the kernel wrote (`accept4`, `getsockname`,
 * `getpeername`, `recvfrom`): `len` is the returned `socklen_t`. Throws
 * `InvalidAddressError` for a family other than INET, INET6 and UNIX.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSockaddr, encodeSockaddr } from "./sockaddr.ts";
 * const sa = encodeSockaddr("::1", 80);
 * const d = decodeSockaddr(sa, sa.length);
 * assert.equal(d.family, "INET6");
 * assert.equal(d.host, "::1");
 * assert.equal(d.port, 80);
 * ```
 */
export function decodeSockaddr(
  buf: Uint8Array,
  len: number,
  os: OSName = TABLE_OS,
): DecodedSockaddr {
  const c = constantsFor(os);
  if (len < 2) return { family: "UNIX", path: "" };
  // Byte arithmetic rather than a DataView: this runs per accept and per datagram.
  const family = os === "linux" ? buf[0] | (buf[1] << 8) : buf[1];
  if (family === c.AF_INET && len >= SOCKADDR_IN_SIZE) {
    return {
      family: "INET",
      host: formatIPv4(buf, 4),
      port: (buf[2] << 8) | buf[3],
      flowInfo: 0,
      scopeID: 0,
    };
  }
  if (family === c.AF_INET6 && len >= SOCKADDR_IN6_SIZE) {
    return {
      family: "INET6",
      host: formatIPv6(buf, 8),
      port: (buf[2] << 8) | buf[3],
      flowInfo: ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0,
      scopeID: (buf[24] | (buf[25] << 8) | (buf[26] << 16) | (buf[27] << 24)) >>> 0,
    };
  }
  if (family === c.AF_UNIX) {
    const end = Math.min(len, buf.length);
    if (end <= 2) return { family: "UNIX", path: "" };
    let stop = end;
    if (buf[2] !== 0) {
      stop = buf.indexOf(0, 2);
      if (stop === -1 || stop > end) stop = end;
    }
    return { family: "UNIX", path: new TextDecoder().decode(buf.subarray(2, stop)) };
  }
  throw new InvalidAddressError(`unsupported address family ${family} (length ${len})`);
}
