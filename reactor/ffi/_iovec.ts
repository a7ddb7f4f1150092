/**
 * One vectored send (`sendmsg` with an array of `struct iovec`): several
 * queued chunks go to the kernel in one call, without being copied into one
 * buffer first.
 *
 * @module
 */

import type { Libc } from "./types.ts";

/** The most chunks one vectored send takes (IOV_MAX is 1024 on Linux and macOS). */
export const MAX_IOV = 64;

/**
 * `struct msghdr` on LP64 Linux is 56 bytes; macOS's is 48 with `msg_iov` and
 * `msg_iovlen` at the same offsets (16 and 24, its int `msg_iovlen` followed
 * by padding), so one zeroed 56-byte block with those two fields set serves
 * both.
 */
const MSGHDR_SIZE = 56;

/** Builds the msghdr and iovec array for one `sendmsg` and makes the call. */
export class VectoredSend {
  readonly #lib: Libc;
  // Backed by their own ArrayBuffers, so their addresses do not change.
  readonly #msg: Uint8Array = new Uint8Array(new ArrayBuffer(MSGHDR_SIZE));
  readonly #iov: Uint8Array = new Uint8Array(new ArrayBuffer(16 * MAX_IOV));
  readonly #iov64: BigUint64Array = new BigUint64Array(this.#iov.buffer);
  readonly #msg64: BigUint64Array = new BigUint64Array(this.#msg.buffer);

  /** Uses `lib`'s `sendmsg` and `address`. */
  constructor(lib: Libc) {
    this.#lib = lib;
    this.#msg64[2] = lib.address(this.#iov); // msg_iov
  }

  /**
   * Send `chunks[from..to)` (at most {@linkcode MAX_IOV} of them), the first
   * from byte `offset`, in one `sendmsg(fd, …, flags)`. Returns what it
   * returns: the bytes the kernel took, or -1 (see errno).
   */
  send(
    fd: number,
    chunks: readonly Uint8Array[],
    from: number,
    offset: number,
    to: number,
    flags: number,
  ): number {
    const lib = this.#lib;
    const iov = this.#iov64;
    let k = 0;
    for (let i = from; i < to; i++, k += 2) {
      const c = chunks[i];
      if (i === from && offset > 0) {
        iov[k] = lib.address(c) + BigInt(offset);
        iov[k + 1] = BigInt(c.byteLength - offset);
      } else {
        iov[k] = lib.address(c);
        iov[k + 1] = BigInt(c.byteLength);
      }
    }
    this.#msg64[3] = BigInt(to - from); // msg_iovlen
    // The chunks stay referenced by `chunks` during the call.
    return lib.sendmsg(fd, this.#msg, flags);
  }
}
