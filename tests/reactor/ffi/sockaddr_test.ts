import assert from "node:assert/strict";
import { isIP } from "node:net";
import { describe, it } from "node:test";
import { InvalidAddressError } from "../../../reactor/errors.ts";
import {
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  formatIPv6,
  isIPv4Address,
  isIPv6Address,
  parseIPv6,
  sunPathSize,
} from "../../../reactor/ffi/sockaddr.ts";
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
