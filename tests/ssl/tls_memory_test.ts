/**
 * TLSMemoryBIOProtocol over iosim's in-memory pair, against both engines:
 * Twisted's twisted.protocols.test.test_tls semantics (handshake before data,
 * connectionMade at once, handshakeCompleted, close_notify, truncation).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Factory } from "../../protocols/factory.ts";
import { ConnectionDone, ConnectionLost } from "../../reactor/errors.ts";
import { nodeTlsSelectsSNICertificates } from "../../reactor/ffi/libssl_runtime.ts";
import {
  CertificateOptions,
  optionsForClientTLS,
  type TLSContextFactory,
  TLSError,
  TLSMemoryBIOFactory,
  TLSTruncationError,
  TLSVerificationError,
} from "../../ssl/mod.ts";
import type { FakeTransport } from "../../testing/iosim.ts";
import { testCertificates } from "./_certs.ts";
import { ENGINES, pumpUntil, tlsPair } from "./_helpers.ts";

function serverOptions(): CertificateOptions {
  return new CertificateOptions({
    certificate: testCertificates().server.pc,
    acceptableProtocols: ["h2", "http/1.1"],
  });
}

function clientOptions(host = "localhost"): TLSContextFactory {
  return optionsForClientTLS(host, {
    trustRoot: testCertificates().caCert,
    acceptableProtocols: ["http/1.1"],
  });
}

for (const engine of ENGINES) {
  describe(`TLSMemoryBIOProtocol over iosim (${engine} engine)`, () => {
    it("connects the wrapped protocol at once, then handshakes and carries data both ways", async () => {
      const p = tlsPair(engine, serverOptions(), clientOptions());
      // Twisted: the wrapped protocol's makeConnection runs in makeConnection, before the handshake.
      assert.equal(p.client.made, 1);
      assert.equal(p.server.made, 1);
      p.client.transport!.write("written before the handshake");
      await pumpUntil(p.pump, () => p.client.received.length === 28, "the echo");
      assert.equal(p.client.received, "written before the handshake");
      assert.equal(p.client.handshakes, 1);
      assert.equal(p.server.handshakes, 1);
      assert.equal(p.clientTLS.negotiatedProtocol, "http/1.1");
      assert.equal(p.serverTLS.negotiatedProtocol, "http/1.1");
      assert.equal(p.clientTLS.tlsVersion, "TLSv1.3");
      assert.equal(p.serverTLS.serverName, "localhost");
      assert.equal(p.clientTLS.getPeerCertificate()?.commonName, "localhost");
      assert.equal(p.serverTLS.getPeerCertificate(), null);
    });

    it("loseConnection sends close_notify: both sides see ConnectionDone", async () => {
      const p = tlsPair(engine, serverOptions(), clientOptions());
      await pumpUntil(
        p.pump,
        () => p.clientTLS.handshakeDone && p.serverTLS.handshakeDone,
        "the handshake",
      );
      p.client.transport!.write("last words");
      p.client.transport!.loseConnection();
      await pumpUntil(
        p.pump,
        () => p.client.lost !== null && p.server.lost !== null,
        "both closed",
      );
      assert.equal(p.server.received, "last words");
      assert.ok(p.client.lost!.check(ConnectionDone), String(p.client.lost!.value));
      assert.ok(p.server.lost!.check(ConnectionDone), String(p.server.lost!.value));
    });

    it("a peer closing without close_notify is a TLSTruncationError (a ConnectionLost)", async () => {
      const p = tlsPair(engine, serverOptions(), clientOptions());
      await pumpUntil(
        p.pump,
        () => p.clientTLS.handshakeDone && p.serverTLS.handshakeDone,
        "the handshake",
      );
      // Close the client's ciphertext transport under it: no close_notify.
      (p.clientTLS.transport as FakeTransport).loseConnection();
      await pumpUntil(p.pump, () => p.server.lost !== null, "the server's connectionLost");
      assert.ok(p.server.lost!.value instanceof TLSTruncationError);
      assert.ok(p.server.lost!.check(ConnectionLost));
    });

    it("a wrong host name fails the handshake with a TLSVerificationError on both sides", async () => {
      const p = tlsPair(engine, serverOptions(), clientOptions("other.example"));
      const handshake = p.clientTLS.whenHandshakeDone();
      await pumpUntil(
        p.pump,
        () => p.client.lost !== null && p.server.lost !== null,
        "both closed",
      );
      const e = p.client.lost!.value;
      assert.ok(e instanceof TLSVerificationError, String(e));
      assert.match(e.message, /hostname mismatch/);
      assert.ok(p.server.lost!.value instanceof TLSError, String(p.server.lost!.value));
      await assert.rejects(handshake.toPromise(), TLSVerificationError);
    });

    it("SNI on both sides: the server presents the certificate of the name the client asks for", async () => {
      const certs = testCertificates();
      const server = new CertificateOptions({
        certificate: certs.server.pc,
        serverNames: { "Other.Example": certs.otherName.pc },
      });
      if (engine === "node" && !nodeTlsSelectsSNICertificates()) {
        // Bun's node:tls server ignores the SNICallback's choice: the node
        // engine refuses such options there, naming the OpenSSL engine.
        assert.throws(
          () => new TLSMemoryBIOFactory(server, false, new Factory(), { engine }),
          /cannot choose a certificate by SNI name.*OpenSSL engine/,
        );
        return;
      }
      for (const [host, cn] of [["other.example", "other.example"], ["localhost", "localhost"]]) {
        const p = tlsPair(engine, server, optionsForClientTLS(host, { trustRoot: certs.caCert }));
        p.client.transport!.write("sni");
        await pumpUntil(p.pump, () => p.client.received === "sni", `the echo for ${host}`);
        assert.equal(p.clientTLS.getPeerCertificate()?.commonName, cn);
        assert.equal(p.serverTLS.serverName, host);
      }
    });
  });
}
