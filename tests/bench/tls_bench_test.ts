// Smoke test: bench/tls_bench.ts runs as a process with a tiny budget on this
// runtime (every peer, Python Twisted included), prints every row and ratio,
// and exits by itself.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runScript } from "../_runtime.ts";

const BENCH = fileURLToPath(new URL("../../bench/tls_bench.ts", import.meta.url));

describe("bench/tls_bench.ts", () => {
  it("prints bulk and handshake rates for every peer and the ratios", async () => {
    const r = await runScript(
      BENCH,
      ["--bytes", "4194304", "--handshakes", "10", "--rounds", "1"],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(r.code, 0, r.out + r.err);
    for (
      const row of [
        /Skein \(openssl engine\) +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+/,
        /Skein \(node engine\) +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+/,
        /(Deno\.listenTls\/connectTls|Bun\.listen\/connect \(tls\)) +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+/,
        /node:tls +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+/,
        /Python Twisted 22 +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+/,
        /Skein \(openssl\) \/ (Deno|Bun)[^:]*: bulk [\d.]+x, handshakes [\d.]+x/,
        /Skein \(openssl\) \/ Twisted: bulk [\d.]+x, handshakes [\d.]+x/,
      ]
    ) assert.match(r.out, row);
  });
});
