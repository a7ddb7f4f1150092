import assert from "node:assert/strict";
import { isIP } from "node:net";
import { describe, it } from "node:test";
import { FileDescriptorOverrun, InvalidAddressError } from "../../../reactor/errors.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  epollEventLayout,
  FD_SET_BYTES,
  fdSetAdd,
  fdSetDelete,
  fdSetHas,
  formatIPv6,
  IO_URING_CQE_SIZE,
  IO_URING_PARAMS_SIZE,
  IO_URING_SQE_SIZE,
  IORING,
  isIPv4Address,
  isIPv6Address,
  keventSize,
  parseIPv6,
  readIoUringCqe,
  readIoUringParams,
  readKevent,
  readTimespec,
  sunPathSize,
  writeEpollEvent,
  writeIoUringSqe,
  writeKevent,
  writeTimespec,
  writeTimeval,
} from "../../../reactor/ffi/structs.ts";

function v6(text: string): string {
  const b = new Uint8Array(16);
  assert.ok(parseIPv6(text, b, 0), `parse ${text}`);
  return formatIPv6(b, 0);
}

describe("sockaddr_in / sockaddr_in6", () => {
  it("round-trips IPv4 with the port in network order and the family LE (Linux)", () => {
    const sa = encodeSockaddr("192.168.1.20", 0x1f90, { os: "linux" });
    assert.equal(sa.length, 16);
    assert.deepEqual([...sa.subarray(0, 8)], [2, 0, 0x1f, 0x90, 192, 168, 1, 20]);
    assert.deepEqual(decodeSockaddr(sa, sa.length, "linux"), {
      family: "INET",
      host: "192.168.1.20",
      port: 8080,
      flowInfo: 0,
      scopeID: 0,
    });
  });

  it("lays out sin_len + sin_family bytes on macOS and FreeBSD", () => {
    const d = encodeSockaddr("10.0.0.1", 80, { os: "darwin" });
    assert.deepEqual([...d.subarray(0, 4)], [16, 2, 0, 80]);
    const f6 = encodeSockaddr("::1", 80, { os: "freebsd" });
    assert.deepEqual([...f6.subarray(0, 2)], [28, 28]);
    const m6 = encodeSockaddr("::1", 80, { os: "darwin" });
    assert.deepEqual([...m6.subarray(0, 2)], [28, 30]);
    assert.equal((decodeSockaddr(m6, 28, "darwin") as { host: string; }).host, "::1");
  });

  it("round-trips IPv6 ::1, flow info and scope ids", () => {
    const sa = encodeSockaddr("::1", 443, { os: "linux", flowInfo: 0x12345 });
    assert.equal(sa.length, 28);
    assert.equal(sa[0], 10);
    assert.equal(sa[23], 1);
    assert.deepEqual(decodeSockaddr(sa, 28, "linux"), {
      family: "INET6",
      host: "::1",
      port: 443,
      flowInfo: 0x12345,
      scopeID: 0,
    });
    const scoped = encodeSockaddr("fe80::1%3", 9, { os: "linux" });
    assert.deepEqual(decodeSockaddr(scoped, 28, "linux"), {
      family: "INET6",
      host: "fe80::1",
      port: 9,
      flowInfo: 0,
      scopeID: 3,
    });
    const lo = encodeSockaddr("fe80::1%lo", 9, { os: "linux" });
    assert.equal(
      (decodeSockaddr(lo, 28, "linux") as { scopeID: number; }).scopeID,
      1,
      "lo is interface 1",
    );
    const high = encodeSockaddr("fe80::1", 9, {
      os: "darwin",
      scopeID: 0x80000001,
      flowInfo: 0xfffff,
    });
    const hd = decodeSockaddr(high, 28, "darwin") as { scopeID: number; flowInfo: number; };
    assert.equal(hd.scopeID, 0x80000001, "unsigned 32-bit scope id");
    assert.equal(hd.flowInfo, 0xfffff);
    const explicit = encodeSockaddr("fe80::1", 9, { os: "linux", scopeID: 7 });
    assert.equal((decodeSockaddr(explicit, 28, "linux") as { scopeID: number; }).scopeID, 7);
  });

  it("keeps ::ffff:1.2.3.4 in mixed notation", () => {
    const sa = encodeSockaddr("::ffff:1.2.3.4", 1, { os: "linux" });
    assert.deepEqual([...sa.subarray(8 + 10, 8 + 16)], [0xff, 0xff, 1, 2, 3, 4]);
    assert.equal((decodeSockaddr(sa, 28, "linux") as { host: string; }).host, "::ffff:1.2.3.4");
  });

  it("writes into a caller's buffer and returns an exact-length view", () => {
    const out = new Uint8Array(128);
    const a = encodeSockaddr("127.0.0.1", 1, { out });
    assert.equal(a.buffer, out.buffer);
    assert.equal(a.length, 16);
    const b = encodeSockaddr("::", 2, { out });
    assert.equal(b.length, 28);
  });

  it("rejects names, bad ports and malformed addresses with InvalidAddressError", () => {
    for (
      const bad of [
        "localhost",
        "1.2.3",
        "1.2.3.256",
        "01.2.3.4",
        "1::2::3",
        ":::",
        "fe80::1%no-such-if0",
        "fe80::1%",
        "",
      ]
    ) {
      assert.throws(() => encodeSockaddr(bad, 80), InvalidAddressError, bad);
    }
    assert.throws(() => encodeSockaddr("127.0.0.1", 65536), InvalidAddressError);
    assert.throws(() => encodeSockaddr("127.0.0.1", 1.5), InvalidAddressError);
    assert.throws(
      () => decodeSockaddr(new Uint8Array([99, 0, 0, 0]), 4, "linux"),
      InvalidAddressError,
    );
  });
});

