/**
 * Pseudo-terminals: `openPty(rows, columns)` (`posix_openpt`, `grantpt`,
 * `unlockpt`, `ptsname_r`) and `setWindowSize` (`TIOCSWINSZ`), for
 * `spawnProcess`'s `usePTY`. Linux only so far. And a terminal's mode
 * (`saveTerminalMode`, `restoreTerminalMode`, `setRawMode`: `tcgetattr`,
 * `tcsetattr`, `cfmakeraw`), for `StandardIO` on a terminal (any POSIX).
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

const TERMIOS = {
  isatty: { parameters: ["i32"], result: "i32" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  cfmakeraw: { parameters: ["buffer"], result: "void" },
} as const;

let termiosBound: OpenedLibrary<typeof TERMIOS>["symbols"] | null = null;

function termiosLib(): OpenedLibrary<typeof TERMIOS>["symbols"] {
  return termiosBound ??= dlopenLibrary(libraryPaths(libc().os), TERMIOS).symbols;
}

/** Room for a `struct termios` on every supported C library (60 bytes on glibc, 72 on macOS). */
const TERMIOS_BYTES = 256;
/** `TCSANOW` (0) on Linux, macOS and FreeBSD. */
const TCSANOW = 0;

/**
 * A terminal's saved mode (its `struct termios`, opaque), from
 * {@linkcode saveTerminalMode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TerminalMode } from "./pty.ts";
 *
 * const noMode: TerminalMode | null = null;
 * assert.equal(noMode, null);
 * ```
 */
export interface TerminalMode {
  /** The fd it was read from. */
  readonly fd: number;
  /** The `struct termios` bytes. */
  readonly bytes: Uint8Array;
}

/**
 * The mode of the terminal on `fd` (`tcgetattr`), or `null` when `fd` is
 * not a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPty, saveTerminalMode } from "./pty.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().os === "linux") {
 *   const { master } = openPty(24, 80);
 *   assert.notEqual(saveTerminalMode(master), null);
 *   libc().close(master);
 * }
 * ```
 */
export function saveTerminalMode(fd: number): TerminalMode | null {
  const t = termiosLib();
  if (t.isatty(fd) !== 1) return null;
  const bytes = new Uint8Array(TERMIOS_BYTES);
  if (t.tcgetattr(fd, bytes) !== 0) return null;
  return { fd, bytes };
}

/**
 * Put the terminal of `mode` back as it was saved (`tcsetattr(TCSANOW)`);
 * false when that failed (the terminal is gone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPty, restoreTerminalMode, saveTerminalMode } from "./pty.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().os === "linux") {
 *   const { master } = openPty(24, 80);
 *   assert.equal(restoreTerminalMode(saveTerminalMode(master)!), true);
 *   libc().close(master);
 * }
 * ```
 */
export function restoreTerminalMode(mode: TerminalMode): boolean {
  return termiosLib().tcsetattr(mode.fd, TCSANOW, mode.bytes) === 0;
}

/**
 * Put the terminal on `fd` in raw mode (`cfmakeraw`: no echo, no line
 * editing, no signals from keys, no output processing), starting from
 * `mode`, its saved mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPty, restoreTerminalMode, saveTerminalMode, setRawMode } from "./pty.ts";
 * import { ffiAvailable, libc } from "./mod.ts";
 *
 * if (ffiAvailable() && libc().os === "linux") {
 *   const { master } = openPty(24, 80);
 *   const mode = saveTerminalMode(master)!;
 *   setRawMode(mode);
 *   restoreTerminalMode(mode);
 *   libc().close(master);
 * }
 * assert.ok(true);
 * ```
 */
export function setRawMode(mode: TerminalMode): void {
  const raw = mode.bytes.slice();
  termiosLib().cfmakeraw(raw);
  if (termiosLib().tcsetattr(mode.fd, TCSANOW, raw) !== 0) {
    throw errorFromErrno(libc().errno(), "tcsetattr");
  }
}
