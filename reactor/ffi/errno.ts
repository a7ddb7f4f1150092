/**
 * errno tables for Linux, macOS and FreeBSD, and the mapping from an errno to
 * the typed errors of `reactor/errors.ts` (Twisted's `error.getConnectError`
 * and the connection-lost cases of its transports).
 *
 * @module
 */

import {
  ConnectionLost,
  ConnectionRefusedError,
  NoRouteError,
  SystemCallError,
  TCPTimedOutError,
} from "../errors.ts";
import { TABLE_OS } from "./_platform.ts";
import type { OSName } from "./types.ts";

/**
 * An errno table: symbolic name to number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ErrnoTable, errnoTable } from "./mod.ts";
 *
 * const table: ErrnoTable = errnoTable("darwin");
 * assert.equal(table.EAGAIN, 35);
 * ```
 */
export type ErrnoTable = Readonly<Record<string, number>>;

// 1..34 are shared by every POSIX system here.
const COMMON: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
};

/**
 * Linux (generic table; x86-64 and aarch64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LINUX_ERRNO } from "./errno.ts";
 *
 * assert.equal(LINUX_ERRNO.ECONNREFUSED, 111);
 * ```
 */
export const LINUX_ERRNO: ErrnoTable = {
  ...COMMON,
  EAGAIN: 11,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  EIDRM: 43,
  ENOSTR: 60,
  ENODATA: 61,
  ETIME: 62,
  ENOLINK: 67,
  EPROTO: 71,
  EMULTIHOP: 72,
  EBADMSG: 74,
  EOVERFLOW: 75,
  EILSEQ: 84,
  EUSERS: 87,
  ENOTSOCK: 88,
  EDESTADDRREQ: 89,
  EMSGSIZE: 90,
  EPROTOTYPE: 91,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ESTALE: 116,
  EDQUOT: 122,
  ECANCELED: 125,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
};

const BSD: Record<string, number> = {
  ...COMMON,
  EDEADLK: 11,
  EAGAIN: 35,
  EINPROGRESS: 36,
  EALREADY: 37,
  ENOTSOCK: 38,
  EDESTADDRREQ: 39,
  EMSGSIZE: 40,
  EPROTOTYPE: 41,
  ENOPROTOOPT: 42,
  EPROTONOSUPPORT: 43,
  ESOCKTNOSUPPORT: 44,
  EPFNOSUPPORT: 46,
  EAFNOSUPPORT: 47,
  EADDRINUSE: 48,
  EADDRNOTAVAIL: 49,
  ENETDOWN: 50,
  ENETUNREACH: 51,
  ENETRESET: 52,
  ECONNABORTED: 53,
  ECONNRESET: 54,
  ENOBUFS: 55,
  EISCONN: 56,
  ENOTCONN: 57,
  ESHUTDOWN: 58,
  ETOOMANYREFS: 59,
  ETIMEDOUT: 60,
  ECONNREFUSED: 61,
  ELOOP: 62,
  ENAMETOOLONG: 63,
  EHOSTDOWN: 64,
  EHOSTUNREACH: 65,
  ENOTEMPTY: 66,
  EPROCLIM: 67,
  EUSERS: 68,
  EDQUOT: 69,
  ESTALE: 70,
  ENOLCK: 77,
  ENOSYS: 78,
};

/**
 * macOS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DARWIN_ERRNO } from "./errno.ts";
 *
 * assert.equal(DARWIN_ERRNO.ECONNREFUSED, 61);
 * ```
 */
export const DARWIN_ERRNO: ErrnoTable = {
  ...BSD,
  ENOTSUP: 45,
  EOVERFLOW: 84,
  ECANCELED: 89,
  EIDRM: 90,
  ENOMSG: 91,
  EILSEQ: 92,
  EBADMSG: 94,
  EMULTIHOP: 95,
  ENODATA: 96,
  ENOLINK: 97,
  ENOSTR: 99,
  EPROTO: 100,
  ETIME: 101,
  EOPNOTSUPP: 102,
  ENOTRECOVERABLE: 104,
  EOWNERDEAD: 105,
};

