/**
 * The TLS examples run as a user runs them: the TLS echo server
 * (examples/tls_echo_server.ts, an ssl: endpoint) as a real process on Deno
 * and on Bun, the TLS echo client (a tls: endpoint) against it from both
 * runtimes, and the STARTTLS line protocol demo (examples/starttls_lines.ts).
 */

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { testCertificates } from "./_certs.ts";
import { Peer } from "./_peers.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "node_modules", ".bin");
const RUNTIMES: Record<string, (file: string, ...args: string[]) => [string, string[]]> = {
  deno: (file, ...args) => [join(bin, "deno"), ["run", "-A", file, ...args]],
  bun: (file, ...args) => [join(bin, "bun"), [file, ...args]],
};

const running: Peer[] = [];
after(async () => {
  for (const p of running) await p.kill();
});
function start(runtime: string, file: string, ...args: string[]): Peer {
  const [cmd, argv] = RUNTIMES[runtime](join(root, "examples", file), ...args);
  const p = new Peer(cmd, argv);
  running.push(p);
  return p;
}

function caDir(): string {
  const certs = testCertificates();
  const dir = join(certs.dir, "example-cas");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(certs.dir, "ca.pem"), join(dir, "ca.pem"));
  return dir;
}

for (const serverRuntime of Object.keys(RUNTIMES)) {
  describe(`TLS echo server example on ${serverRuntime}`, () => {
    it("serves TLS echo clients on both runtimes; an untrusting client fails with the reason", async () => {
      const certs = testCertificates();
      const server = start(
        serverRuntime,
        "tls_echo_server.ts",
        "0",
        join(certs.dir, "server.key"),
        join(certs.dir, "server.pem"),
      );
      const port = (await server.waitFor(/'127\.0\.0\.1', (\d+)\)/, 30000))[1];
      for (const clientRuntime of Object.keys(RUNTIMES)) {
        const client = start(
          clientRuntime,
          "tls_echo_client.ts",
          port,
          `hi from ${clientRuntime}`,
          caDir(),
        );
        assert.equal(await client.exited, 0, client.err);
        assert.match(
          client.out,
          new RegExp(`Got \\d+ bytes back over TLS: "hi from ${clientRuntime}"`),
        );
        assert.match(client.out, /Closed: Connection was closed cleanly\./);
      }
      const wary = start(serverRuntime, "tls_echo_client.ts", port, "hello");
      assert.equal(await wary.exited, 0, wary.err);
      assert.match(
        wary.out,
        /Closed: certificate verify failed: unable to get local issuer certificate/,
      );
      await server.kill();
    });
  });

  describe(`STARTTLS example on ${serverRuntime}`, () => {
    it("switches to TLS mid-conversation and prints the exchange", async () => {
      const demo = start(serverRuntime, "starttls_lines.ts");
      assert.equal(await demo.exited, 0, demo.err);
      assert.equal(
        demo.out,
        "S: 220 skein ready\nS: 220 go ahead\nS: 250 secret (TLSv1.3)\nS: 221 bye\n",
      );
    });
  });
}
