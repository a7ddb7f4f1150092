/**
 * One non-blocking `write(2)` to a pipe or tty fd, as a `FileDescriptor`'s
 * `writeSomeData` wants it: the bytes taken, 0 when the fd would block (or the
 * call was interrupted), -1 on any other error. Shared by the child-process
 * pipes and `StandardIO`.
 *
 * @module
 */

import { errnoName } from "./ffi/errno.ts";
import { libc } from "./ffi/mod.ts";

/**
 * Write up to `len` bytes of `data` to `fd` without blocking.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSync, closeSync, readFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeSome } from "./_pipe_write.ts";
 *
 * const path = join(tmpdir(), `skein-pipe-write-${crypto.randomUUID()}`);
 * const fd = openSync(path, "w");
 * assert.equal(writeSome(fd, new TextEncoder().encode("hello"), 5), 5);
 * closeSync(fd);
 * assert.equal(readFileSync(path, "utf8"), "hello");
 * ```
 */
export function writeSome(fd: number, data: Uint8Array, len: number): number {
  const n = libc().write(fd, data, len);
  if (n >= 0) return n;
  const name = errnoName(libc().errno());
  return name === "EAGAIN" || name === "EWOULDBLOCK" || name === "EINTR" ? 0 : -1;
}