/**
 * FreeBSD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FREEBSD_ERRNO } from "./errno.ts";
 *
 * assert.equal(FREEBSD_ERRNO.ECONNREFUSED, 61);
 * ```
 */
export const FREEBSD_ERRNO: ErrnoTable = {
  ...BSD,
  EOPNOTSUPP: 45,
  EIDRM: 82,
  ENOMSG: 83,
  EOVERFLOW: 84,
  ECANCELED: 85,
  EILSEQ: 86,
  EBADMSG: 89,
  EMULTIHOP: 90,
  ENOLINK: 91,
  EPROTO: 92,
  ENOTCAPABLE: 93,
  ECAPMODE: 94,
  ENOTRECOVERABLE: 95,
  EOWNERDEAD: 96,
  EINTEGRITY: 97,
};

/**
 * The errno table (name → number) of an OS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errnoTable } from "./errno.ts";
 * assert.equal(errnoTable("linux").ECONNRESET, 104);
 * assert.equal(errnoTable("darwin").ECONNRESET, 54);
 * ```
 */
export function errnoTable(os: OSName = TABLE_OS): ErrnoTable {
  return os === "linux" ? LINUX_ERRNO : os === "darwin" ? DARWIN_ERRNO : FREEBSD_ERRNO;
}

const reverseCache = new Map<OSName, Map<number, string>>();

function reverse(os: OSName): Map<number, string> {
  let m = reverseCache.get(os);
  if (m === undefined) {
    m = new Map();
    // The first name wins, so ENOTSUP never shadows EOPNOTSUPP on FreeBSD.
    for (const [name, n] of Object.entries(errnoTable(os))) if (!m.has(n)) m.set(n, name);
    reverseCache.set(os, m);
  }
  return m;
}

/**
 * The symbolic name of an errno number (`"E<n>"` when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errnoName } from "./errno.ts";
 * assert.equal(errnoName(111, "linux"), "ECONNREFUSED");
 * assert.equal(errnoName(9999, "linux"), "E9999");
 * ```
 */
export function errnoName(errno: number, os: OSName = TABLE_OS): string {
  return reverse(os).get(errno) ?? `E${errno}`;
}

/**
 * The errno number of a symbolic name on an OS, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errnoNumber } from "./errno.ts";
 * assert.equal(errnoNumber("EAGAIN", "linux"), 11);
 * assert.equal(errnoNumber("EAGAIN", "freebsd"), 35);
 * ```
 */
export function errnoNumber(name: string, os: OSName = TABLE_OS): number | undefined {
  return Object.hasOwn(errnoTable(os), name) ? errnoTable(os)[name] : undefined;
}

/**
 * The errno numbers the hot paths compare against, for the OS we run on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CommonErrno, errno, ffiAvailable, libc } from "./mod.ts";
 *
 * const e: CommonErrno = errno;
 * if (ffiAvailable()) {
 *   assert.equal(libc().close(-1), -1);
 *   assert.equal(libc().errno(), e.EBADF);
 * }
 * ```
 */
