/**
 * The manhole's login: a secret (password or token) read from a file,
 * compared in constant time, and a per-peer limit on failed attempts.
 *
 * There is no default secret: {@linkcode readSecretFile} reads one from a
 * file that only its owner may read (mode 0600 or stricter), and
 * {@linkcode SecretChecker} compares SHA-256 digests byte by byte without an
 * early exit, so the time taken says nothing about how much of a guess was
 * right. {@linkcode LoginLimiter} counts failures per peer host over a window
 * and locks the peer out for a while once there are too many (the clients of
 * a Unix socket are one peer: the socket has no per-client address).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoginLimiter, SecretChecker } from "@skein/skein/manhole";
 * import { Clock } from "@skein/skein/task";
 *
 * const checker = new SecretChecker("correct horse");
 * assert.equal(checker.check("correct horse"), true);
 * assert.equal(checker.check("wrong"), false);
 * const clock = new Clock();
 * const limiter = new LoginLimiter(clock, { maxFailures: 2, lockout: 30 });
 * limiter.recordFailure("127.0.0.1");
 * limiter.recordFailure("127.0.0.1");
 * assert.equal(limiter.lockedFor("127.0.0.1"), 30);
 * clock.advance(30);
 * assert.equal(limiter.lockedFor("127.0.0.1"), 0);
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { IReactorTime } from "../interfaces.ts";

/**
 * The secret file is missing, empty, or readable by others: the message says
 * what to fix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSecretFile, SecretFileError } from "@skein/skein/manhole";
 * assert.throws(() => readSecretFile("/nonexistent/manhole.secret"), SecretFileError);
 * ```
 */
export class SecretFileError extends Error {
  /** The file. */
  readonly path: string;
  /** An error about the secret file at `path`. */
  constructor(path: string, message: string) {
    super(message);
    this.name = "SecretFileError";
    this.path = path;
  }
}

/**
 * Read the manhole's password or token from `path`: its first line, without
 * the line ending. Throws {@linkcode SecretFileError} when the file cannot be
 * read, is empty, or may be read or written by its group or others
 * (`chmod 600` it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readSecretFile, SecretFileError } from "@skein/skein/manhole";
 *
 * const dir = mkdtempSync(join(tmpdir(), "manhole-"));
 * const file = join(dir, "secret");
 * writeFileSync(file, "s3cret\n", { mode: 0o600 });
 * assert.equal(readSecretFile(file), "s3cret");
 * chmodSync(file, 0o644);
 * assert.throws(() => readSecretFile(file), SecretFileError);
 * rmSync(dir, { recursive: true });
 * ```
 */
export function readSecretFile(path: string): string {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SecretFileError(
      path,
      `cannot read the manhole secret file ${path} (${
        (error as Error).message
      }): create it with the password or token on its first line, mode 0600`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new SecretFileError(
      path,
      `the manhole secret file ${path} has mode 0${
        (mode & 0o777).toString(8)
      }: others may read it; run chmod 600 ${path}`,
    );
  }
  const secret = text.split(/\r?\n/, 1)[0];
  if (secret === "") {
    throw new SecretFileError(
      path,
      `the manhole secret file ${path} is empty: put the password or token on its first line`,
    );
  }
  return secret;
}

function digest(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/**
 * Checks an attempt against the secret in constant time (SHA-256 of both,
 * compared without an early exit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SecretChecker } from "@skein/skein/manhole";
 * assert.equal(new SecretChecker("tok-123").check("tok-124"), false);
 * assert.throws(() => new SecretChecker(""), TypeError);
 * ```
 */
export class SecretChecker {
  #digest: Uint8Array;

  /** A checker for `secret`; an empty secret is a `TypeError` (there is no default). */
  constructor(secret: string) {
    if (typeof secret !== "string" || secret === "") {
      throw new TypeError(
        "the manhole needs a non-empty password or token: read one with readSecretFile(path)",
      );
    }
    this.#digest = digest(secret);
  }

  /** Is `attempt` the secret? */
  check(attempt: string): boolean {
    const other = digest(attempt);
    let diff = 0;
    for (let i = 0; i < this.#digest.length; i++) diff |= this.#digest[i] ^ other[i];
    return diff === 0;
  }
}

/**
 * Limits of a {@linkcode LoginLimiter}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LoginLimiterOptions } from "@skein/skein/manhole";
 * const limits: LoginLimiterOptions = { maxFailures: 5, window: 60, lockout: 60 };
 * assert.equal(limits.maxFailures, 5);
 * ```
 */
export interface LoginLimiterOptions {
  /** Failures from one peer within `window` that lock it out. @default {5} */
  maxFailures?: number;
  /** Seconds over which failures count. @default {60} */
  window?: number;
  /** Seconds a locked-out peer is refused. @default {60} */
  lockout?: number;
}

/**
 * Counts failed logins per peer and locks out a peer with too many.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoginLimiter } from "@skein/skein/manhole";
 * import { Clock } from "@skein/skein/task";
 *
 * const clock = new Clock();
 * const limiter = new LoginLimiter(clock, { maxFailures: 3, window: 10 });
 * assert.equal(limiter.recordFailure("::1"), 1);
 * clock.advance(11); // the first failure has aged out of the window
 * assert.equal(limiter.recordFailure("::1"), 1);
 * limiter.recordSuccess("::1");
 * assert.equal(limiter.failures("::1"), 0);
 * ```
 */
export class LoginLimiter {
  /** Failures from one peer within the window that lock it out. */
  readonly maxFailures: number;
  /** Seconds over which failures count. */
  readonly window: number;
  /** Seconds a locked-out peer is refused. */
  readonly lockout: number;
  #clock: IReactorTime;
  #failures = new Map<string, number[]>();
  #lockedUntil = new Map<string, number>();

  /** A limiter on `clock`'s time. */
  constructor(clock: IReactorTime, options: LoginLimiterOptions = {}) {
    this.#clock = clock;
    this.maxFailures = options.maxFailures ?? 5;
    this.window = options.window ?? 60;
    this.lockout = options.lockout ?? 60;
    if (!(this.maxFailures >= 1) || !(this.window > 0) || !(this.lockout >= 0)) {
      throw new RangeError(
        "LoginLimiter: maxFailures must be at least 1, window positive, lockout not negative",
      );
    }
  }

  /** Recent failures from `peer`, within the window. */
  failures(peer: string): number {
    const now = this.#clock.seconds();
    const recent = (this.#failures.get(peer) ?? []).filter((t) => now - t < this.window);
    if (recent.length === 0) this.#failures.delete(peer);
    else this.#failures.set(peer, recent);
    return recent.length;
  }

  /** Record a failure from `peer`; returns the failures in the window, this one included. */
  recordFailure(peer: string): number {
    const count = this.failures(peer) + 1;
    const now = this.#clock.seconds();
    this.#failures.set(peer, [...(this.#failures.get(peer) ?? []), now]);
    if (count >= this.maxFailures) {
      this.#lockedUntil.set(peer, now + this.lockout);
      this.#failures.delete(peer);
    }
    return count;
  }

  /** A login from `peer` succeeded: forget its failures. */
  recordSuccess(peer: string): void {
    this.#failures.delete(peer);
  }

  /** Seconds `peer` is still locked out for (0 when it is not). */
  lockedFor(peer: string): number {
    const until = this.#lockedUntil.get(peer);
    if (until === undefined) return 0;
    const left = until - this.#clock.seconds();
    if (left <= 0) {
      this.#lockedUntil.delete(peer);
      return 0;
    }
    return left;
  }
}
