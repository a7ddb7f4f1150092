// manhole/listen.ts: where the manhole may listen (loopback and 0600 Unix
// sockets only, unless the loudly named option), and listening for real on
// each reactor kind (an FFI poller and the host backend): a client reaches
// the password prompt over TCP and over the Unix socket, whose mode is 0600.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { IPAddress } from "../../interfaces.ts";
import { SecretFileError } from "../../manhole/auth.ts";
import {
  isLoopback,
  listenManhole,
  ManholeListenError,
  manholeService,
  parseManholeEndpoint,
} from "../../manhole/listen.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "skein-manhole-listen-"));
const passwordFile = join(dir, "secret");
writeFileSync(passwordFile, "s3cret\n", { mode: 0o600 });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Connect (TCP port or Unix path) and resolve with what arrives up to the password prompt. */
function prompt(where: { port: number; } | { path: string; }): Promise<string> {
  return new Promise((ok, fail) => {
    const socket = "port" in where ? connect(where.port, "127.0.0.1") : connect(where.path);
    let text = "";
    socket.on("data", (d) => {
      text += d.toString("latin1");
      if (text.includes("Password: ")) {
        socket.destroy();
        ok(text);
      }
    });
    socket.on("error", fail);
    socket.on("close", () => fail(new Error(`closed before the prompt: ${JSON.stringify(text)}`)));
  });
}

describe("parseManholeEndpoint", () => {
  it("reads every form; a bare port means 127.0.0.1", () => {
    assert.deepEqual(parseManholeEndpoint("tcp:4040"), {
      kind: "tcp",
      host: "127.0.0.1",
      port: 4040,
    });
    assert.deepEqual(parseManholeEndpoint("tcp:127.0.0.1:4040"), {
      kind: "tcp",
      host: "127.0.0.1",
      port: 4040,
    });
    assert.deepEqual(parseManholeEndpoint("tcp:localhost:1"), {
      kind: "tcp",
      host: "localhost",
      port: 1,
    });
    assert.deepEqual(parseManholeEndpoint("tcp:[::1]:4040"), {
      kind: "tcp",
      host: "::1",
      port: 4040,
    });
    assert.deepEqual(parseManholeEndpoint("tcp:4040:interface=\\:\\:1"), {
      kind: "tcp",
      host: "::1",
      port: 4040,
    });
    assert.deepEqual(parseManholeEndpoint("unix:/tmp/m.sock:mode=400"), {
      kind: "unix",
      path: "/tmp/m.sock",
      mode: 0o400,
    });
  });

  it("refuses a non-loopback interface, all interfaces, and a wide socket mode, saying what to write", () => {
    for (
      const bad of [
        "tcp:0.0.0.0:4040",
        "tcp:4040:interface=",
        "tcp:[::]:4040",
        "tcp:10.0.0.1:4040",
        "unix:/tmp/m.sock:mode=660",
      ]
    ) {
      assert.throws(() => parseManholeEndpoint(bad), (e: unknown) => {
        assert.ok(e instanceof ManholeListenError, bad);
        assert.match(e.message, /write tcp:PORT \(127\.0\.0\.1\)/);
        return true;
      });
    }
    assert.match(
      (() => {
        try {
          parseManholeEndpoint("tcp:0.0.0.0:1");
        } catch (e) {
          return (e as Error).message;
        }
        return "";
      })(),
      /0\.0\.0\.0 is not a loopback address.*dangerouslyAllowRemoteAccess/,
    );
  });

  it("refuses what is not an endpoint, and a port out of range", () => {
    for (const bad of ["4040", "ssl:4040", "tcp:", "tcp:99999", "tcp:host:port"]) {
      assert.throws(() => parseManholeEndpoint(bad), ManholeListenError, bad);
    }
  });

  it("dangerouslyAllowRemoteAccess lets a non-loopback interface through", () => {
    assert.deepEqual(
      parseManholeEndpoint("tcp:0.0.0.0:4040", { dangerouslyAllowRemoteAccess: true }),
      {
        kind: "tcp",
        host: "0.0.0.0",
        port: 4040,
      },
    );
  });

  it("isLoopback knows 127.0.0.0/8, ::1 and its mapped form", () => {
    assert.equal(isLoopback("127.255.0.1"), true);
    assert.equal(isLoopback("::ffff:127.0.0.1"), true);
    assert.equal(isLoopback("128.0.0.1"), false);
    assert.equal(isLoopback("::"), false);
  });
});

for (const kind of [KINDS[0], "host" as const]) {
  describe(`listenManhole on the ${kind} reactor`, () => {
    it("listens on loopback TCP; a client gets the password prompt", async () => {
      await withReactor(kind, async (reactor) => {
        const port = listenManhole({ reactor, listen: "tcp:0", passwordFile });
        try {
          const address = port.getHost() as IPAddress;
          assert.equal(address.host, "127.0.0.1");
          assert.match(await prompt({ port: address.port }), /Skein manhole\r\n\rPassword: /);
        } finally {
          await port.stopListening();
        }
      });
    });

    it("listens on a Unix socket of mode 0600; a client gets the password prompt", async () => {
      await withReactor(kind, async (reactor) => {
        const path = join(dir, `${kind}.sock`);
        const port = listenManhole({ reactor, listen: `unix:${path}`, passwordFile });
        try {
          assert.equal(statSync(path).mode & 0o777, 0o600);
          assert.match(await prompt({ path }), /Password: /);
        } finally {
          await port.stopListening();
        }
      });
    });
  });
}

describe("listenManhole refusals", () => {
  it("refuses to open without a readable secret file, before listening", async () => {
    await withReactor("host", async (reactor) => {
      assert.throws(
        () => listenManhole({ reactor, listen: "tcp:0", passwordFile: join(dir, "missing") }),
        SecretFileError,
      );
      assert.throws(
        () => listenManhole({ reactor, listen: "tcp:0.0.0.0:0", passwordFile }),
        ManholeListenError,
      );
      await Promise.resolve();
    });
  });
});

describe("manholeService", () => {
  it("refuses a bad endpoint when made, listens when started, stops listening when stopped", async () => {
    await withReactor(KINDS[0], async (reactor) => {
      assert.throws(
        () => manholeService({ reactor, listen: "tcp:0.0.0.0:1", passwordFile }),
        ManholeListenError,
      );
      const service = manholeService({ reactor, listen: "tcp:0", passwordFile });
      service.startService();
      assert.equal(service.running, true);
      const port = (service.port!.getHost() as IPAddress).port;
      assert.match(await prompt({ port }), /Password: /);
      await service.stopService();
      assert.equal(service.running, false);
      assert.equal(service.port, null);
      await assert.rejects(prompt({ port }), /ECONNREFUSED|closed before/);
    });
  });
});
