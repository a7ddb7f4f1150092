/**
 * TLS over a process's pipes: wrapClientTLS over a ProcessEndpoint whose
 * child (Python's ssl.MemoryBIO) speaks TLS on stdin/stdout. Both engines,
 * on the default FFI reactor and the host reactor. The child closes first:
 * the connection ends as ConnectionDone only because its close_notify came
 * (else it would be a TLSTruncationError).
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ProcessEndpoint, wrapClientTLS } from "../../endpoints/mod.ts";
import type { IReactorProcess } from "../../interfaces.ts";
import { Factory } from "../../protocols/factory.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { optionsForClientTLS } from "../../ssl/mod.ts";
import { withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { ENGINES, KINDS, Recorder, waitUntil } from "./_helpers.ts";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "py_peers", "stdio_tls_server.py");

for (const engine of ENGINES) {
  for (const kind of KINDS) {
    describe(`TLS over a process's pipes (${engine} engine, ${kind} reactor)`, () => {
      it("handshakes, carries lines, and closes with close_notify both ways", async () => {
        const certs = testCertificates();
        await withReactor(kind, async (reactor) => {
          const app = new Recorder();
          const factory = new Factory();
          factory.noisy = false;
          factory.buildProtocol = () => app;
          const child = new ProcessEndpoint(
            reactor as unknown as IReactorProcess,
            "/usr/bin/python3",
            [
              "/usr/bin/python3",
              SCRIPT,
              join(certs.dir, "server.pem"),
              join(certs.dir, "server.key"),
            ],
          );
          const endpoint = wrapClientTLS(
            optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
            child,
            { engine },
          );
          await endpoint.connect(factory).toPromise();
          app.transport!.write("over pipes\n");
          await waitUntil(() => app.received === "sepip revo\n");
          assert.equal((app.transport as unknown as { tlsVersion: string; }).tlsVersion, "TLSv1.3");
          app.transport!.write("quit\n");
          await waitUntil(() => app.lost !== null);
          assert.ok(app.lost!.check(ConnectionDone), String(app.lost!.value));
          assert.equal(app.received, "sepip revo\ntiuq\n");
        });
      });
    });
  }
}
