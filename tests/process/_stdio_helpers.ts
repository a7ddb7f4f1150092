/**
 * Helpers for the StandardIO and endpoint suites: a pipe of raw fds standing
 * in for stdin or stdout, a drain of what is in one, and a protocol that
 * records what it hears and promises its `connectionLost`.
 */
import assert from "node:assert/strict";
import type { Failure } from "../../deferred/failure.ts";
import { Protocol } from "../../protocols/mod.ts";
import { constants, libc } from "../../reactor/ffi/mod.ts";

/** A close-on-exec pipe: `[readEnd, writeEnd]`. */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  assert.equal(libc().pipe2(fds, constants.O_CLOEXEC), 0);
  return [fds[0], fds[1]];
}

/** Everything readable from `fd` now, as text (the fd is made non-blocking). */
export function readAll(fd: number): string {
  const flags = libc().fcntl(fd, constants.F_GETFL, 0);
  libc().fcntl(fd, constants.F_SETFL, flags | constants.O_NONBLOCK);
  const buf = new Uint8Array(65536);
  let out = "";
  for (;;) {
    const n = libc().read(fd, buf, buf.length);
    if (n <= 0) break;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
  return out;
}

/** Records `data …` and `connectionLost`; `lost` fires with the reason. */
export class Recorder extends Protocol {
  readonly events: string[] = [];
  /** All the data heard, as text. */
  heard = "";
  readonly lost: Promise<Failure>;
  #resolve!: (f: Failure) => void;
  constructor() {
    super();
    this.lost = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  override dataReceived(data: Uint8Array): void {
    const text = new TextDecoder().decode(data);
    this.heard += text;
    this.events.push(`data ${text}`);
  }
  override connectionLost(reason: Failure): void {
    this.events.push("connectionLost");
    this.#resolve(reason);
  }
}
