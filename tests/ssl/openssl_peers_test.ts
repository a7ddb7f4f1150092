/**
 * Skein's TLS against OpenSSL's own command-line peers over real sockets
 * (TCP on loopback and Unix sockets), for both engines, on the default FFI
 * reactor and the host reactor: `openssl s_client` against a Skein server
 * and a Skein client against `openssl s_server`.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Deferred } from "../../deferred/deferred.ts";
import { ClientFactory } from "../../protocols/factory.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { CertificateOptions, optionsForClientTLS, TLSMemoryBIOFactory } from "../../ssl/mod.ts";
import { withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { Echo, ENGINES, KINDS, Recorder, recordingFactory, waitUntil } from "./_helpers.ts";
import { type Peer, peersKilledAfterTests } from "./_peers.ts";

let socketSerial = 0;

function socketPath(): string {
  return join(tmpdir(), `skein-tls-${process.pid}-${socketSerial++}.sock`);
}

const spawnPeer = peersKilledAfterTests();
const peer = (args: string[]): Peer => spawnPeer("openssl", args);

/** A client factory that hands its one protocol to a Deferred. */
function clientFactory(p: Recorder): { factory: ClientFactory; lost: Deferred<void>; } {
  const lost = new Deferred<void>();
  const factory = new ClientFactory();
  factory.noisy = false;
  factory.buildProtocol = () => p;
  const onLost = p.connectionLost.bind(p);
  p.connectionLost = (reason) => {
    onLost(reason);
    lost.callback(undefined);
  };
  factory.clientConnectionFailed = (_c, reason) => lost.errback(reason);
  return { factory, lost };
}

for (const engine of ENGINES) {
  for (const kind of KINDS) {
    describe(`TLS with openssl peers (${engine} engine, ${kind} reactor)`, () => {
      const serverTLS = (): CertificateOptions =>
        new CertificateOptions({
          certificate: testCertificates().server.pc,
          acceptableProtocols: ["h2", "http/1.1"],
        });

      for (const transport of ["tcp", "unix"] as const) {
        it(`serves openssl s_client over ${transport}: verified, ALPN, echo, close_notify`, async () => {
          const certs = testCertificates();
          await withReactor(kind, async (reactor) => {
            const { factory, made } = recordingFactory(() => new Echo());
            const tlsFactory = new TLSMemoryBIOFactory(serverTLS(), false, factory, { engine });
            const path = socketPath();
            const port = transport === "tcp"
              ? reactor.listenTCP(0, tlsFactory, { interface: "127.0.0.1" })
              : reactor.listenUNIX(path, tlsFactory);
            const where = transport === "tcp"
              ? ["-connect", `127.0.0.1:${(port.getHost() as { port: number; }).port}`]
              : ["-unix", path];
            const client = peer([
              "s_client",
              ...where,
              "-CAfile",
              join(certs.dir, "ca.pem"),
              "-verify_return_error",
              "-servername",
              "localhost",
              "-verify_hostname",
              "localhost",
              "-alpn",
              "http/1.1",
            ]);
            await client.waitFor(/Verify return code: 0 \(ok\)/);
            client.write("hello from s_client\n");
            await client.waitFor(/\nhello from s_client\n/);
            assert.match(client.out, /ALPN protocol: http\/1\.1/);
            client.end();
            assert.equal(await client.exited, 0);
            await waitUntil(() => made[0]?.lost !== null && made[0]?.lost !== undefined);
            assert.ok(made[0].lost!.check(ConnectionDone), String(made[0].lost!.value));
            assert.equal(made[0].handshakes, 1);
            await port.stopListening();
          });
        });

        it(`connects to openssl s_server over ${transport}: verified, ALPN, data, close_notify`, async () => {
          const certs = testCertificates();
          await withReactor(kind, async (reactor) => {
            const path = socketPath();
            const server = peer([
              "s_server",
              ...(transport === "tcp" ? ["-accept", "0"] : ["-unix", path]),
              "-cert",
              join(certs.dir, "server.pem"),
              "-key",
              join(certs.dir, "server.key"),
              "-rev",
              "-naccept",
              "1",
              "-alpn",
              "h2,http/1.1",
            ]);
            const accept = await server.waitFor(/ACCEPT (\S+)/);
            const app = new Recorder();
            const { factory, lost } = clientFactory(app);
            const options = optionsForClientTLS(transport === "tcp" ? "127.0.0.1" : "localhost", {
              trustRoot: certs.caCert,
              acceptableProtocols: ["h2"],
            });
            const tlsFactory = new TLSMemoryBIOFactory(options, true, factory, { engine });
            if (transport === "tcp") {
              const portNumber = Number(accept[1].slice(accept[1].lastIndexOf(":") + 1));
              reactor.connectTCP("127.0.0.1", portNumber, tlsFactory);
            } else {
              reactor.connectUNIX(path, tlsFactory);
            }
            await waitUntil(() => app.transport !== null);
            app.transport!.write("abc def\n");
            await waitUntil(() => app.received.includes("fed cba"));
            const tls = app.transport as unknown as {
              negotiatedProtocol: string | null;
              tlsVersion: string | null;
            };
            assert.equal(tls.negotiatedProtocol, "h2");
            assert.equal(tls.tlsVersion, "TLSv1.3");
            app.transport!.loseConnection();
            await lost.toPromise();
            assert.ok(app.lost!.check(ConnectionDone), String(app.lost!.value));
            await server.exited;
          });
        });
      }
    });
  }
}

/** Wait (on the host loop, bounded) until `cond()` holds. */
