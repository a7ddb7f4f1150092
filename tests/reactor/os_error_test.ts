/**
 * One wording for an OS error (reactor/_os_error.ts): `strerror` text plus
 * the errno name, `connect: No such file or directory (ENOENT)`, on the FFI
 * reactor and on the host reactor alike. Twisted words its connect errors
 * with the OS's text (`error.getConnectError` keeps `strerror`'s string).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { osErrorMessage, osErrorText } from "../../reactor/_os_error.ts";
import { ConnectError, ConnectionRefusedError, SystemCallError } from "../../reactor/errors.ts";
import {
  dlopenLibrary,
  errnoTable,
  errorFromErrno,
  libc,
  libraryPaths,
  readCString,
} from "../../reactor/ffi/mod.ts";
import { connectErrorFrom, systemError } from "../../reactor/host/_common.ts";
import type { Reactor } from "../../reactor/install.ts";
import { ClientFactoryOf, freePort, KINDS, Recorder, withReactor } from "./_helpers.ts";

/** The message `clientConnectionFailed` gets for `connect` on `kind`. */
function failureOf(
  kind: (typeof KINDS)[number],
  connect: (r: Reactor, cf: ClientFactoryOf<Recorder>) => Promise<void>,
): Promise<Error> {
  return withReactor(kind, async (r) => {
    const cf = new ClientFactoryOf(() => new Recorder());
    await connect(r, cf);
    await cf.finished;
    assert.deepEqual(cf.events, ["started", "failed"]);
    return cf.failure!.value as Error;
  });
}

describe("OS error messages", () => {
  it("read `<call>: <strerror text> (<NAME>)`, with any detail after", () => {
    assert.equal(
      osErrorMessage("connect", "ENOENT"),
      "connect: No such file or directory (ENOENT)",
    );
    assert.equal(
      new SystemCallError("bind", 98, "EADDRINUSE", "/tmp/x").message,
      "bind: Address already in use (EADDRINUSE): /tmp/x",
    );
    assert.equal(osErrorMessage("ioctl", "E4242"), "ioctl: Unknown error 4242 (E4242)");
    assert.equal(osErrorMessage("getaddrinfo", "ENOTFOUND"), "getaddrinfo: ENOTFOUND");
  });

  it("the text of every errno the tables name is this C library's strerror (Linux: the table is glibc's wording)", () => {
    assert.equal(libc().os, "linux", "this suite runs on Linux");
    const lib = dlopenLibrary(libraryPaths("linux"), {
      strerror: { parameters: ["i32"], result: "pointer" },
    });
    try {
      for (const [name, n] of Object.entries(errnoTable("linux"))) {
        assert.equal(osErrorText(name), readCString(lib.symbols.strerror(n)), name);
      }
    } finally {
      lib.close();
    }
  });

  it("the FFI layer's errno and a host (node) error with the same code read the same", () => {
    const ffi = errorFromErrno(errnoTable("linux").ENOENT, "connect", "linux");
    const node = Object.assign(new Error("connect ENOENT /nowhere"), {
      code: "ENOENT",
      errno: -2,
      syscall: "connect",
    });
    assert.equal(ffi.message, "connect: No such file or directory (ENOENT)");
    assert.equal(systemError(node).message, ffi.message);
    assert.equal(connectErrorFrom(node).message, ffi.message);
  });

  it("a refused TCP connect reads the same on every reactor", async () => {
    const messages = new Map<string, string>();
    for (const kind of KINDS) {
      const e = await failureOf(kind, async (r, cf) => {
        r.connectTCP("127.0.0.1", await freePort(r), cf);
      });
      assert.ok(e instanceof ConnectionRefusedError, `${kind}: ${e}`);
      messages.set(kind, e.message);
    }
    for (const [kind, message] of messages) {
      assert.equal(
        message,
        "Connection was refused by other side: connect: Connection refused (ECONNREFUSED)",
        kind,
      );
    }
  });

  it("a Unix connect to a missing path reads the same on every reactor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skein-oserr-"));
    try {
      for (const kind of KINDS) {
        const e = await failureOf(kind, (r, cf) => {
          r.connectUNIX(join(dir, "missing.sock"), cf);
          return Promise.resolve();
        });
        assert.ok(e instanceof ConnectError, `${kind}: ${e}`);
        assert.equal(e.message, "connect: No such file or directory (ENOENT)", kind);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
