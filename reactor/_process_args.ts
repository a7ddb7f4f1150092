/**
 * `checkSpawnArgs`: the checks and defaults of `spawnProcess` shared by the
 * FFI and host backends (Twisted's `_checkProcessArgs`, plus the program
 * lookup on `PATH` that Twisted leaves to `execvpe`).
 *
 * @module
 */

import { accessSync, constants as fsConstants, readFileSync, statSync } from "node:fs";
import { delimiter, isAbsolute, resolve } from "node:path";
import process from "node:process";
import type { SpawnProcessOptions } from "../interfaces.ts";
import { SystemCallError } from "./errors.ts";
import type { Credentials } from "./ffi/spawn_credentials.ts";
import { parentEnvironment } from "./ffi/spawn_env.ts";

/** One entry of `childFDs`: a pipe we read (`"r"`), one we write (`"w"`), or one of our fds. */
type ChildFD = "r" | "w" | number;

/**
 * `spawnProcess`'s arguments, checked and completed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSpawnArgs, type CheckedSpawn } from "./_process_args.ts";
 *
 * const checked: CheckedSpawn = checkSpawnArgs("sh", ["sh"], { env: {} });
 * assert.equal(checked.envp.length, 0);
 * ```
 */
export interface CheckedSpawn {
  /** The program's absolute path. */
  readonly file: string;
  /** The argument vector (`args`, or `[executable]` when `args` is empty). */
  readonly argv: string[];
  /** The child's environment. */
  readonly env: Record<string, string>;
  /** The same as `NAME=value` strings. */
  readonly envp: string[];
  /** The working directory, or `null` for ours. */
  readonly cwd: string | null;
  /** `[childFd, what]`, in increasing child fd order. */
  readonly childFDs: [number, ChildFD][];
  /** Whom the child runs as, or `null` for this process's user. */
  readonly credentials: Credentials | null;
}

const DEFAULT_CHILD_FDS: [number, ChildFD][] = [[0, "w"], [1, "r"], [2, "r"]];

