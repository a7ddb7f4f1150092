import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConnectError,
  ConnectionLost,
  ConnectionRefusedError,
  NoRouteError,
  SystemCallError,
  TCPTimedOutError,
} from "../../../reactor/errors.ts";
import {
  errno,
  errnoName,
  errnoNumber,
  errnoTable,
  errorFromErrno,
} from "../../../reactor/ffi/errno.ts";

describe("errno tables", () => {
  it("know the numbers of each OS", () => {
    assert.equal(errnoTable("linux").EAGAIN, 11);
    assert.equal(errnoTable("darwin").EAGAIN, 35);
    assert.equal(errnoTable("freebsd").EAGAIN, 35);
    assert.equal(errnoTable("linux").ECONNREFUSED, 111);
    assert.equal(errnoTable("darwin").ECONNREFUSED, 61);
    assert.equal(errnoTable("linux").EINPROGRESS, 115);
    assert.equal(errnoTable("darwin").EINPROGRESS, 36);
    assert.equal(errnoTable("darwin").EOPNOTSUPP, 102);
    assert.equal(errnoTable("freebsd").EOPNOTSUPP, 45);
    assert.equal(errnoTable("darwin").ECANCELED, 89);
    assert.equal(errnoTable("freebsd").ECANCELED, 85);
  });

  it("map numbers to names and back, per OS", () => {
    assert.equal(errnoName(104, "linux"), "ECONNRESET");
    assert.equal(errnoName(54, "darwin"), "ECONNRESET");
    assert.equal(errnoName(45, "freebsd"), "EOPNOTSUPP");
    assert.equal(errnoName(45, "darwin"), "ENOTSUP");
    assert.equal(errnoName(123456, "linux"), "E123456");
    assert.equal(errnoNumber("EADDRINUSE", "linux"), 98);
    assert.equal(errnoNumber("EADDRINUSE", "freebsd"), 48);
    assert.equal(errnoNumber("ENOPE", "linux"), undefined);
    assert.equal(errnoNumber("toString", "linux"), undefined);
    for (const os of ["linux", "darwin", "freebsd"] as const) {
      for (const [name, n] of Object.entries(errnoTable(os))) {
        assert.equal(errnoTable(os)[errnoName(n, os)], n, `${os} ${name}`);
      }
    }
  });

  it("exposes the host's common errno numbers", () => {
    assert.equal(errno.EAGAIN, errnoNumber("EAGAIN"));
    assert.equal(errno.EINPROGRESS, errnoNumber("EINPROGRESS"));
  });
});

describe("errorFromErrno (Twisted's error.getConnectError classification)", () => {
  const n = (name: string): number => errnoNumber(name, "linux")!;

  it("ECONNREFUSED → ConnectionRefusedError with errno and a SystemCallError cause", () => {
    const e = errorFromErrno(n("ECONNREFUSED"), "connect", "linux");
    assert.ok(e instanceof ConnectionRefusedError);
    assert.ok(e instanceof ConnectError);
    assert.equal((e as ConnectError).errno, 111);
    assert.ok(e.cause instanceof SystemCallError);
    assert.equal((e.cause as SystemCallError).syscall, "connect");
    assert.equal(
      e.message,
      "Connection was refused by other side: connect: Connection refused (ECONNREFUSED)",
    );
  });

  it("ETIMEDOUT → TCPTimedOutError; EHOSTUNREACH and ENETUNREACH → NoRouteError", () => {
    assert.ok(errorFromErrno(n("ETIMEDOUT"), "connect", "linux") instanceof TCPTimedOutError);
    assert.ok(errorFromErrno(n("EHOSTUNREACH"), "connect", "linux") instanceof NoRouteError);
    assert.ok(errorFromErrno(n("ENETUNREACH"), "connect", "linux") instanceof NoRouteError);
    assert.ok(errorFromErrno(65, "connect", "darwin") instanceof NoRouteError);
  });

  it("ECONNRESET, EPIPE and ECONNABORTED → ConnectionLost caused by the SystemCallError", () => {
    for (const name of ["ECONNRESET", "EPIPE", "ECONNABORTED"]) {
      const e = errorFromErrno(n(name), "recv", "linux");
      assert.ok(e instanceof ConnectionLost, name);
      assert.ok(e.cause instanceof SystemCallError);
      assert.equal((e.cause as SystemCallError).code, name);
    }
  });

  it("anything else → SystemCallError naming the errno and the call", () => {
    const e = errorFromErrno(n("EADDRINUSE"), "bind", "linux");
    assert.ok(e instanceof SystemCallError);
    assert.equal((e as SystemCallError).code, "EADDRINUSE");
    assert.equal((e as SystemCallError).errno, 98);
    assert.equal(e.message, "bind: Address already in use (EADDRINUSE)");
    const u = errorFromErrno(4242, "ioctl", "linux") as SystemCallError;
    assert.equal(u.code, "E4242");
    assert.equal(u.message, "ioctl: Unknown error 4242 (E4242)");
  });
});
