// The FFI transports' vectored writes: writeSequence and a queue of large
// chunks go out by one sendmsg (MSG_NOSIGNAL) instead of being copied into
// one buffer. FFI reactors only (the host reactor writes through its
// runtime's sockets).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { ITCPTransport } from "../../interfaces.ts";
import { runScript } from "../_runtime.ts";
import { accepted, hangUp, tcpPair, whenMade } from "./_connect.ts";
import { concat, pattern, sleep, waitFor, withReactor } from "./_helpers.ts";
import { FFI_KINDS } from "./_reactor_kinds.ts";
import { firstDifference } from "./ffi/_bytes.ts";

interface Buffered {
  bufferedAmount: number;
}

for (const kind of FFI_KINDS) {
  describe(`vectored writes on ${kind}`, () => {
    it("a big writeSequence to a slow reader arrives intact and in order", () =>
      withReactor(kind, async (r) => {
        // 300 distinct chunks of odd sizes (9 MB): far more than the socket
        // buffers hold, so sends stop part-way into a chunk and resume there.
        const chunks = Array.from({ length: 300 }, (_, i) => pattern(30_000 + 7 * i, i + 1));
        let queued = -1;
        const { sf, port, client: c } = await tcpPair(r, {
          server: whenMade((p) => {
            p.transport!.writeSequence(chunks);
            queued = (p.transport as unknown as Buffered).bufferedAmount;
          }),
        });
        const client = c.transport as ITCPTransport;
        client.pauseProducing();
        await accepted(sf);
        await waitFor(() => queued >= 0, 5000, "the server wrote");
        assert.ok(queued > 0, "the kernel did not take the whole sequence at once");
        await sleep(20);
        client.resumeProducing();
        const all = concat(chunks);
        await waitFor(() => c.received === all.byteLength, 30000, "every byte");
        assert.equal(firstDifference(c.data(), all), -1, "first byte that differs");
        await hangUp(c, port);
      }));

    it("small writeSequence parts arrive joined, in order", () =>
      withReactor(kind, async (r) => {
        const parts = ["a", "bc", "", "def", "g".repeat(5000), "h"];
        const { sf, port, client: c } = await tcpPair(r, {
          server: whenMade((p) => p.transport!.writeSequence(parts)),
        });
        await accepted(sf);
        const want = parts.join("");
        await waitFor(() => c.received === want.length, 5000, "all parts");
        assert.equal(new TextDecoder().decode(c.data()), want);
        await hangUp(c, port);
      }));

    for (const mode of ["write", "sequence"]) {
      it(`${mode === "write" ? "write" : "writeSequence"} to a peer that closed loses the connection; no SIGPIPE reaches the process, even with SIGPIPE's default action`, async () => {
        // In a child that restores SIGPIPE's default action (terminate), which
        // the runtimes otherwise ignore: only MSG_NOSIGNAL keeps it alive.
        const script = fileURLToPath(new URL("./ffi/_sigpipe_script.ts", import.meta.url));
        const r = await runScript(script, [kind, mode], { timeoutMs: 20000 });
        assert.equal(r.code, 0, `exit ${r.code}: ${r.out}${r.err}`);
        assert.match(r.out, /^lost ConnectionLost/m);
      });
    }
  });
}
