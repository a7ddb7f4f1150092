import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  IO_URING_CQE_SIZE,
  IO_URING_PARAMS_SIZE,
  IO_URING_SQE_SIZE,
  IORING,
  readIoUringCqe,
  readIoUringParams,
  writeIoUringSqe,
} from "../../../reactor/ffi/io_uring_structs.ts";

// struct io_uring_params / io_uring_sqe / io_uring_cqe, as <linux/io_uring.h>
// lays them out (one layout for every architecture): the field offsets below
// are the kernel's, not read back from our own writer.
describe("io_uring structs (Linux ABI; exercised for real by the iouring parker on Deno)", () => {
  it("reads ring sizes and offsets from struct io_uring_params (sq_off at 40, cq_off at 80)", () => {
    const raw = new Uint8Array(IO_URING_PARAMS_SIZE);
    const v = new DataView(raw.buffer);
    const put = (off: number, x: number): void => v.setUint32(off, x, true);
    put(0, 4); // sq_entries
    put(4, 8); // cq_entries
    put(20, 0x3fff); // features
    [0, 64, 128, 256, 260, 264, 576].forEach((x, i) => put(40 + 4 * i, x)); // head..array
    [128, 192, 320, 324, 332, 384].forEach((x, i) => put(80 + 4 * i, x)); // head..cqes
    assert.deepEqual(readIoUringParams(raw), {
      sqEntries: 4,
      cqEntries: 8,
      features: 0x3fff,
      sqHead: 0,
      sqTail: 64,
      sqRingMask: 128,
      sqArray: 576,
      cqHead: 128,
      cqTail: 192,
      cqRingMask: 320,
      cqes: 384,
    });
    assert.equal(IO_URING_PARAMS_SIZE, 120);
    assert.throws(() => readIoUringParams(new Uint8Array(64)), /needs 120 bytes/);
  });

  it("writes a 64-byte SQE with each field where the kernel reads it, zeroing the rest", () => {
    assert.equal(IO_URING_SQE_SIZE, 64);
    const v = new DataView(new ArrayBuffer(2 * IO_URING_SQE_SIZE));
    for (let i = 0; i < v.byteLength; i++) v.setUint8(i, 0xee);
    writeIoUringSqe(v, IO_URING_SQE_SIZE, {
      opcode: IORING.OP_SEND,
      flags: IORING.SQE_IO_HARDLINK,
      fd: 9,
      addr: 0x1122334455667788n,
      len: 3,
      opFlags: 0x4000,
      userData: 0xabcdefn,
    });
    const b = IO_URING_SQE_SIZE;
    assert.equal(v.getUint8(0), 0xee, "the SQE before is untouched");
    assert.equal(v.getUint8(b + 0), 26); // opcode
    assert.equal(v.getUint8(b + 1), 8); // flags
    assert.equal(v.getUint16(b + 2, true), 0); // ioprio
    assert.equal(v.getInt32(b + 4, true), 9); // fd
    assert.equal(v.getBigUint64(b + 8, true), 0n); // off
    assert.equal(v.getBigUint64(b + 16, true), 0x1122334455667788n); // addr
    assert.equal(v.getUint32(b + 24, true), 3); // len
    assert.equal(v.getUint32(b + 28, true), 0x4000); // msg_flags / poll32_events
    assert.equal(v.getBigUint64(b + 32, true), 0xabcdefn); // user_data
    for (let i = 40; i < 64; i++) assert.equal(v.getUint8(b + i), 0, `byte ${i} zeroed`);
    assert.deepEqual(
      [IORING.OP_POLL_ADD, IORING.SQE_IO_LINK, IORING.OFF_CQ_RING, IORING.OFF_SQES],
      [6, 4, 0x8000000, 0x10000000],
    );
  });

  it("reads a 16-byte CQE: user_data, then res (a negated errno on failure)", () => {
    assert.equal(IO_URING_CQE_SIZE, 16);
    const v = new DataView(new ArrayBuffer(3 * IO_URING_CQE_SIZE));
    v.setBigUint64(16, 2n, true);
    v.setInt32(24, -125, true); // -ECANCELED
    assert.deepEqual(readIoUringCqe(v, 16), { userData: 2n, res: -125 });
  });
});
