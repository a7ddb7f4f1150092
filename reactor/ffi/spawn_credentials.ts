/**
 * `withCredentials(credentials, fn)`: run `fn` (a `posix_spawn`) with the
 * calling thread alone switched to another user, group and group list, so
 * that the child it starts runs as them; then switch the thread back.
 *
 * `posix_spawn` has no user attribute, and the C library's `setuid` family
 * changes every thread of the process. The raw `setresuid`, `setresgid` and
 * `setgroups` system calls change only the calling thread (Linux keeps
 * credentials per thread), and a child inherits its creator's. The thread
 * keeps saved user id 0 while switched, so it may switch back; the child's
 * `execve` copies its effective ids into its saved ones, so it keeps no way
 * back to root. Linux only; the process must run as root.
 *
 * @module
 */

import { SystemCallError } from "../errors.ts";
import { HOST_ARCH, HOST_OS } from "./_platform.ts";
import { dlopenLibrary, type OpenedLibrary } from "./dlopen.ts";
import { errnoName } from "./errno.ts";
import { libraryPaths } from "./libc.ts";
import { libc } from "./mod.ts";

/**
 * Whom a child runs as.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Credentials } from "./spawn_credentials.ts";
 *
 * const nobody: Credentials = { uid: 65534, gid: 65534, groups: [65534] };
 * assert.equal(nobody.groups.length, 1);
 * ```
 */
export interface Credentials {
  /** The user id (real, effective and saved). */
  readonly uid: number;
  /** The group id (real, effective and saved). */
  readonly gid: number;
  /** The supplementary groups. */
  readonly groups: readonly number[];
}

/** System call numbers: [getgroups, setgroups, setresuid, getresuid, setresgid, getresgid]. */
const NUMBERS = {
  x86_64: [115, 116, 117, 118, 119, 120],
  aarch64: [158, 159, 147, 148, 149, 150],
} as const;

/** `syscall(n, a, b, c)` with three integers (setresuid, setresgid). */
const INTS = {
  ints: { name: "syscall", parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
} as const;
/** `syscall(n, p, q, r)` with three pointers (getresuid, getresgid). */
const PTRS = {
  ptrs: { name: "syscall", parameters: ["i64", "buffer", "buffer", "buffer"], result: "i64" },
} as const;
/** `syscall(n, count, list)` (getgroups, setgroups). */
const LIST = {
  list: { name: "syscall", parameters: ["i64", "i64", "buffer"], result: "i64" },
} as const;

interface Syscalls {
  ints: OpenedLibrary<typeof INTS>["symbols"]["ints"];
  ptrs: OpenedLibrary<typeof PTRS>["symbols"]["ptrs"];
  list: OpenedLibrary<typeof LIST>["symbols"]["list"];
}

let bound: Syscalls | null = null;

/** The three shapes of `syscall`, each opened on its own (Bun keys a library's symbols by C name). */
function sys(): Syscalls {
  const paths = libraryPaths(libc().os);
  return bound ??= {
    ints: dlopenLibrary(paths, INTS).symbols.ints,
    ptrs: dlopenLibrary(paths, PTRS).symbols.ptrs,
    list: dlopenLibrary(paths, LIST).symbols.list,
  };
}

function numbers(): readonly number[] {
  if (HOST_OS !== "linux" || HOST_ARCH === null) {
    throw new Error(
      "spawnProcess: uid and gid are supported on Linux only so far; omit them to run as this process's user",
    );
  }
  return NUMBERS[HOST_ARCH];
}

function fail(call: string, detail: string): SystemCallError {
  const err = libc().errno();
  return new SystemCallError(call, err, errnoName(err), detail);
}

/** The calling thread's ids: `[real, effective, saved]` users, then groups, then its group list. */
function current(
  n: readonly number[],
): { uids: Int32Array; gids: Int32Array; groups: Int32Array; } {
  const s = sys();
  const [r, e, sv] = [new Int32Array(1), new Int32Array(1), new Int32Array(1)];
  if (Number(s.ptrs(BigInt(n[3]), r, e, sv)) !== 0) {
    throw fail("getresuid", "reading this thread's user");
  }
  const uids = Int32Array.of(r[0], e[0], sv[0]);
  if (Number(s.ptrs(BigInt(n[5]), r, e, sv)) !== 0) {
    throw fail("getresgid", "reading this thread's group");
  }
  const gids = Int32Array.of(r[0], e[0], sv[0]);
  const count = Number(s.list(BigInt(n[0]), 0n, new Int32Array(1)));
  const groups = new Int32Array(Math.max(count, 1));
  const got = Number(s.list(BigInt(n[0]), BigInt(groups.length), groups));
  if (got < 0) throw fail("getgroups", "reading this thread's groups");
  return { uids, gids, groups: groups.subarray(0, got) };
}

/** `setresuid`/`setresgid` (`number`) to `[real, effective, saved]`; whether it was done. */
function setres(number: number, ids: ArrayLike<number>): boolean {
  // Bun takes only bigints for i64 arguments.
  const [a, b, c] = [ids[0], ids[1], ids[2]].map((id) => BigInt(id >>> 0));
  return Number(sys().ints(BigInt(number), a, b, c)) === 0;
}

function setgroups(number: number, groups: Int32Array): boolean {
  return Number(sys().list(BigInt(number), BigInt(groups.length), groups)) === 0;
}

/**
 * Run `fn` with the calling thread switched to `credentials`, and switch it
 * back afterwards (also when `fn` throws). Throws a `SystemCallError`
 * (`EPERM`) when the switch is refused; should switching back ever fail,
 * the thread would keep another user's ids, so that throws an `Error` that
 * says the process must not go on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import { withCredentials } from "./spawn_credentials.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * // As root, the thread is someone else only inside `fn`.
 * if (ffiAvailable() && libc().os === "linux" && process.geteuid?.() === 0) {
 *   const inside = withCredentials({ uid: 65534, gid: 65534, groups: [] }, () => libc().getpid());
 *   assert.equal(inside, libc().getpid());
 * }
 * ```
 */
export function withCredentials<T>(credentials: Credentials, fn: () => T): T {
  const n = numbers();
  const before = current(n);
  const wanted = Int32Array.from(credentials.groups);
  if (!setgroups(n[1], wanted)) {
    throw fail("setgroups", `switching to groups ${[...wanted].join(",")} needs root`);
  }
  const { uid, gid } = credentials;
  let switched = false;
  try {
    if (!setres(n[4], [gid, gid, gid])) {
      throw fail("setresgid", `switching to gid ${gid} needs root`);
    }
    // Saved uid 0: this thread may come back; the child's exec drops it.
    if (!setres(n[2], [uid, uid, 0])) {
      throw fail("setresuid", `switching to uid ${uid} needs root`);
    }
    switched = true;
    return fn();
  } finally {
    const ok = (!switched || setres(n[2], before.uids)) && setres(n[4], before.gids)
      && setgroups(n[1], before.groups);
    if (!ok) {
      // deno-lint-ignore no-unsafe-finally
      throw new Error(
        `spawnProcess: could not switch this thread back to uid ${
          before.uids[1]
        } after starting a child as uid ${uid} (errno ${libc().errno()}); the process must not go on`,
      );
    }
  }
}
