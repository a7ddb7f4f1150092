/**
 * The host reactor's Unix listening port past the fd limit, on Deno and Bun:
 * once accept has failed with EMFILE and fds are free again, the port
 * accepts new connections again (as the TCP port and the FFI reactors do),
 * and stopping it and listening again on the same path works.
 *
 * Deno's `node:net` ends a Unix server's accept loop for good on EMFILE and
 * its handle cannot be re-armed (a second `listen()` is EINVAL), so the host
 * port re-creates its socket on the same path: the connection that was
 * queued on the stalled socket is reset there (its client sees the close at
 * once, instead of hanging), where Bun, which keeps accepting by itself,
 * serves it. Twisted's `unix.Port` inherits `tcp.Port.doRead`'s handling:
 * EMFILE stops that round of accepts, the next readiness tries again.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, it } from "node:test";
import { isDeno } from "../../_runtime.ts";
import { EchoClients, spawnEmfileServer } from "./_emfile_child.ts";
import { timeout } from "./_helpers.ts";

describe("HostUNIXPort past the fd limit", () => {
  it(
    "accepts again once fds are free after accept failed with EMFILE, and can listen again on its path",
    {
      timeout: 30000,
    },
    async () => {
      const path = join(tmpdir(), `skein-emfile-${process.pid}-${Date.now()}.sock`);
      const { server, send, next, stderr } = spawnEmfileServer(["unix", path]);
      const clients = new EchoClients({ path });
      const { connect, echo } = clients;
      try {
        assert.equal(await next("the path"), path);
        assert.equal(
          await timeout(echo(await connect("before"), "before"), 5000, "echo"),
          "before",
        );
        send("fill");
        assert.match(await next("filled"), /^filled \d+$/);
        // The kernel queues this connection; the server's accept fails (EMFILE).
        const stuck = await connect("stuck");
        const stuckOutcome = echo(stuck, "queued"); // listening from now on: the reset may come early
        send("tick");
        assert.equal(await next("ticked"), "ticked");
        send("free");
        assert.equal(await next("freed"), "freed");
        // Deno: the port re-creates its socket (see the notes above); Bun never stalls.
        if (isDeno) {
          assert.equal(await timeout(next("recovered"), 10000, "listening again"), "recovered");
        }
        assert.equal(
          await timeout(stuckOutcome, 10000, "the queued connection served or reset"),
          isDeno ? "closed" : "queued",
        );
        assert.equal(
          await timeout(echo(await connect("after"), "after"), 10000, "a new connection accepted"),
          "after",
        );
        send("relisten");
        assert.equal(await next("relistened"), "relistened");
        assert.equal(
          await timeout(
            echo(await connect("again"), "again"),
            10000,
            "accepted after listening again",
          ),
          "again",
        );
        send("quit");
        await timeout(new Promise((r) => server.once("close", r)), 10000, "server exit");
        assert.equal(server.exitCode, 0, stderr());
        assert.equal(fs.existsSync(path), false, "the socket file is removed at exit");
      } finally {
        clients.destroyAll();
        server.kill("SIGKILL");
        fs.rmSync(path, { force: true });
      }
    },
  );
});
