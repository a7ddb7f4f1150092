/**
 * Helpers for the reactor-core suites (H4): the reactor kinds every suite
 * runs against, a socketpair of raw fds, a tiny IReadWriteDescriptor, a log
 * capture, and a `runFor` that runs a reactor under a deadline.
 */

import type { Failure } from "../../deferred/failure.ts";
import type { IReadWriteDescriptor } from "../../interfaces.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { constants, libc } from "../../reactor/ffi/mod.ts";
import { createReactor, type Reactor, type ReactorKind } from "../../reactor/install.ts";
import { availablePollers } from "../../reactor/pollers/mod.ts";
import { PosixReactor } from "../../reactor/posix_reactor.ts";
import { LogCapture, sleep } from "./_helpers.ts";

export { LogCapture, sleep };

/** Every reactor kind here: each FFI poller this OS has, plus the host reactor. */
export const ALL_KINDS: ReactorKind[] = [...(availablePollers() as ReactorKind[]), "host"];

/** The FFI kinds only (the fd-level suites). */
export const FFI_KINDS: ReactorKind[] = availablePollers() as ReactorKind[];

/** A fresh reactor of `kind`. */
export function make(kind: ReactorKind): Reactor {
  return createReactor(kind);
}

/** A fresh FFI reactor of `kind`. */
export function makePosix(kind: ReactorKind): PosixReactor {
  const r = createReactor(kind);
  if (!(r instanceof PosixReactor)) throw new Error(`${kind} is not an FFI reactor`);
  return r;
}

/**
 * Run `reactor` (after `setup` ran) until it stops by itself; fail if it has
 * not stopped within `ms` (then crash it so the test run goes on).
 */
export async function runFor(reactor: Reactor, ms: number, what = "reactor run"): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = reactor.run({ installSignalHandlers: false });
  try {
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Reject first: crash() resolves run()'s promise, which must not win the race.
          reject(new Error(`timed out after ${ms} ms: ${what}`));
          if (reactor.running) reactor.crash();
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A non-blocking AF_UNIX stream socketpair. */
export function socketpair(): [number, number] {
  const fds = new Int32Array(2);
  const rc = libc().socketpair(
    constants.AF_UNIX,
    constants.SOCK_STREAM | constants.SOCK_NONBLOCK | constants.SOCK_CLOEXEC,
    0,
    fds,
  );
  if (rc !== 0) throw new Error(`socketpair failed: errno ${libc().errno()}`);
  return [fds[0], fds[1]];
}

/** Write bytes to an fd (all of it, or throw). */
export function writeAll(fd: number, data: Uint8Array | string): void {
  const buf = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const n = libc().write(fd, buf, buf.length);
  if (n !== buf.length) throw new Error(`write(${fd}) returned ${n}, errno ${libc().errno()}`);
}

/** Read what is there (up to 64 KiB): bytes, `null` at EOF, `undefined` on EAGAIN. */
export function readSome(fd: number): Uint8Array | null | undefined {
  const buf = new Uint8Array(65536);
  const n = libc().read(fd, buf, buf.length);
  if (n > 0) return buf.subarray(0, n);
  if (n === 0) return null;
  return undefined;
}

/** Close an fd, ignoring errors. */
export function close(fd: number): void {
  if (fd >= 0) libc().close(fd);
}

/** A small descriptor over a raw fd, recording the reactor's calls. */
export class FdDescriptor implements IReadWriteDescriptor {
  fd: number;
  readonly events: string[] = [];
  readonly received: string[] = [];
  lost: Failure | null = null;
  onRead: ((self: FdDescriptor) => Error | null | void) | null = null;
  onWrite: ((self: FdDescriptor) => Error | null | void) | null = null;
  constructor(fd: number, readonly name = "fd") {
    this.fd = fd;
  }
  fileno(): number {
    return this.fd;
  }
  doRead(): Error | null | void {
    this.events.push("read");
    if (this.onRead) return this.onRead(this);
    const data = readSome(this.fd);
    if (data === null) return new ConnectionDone();
    if (data !== undefined) this.received.push(new TextDecoder().decode(data));
    return null;
  }
  doWrite(): Error | null | void {
    this.events.push("write");
    if (this.onWrite) return this.onWrite(this);
    return null;
  }
  connectionLost(reason: Failure): void {
    this.events.push("lost");
    this.lost = reason;
  }
  logPrefix(): string {
    return this.name;
  }
}
