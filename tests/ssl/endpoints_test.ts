/**
 * The TLS endpoints: `ssl:` servers and `ssl:`/`tls:` clients from
 * description strings (Twisted's string forms), wrapClientTLS over TCP and
 * Unix endpoints, on the default FFI reactor and the host reactor.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  clientFromString,
  EndpointDescriptionError,
  serverFromString,
  SSL4ServerEndpoint,
  TLSWrapperClientEndpoint,
  UNIXClientEndpoint,
  UNIXServerEndpoint,
  wrapClientTLS,
} from "../../endpoints/mod.ts";
import { Factory } from "../../protocols/factory.ts";
import { CertificateOptions, optionsForClientTLS, TLSMemoryBIOFactory } from "../../ssl/mod.ts";
import { MemoryReactor } from "../../testing/memory_reactor.ts";
import { withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { Echo, KINDS, Recorder, waitUntil } from "./_helpers.ts";

/** A folder holding only the test CA (for caCertsDir= and trustRoots=). */
function caDir(): string {
  const certs = testCertificates();
  const dir = join(certs.dir, "cas");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(certs.dir, "ca.pem"), join(dir, "ca.pem"));
  return dir;
}

function echoFactory(): Factory {
  const f = new Factory();
  f.noisy = false;
  f.buildProtocol = () => new Echo();
  return f;
}

function recorderFactory(p: Recorder): Factory {
  const f = new Factory();
  f.noisy = false;
  f.buildProtocol = () => p;
  return f;
}

describe("ssl:/tls: descriptions", () => {
  it("ssl: server with a chain and DH parameters parses to an SSL4ServerEndpoint", () => {
    const certs = testCertificates();
    const dh = join(certs.dir, "dh.pem");
    execFileSync("openssl", [
      "genpkey",
      "-genparam",
      "-algorithm",
      "DH",
      "-pkeyopt",
      "group:ffdhe2048",
      "-out",
      dh,
    ], {
      stdio: "ignore",
    });
    const ep = serverFromString(
      new MemoryReactor(),
      `ssl:8443:privateKey=${join(certs.dir, "server.key")}:certKey=${
        join(certs.dir, "server.pem")
      }`
        + `:extraCertChain=${
          join(certs.dir, "ca.pem")
        }:dhParameters=${dh}:interface=127.0.0.1:backlog=7`,
    );
    assert.ok(ep instanceof SSL4ServerEndpoint);
    assert.equal(ep.port, 8443);
    assert.equal(ep.backlog, 7);
    assert.equal(ep.contextFactory.tls.chain?.extraCertChain.length, 1);
    assert.ok(ep.contextFactory.tls.dhParameters?.includes("DH PARAMETERS"));
  });

  it("ssl: and tls: clients verify: against caCertsDir/trustRoots, else the platform store", () => {
    const dir = caDir();
    const r = new MemoryReactor();
    const a = clientFromString(r, `ssl:host=example.com:port=443:caCertsDir=${dir}`);
    assert.ok(a instanceof TLSWrapperClientEndpoint);
    assert.equal(a.connectionCreator.tls.verifyPeer, true);
    assert.equal(a.connectionCreator.tls.trustRoot.kind, "certificates");
    const b = clientFromString(r, "tls:example.com:443");
    assert.ok(b instanceof TLSWrapperClientEndpoint);
    assert.equal(b.connectionCreator.tls.hostname, "example.com");
    assert.equal(b.connectionCreator.tls.trustRoot.kind, "platform");
    assert.equal(b.connectionCreator.tls.verifyPeer, true);
  });

  it("bad TLS descriptions are EndpointDescriptionErrors that say what to fix", () => {
    const certs = testCertificates();
    const r = new MemoryReactor();
    const cases: Array<[() => unknown, RegExp]> = [
      [
        () => serverFromString(r, "ssl:443:privateKey=/nonexistent/key.pem"),
        /cannot read the privateKey file/,
      ],
      [
        () =>
          serverFromString(
            r,
            `ssl:443:privateKey=${join(certs.dir, "client.key")}:certKey=${
              join(certs.dir, "server.pem")
            }`,
          ),
        /does not match the certificate/,
      ],
      [
        () => serverFromString(r, `ssl:443:privateKey=${join(certs.dir, "server.key")}`),
        /no PEM certificate/,
      ],
      [() => serverFromString(r, "ssl:443:sslmethod=SSLv3_METHOD"), /TLS 1\.2 and 1\.3 only/],
      [
        () => clientFromString(r, `tls:h:443:trustRoots=${tmpdir()}/nonexistent`),
        /cannot read the trustRoots/,
      ],
      [() => clientFromString(r, "tls::443"), /empty host/],
    ];
    for (const [make, re] of cases) {
      assert.throws(make, (e: unknown) => {
        assert.ok(e instanceof EndpointDescriptionError, String(e));
        assert.match(e.message, re);
        return true;
      });
    }
  });
});

for (const kind of KINDS) {
  describe(`TLS endpoints on real sockets (${kind} reactor)`, () => {
    it("serverFromString('ssl:…') and clientFromString('tls:…') talk", async () => {
      const certs = testCertificates();
      const dir = caDir();
      await withReactor(kind, async (reactor) => {
        const server = serverFromString(
          reactor,
          `ssl:0:privateKey=${join(certs.dir, "server.key")}:certKey=${
            join(certs.dir, "server.pem")
          }:interface=127.0.0.1`,
        );
        const port = await server.listen(echoFactory()).toPromise();
        const portNumber = (port.getHost() as unknown as { port: number; }).port;
        for (
          const description of [
            `tls:localhost:${portNumber}:trustRoots=${dir}`,
            `ssl:host=127.0.0.1:port=${portNumber}:caCertsDir=${dir}`,
          ]
        ) {
          const app = new Recorder();
          const connected = await clientFromString(reactor, description).connect(
            recorderFactory(app),
          ).toPromise();
          assert.equal(connected, app);
          app.transport!.write(`via ${description.slice(0, 3)}`);
          await waitUntil(() => app.received === `via ${description.slice(0, 3)}`);
          app.transport!.loseConnection();
          await waitUntil(() => app.lost !== null);
        }
        await port.stopListening();
      });
    });

    it("wrapClientTLS over a Unix endpoint", async () => {
      const certs = testCertificates();
      await withReactor(kind, async (reactor) => {
        const path = join(tmpdir(), `skein-tls-ep-${process.pid}-${kind}.sock`);
        const serverEndpoint = new UNIXServerEndpoint(reactor, path);
        const tlsServer = new TLSMemoryBIOFactory(
          new CertificateOptions({ certificate: certs.server.pc }),
          false,
          echoFactory(),
        );
        const port = await serverEndpoint.listen(tlsServer).toPromise();
        const app = new Recorder();
        const endpoint = wrapClientTLS(
          optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
          new UNIXClientEndpoint(reactor, path),
        );
        await endpoint.connect(recorderFactory(app)).toPromise();
        app.transport!.write("over unix");
        await waitUntil(() => app.received === "over unix");
        app.transport!.loseConnection();
        await waitUntil(() => app.lost !== null);
        await port.stopListening();
      });
    });
  });
}
