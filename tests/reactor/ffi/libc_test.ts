import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  constants as C,
  decodeSockaddr,
  encodeSockaddr,
  encodeSockaddrUn,
  errno,
  errnoName,
  ffiAvailable,
  libc,
  monotonicSeconds,
  POLLFD_SIZE,
} from "../../../reactor/ffi/mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Block (bounded) until `fd` has `events`; fine in a test, never in the reactor. */
function waitFor(fd: number, events: number, timeoutMs = 2000): number {
  const pfd = new Uint8Array(POLLFD_SIZE);
  const dv = new DataView(pfd.buffer);
  dv.setInt32(0, fd, true);
  dv.setInt16(4, events, true);
  const n = libc().poll(pfd, 1, timeoutMs);
  assert.equal(n, 1, `fd ${fd} not ready for ${events} within ${timeoutMs} ms`);
  return dv.getInt16(6, true);
}

function check(rc: number, what: string): number {
  if (rc < 0) assert.fail(`${what} failed: ${errnoName(libc().errno())}`);
  return rc;
}

function echoOnce(family: number, server: Uint8Array, client?: (port: number) => Uint8Array): void {
  const L = libc();
  const flags = C.SOCK_STREAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC;
  const lfd = check(L.socket(family, flags, 0), "socket");
  const fds: number[] = [lfd];
  try {
    if (family !== C.AF_UNIX) {
      const one = new Uint8Array(new Int32Array([1]).buffer);
      check(L.setsockopt(lfd, C.SOL_SOCKET, C.SO_REUSEADDR, one, 4), "setsockopt");
    }
    check(L.bind(lfd, server, server.length), "bind");
    check(L.listen(lfd, 16), "listen");
    const name = new Uint8Array(128);
    const nameLen = new Uint32Array([128]);
    check(L.getsockname(lfd, name, nameLen), "getsockname");
    const bound = decodeSockaddr(name, nameLen[0]);
    const target = bound.family === "UNIX" ? server : client!(bound.port);

    const cfd = check(L.socket(family, flags, 0), "socket");
    fds.push(cfd);
    const rc = L.connect(cfd, target, target.length);
    if (rc < 0) assert.equal(L.errno(), errno.EINPROGRESS);
    waitFor(lfd, C.POLLIN);
    const peer = new Uint8Array(128);
    const peerLen = new Uint32Array([128]);
    const sfd = check(L.accept4(lfd, peer, peerLen, C.SOCK_NONBLOCK | C.SOCK_CLOEXEC), "accept4");
    fds.push(sfd);
    assert.ok((L.fcntl(sfd, C.F_GETFL, 0) & C.O_NONBLOCK) !== 0, "accept4 honoured SOCK_NONBLOCK");
    waitFor(cfd, C.POLLOUT);
    const err = new Uint8Array(4);
    check(L.getsockopt(cfd, C.SOL_SOCKET, C.SO_ERROR, err, new Uint32Array([4])), "getsockopt");
    assert.equal(new Int32Array(err.buffer)[0], 0, "connect completed without error");

    // Nothing to read yet: recv fails with EAGAIN.
    const buf = new Uint8Array(64);
    assert.equal(L.recv(sfd, buf, buf.length, 0), -1);
    assert.equal(L.errno(), errno.EAGAIN);

    const msg = enc.encode("hello, skein");
    assert.equal(L.send(cfd, msg, msg.length, C.MSG_NOSIGNAL), msg.length);
    waitFor(sfd, C.POLLIN);
    const n = L.recv(sfd, buf, buf.length, 0);
    assert.equal(dec.decode(buf.subarray(0, n)), "hello, skein");
    assert.equal(L.send(sfd, buf, n, C.MSG_NOSIGNAL), n);
    waitFor(cfd, C.POLLIN);
    const back = new Uint8Array(64);
    assert.equal(dec.decode(back.subarray(0, L.recv(cfd, back, 64, 0))), "hello, skein");

    // Half-close: the peer reads EOF (0).
    check(L.shutdown(cfd, C.SHUT_WR), "shutdown");
    waitFor(sfd, C.POLLIN);
    assert.equal(L.recv(sfd, buf, buf.length, 0), 0);
  } finally {
    for (const fd of fds) L.close(fd);
  }
}