function noNul(what: string, value: string): string {
  if (value.includes("\0")) {
    throw new TypeError(`spawnProcess: ${what} must not contain a NUL character`);
  }
  return value;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function checkEnv(env: unknown): Record<string, string> {
  if (env === undefined) return parentEnvironment();
  if (env === null || typeof env !== "object" || Array.isArray(env)) {
    throw new TypeError(
      `spawnProcess: env must be an object of strings (omit it to inherit this process's environment), got ${
        describeValue(env)
      }`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v !== "string") {
      throw new TypeError(
        `spawnProcess: env[${JSON.stringify(k)}] must be a string, got ${describeValue(v)}`,
      );
    }
    if (k === "" || k.includes("=")) {
      throw new TypeError(
        `spawnProcess: env name ${JSON.stringify(k)} must be non-empty and contain no "="`,
      );
    }
    out[noNul(`env name ${JSON.stringify(k)}`, k)] = noNul(`env[${JSON.stringify(k)}]`, v);
  }
  return out;
}

function checkChildFDs(childFDs: unknown): [number, ChildFD][] {
  if (childFDs === undefined) return DEFAULT_CHILD_FDS.map(([c, w]) => [c, w]);
  if (childFDs === null || typeof childFDs !== "object" || Array.isArray(childFDs)) {
    throw new TypeError(
      `spawnProcess: childFDs must be an object mapping child fds to "r", "w" or a file descriptor number, got ${
        describeValue(childFDs)
      }`,
    );
  }
  const out: [number, ChildFD][] = [];
  for (const [key, value] of Object.entries(childFDs)) {
    const child = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(child)) {
      throw new TypeError(
        `spawnProcess: childFDs key ${JSON.stringify(key)} must be a child fd number (0, 1, 2, …)`,
      );
    }
    if (value !== "r" && value !== "w" && !(Number.isInteger(value) && (value as number) >= 0)) {
      throw new TypeError(
        `spawnProcess: childFDs[${child}] must be "r" (a pipe to read), "w" (a pipe to write) or one of this process's fd numbers, got ${
          describeValue(value)
        }`,
      );
    }
    out.push([child, value as ChildFD]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function checkId(what: "uid" | "gid", id: unknown): number | undefined {
  if (id === undefined) return undefined;
  if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= 0xffffffff) {
    throw new TypeError(
      `spawnProcess: ${what} must be a ${
        what === "uid" ? "user" : "group"
      } id (an integer from 0), got ${describeValue(id)}`,
    );
  }
  return id as number;
}

/** The lines of a colon-separated system file (`/etc/passwd`, `/etc/group`), or none. */
function table(path: string): string[][] {
  try {
    return readFileSync(path, "utf8").split("\n").filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(":"));
  } catch {
    return [];
  }
}

/**
 * Twisted's `switchUID`: the child runs as `uid` (our effective uid when
 * omitted) and `gid` (our effective gid when omitted), with `uid`'s
 * supplementary groups (`initgroups`, read from `/etc/passwd` and
 * `/etc/group`). `null` when that is who we are already. Another user needs
 * root: anyone else gets an `EPERM` error saying so.
 */
function checkCredentials(uidOption: unknown, gidOption: unknown): Credentials | null {
  const wantUid = checkId("uid", uidOption);
  const wantGid = checkId("gid", gidOption);
  if (wantUid === undefined && wantGid === undefined) return null;
  const euid = process.geteuid?.() ?? -1;
  const egid = process.getegid?.() ?? -1;
  const uid = wantUid ?? euid;
  const gid = wantGid ?? egid;
  if (uid === euid && gid === egid && euid !== 0) return null;
  if (euid !== 0) {
    throw new SystemCallError(
      "spawnProcess",
      1,
      "EPERM",
      `running a child as uid ${uid} gid ${gid} needs root, and this process runs as uid ${euid} gid ${egid}; omit uid and gid to run it as this process's user`,
    );
  }
  const user = table("/etc/passwd").find((f) => Number(f[2]) === uid)?.[0];
  const groups = new Set([gid]);
  if (user !== undefined) {
    for (const f of table("/etc/group")) {
      if ((f[3] ?? "").split(",").includes(user)) groups.add(Number(f[2]));
    }
  }
  return { uid, gid, groups: [...groups] };
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The program's absolute path: `executable` itself when it has a `/`, else looked up on `PATH`. */
function resolveExecutable(executable: string, env: Record<string, string>, cwd: string): string {
  if (executable.includes("/")) {
    const file = isAbsolute(executable) ? executable : resolve(cwd, executable);
    if (isExecutableFile(file)) return file;
    if (!exists(file)) {
      throw new SystemCallError(
        "spawnProcess",
        2,
        "ENOENT",
        `no program at ${JSON.stringify(file)}`,
      );
    }
    throw new SystemCallError(
      "spawnProcess",
      13,
      "EACCES",
      `${JSON.stringify(file)} is not an executable file`,
    );
  }
  const searchPath = env.PATH ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  for (const dir of searchPath.split(delimiter)) {
    const file = resolve(cwd, dir === "" ? "." : dir, executable);
    if (isExecutableFile(file)) return file;
  }
  throw new SystemCallError(
    "spawnProcess",
    2,
    "ENOENT",
    `no executable ${JSON.stringify(executable)} on PATH (${searchPath})`,
  );
}

/**
 * Check `spawnProcess`'s arguments and fill in the defaults: the environment
 * (the parent's unless `env` is given; `{}` is empty), the fd map (Twisted's
 * `{ 0: "w", 1: "r", 2: "r" }`), the program's path. Throws a `TypeError`
 * that says what is allowed for a malformed argument, and a
 * `SystemCallError` (`ENOENT`, `EACCES`, `ENOTDIR`) naming the program or
 * directory that is not there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSpawnArgs } from "./_process_args.ts";
 *
 * const checked = checkSpawnArgs("sh", ["sh", "-c", "true"], { env: { A: "1" }, childFDs: { 1: "r" } });
 * assert.ok(checked.file.endsWith("/sh"));
 * assert.deepEqual(checked.envp, ["A=1"]);
 * assert.deepEqual(checked.childFDs, [[1, "r"]]);
 * assert.throws(() => checkSpawnArgs("sh", ["sh", 3 as unknown as string]), TypeError);
 * assert.throws(() => checkSpawnArgs("no-such-program-here", []), /no-such-program-here/);
 * ```
 */
export function checkSpawnArgs(
  executable: string,
  args: readonly string[],
  options: SpawnProcessOptions = {},
): CheckedSpawn {
  if (typeof executable !== "string" || executable === "") {
    throw new TypeError(
      `spawnProcess: executable must be a non-empty string, got ${describeValue(executable)}`,
    );
  }
  noNul("executable", executable);
  if (!Array.isArray(args)) {
    throw new TypeError(
      `spawnProcess: args must be an array of strings (args[0] is the program's name), got ${
        describeValue(args)
      }`,
    );
  }
  args.forEach((a, i) => {
    if (typeof a !== "string") {
      throw new TypeError(`spawnProcess: args[${i}] must be a string, got ${describeValue(a)}`);
    }
    noNul(`args[${i}]`, a);
  });
  if (options === null || typeof options !== "object") {
    throw new TypeError(`spawnProcess: options must be an object, got ${describeValue(options)}`);
  }
  if (options.usePTY !== undefined && typeof options.usePTY !== "boolean") {
    throw new TypeError(
      `spawnProcess: usePTY must be true or false, got ${describeValue(options.usePTY)}`,
    );
  }
  const credentials = checkCredentials(options.uid, options.gid);
  const env = checkEnv(options.env);
  let cwd: string | null = null;
  if (options.path !== undefined) {
    if (typeof options.path !== "string" || options.path === "") {
      throw new TypeError(
        `spawnProcess: path must be a directory name, got ${describeValue(options.path)}`,
      );
    }
    cwd = resolve(noNul("path", options.path));
    let isDir = false;
    try {
      isDir = statSync(cwd).isDirectory();
    } catch {
      throw new SystemCallError(
        "spawnProcess",
        2,
        "ENOENT",
        `no directory ${JSON.stringify(cwd)} (path)`,
      );
    }
    if (!isDir) {
      throw new SystemCallError(
        "spawnProcess",
        20,
        "ENOTDIR",
        `${JSON.stringify(cwd)} (path) is not a directory`,
      );
    }
  }
  const childFDs = checkChildFDs(options.childFDs);
  const file = resolveExecutable(executable, env, cwd ?? process.cwd());
  return {
    file,
    argv: args.length === 0 ? [executable] : [...args],
    env,
    envp: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    cwd,
    childFDs,
    credentials,
  };
}