export interface CommonErrno {
  /** Interrupted system call. */
  readonly EINTR: number;
  /** Try again (`EWOULDBLOCK` is the same on every OS here). */
  readonly EAGAIN: number;
  /** A non-blocking connect is under way. */
  readonly EINPROGRESS: number;
  /** Bad file descriptor. */
  readonly EBADF: number;
  /** No such file or directory. */
  readonly ENOENT: number;
  /** Invalid argument. */
  readonly EINVAL: number;
  /** Broken pipe. */
  readonly EPIPE: number;
  /** Connection reset by peer. */
  readonly ECONNRESET: number;
  /** Connection refused. */
  readonly ECONNREFUSED: number;
  /** Software caused connection abort (e.g. in `accept`). */
  readonly ECONNABORTED: number;
  /** Too many open files in the process. */
  readonly EMFILE: number;
  /** Too many open files in the system. */
  readonly ENFILE: number;
  /** No buffer space. */
  readonly ENOBUFS: number;
  /** Out of memory. */
  readonly ENOMEM: number;
  /** Message too long (a datagram). */
  readonly EMSGSIZE: number;
  /** Address in use. */
  readonly EADDRINUSE: number;
  /** Already exists. */
  readonly EEXIST: number;
  /** Not connected. */
  readonly ENOTCONN: number;
  /** Already connected. */
  readonly EISCONN: number;
  /** Connection attempt already under way. */
  readonly EALREADY: number;
  /** Timed out. */
  readonly ETIMEDOUT: number;
  /** Permission denied. */
  readonly EACCES: number;
  /** Not permitted. */
  readonly EPERM: number;
}

function common(os: OSName): CommonErrno {
  const t = errnoTable(os);
  return {
    EINTR: t.EINTR,
    EAGAIN: t.EAGAIN,
    EINPROGRESS: t.EINPROGRESS,
    EBADF: t.EBADF,
    ENOENT: t.ENOENT,
    EINVAL: t.EINVAL,
    EPIPE: t.EPIPE,
    ECONNRESET: t.ECONNRESET,
    ECONNREFUSED: t.ECONNREFUSED,
    ECONNABORTED: t.ECONNABORTED,
    EMFILE: t.EMFILE,
    ENFILE: t.ENFILE,
    ENOBUFS: t.ENOBUFS,
    ENOMEM: t.ENOMEM,
    EMSGSIZE: t.EMSGSIZE,
    EADDRINUSE: t.EADDRINUSE,
    EEXIST: t.EEXIST,
    ENOTCONN: t.ENOTCONN,
    EISCONN: t.EISCONN,
    EALREADY: t.EALREADY,
    ETIMEDOUT: t.ETIMEDOUT,
    EACCES: t.EACCES,
    EPERM: t.EPERM,
  };
}

/**
 * The errno numbers transports compare against, for the OS we run on
 * (`if (libc().errno() === errno.EAGAIN) …`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errno } from "./errno.ts";
 * assert.equal(typeof errno.EAGAIN, "number");
 * ```
 */
export const errno: CommonErrno = common(TABLE_OS);

/**
 * The typed error for an errno from a system call, as Twisted classifies it:
 * `ECONNREFUSED` → `ConnectionRefusedError`, `ETIMEDOUT` → `TCPTimedOutError`,
 * `EHOSTUNREACH`/`ENETUNREACH` → `NoRouteError` (each with `errno` set and the
 * `SystemCallError` as `cause`), `ECONNRESET`/`EPIPE`/`ECONNABORTED` →
 * `ConnectionLost` (cause: the `SystemCallError`), anything else → a
 * `SystemCallError` naming the errno and the call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromErrno, errnoNumber } from "./errno.ts";
 * import { ConnectionRefusedError } from "../errors.ts";
 * const e = errorFromErrno(errnoNumber("ECONNREFUSED")!, "connect");
 * assert.ok(e instanceof ConnectionRefusedError);
 * ```
 */
export function errorFromErrno(errnoValue: number, syscall: string, os: OSName = TABLE_OS): Error {
  const code = errnoName(errnoValue, os);
  const sys = new SystemCallError(syscall, errnoValue, code);
  const opts = { errno: errnoValue, cause: sys };
  switch (code) {
    case "ECONNREFUSED":
      return new ConnectionRefusedError(
        `Connection was refused by other side: ${sys.message}`,
        opts,
      );
    case "ETIMEDOUT":
      return new TCPTimedOutError(`TCP connection timed out: ${sys.message}`, opts);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new NoRouteError(`No route to host: ${sys.message}`, opts);
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
      return new ConnectionLost(
        `Connection to the other side was lost in a non-clean fashion: ${sys.message}`,
        { cause: sys },
      );
    default:
      return sys;
  }
}
