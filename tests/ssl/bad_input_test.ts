/**
 * Bad input, each case named, against both engines over iosim: every one
 * fails that connection with a typed reason naming what failed (the
 * verifier's or the TLS library's message), as Twisted hands the
 * `OpenSSL.SSL.Error` to `connectionLost`.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Factory } from "../../protocols/factory.ts";
import { Protocol } from "../../protocols/protocol.ts";
import { ConnectionAborted, ConnectionLost } from "../../reactor/errors.ts";
import { nodeTlsVerifiesClients } from "../../reactor/ffi/libssl_runtime.ts";
import {
  CertificateOptions,
  optionsForClientTLS,
  PrivateCertificate,
  TLSConfigurationError,
  type TLSContextFactory,
  type TLSEngineName,
  TLSError,
  TLSHandshakeTimeoutError,
  TLSMemoryBIOFactory,
  TLSMemoryBIOProtocol,
  TLSVerificationError,
  type TLSWrapperOptions,
} from "../../ssl/mod.ts";
import { Clock } from "../../task/clock.ts";
import { connect, FakeTransport, type IOPump } from "../../testing/iosim.ts";
import { type PemPair, testCertificates } from "./_certs.ts";
import { ENGINES, pumpUntil, Recorder, type TLSPair, tlsPair } from "./_helpers.ts";

/**
 * Deno's node:tls cannot verify client certificates over a stream: there the
 * node engine refuses such options at once, with a TLSConfigurationError
 * that names the OpenSSL engine (pinned here); the case itself runs on Bun.
 */
function clientAuthUnsupported(engine: TLSEngineName, server: CertificateOptions): boolean {
  if (engine !== "node" || nodeTlsVerifiesClients()) return false;
  assert.throws(
    () => new TLSMemoryBIOFactory(server, false, new Factory(), { engine }),
    /cannot verify client certificates.*OpenSSL engine/,
  );
  return true;
}

const serving = (pem: PemPair): CertificateOptions =>
  new CertificateOptions({ certificate: pem.pc });
const trusting = (host = "localhost"): TLSContextFactory =>
  optionsForClientTLS(host, { trustRoot: testCertificates().caCert });

/** Server options that require a client certificate signed by the test CA. */
function requiringClientCertificates(): CertificateOptions {
  const certs = testCertificates();
  return new CertificateOptions({
    certificate: certs.server.pc,
    verify: true,
    caCerts: certs.caCert,
  });
}

/**
 * A TLS server on `engine` whose application records, wired over iosim to a
 * plain (non-TLS) peer: what the peer writes reaches the server raw.
 */
function tlsServerFacingPlain(
  engine: TLSEngineName,
  options: Omit<TLSWrapperOptions, "engine"> = {},
): { app: Recorder; plain: Protocol; pump: IOPump; } {
  const app = new Recorder();
  const serverTLS = new TLSMemoryBIOProtocol(serving(testCertificates().server), app, {
    ...options,
    engine,
  });
  const plain = new Protocol();
  const pump = connect(
    serverTLS,
    new FakeTransport(serverTLS, true),
    plain,
    new FakeTransport(plain, false),
  );
  return { app, plain, pump };
}

async function bothLost(p: TLSPair): Promise<void> {
  await pumpUntil(
    p.pump,
    () => p.client.lost !== null && p.server.lost !== null,
    "both sides closed",
  );
}

