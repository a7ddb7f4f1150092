import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FileDescriptorOverrun } from "../../../reactor/errors.ts";
import {
  epollEventLayout,
  FD_SET_BYTES,
  fdSetAdd,
  fdSetDelete,
  fdSetHas,
  keventSize,
  readKevent,
  readTimespec,
  writeEpollEvent,
  writeKevent,
  writeTimespec,
  writeTimeval,
} from "../../../reactor/ffi/poller_structs.ts";

describe("epoll_event, fd_set, kevent, timespec", () => {
  it("packs epoll_event at 12 bytes on x86-64 and 16 on aarch64", () => {
    const x = new Uint8Array(24);
    writeEpollEvent(x, 1, 0x80000005, 42, "x86_64");
    const xv = new DataView(x.buffer);
    assert.equal(xv.getUint32(12, true), 0x80000005);
    assert.equal(xv.getInt32(16, true), 42);
    assert.deepEqual(epollEventLayout("x86_64"), { size: 12, dataOffset: 4 });
    const a = new Uint8Array(32);
    writeEpollEvent(a, 1, 1, 42, "aarch64");
    const av = new DataView(a.buffer);
    assert.equal(av.getUint32(16, true), 1);
    assert.equal(av.getInt32(24, true), 42);
  });

  it("sets, tests and clears fd_set bits and refuses fds at or above FD_SETSIZE", () => {
    const set = new Uint8Array(FD_SET_BYTES);
    fdSetAdd(set, 0);
    fdSetAdd(set, 65);
    fdSetAdd(set, 1023);
    assert.equal(set[0], 1);
    assert.equal(set[8], 2);
    assert.equal(set[127], 0x80);
    assert.ok(fdSetHas(set, 65) && !fdSetHas(set, 64));
    fdSetDelete(set, 65);
    assert.ok(!fdSetHas(set, 65));
    assert.throws(() => fdSetAdd(set, 1024), FileDescriptorOverrun);
    assert.throws(() => fdSetAdd(set, -1), FileDescriptorOverrun);
    assert.ok(!fdSetHas(set, 5000));
  });

  it("packs struct kevent for macOS (32 B) and FreeBSD (64 B)", () => {
    for (const os of ["darwin", "freebsd"] as const) {
      const size = keventSize(os);
      const b = new Uint8Array(size * 2).fill(0xaa);
      const ev = { ident: 17, filter: -2, flags: 0x1 | 0x20, fflags: 0, data: -5, udata: 99 };
      writeKevent(b, 1, ev, os);
      const v = new DataView(b.buffer);
      assert.equal(v.getBigUint64(size, true), 17n);
      assert.equal(v.getInt16(size + 8, true), -2);
      assert.equal(v.getUint16(size + 10, true), 0x21);
      assert.equal(v.getBigInt64(size + 16, true), -5n);
      assert.equal(v.getBigUint64(size + 24, true), 99n);
      if (os === "freebsd") assert.ok(b.subarray(size + 32, size + 64).every((x) => x === 0));
      assert.deepEqual(readKevent(b, 1, os), ev);
      assert.equal(b[0], 0xaa, "index 0 untouched");
    }
  });

  it("writes timespec and timeval", () => {
    const ts = new Uint8Array(16);
    writeTimespec(ts, 1500.25);
    const v = new DataView(ts.buffer);
    assert.equal(v.getBigInt64(0, true), 1n);
    assert.equal(v.getBigInt64(8, true), 500250000n);
    assert.ok(Math.abs(readTimespec(ts) - 1.50025) < 1e-12);
    const tv = new Uint8Array(16);
    writeTimeval(tv, 2001, "linux");
    assert.equal(new DataView(tv.buffer).getBigInt64(8, true), 1000n);
    writeTimeval(tv, 2001, "darwin");
    assert.equal(new DataView(tv.buffer).getInt32(8, true), 1000);
  });
});
