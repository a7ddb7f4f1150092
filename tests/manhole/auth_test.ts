// manhole/auth.ts: the secret file's rules (no default, owner-only mode), the
// constant-time check, and the per-peer limiter on a fake clock.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  LoginLimiter,
  readSecretFile,
  SecretChecker,
  SecretFileError,
} from "../../manhole/auth.ts";
import { Clock } from "../../task/clock.ts";

const dir = mkdtempSync(join(tmpdir(), "skein-manhole-auth-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, text: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe("readSecretFile", () => {
  it("reads the first line, without its line ending (LF or CRLF)", () => {
    assert.equal(readSecretFile(secretFile("lf", "tok en\nignored\n", 0o600)), "tok en");
    assert.equal(readSecretFile(secretFile("crlf", "abc\r\n", 0o400)), "abc");
  });

  it("refuses a file others may read or write, saying chmod 600", () => {
    for (const mode of [0o644, 0o640, 0o602]) {
      const path = secretFile(`mode${mode.toString(8)}`, "x\n", mode);
      assert.throws(() => readSecretFile(path), (e: unknown) => {
        assert.ok(e instanceof SecretFileError);
        assert.match(e.message, new RegExp(`mode 0${mode.toString(8)}: .*chmod 600`));
        return true;
      });
    }
  });

  it("refuses an empty secret and a missing file", () => {
    assert.throws(() => readSecretFile(secretFile("empty", "\nsecond\n", 0o600)), /is empty/);
    assert.throws(() => readSecretFile(join(dir, "absent")), /cannot read the manhole secret file/);
  });
});

describe("SecretChecker", () => {
  it("accepts exactly the secret: not a prefix, an extension, or another case", () => {
    const checker = new SecretChecker("Sesame");
    assert.equal(checker.check("Sesame"), true);
    for (const wrong of ["", "Sesam", "Sesame ", "sesame", "Sesame\n"]) {
      assert.equal(checker.check(wrong), false, JSON.stringify(wrong));
    }
  });
  it("has no default: an empty secret is refused", () => {
    assert.throws(() => new SecretChecker(""), /needs a non-empty password or token/);
  });
});

describe("LoginLimiter", () => {
  it("locks a peer out at maxFailures within the window, for lockout seconds; others are free", () => {
    const clock = new Clock();
    const limiter = new LoginLimiter(clock, { maxFailures: 3, window: 10, lockout: 20 });
    limiter.recordFailure("a");
    clock.advance(5);
    limiter.recordFailure("a");
    assert.equal(limiter.lockedFor("a"), 0);
    assert.equal(limiter.recordFailure("a"), 3);
    assert.equal(limiter.lockedFor("a"), 20);
    assert.equal(limiter.lockedFor("b"), 0);
    clock.advance(19);
    assert.equal(limiter.lockedFor("a"), 1);
    clock.advance(1);
    assert.equal(limiter.lockedFor("a"), 0);
    assert.equal(limiter.failures("a"), 0, "the lockout starts the count afresh");
  });

  it("failures older than the window no longer count", () => {
    const clock = new Clock();
    const limiter = new LoginLimiter(clock, { maxFailures: 2, window: 10 });
    limiter.recordFailure("a");
    clock.advance(10);
    assert.equal(limiter.recordFailure("a"), 1);
    assert.equal(limiter.lockedFor("a"), 0);
  });

  it("a success forgets the failures", () => {
    const clock = new Clock();
    const limiter = new LoginLimiter(clock, { maxFailures: 2 });
    limiter.recordFailure("a");
    limiter.recordSuccess("a");
    assert.equal(limiter.recordFailure("a"), 1);
  });

  it("refuses nonsense limits", () => {
    assert.throws(() => new LoginLimiter(new Clock(), { maxFailures: 0 }), RangeError);
    assert.throws(() => new LoginLimiter(new Clock(), { window: 0 }), RangeError);
  });
});
