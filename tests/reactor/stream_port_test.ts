// The accept loop shared by TCP and Unix ports (reactor/stream_port.ts).
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { availablePollers } from "../../reactor/pollers/mod.ts";
import { runCommand, runtimeArgs } from "../_runtime.ts";

const SCRIPT = fileURLToPath(new URL("./_fd_script.ts", import.meta.url));
const NO_SELECT: string | false = !availablePollers().includes("select")
  && "this OS has no select poller";

function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
}

describe("stream ports", () => {
  it(
    "select reactor: a connection accepted on an fd >= FD_SETSIZE is refused alone; the port keeps listening",
    { skip: NO_SELECT },
    async () => {
      // Twisted's Port.doRead logs what goes wrong serving one accepted socket
      // and goes on listening. A child under `ulimit -n 4096` takes every fd
      // below 1024 before each accept, so the TCP and the Unix port each accept
      // one connection on a fd select(2) cannot watch (that connection is
      // closed and logged), then, with the fds free again, serve one normally.
      const cmd = shellQuote([process.execPath, ...runtimeArgs(SCRIPT, ["select-overrun"])]);
      const r = await runCommand("bash", ["-c", `ulimit -n 4096 && exec ${cmd}`]);
      assert.equal(r.code, 0, r.err);
      const got = JSON.parse(r.out.trim().split("\n").at(-1)!);
      assert.deepEqual(
        { ...got, errors: undefined },
        {
          // Closed with the client's "hi" unread: the kernel resets it.
          tcpHigh: "reset",
          unixHigh: "reset",
          tcpLow: "echo",
          unixLow: "echo",
          listening: [true, true],
          errors: undefined,
        },
      );
      assert.equal(got.errors.length, 2, got.errors.join("\n"));
      for (const e of got.errors) {
        assert.match(e, /FD_SETSIZE.*use the epoll, kqueue or poll reactor/);
      }
    },
  );

  it(
    "select reactor: a client socket on an fd >= FD_SETSIZE fails its connect at once with a ConnectError",
    { skip: NO_SELECT },
    async () => {
      // Before, the FileDescriptorOverrun escaped into the reactor's log and
      // the factory heard nothing until the connector's timeout.
      const cmd = shellQuote([process.execPath, ...runtimeArgs(SCRIPT, ["select-connect"])]);
      const r = await runCommand("bash", ["-c", `ulimit -n 4096 && exec ${cmd}`]);
      assert.equal(r.code, 0, r.err);
      const got = JSON.parse(r.out.trim().split("\n").at(-1)!);
      for (const k of ["tcpHigh", "unixHigh"]) {
        assert.match(
          got[k],
          /^ConnectError at once: .*FD_SETSIZE.*use the epoll, kqueue or poll reactor/,
          k,
        );
      }
      assert.equal(got.tcpLow, "echo");
      assert.equal(got.unixLow, "echo");
    },
  );
});