for (const engine of ENGINES) {
  describe(`TLS bad input (${engine} engine)`, () => {
    const refused: readonly {
      what: string;
      pem: "expired" | "selfSigned" | "untrusted";
      message: RegExp;
    }[] = [
      {
        what: "an expired certificate: TLSVerificationError 'certificate has expired'",
        pem: "expired",
        message: /certificate has expired/,
      },
      {
        what: "a self-signed certificate: TLSVerificationError 'self-signed certificate'",
        pem: "selfSigned",
        message: /self.signed certificate/,
      },
      {
        what: "an untrusted chain: TLSVerificationError 'unable to get local issuer certificate'",
        pem: "untrusted",
        message: /unable to get local issuer certificate/,
      },
    ];
    for (const { what, pem, message } of refused) {
      it(what, async () => {
        const p = tlsPair(engine, serving(testCertificates()[pem]), trusting());
        await bothLost(p);
        const e = p.client.lost!.value;
        assert.ok(e instanceof TLSVerificationError, String(e));
        assert.match(e.message, message);
        assert.equal(p.server.received, "");
      });
    }

    it("an IP address the certificate does not name: TLSVerificationError", async () => {
      const p = tlsPair(engine, serving(testCertificates().server), trusting("127.0.0.2"));
      await bothLost(p);
      assert.ok(p.client.lost!.value instanceof TLSVerificationError, String(p.client.lost!.value));
    });

    it("a client certificate required but missing: the server refuses with a TLSError", async () => {
      const server = requiringClientCertificates();
      if (clientAuthUnsupported(engine, server)) return;
      const p = tlsPair(engine, server, trusting());
      p.client.transport!.write("should never arrive");
      await bothLost(p);
      assert.ok(p.server.lost!.value instanceof TLSError, String(p.server.lost!.value));
      assert.match((p.server.lost!.value as Error).message, /certificate/);
      assert.ok(p.client.lost!.value instanceof TLSError, String(p.client.lost!.value));
      assert.equal(p.server.received, "");
    });

    it("a client certificate given: the server sees it", async () => {
      const server = requiringClientCertificates();
      if (clientAuthUnsupported(engine, server)) return;
      const certs = testCertificates();
      const client = optionsForClientTLS("localhost", {
        trustRoot: certs.caCert,
        clientCertificate: certs.client.pc,
      });
      const p = tlsPair(engine, server, client);
      p.client.transport!.write("ping");
      await pumpUntil(p.pump, () => p.client.received === "ping", "the echo");
      assert.equal(p.serverTLS.getPeerCertificate()?.commonName, "skein-client");
    });

    it("garbage instead of a ClientHello: TLSError naming the protocol error, nothing delivered", async () => {
      const { app, plain, pump } = tlsServerFacingPlain(engine);
      plain.transport!.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
      await pumpUntil(pump, () => app.lost !== null, "the server's connectionLost");
      const e = app.lost!.value;
      assert.ok(e instanceof TLSError, String(e));
      assert.match(
        e.message,
        /http request|wrong version number|unknown protocol|unsupported protocol/i,
      );
      assert.equal(app.received, "");
    });

    it("a handshake timeout: TLSHandshakeTimeoutError, the connection aborted", async () => {
      const clock = new Clock();
      const { app, pump } = tlsServerFacingPlain(engine, { clock, handshakeTimeout: 5 });
      clock.advance(4.9);
      pump.flush();
      assert.equal(app.lost, null);
      clock.advance(0.2);
      await pumpUntil(pump, () => app.lost !== null, "the timeout");
      assert.ok(app.lost!.value instanceof TLSHandshakeTimeoutError, String(app.lost!.value));
    });

    it("abortConnection mid-handshake: ConnectionAborted here, ConnectionLost there, whenHandshakeDone fails", async () => {
      const p = tlsPair(engine, serving(testCertificates().server), trusting(), { greet: false });
      const handshake = p.clientTLS.whenHandshakeDone();
      p.pump.pump(); // the ClientHello reaches the server, nothing more
      p.clientTLS.abortConnection();
      await bothLost(p);
      assert.ok(p.client.lost!.check(ConnectionAborted), String(p.client.lost!.value));
      assert.ok(p.server.lost!.check(ConnectionLost), String(p.server.lost!.value));
      await assert.rejects(handshake.toPromise(), ConnectionAborted);
    });

    it("verification off only when spelled out: dangerouslyDisableCertificateVerification", async () => {
      assert.throws(
        () =>
          optionsForClientTLS("localhost", {
            dangerouslyDisableCertificateVerification: "yes" as unknown as true,
          }),
        TLSConfigurationError,
      );
      const p = tlsPair(
        engine,
        serving(testCertificates().selfSigned),
        optionsForClientTLS("wrong.example", { dangerouslyDisableCertificateVerification: true }),
      );
      p.client.transport!.write("insecure");
      await pumpUntil(p.pump, () => p.client.received === "insecure", "the echo");
    });
  });
}

describe("TLS options are checked at the call", () => {
  it("a key that does not match its certificate", () => {
    const certs = testCertificates();
    assert.throws(
      () => PrivateCertificate.loadPEM(certs.server.cert, certs.client.key),
      /does not match the certificate/,
    );
  });

  it("server options for a client factory, and the reverse", () => {
    const certs = testCertificates();
    assert.throws(
      () => new TLSMemoryBIOFactory(serving(certs.server), true, new Factory()),
      /client options/,
    );
    assert.throws(
      () => new TLSMemoryBIOFactory(trusting(), false, new Factory()),
      /server options/,
    );
  });

  it("bad ALPN names and versions", () => {
    assert.throws(
      () => optionsForClientTLS("x", { acceptableProtocols: [""] }),
      TLSConfigurationError,
    );
    assert.throws(
      () => optionsForClientTLS("x", { minimumVersion: "TLSv1.0" as "TLSv1.2" }),
      /TLSv1\.2.*TLSv1\.3/,
    );
    assert.throws(() => optionsForClientTLS(""), /host name/);
  });
});
