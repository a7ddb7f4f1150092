/**
 * transport.startTLS on live TCP and Unix connections (STARTTLS), on the
 * default FFI reactor and the host reactor, with the STARTTLS line protocol
 * of examples/starttls_lines.ts: Skein to Skein, and `openssl s_client
 * -starttls smtp` against the Skein server. What was written before the
 * switch goes out in the clear first (Twisted's ITLSTransport.startTLS).
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StartTLSClient, StartTLSServer } from "../../examples/starttls_lines.ts";
import { ClientFactory, Factory } from "../../protocols/factory.ts";
import { CertificateOptions, optionsForClientTLS, startTLS } from "../../ssl/mod.ts";
import { StringTransport } from "../../testing/string_transport.ts";
import { withReactor } from "../reactor/_helpers.ts";
import { testCertificates } from "./_certs.ts";
import { KINDS, waitUntil } from "./_helpers.ts";
import { peersKilledAfterTests } from "./_peers.ts";

const peer = peersKilledAfterTests();

/** A server factory of STARTTLS servers that switch to the test server certificate. */
function startTLSServers(): Factory {
  const sf = new Factory();
  sf.noisy = false;
  sf.buildProtocol = () =>
    new StartTLSServer(new CertificateOptions({ certificate: testCertificates().server.pc }));
  return sf;
}

describe("startTLS", () => {
  it("what was written before the switch is on the wire, in the clear, before the ClientHello", () => {
    const wire = Object.assign(new StringTransport(), {
      protocol: new StartTLSClient(optionsForClientTLS("x"), ""),
    });
    wire.protocol.makeConnection(wire);
    wire.write("STARTTLS\r\n");
    startTLS(wire, optionsForClientTLS("localhost"));
    const bytes = wire.value();
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 10)), "STARTTLS\r\n");
    assert.equal(bytes[10], 0x16); // a TLS handshake record follows
    assert.throws(() => startTLS(wire, optionsForClientTLS("localhost")), /already speaks TLS/);
  });
});

for (const kind of KINDS) {
  for (const transport of ["tcp", "unix"] as const) {
    describe(`STARTTLS over ${transport} (${kind} reactor)`, () => {
      it("Skein client and server switch mid-conversation", async () => {
        const certs = testCertificates();
        await withReactor(kind, async (reactor) => {
          const sf = startTLSServers();
          const path = join(tmpdir(), `skein-starttls-${process.pid}-${kind}.sock`);
          const port = transport === "tcp"
            ? reactor.listenTCP(0, sf, { interface: "127.0.0.1" })
            : reactor.listenUNIX(path, sf);
          const client = new StartTLSClient(
            optionsForClientTLS("localhost", { trustRoot: certs.caCert }),
            "secret",
          );
          let lost = false;
          const cf = new ClientFactory();
          cf.noisy = false;
          cf.buildProtocol = () => client;
          cf.clientConnectionLost = () => void (lost = true);
          if (transport === "tcp") {
            reactor.connectTCP(
              "127.0.0.1",
              (port.getHost() as unknown as { port: number; }).port,
              cf,
            );
          } else {
            reactor.connectUNIX(path, cf);
          }
          await waitUntil(() => lost);
          assert.deepEqual(client.conversation, [
            "220 skein ready",
            "220 go ahead",
            "250 secret (TLSv1.3)",
            "221 bye",
          ]);
          await port.stopListening();
        });
      });
    });
  }

  describe(`STARTTLS with openssl s_client -starttls smtp (${kind} reactor)`, () => {
    it("the Skein server switches; s_client verifies it and talks TLS", async () => {
      const certs = testCertificates();
      await withReactor(kind, async (reactor) => {
        const sf = startTLSServers();
        const port = reactor.listenTCP(0, sf, { interface: "127.0.0.1" });
        const client = peer("openssl", [
          "s_client",
          "-connect",
          `127.0.0.1:${port.getHost().port}`,
          "-starttls",
          "smtp",
          "-crlf",
          "-nocommands",
          "-CAfile",
          join(certs.dir, "ca.pem"),
          "-verify_return_error",
          "-verify_hostname",
          "localhost",
        ]);
        await client.waitFor(/Verify return code: 0 \(ok\)/);
        client.write("ECHO via openssl\n");
        await client.waitFor(/250 via openssl \(TLSv1\.3\)/);
        client.write("QUIT\n");
        await client.waitFor(/221 bye/);
        client.end();
        await client.exited;
        await port.stopListening();
      });
    });
  });
}
