/**
 * Raw fds for the reactor-core suites: a non-blocking socketpair, whole
 * writes and single reads through libc, and a small IReadWriteDescriptor
 * over an fd that records what the reactor asks of it.
 */

import type { Failure } from "../../deferred/failure.ts";
import type { IReadWriteDescriptor } from "../../interfaces.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { constants, libc } from "../../reactor/ffi/mod.ts";

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
  /** Run after connectionLost recorded the reason (to stop the reactor, say). */
  onLost: ((self: FdDescriptor) => void) | null = null;
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
    this.onLost?.(this);
  }
  logPrefix(): string {
    return this.name;
  }
}
