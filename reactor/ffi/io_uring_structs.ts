/**
 * io_uring's structs and constants (`<linux/io_uring.h>`): the setup
 * parameters, submission and completion queue entries. One layout on every
 * Linux architecture, little-endian here.
 *
 * @module
 */

/**
 * io_uring constants the parker uses (`<linux/io_uring.h>`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IORING, IO_URING_SQE_SIZE, writeIoUringSqe } from "./mod.ts";
 *
 * // A one-shot poll hard-linked to the next submission.
 * const sqes = new DataView(new ArrayBuffer(IO_URING_SQE_SIZE));
 * writeIoUringSqe(sqes, 0, { opcode: IORING.OP_POLL_ADD, flags: IORING.SQE_IO_HARDLINK, fd: 3 });
 * assert.equal(sqes.getUint8(1), IORING.SQE_IO_HARDLINK);
 * ```
 */
export const IORING = {
  /** Opcode: one-shot poll of an fd (`poll32_events` in the SQE). */
  OP_POLL_ADD: 6,
  /** Opcode: `send(2)`. */
  OP_SEND: 26,
  /** SQE flag: the next SQE starts when this one completes successfully. */
  SQE_IO_LINK: 4,
  /** SQE flag: the next SQE starts when this one completes, even with an error. */
  SQE_IO_HARDLINK: 8,
  /** `mmap` offset of the submission ring. */
  OFF_SQ_RING: 0,
  /** `mmap` offset of the completion ring. */
  OFF_CQ_RING: 0x8000000,
  /** `mmap` offset of the SQE array. */
  OFF_SQES: 0x10000000,
  /** Feature bit: both rings share one mapping (Linux 5.4+). */
  FEAT_SINGLE_MMAP: 1,
  /** Feature bit `IORING_FEAT_FAST_POLL` (Linux 5.7): send and hard links (5.5–5.6) are there too. */
  FEAT_FAST_POLL: 0x20,
} as const;

/**
 * Bytes in `struct io_uring_params`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_PARAMS_SIZE, readIoUringParams } from "./mod.ts";
 *
 * assert.equal(readIoUringParams(new Uint8Array(IO_URING_PARAMS_SIZE)).sqEntries, 0);
 * ```
 */
export const IO_URING_PARAMS_SIZE = 120;
/**
 * Bytes in one submission queue entry (`struct io_uring_sqe`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_SQE_SIZE, IORING, writeIoUringSqe } from "./mod.ts";
 *
 * const ring = new DataView(new ArrayBuffer(4 * IO_URING_SQE_SIZE));
 * writeIoUringSqe(ring, 2 * IO_URING_SQE_SIZE, { opcode: IORING.OP_SEND, fd: 7 });
 * assert.equal(ring.getInt32(2 * IO_URING_SQE_SIZE + 4, true), 7);
 * ```
 */
export const IO_URING_SQE_SIZE = 64;
/**
 * Bytes in one completion queue entry (`struct io_uring_cqe`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_CQE_SIZE, readIoUringCqe } from "./mod.ts";
 *
 * const cqes = new DataView(new ArrayBuffer(2 * IO_URING_CQE_SIZE));
 * cqes.setInt32(IO_URING_CQE_SIZE + 8, 1, true); // the second entry's res
 * assert.equal(readIoUringCqe(cqes, IO_URING_CQE_SIZE).res, 1);
 * ```
 */
export const IO_URING_CQE_SIZE = 16;

/**
 * What `io_uring_setup` reported in `struct io_uring_params`: the ring sizes,
 * the feature bits, and the byte offsets of each ring field within its
 * mapping (`sq*` in the submission ring, `cq*` in the completion ring).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_PARAMS_SIZE, type IoUringParams, readIoUringParams } from "./mod.ts";
 *
 * const raw = new Uint8Array(IO_URING_PARAMS_SIZE);
 * new DataView(raw.buffer).setUint32(4, 16, true); // cq_entries
 * const p: IoUringParams = readIoUringParams(raw);
 * assert.equal(p.cqEntries, 16);
 * ```
 */
export interface IoUringParams {
  /** Entries in the submission ring. */
  sqEntries: number;
  /** Entries in the completion ring. */
  cqEntries: number;
  /** `IORING_FEAT_*` bits. */
  features: number;
  /** Offset of the submission head (kernel-owned). */
  sqHead: number;
  /** Offset of the submission tail (ours). */
  sqTail: number;
  /** Offset of the submission ring mask. */
  sqRingMask: number;
  /** Offset of the submission index array. */
  sqArray: number;
  /** Offset of the completion head (ours). */
  cqHead: number;
  /** Offset of the completion tail (kernel-owned). */
  cqTail: number;
  /** Offset of the completion ring mask. */
  cqRingMask: number;
  /** Offset of the first CQE. */
  cqes: number;
}

