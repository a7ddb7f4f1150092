/**
 * `posixSpawn(request)`: start a program with `posix_spawn(3)` (never `fork`:
 * the runtimes are multi-threaded), its file descriptors laid out by file
 * actions, every other descriptor closed, signal dispositions and mask reset;
 * plus what watching the child needs: `pidfd_open(2)` (Linux), `waitpid(2)`
 * with `WNOHANG` for one pid, and the decoding of a wait status.
 *
 * The C functions are bound on first use through `dlopenLibrary`; the ones
 * only newer C libraries have (`posix_spawn_file_actions_addchdir_np`,
 * `posix_spawn_file_actions_addclosefrom_np`, `pidfd_open`) are looked up one
 * by one and left out when missing.
 *
 * @module
 */

import { SystemCallError } from "../errors.ts";
import { HOST_OS } from "./_platform.ts";
import {
  cString,
  dlopenLibrary,
  type OpenedLibrary,
  pointerAddress,
  pointerOf,
  type SymbolSpec,
} from "./dlopen.ts";
import { errnoName, errorFromErrno } from "./errno.ts";
import { libraryPaths } from "./libc.ts";
import { libc } from "./mod.ts";
import { type Credentials, withCredentials } from "./spawn_credentials.ts";

const CORE = {
  faInit: { name: "posix_spawn_file_actions_init", parameters: ["buffer"], result: "i32" },
  faDestroy: { name: "posix_spawn_file_actions_destroy", parameters: ["buffer"], result: "i32" },
  faDup2: {
    name: "posix_spawn_file_actions_adddup2",
    parameters: ["buffer", "i32", "i32"],
    result: "i32",
  },
  faClose: {
    name: "posix_spawn_file_actions_addclose",
    parameters: ["buffer", "i32"],
    result: "i32",
  },
  attrInit: { name: "posix_spawnattr_init", parameters: ["buffer"], result: "i32" },
  attrDestroy: { name: "posix_spawnattr_destroy", parameters: ["buffer"], result: "i32" },
  attrSetFlags: { name: "posix_spawnattr_setflags", parameters: ["buffer", "i16"], result: "i32" },
  attrSetSigMask: {
    name: "posix_spawnattr_setsigmask",
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  attrSetSigDefault: {
    name: "posix_spawnattr_setsigdefault",
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  spawn: {
    name: "posix_spawn",
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  faOpen: {
    name: "posix_spawn_file_actions_addopen",
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
} as const;

const ADDCHDIR = {
  faChdir: {
    name: "posix_spawn_file_actions_addchdir_np",
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
} as const;

const ADDCLOSEFROM = {
  faCloseFrom: {
    name: "posix_spawn_file_actions_addclosefrom_np",
    parameters: ["buffer", "i32"],
    result: "i32",
  },
} as const;

const PIDFD = {
  pidfdOpen: { name: "pidfd_open", parameters: ["i32", "u32"], result: "i32" },
} as const;

interface SpawnLib {
  core: OpenedLibrary<typeof CORE>["symbols"];
  chdir: OpenedLibrary<typeof ADDCHDIR>["symbols"]["faChdir"] | null;
  closeFrom: OpenedLibrary<typeof ADDCLOSEFROM>["symbols"]["faCloseFrom"] | null;
  pidfdOpen: OpenedLibrary<typeof PIDFD>["symbols"]["pidfdOpen"] | null;
}

let bound: SpawnLib | null = null;

/** The functions of `spec`, or `null` when this C library lacks one. */
function tryOpen<const S extends Record<string, SymbolSpec>>(
  spec: S,
): OpenedLibrary<S>["symbols"] | null {
  try {
    return dlopenLibrary(libraryPaths(libc().os), spec).symbols;
  } catch {
    return null;
  }
}

function spawnLib(): SpawnLib {
  if (bound !== null) return bound;
  bound = {
    core: dlopenLibrary(libraryPaths(libc().os), CORE).symbols,
    chdir: tryOpen(ADDCHDIR)?.faChdir ?? null,
    closeFrom: tryOpen(ADDCLOSEFROM)?.faCloseFrom ?? null,
    pidfdOpen: HOST_OS === "linux" ? tryOpen(PIDFD)?.pidfdOpen ?? null : null,
  };
  return bound;
}

/** Room for a `posix_spawn_file_actions_t`/`posix_spawnattr_t` on every supported C library. */
const OPAQUE_BYTES = 512;
/** `POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK` (the same values on Linux, macOS and FreeBSD). */
const RESET_SIGNALS = 0x04 | 0x08;
/** `POSIX_SPAWN_CLOEXEC_DEFAULT` (macOS): every fd not named by a file action is closed. */
const CLOEXEC_DEFAULT = 0x4000;
/** A `sigset_t` on every supported C library fits in 128 bytes. */
const SIGSET_BYTES = 128;

/**
 * What to start and how its descriptors are laid out.
 *
 * @example
 * ```ts
 * import type { SpawnRequest } from "./spawn.ts";
 *
 * const request: SpawnRequest = {
 *   file: "/bin/sh",
 *   argv: ["sh", "-c", "exit 0"],
 *   envp: ["PATH=/usr/bin:/bin"],
 *   fds: [[0, 0], [1, 1], [2, 2]],
 *   cwd: null,
 * };
 * console.log(request.file);
 * ```
 */
export interface SpawnRequest {
  /** The program's path (used as it is: resolve names on `PATH` first). */
  readonly file: string;
  /** The argument vector; `argv[0]` is the program's name. */
  readonly argv: readonly string[];
  /** The environment, as `NAME=value` strings. */
  readonly envp: readonly string[];
  /** `[childFd, parentFd]` pairs: the parent's fd becomes that fd in the child. */
  readonly fds: readonly (readonly [number, number])[];
  /** The child's working directory, or `null` for the parent's. */
  readonly cwd: string | null;
  /**
   * A terminal's path (a PTY's slave end): the child becomes a session
   * leader with it as its controlling terminal and as fds 0, 1 and 2, and
   * `fds` is ignored. Linux only.
   */
  readonly terminal?: string;
  /**
   * Whom the child runs as (see `withCredentials`: Linux, as root), or
   * `null`/absent for this process's user.
   */
  readonly credentials?: Credentials | null;
}

/** `POSIX_SPAWN_SETSID` (glibc 2.26+): the child calls `setsid()` before the file actions. */
const SETSID_LINUX = 0x80;
/** `O_RDWR` on every supported OS. */
const O_RDWR = 2;

/**
 * Whether the C library can change the child's directory before it starts
 * (`posix_spawn_file_actions_addchdir_np`, glibc 2.29+, macOS 10.15+).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canSpawnInDirectory } from "./spawn.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) assert.equal(typeof canSpawnInDirectory(), "boolean");
 * ```
 */
export function canSpawnInDirectory(): boolean {
  return spawnLib().chdir !== null;
}

function check(rc: number, what: string): void {
  if (rc !== 0) throw errorFromErrno(rc, what);
}

/**
 * A NULL-terminated `char *[]` for `strings`: all of them encoded into one
 * block (one encode, one pointer lookup however many there are; an
 * environment has dozens), and the vector of pointers into it. Keep `block`
 * alive while `vector` is in use.
 */
function stringVector(strings: readonly string[]): { block: Uint8Array; vector: Uint8Array; } {
  const block = ENCODER.encode(strings.length === 0 ? "" : strings.join("\0") + "\0");
  const vector = new Uint8Array((strings.length + 1) * 8);
  if (strings.length === 0) return { block, vector };
  const view = new DataView(vector.buffer);
  const base = pointerAddress(pointerOf(block));
  // The strings hold no NUL (checked by spawnProcess): each one ends at the next.
  let start = 0;
  for (let i = 0; i < strings.length; i++) {
    view.setBigUint64(i * 8, base + BigInt(start), true);
    start = block.indexOf(0, start) + 1;
  }
  return { block, vector };
}

const ENCODER = new TextEncoder();
let kept = 0;

/** Touch `views` (after a native call that used pointers into them). */
function keepAlive(...views: Uint8Array[]): void {
  for (const v of views) kept ^= v.byteLength;
}

/**
 * Start the program of `request` and return its pid. The C library reports
 * why `exec` failed (`ENOENT`, `EACCES`, …): that is thrown as a
 * `SystemCallError` of `posix_spawn` naming the program.
 *
 * Every `[childFd, parentFd]` pair is applied in two steps (each parent fd
 * first to a free number above all of them, then to its place), so a child
 * fd that is another pair's parent fd is never overwritten early; then every
 * descriptor above the highest child fd is closed (`addclosefrom_np` where
 * the C library has it; the parent's own descriptors are close-on-exec
 * anyway), and each gap below it too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWaitStatus, posixSpawn, waitNoHang } from "./spawn.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const pid = posixSpawn({
 *     file: "/bin/sh", argv: ["sh", "-c", "exit 3"], envp: [], fds: [], cwd: null,
 *   });
 *   let status: number | null = null;
 *   while (status === null) status = waitNoHang(pid);
 *   assert.deepEqual(decodeWaitStatus(status), { exitCode: 3, signal: null });
 * }
 * ```
 */
export function posixSpawn(request: SpawnRequest): number {
  const lib = spawnLib();
  const s = lib.core;
  const actions = new Uint8Array(OPAQUE_BYTES);
  const attr = new Uint8Array(OPAQUE_BYTES);
  check(s.faInit(actions), "posix_spawn_file_actions_init");
  try {
    check(s.attrInit(attr), "posix_spawnattr_init");
    try {
      const emptyMask = new Uint8Array(SIGSET_BYTES);
      const allSignals = new Uint8Array(SIGSET_BYTES).fill(0xff);
      check(s.attrSetSigMask(attr, emptyMask), "posix_spawnattr_setsigmask");
      check(s.attrSetSigDefault(attr, allSignals), "posix_spawnattr_setsigdefault");
      const terminal = request.terminal ?? null;
      if (terminal !== null && HOST_OS !== "linux") {
        throw new Error("spawnProcess: usePTY is supported on Linux only so far");
      }
      const flags = RESET_SIGNALS | (HOST_OS === "darwin" ? CLOEXEC_DEFAULT : 0)
        | (terminal !== null ? SETSID_LINUX : 0);
      check(s.attrSetFlags(attr, flags), "posix_spawnattr_setflags");
      const layout: readonly (readonly [number, number])[] = terminal === null ? request.fds : [];
      let top = 2;
      for (const [child, parent] of layout) top = Math.max(top, child, parent);
      const staged = top + 1;
      layout.forEach(([, parent], i) => {
        check(s.faDup2(actions, parent, staged + i), "posix_spawn_file_actions_adddup2");
      });
      const wanted = new Set<number>();
      layout.forEach(([child], i) => {
        wanted.add(child);
        check(s.faDup2(actions, staged + i, child), "posix_spawn_file_actions_adddup2");
      });
      if (terminal !== null) {
        // Opened by the new session's leader: it becomes the controlling terminal.
        check(
          s.faOpen(actions, 0, cString(terminal), O_RDWR, 0),
          "posix_spawn_file_actions_addopen",
        );
        check(s.faDup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
        check(s.faDup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
        for (const fd of [0, 1, 2]) wanted.add(fd);
      }
      const highestChild = Math.max(-1, ...wanted);
      for (let fd = 0; fd <= highestChild; fd++) {
        if (!wanted.has(fd)) check(s.faClose(actions, fd), "posix_spawn_file_actions_addclose");
      }
      if (lib.closeFrom !== null) {
        check(lib.closeFrom(actions, highestChild + 1), "posix_spawn_file_actions_addclosefrom_np");
      } else {
        for (let fd = highestChild + 1; fd < staged + layout.length; fd++) {
          check(s.faClose(actions, fd), "posix_spawn_file_actions_addclose");
        }
      }
      if (request.cwd !== null) {
        if (lib.chdir === null) {
          throw new Error(
            "spawnProcess: this C library cannot set the child's directory (posix_spawn_file_actions_addchdir_np); omit `path`",
          );
        }
        check(lib.chdir(actions, cString(request.cwd)), "posix_spawn_file_actions_addchdir_np");
      }
      const argv = stringVector(request.argv);
      const envp = stringVector(request.envp);
      const file = cString(request.file);
      const pid = new Int32Array(1);
      const start = (): number => s.spawn(pid, file, actions, attr, argv.vector, envp.vector);
      const credentials = request.credentials ?? null;
      const rc = credentials === null ? start() : withCredentials(credentials, start);
      // The string blocks are used after the call, so they stay alive through it.
      keepAlive(argv.block, envp.block);
      if (rc !== 0) throw spawnError(rc, request.file);
      return pid[0];
    } finally {
      s.attrDestroy(attr);
    }
  } finally {
    s.faDestroy(actions);
  }
}

function spawnError(rc: number, file: string): Error {
  const code = errnoName(rc);
  const why = code === "ENOENT"
    ? "it does not exist (or its interpreter does not)"
    : code === "EACCES"
    ? "it is not executable"
    : "the system could not start it";
  return new SystemCallError("posix_spawn", rc, code, `cannot run ${JSON.stringify(file)}: ${why}`);
}

/**
 * A pidfd for `pid` (readable once it exits), or -1 where the system has
 * none (not Linux, or a kernel or C library older than `pidfd_open`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPidfd } from "./spawn.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable()) {
 *   const fd = openPidfd(libc().getpid());
 *   if (fd >= 0) libc().close(fd);
 *   assert.ok(fd >= -1);
 * }
 * ```
 */
export function openPidfd(pid: number): number {
  const open = spawnLib().pidfdOpen;
  if (open === null) return -1;
  return open(pid, 0);
}

/** `WNOHANG` on Linux, macOS and FreeBSD. */
const WNOHANG = 1;

/**
 * `waitpid(pid, WNOHANG)`: the wait status once `pid` has exited (and is
 * reaped by this call), `null` while it runs, or `-1` when it is not this
 * process's child any more (`ECHILD`: someone else reaped it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitNoHang } from "./spawn.ts";
 * import { ffiAvailable } from "./mod.ts";
 *
 * // Not a child of ours: ECHILD.
 * if (ffiAvailable()) assert.equal(waitNoHang(1), -1);
 * ```
 */
export function waitNoHang(pid: number): number | null {
  const status = new Int32Array(1);
  const waitpid = spawnLib().core.waitpid;
  for (;;) {
    const rc = waitpid(pid, status, WNOHANG);
    if (rc === pid) return status[0];
    if (rc === 0) return null;
    const err = libc().errno();
    if (errnoName(err) === "EINTR") continue;
    return -1;
  }
}

/**
 * A wait status as Twisted reports it: the exit code of a normal exit, or
 * the signal that ended the process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWaitStatus } from "./spawn.ts";
 *
 * assert.deepEqual(decodeWaitStatus(3 << 8), { exitCode: 3, signal: null });
 * assert.deepEqual(decodeWaitStatus(15), { exitCode: null, signal: 15 });
 * ```
 */
export function decodeWaitStatus(
  status: number,
): { exitCode: number | null; signal: number | null; } {
  const low = status & 0x7f;
  if (low === 0) return { exitCode: (status >> 8) & 0xff, signal: null };
  if (low !== 0x7f) return { exitCode: null, signal: low };
  return { exitCode: null, signal: null };
}