describe("libc() raw FFI sockets over loopback", () => {
  it("is available here (Deno -A, Bun)", () => {
    assert.equal(ffiAvailable(), true);
    assert.equal(libc(), libc(), "a singleton");
    assert.equal(libc().getpid(), process.pid);
  });

  it("echoes over TCP/IPv4 (socket, bind, listen, accept4, connect, recv, send)", () => {
    echoOnce(C.AF_INET, encodeSockaddr("127.0.0.1", 0), (p) => encodeSockaddr("127.0.0.1", p));
  });

  it("echoes over TCP/IPv6 on ::1", () => {
    echoOnce(C.AF_INET6, encodeSockaddr("::1", 0), (p) => encodeSockaddr("::1", p));
  });

  it("echoes over a Unix socket, and unlink removes the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "skein-ffi-"));
    try {
      const path = join(dir, "s.sock");
      echoOnce(C.AF_UNIX, encodeSockaddrUn(path));
      assert.equal(libc().unlink(path), 0);
      assert.equal(libc().unlink(path), -1);
      assert.equal(libc().errno(), errno.ENOENT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports ECONNREFUSED from a non-blocking connect through SO_ERROR", () => {
    const L = libc();
    // Find a closed port: bind, read the port, close.
    const probe = check(L.socket(C.AF_INET, C.SOCK_STREAM, 0), "socket");
    const any = encodeSockaddr("127.0.0.1", 0);
    check(L.bind(probe, any, any.length), "bind");
    const name = new Uint8Array(128);
    const len = new Uint32Array([128]);
    L.getsockname(probe, name, len);
    const port = (decodeSockaddr(name, len[0]) as { port: number; }).port;
    L.close(probe);
    const fd = check(L.socket(C.AF_INET, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0), "socket");
    try {
      const sa = encodeSockaddr("127.0.0.1", port);
      const rc = L.connect(fd, sa, sa.length);
      if (rc < 0 && L.errno() === errno.EINPROGRESS) {
        waitFor(fd, C.POLLOUT);
        const err = new Int32Array(1);
        L.getsockopt(
          fd,
          C.SOL_SOCKET,
          C.SO_ERROR,
          new Uint8Array(err.buffer),
          new Uint32Array([4]),
        );
        assert.equal(err[0], errno.ECONNREFUSED);
      } else {
        assert.equal(rc, -1);
        assert.equal(L.errno(), errno.ECONNREFUSED);
      }
    } finally {
      L.close(fd);
    }
  });

  it("uses the kernel's socket option numbers (set, then read back)", () => {
    const L = libc();
    const getInt = (fd: number, level: number, name: number): number => {
      const v = new Int32Array(1);
      const len = new Uint32Array([4]);
      check(L.getsockopt(fd, level, name, new Uint8Array(v.buffer), len), `getsockopt ${name}`);
      assert.equal(len[0], 4);
      return v[0];
    };
    const setInt = (fd: number, level: number, name: number, value: number): void => {
      const v = new Uint8Array(new Int32Array([value]).buffer);
      check(L.setsockopt(fd, level, name, v, 4), `setsockopt ${name}`);
    };
    const tcp = check(L.socket(C.AF_INET6, C.SOCK_STREAM, 0), "socket");
    const udp = check(L.socket(C.AF_INET, C.SOCK_DGRAM, 0), "socket");
    try {
      assert.equal(getInt(tcp, C.SOL_SOCKET, C.SO_TYPE), C.SOCK_STREAM);
      assert.equal(getInt(udp, C.SOL_SOCKET, C.SO_TYPE), C.SOCK_DGRAM);
      for (
        const [level, name] of [
          [C.SOL_SOCKET, C.SO_REUSEADDR],
          [C.SOL_SOCKET, C.SO_REUSEPORT],
          [C.SOL_SOCKET, C.SO_KEEPALIVE],
          [C.IPPROTO_TCP, C.TCP_NODELAY],
          [C.IPPROTO_IPV6, C.IPV6_V6ONLY],
        ]
      ) {
        setInt(tcp, level, name, 1);
        assert.notEqual(getInt(tcp, level, name), 0, `option ${level}/${name}`);
        setInt(tcp, level, name, 0);
        assert.equal(getInt(tcp, level, name), 0, `option ${level}/${name}`);
      }
      setInt(udp, C.SOL_SOCKET, C.SO_BROADCAST, 1);
      assert.equal(getInt(udp, C.SOL_SOCKET, C.SO_BROADCAST), 1);
      setInt(udp, C.IPPROTO_IP, C.IP_MULTICAST_TTL, 7);
      assert.equal(getInt(udp, C.IPPROTO_IP, C.IP_MULTICAST_TTL), 7);
      setInt(udp, C.IPPROTO_IP, C.IP_MULTICAST_LOOP, 0);
      assert.equal(getInt(udp, C.IPPROTO_IP, C.IP_MULTICAST_LOOP), 0);
      assert.ok(getInt(udp, C.SOL_SOCKET, C.SO_RCVBUF) > 0);
      assert.ok(getInt(udp, C.SOL_SOCKET, C.SO_SNDBUF) > 0);
      assert.equal(getInt(udp, C.SOL_SOCKET, C.SO_ERROR), 0);
    } finally {
      L.close(tcp);
      L.close(udp);
    }
  });

  it("reads errno right after a failing call (EBADF)", () => {
    assert.equal(libc().close(-1), -1);
    assert.equal(errnoName(libc().errno()), "EBADF");
  });

  it("makes non-blocking pipes and socketpairs; writev gathers and readv scatters through iovecs", () => {
    const L = libc();
    const p = new Int32Array(2);
    check(L.pipe2(p, C.O_NONBLOCK | C.O_CLOEXEC), "pipe2");
    try {
      const buf = new Uint8Array(8);
      assert.equal(L.read(p[0], buf, 8), -1);
      assert.equal(L.errno(), errno.EAGAIN);
      const a = enc.encode("ab");
      const b = enc.encode("cde");
      const iov = new Uint8Array(32);
      const v = new DataView(iov.buffer);
      v.setBigUint64(0, L.address(a), true);
      v.setBigUint64(8, BigInt(a.length), true);
      v.setBigUint64(16, L.address(b), true);
      v.setBigUint64(24, BigInt(b.length), true);
      assert.equal(L.writev(p[1], iov, 2), 5);
      assert.equal(dec.decode(buf.subarray(0, L.read(p[0], buf, 8))), "abcde");
      // readv scatters into several buffers.
      assert.equal(L.write(p[1], enc.encode("hello"), 5), 5);
      const h1 = new Uint8Array(2);
      const h2 = new Uint8Array(8);
      v.setBigUint64(0, L.address(h1), true);
      v.setBigUint64(8, BigInt(h1.length), true);
      v.setBigUint64(16, L.address(h2), true);
      v.setBigUint64(24, BigInt(h2.length), true);
      assert.equal(L.readv(p[0], iov, 2), 5);
      assert.equal(dec.decode(h1) + dec.decode(h2.subarray(0, 3)), "hello");
      // Views with a byteOffset pass their own first byte (transports write subarrays).
      const digits = enc.encode("0123456789");
      assert.equal(L.write(p[1], digits.subarray(4), 3), 3);
      const into = new Uint8Array(10);
      assert.equal(L.read(p[0], into.subarray(5), 5), 3);
      assert.equal(dec.decode(into.subarray(5, 8)), "456");
      assert.equal(into[4], 0);
      assert.equal(L.write(p[1], new Uint8Array(0), 0), 0);
    } finally {
      L.close(p[0]);
      L.close(p[1]);
    }
    const s = new Int32Array(2);
    check(L.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_NONBLOCK, 0, s), "socketpair");
    try {
      assert.equal(L.write(s[0], enc.encode("x"), 1), 1);
      const one = new Uint8Array(1);
      assert.equal(L.read(s[1], one, 1), 1);
      assert.equal(L.read(s[1], one, 1), -1);
      assert.equal(L.errno(), errno.EAGAIN);
    } finally {
      L.close(s[0]);
      L.close(s[1]);
    }
  });

  it("sends and receives datagrams with sendto/recvfrom", () => {
    const L = libc();
    const a = check(L.socket(C.AF_INET6, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0), "socket");
    const b = check(L.socket(C.AF_INET6, C.SOCK_DGRAM | C.SOCK_NONBLOCK, 0), "socket");
    try {
      const any = encodeSockaddr("::1", 0);
      check(L.bind(b, any, any.length), "bind");
      const name = new Uint8Array(128);
      const len = new Uint32Array([128]);
      L.getsockname(b, name, len);
      const to = encodeSockaddr("::1", (decodeSockaddr(name, len[0]) as { port: number; }).port);
      const msg = enc.encode("dgram");
      assert.equal(L.sendto(a, msg, msg.length, 0, to, to.length), 5);
      waitFor(b, C.POLLIN);
      const buf = new Uint8Array(64);
      const from = new Uint8Array(128);
      const fromLen = new Uint32Array([128]);
      const n = L.recvfrom(b, buf, 64, 0, from, fromLen);
      assert.equal(dec.decode(buf.subarray(0, n)), "dgram");
      const src = decodeSockaddr(from, fromLen[0]);
      assert.equal(src.family, "INET6");
      assert.equal((src as { host: string; }).host, "::1");
    } finally {
      L.close(a);
      L.close(b);
    }
  });

  it("monotonicSeconds never goes back and tracks real time", async () => {
    const t0 = monotonicSeconds();
    let prev = t0;
    for (let i = 0; i < 10000; i++) {
      const t = monotonicSeconds();
      assert.ok(t >= prev);
      prev = t;
    }
    await new Promise((r) => setTimeout(r, 50));
    const dt = monotonicSeconds() - t0;
    assert.ok(dt >= 0.045 && dt < 5, `elapsed ${dt}`);
  });
});