describe("IPv6 text", () => {
  it("formats in RFC 5952 canonical form", () => {
    const cases: [string, string][] = [
      ["::", "::"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // the longest run wins
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of equal runs
      ["fe80::0001", "fe80::1"],
      ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
      ["::ffff:10.1.2.3", "::ffff:10.1.2.3"],
      ["::ffff:a01:203", "::ffff:10.1.2.3"],
      ["64:ff9b::1.2.3.4", "64:ff9b::102:304"],
      ["1:0:0:0:0:0:0:0", "1::"],
    ];
    for (const [input, want] of cases) assert.equal(v6(input), want, input);
  });

  it("classifies addresses", () => {
    assert.ok(isIPv4Address("0.0.0.0"));
    assert.ok(!isIPv4Address("::1"));
    assert.ok(isIPv6Address("::1"));
    assert.ok(isIPv6Address("fe80::1%12"));
    assert.ok(!isIPv6Address("fe80::1%"));
    assert.ok(!isIPv6Address("1:2:3:4:5:6:7:8:9"));
    assert.ok(!isIPv6Address("12345::"));
    assert.ok(!isIPv6Address("::1.2.3.4.5"));
  });
});

describe("IPv4/IPv6 parsing agrees with node:net isIP (deterministic differential fuzz)", () => {
  it("classifies 30 000 generated strings as isIP does, and round-trips every IPv6 through formatIPv6", () => {
    const alpha = "0123456789abcdefABCDEF::::...x%";
    const pieces = [
      "::",
      ":",
      "0",
      "1",
      "ff",
      "ffff",
      "12345",
      "1.2.3.4",
      "255.255.255.255",
      "256.1.1.1",
      "01.2.3.4",
      ".",
      "a",
      "0:0",
      "::ffff:",
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let v4 = 0;
    let v6 = 0;
    for (let k = 0; k < 30000; k++) {
      let text = "";
      const n = 1 + rnd(8);
      for (let i = 0; i < n; i++) {
        text += rnd(3) === 0
          ? alpha[rnd(alpha.length)]
          : pieces[rnd(pieces.length)];
      }
      if (text.includes("%")) continue; // zones are covered by the cases above
      const ref = isIP(text);
      assert.equal(isIPv4Address(text), ref === 4, JSON.stringify(text));
      assert.equal(isIPv6Address(text), ref === 6, JSON.stringify(text));
      if (ref === 4) v4++;
      if (ref === 6) {
        v6++;
        const a = new Uint8Array(16);
        const b = new Uint8Array(16);
        assert.ok(parseIPv6(text, a, 0));
        assert.ok(parseIPv6(formatIPv6(a, 0), b, 0), text);
        assert.deepEqual(b, a, text);
      }
    }
    assert.ok(v4 > 100 && v6 > 100, `the generator reached both families (${v4} v4, ${v6} v6)`);
  });
});

describe("sockaddr_un", () => {
  it("round-trips a path with its NUL", () => {
    const sa = encodeSockaddrUn("/tmp/skein.sock", "linux");
    assert.equal(sa.length, 2 + 15 + 1);
    assert.equal(sa[0], 1);
    assert.equal(sa[sa.length - 1], 0);
    assert.deepEqual(decodeSockaddr(sa, sa.length, "linux"), {
      family: "UNIX",
      path: "/tmp/skein.sock",
    });
  });

  it("decodes a kernel-sized struct with trailing NULs, and unnamed sockets", () => {
    const buf = new Uint8Array(110);
    buf.set(encodeSockaddrUn("/x", "linux"));
    assert.deepEqual(decodeSockaddr(buf, 110, "linux"), { family: "UNIX", path: "/x" });
    assert.deepEqual(decodeSockaddr(buf, 2, "linux"), { family: "UNIX", path: "" });
  });

  it("supports Linux abstract names and UTF-8 paths", () => {
    const sa = encodeSockaddrUn("\0skein-abstract", "linux");
    assert.equal(sa.length, 2 + 15);
    assert.deepEqual(decodeSockaddr(sa, sa.length, "linux"), {
      family: "UNIX",
      path: "\0skein-abstract",
    });
    assert.throws(() => encodeSockaddrUn("\0x", "darwin"), InvalidAddressError);
    const u = encodeSockaddrUn("/tmp/é", "linux");
    assert.equal((decodeSockaddr(u, u.length, "linux") as { path: string; }).path, "/tmp/é");
  });

  it("uses sun_len on BSD and enforces the path limit", () => {
    const sa = encodeSockaddrUn("/a", "darwin");
    assert.deepEqual([...sa], [5, 1, 47, 97, 0]);
    assert.equal(sunPathSize("linux"), 108);
    encodeSockaddrUn("/" + "a".repeat(106), "linux");
    assert.throws(() => encodeSockaddrUn("/" + "a".repeat(107), "linux"), InvalidAddressError);
    assert.throws(() => encodeSockaddrUn("/" + "a".repeat(103), "darwin"), InvalidAddressError);
  });
});

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