/**
 * Read the ring sizes and offsets `io_uring_setup` wrote into `params`
 * (a buffer of {@linkcode IO_URING_PARAMS_SIZE} bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_PARAMS_SIZE, readIoUringParams } from "./io_uring_structs.ts";
 * const params = new Uint8Array(IO_URING_PARAMS_SIZE);
 * new DataView(params.buffer).setUint32(0, 8, true); // sq_entries
 * assert.equal(readIoUringParams(params).sqEntries, 8);
 * ```
 */
export function readIoUringParams(params: Uint8Array): IoUringParams {
  if (params.byteLength < IO_URING_PARAMS_SIZE) {
    throw new RangeError(`io_uring_params needs ${IO_URING_PARAMS_SIZE} bytes`);
  }
  const v = new DataView(params.buffer, params.byteOffset, IO_URING_PARAMS_SIZE);
  const u = (o: number): number => v.getUint32(o, true);
  const SQ = 40; // struct io_sqring_offsets
  const CQ = 80; // struct io_cqring_offsets
  return {
    sqEntries: u(0),
    cqEntries: u(4),
    features: u(20),
    sqHead: u(SQ),
    sqTail: u(SQ + 4),
    sqRingMask: u(SQ + 8),
    sqArray: u(SQ + 24),
    cqHead: u(CQ),
    cqTail: u(CQ + 4),
    cqRingMask: u(CQ + 8),
    cqes: u(CQ + 20),
  };
}

/**
 * One submission: the fields of `struct io_uring_sqe` the parker sets (the rest are zeroed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_SQE_SIZE, IORING, type IoUringSqe, writeIoUringSqe } from "./mod.ts";
 *
 * const sqe: IoUringSqe = { opcode: IORING.OP_POLL_ADD, fd: 4, opFlags: 1, userData: 9n };
 * const ring = new DataView(new ArrayBuffer(IO_URING_SQE_SIZE));
 * writeIoUringSqe(ring, 0, sqe);
 * assert.equal(ring.getBigUint64(32, true), 9n);
 * ```
 */
export interface IoUringSqe {
  /** `IORING_OP_*`. */
  opcode: number;
  /** `IOSQE_*` flags. */
  flags?: number;
  /** The fd the operation works on. */
  fd: number;
  /** Buffer address (`send`: the bytes to send). */
  addr?: bigint;
  /** Buffer length. */
  len?: number;
  /** The opcode's own flags word: `poll32_events`, `msg_flags`, … */
  opFlags?: number;
  /** Handed back in the completion. */
  userData?: bigint;
}

/**
 * Write one SQE at byte `offset` of `sqes` (the mapped SQE array), zeroing
 * the fields `sqe` leaves out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_SQE_SIZE, IORING, writeIoUringSqe } from "./io_uring_structs.ts";
 * const sqes = new DataView(new ArrayBuffer(IO_URING_SQE_SIZE));
 * writeIoUringSqe(sqes, 0, { opcode: IORING.OP_POLL_ADD, fd: 5, opFlags: 1, userData: 7n });
 * assert.equal(sqes.getUint8(0), 6);
 * assert.equal(sqes.getInt32(4, true), 5);
 * ```
 */
export function writeIoUringSqe(sqes: DataView, offset: number, sqe: IoUringSqe): void {
  for (let i = 0; i < IO_URING_SQE_SIZE; i += 8) sqes.setBigUint64(offset + i, 0n, true);
  sqes.setUint8(offset, sqe.opcode);
  sqes.setUint8(offset + 1, sqe.flags ?? 0);
  sqes.setInt32(offset + 4, sqe.fd, true);
  sqes.setBigUint64(offset + 16, sqe.addr ?? 0n, true);
  sqes.setUint32(offset + 24, sqe.len ?? 0, true);
  sqes.setUint32(offset + 28, (sqe.opFlags ?? 0) >>> 0, true);
  sqes.setBigUint64(offset + 32, sqe.userData ?? 0n, true);
}

/**
 * One completion: `user_data`, and `res` (a result, or -errno).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_CQE_SIZE, type IoUringCqe, readIoUringCqe } from "./mod.ts";
 *
 * const ring = new DataView(new ArrayBuffer(IO_URING_CQE_SIZE));
 * ring.setBigUint64(0, 2n, true);
 * const cqe: IoUringCqe = readIoUringCqe(ring, 0);
 * assert.deepEqual(cqe, { userData: 2n, res: 0 });
 * ```
 */
export interface IoUringCqe {
  /** The submission's `userData`. */
  userData: bigint;
  /** The result: ≥ 0, or a negated errno. */
  res: number;
}

/**
 * Read the CQE at byte `offset` of the completion ring.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IO_URING_CQE_SIZE, readIoUringCqe } from "./io_uring_structs.ts";
 * const ring = new DataView(new ArrayBuffer(IO_URING_CQE_SIZE));
 * ring.setBigUint64(0, 7n, true);
 * ring.setInt32(8, -125, true);
 * assert.equal(readIoUringCqe(ring, 0).res, -125);
 * ```
 */
export function readIoUringCqe(ring: DataView, offset: number): IoUringCqe {
  return { userData: ring.getBigUint64(offset, true), res: ring.getInt32(offset + 8, true) };
}
