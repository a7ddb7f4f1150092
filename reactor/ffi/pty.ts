/**
 * Pseudo-terminals: `openPty(rows, columns)` (`posix_openpt`, `grantpt`,
 * `unlockpt`, `ptsname_r`) and `setWindowSize` (`TIOCSWINSZ`), for
 * `spawnProcess`'s `usePTY`. Linux only so far.
 *
 * @module
 */

import { HOST_OS } from "./_platform.ts";
import { dlopenLibrary, type OpenedLibrary } from "./dlopen.ts";
import { errorFromErrno } from "./errno.ts";
import { libraryPaths } from "./libc.ts";
import { constants, libc } from "./mod.ts";

const SYMBOLS = {
  openpt: { name: "posix_openpt", parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname: { name: "ptsname_r", parameters: ["i32", "buffer", "usize"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
} as const;

let bound: OpenedLibrary<typeof SYMBOLS>["symbols"] | null = null;

function lib(): OpenedLibrary<typeof SYMBOLS>["symbols"] {
  if (HOST_OS !== "linux") {
    throw new Error("spawnProcess: usePTY is supported on Linux only so far");
  }
  return bound ??= dlopenLibrary(libraryPaths(libc().os), SYMBOLS).symbols;
}

/** `O_RDWR | O_NOCTTY` on Linux. */
const OPEN_FLAGS = 2 | 0o400;
/** `TIOCSWINSZ` on Linux. */
const TIOCSWINSZ = 0x5414;

/**
 * Throw a `TypeError` unless `rows` and `columns` are integers from 0 to 65535.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWindowSize } from "./pty.ts";
 *
 * checkWindowSize(24, 80);
 * assert.throws(() => checkWindowSize(-1, 80), /rows must be an integer/);
 * ```
 */
export function checkWindowSize(rows: number, columns: number): void {
  for (const [what, n] of [["rows", rows], ["columns", columns]] as const) {
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      throw new TypeError(
        `setWindowSize: ${what} must be an integer from 0 to 65535, got ${String(n)}`,
      );
    }
  }
}

/**
 * Set a terminal's window size (`TIOCSWINSZ`); the foreground process group
 * gets `SIGWINCH`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPty, setWindowSize } from "./pty.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().os === "linux") {
 *   const { master } = openPty(24, 80);
 *   setWindowSize(master, 30, 100);
 *   libc().close(master);
 * }
 * assert.ok(true);
 * ```
 */
export function setWindowSize(fd: number, rows: number, columns: number): void {
  checkWindowSize(rows, columns);
  const size = new Uint16Array([rows, columns, 0, 0]);
  if (lib().ioctl(fd, TIOCSWINSZ, size) !== 0) {
    throw errorFromErrno(libc().errno(), "ioctl(TIOCSWINSZ)");
  }
}

/**
 * A new pseudo-terminal of `rows` × `columns`: its master fd (ours:
 * close-on-exec, blocking) and its slave's path (for the child).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPty } from "./pty.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().os === "linux") {
 *   const { master, slave } = openPty(24, 80);
 *   assert.match(slave, /^\/dev\/pts\/\d+$/);
 *   libc().close(master);
 * }
 * ```
 */
export function openPty(rows: number, columns: number): { master: number; slave: string; } {
  const s = lib();
  const master = s.openpt(OPEN_FLAGS | constants.O_CLOEXEC);
  if (master < 0) throw errorFromErrno(libc().errno(), "posix_openpt");
  try {
    if (s.grantpt(master) !== 0) throw errorFromErrno(libc().errno(), "grantpt");
    if (s.unlockpt(master) !== 0) throw errorFromErrno(libc().errno(), "unlockpt");
    const name = new Uint8Array(128);
    const rc = s.ptsname(master, name, 128);
    if (rc !== 0) throw errorFromErrno(rc, "ptsname_r");
    setWindowSize(master, rows, columns);
    return { master, slave: new TextDecoder().decode(name.subarray(0, name.indexOf(0))) };
  } catch (e) {
    libc().close(master);
    throw e;
  }
}
