/**
 * TLS for Skein, in Twisted's design: TLS is a protocol wrapper over any
 * transport (`TLSMemoryBIOProtocol`, `TLSMemoryBIOFactory`, `startTLS`),
 * configured by options in Twisted's shape (`optionsForClientTLS`,
 * `CertificateOptions`, `Certificate`, `PrivateCertificate`). Two engines
 * sit behind one interface: OpenSSL through FFI (the default where libssl
 * loads) and `node:tls` (the fallback). The reactors' `listenSSL` /
 * `connectSSL` and the `ssl:`/`tls:` endpoints are built on it.
 *
 * @example A TLS client and server in memory
 * ```ts
 * import assert from "node:assert/strict";
 * import { execFileSync } from "node:child_process";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Protocol } from "@skein/skein/protocols";
 * import {
 *   CertificateOptions,
 *   optionsForClientTLS,
 *   PrivateCertificate,
 *   TLSMemoryBIOProtocol,
 * } from "@skein/skein/ssl";
 * import { connect, FakeTransport } from "@skein/skein/testing";
 *
 * // A throwaway self-signed certificate for "localhost".
 * const dir = mkdtempSync(join(tmpdir(), "skein-tls-"));
 * execFileSync("openssl", [
 *   "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
 *   "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
 *   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
 * ], { stdio: "ignore" });
 * const server = PrivateCertificate.loadPEM(
 *   readFileSync(join(dir, "cert.pem")),
 *   readFileSync(join(dir, "key.pem")),
 * );
 * rmSync(dir, { recursive: true });
 *
 * class Collect extends Protocol {
 *   received = "";
 *   override dataReceived(data: Uint8Array): void {
 *     this.received += new TextDecoder().decode(data);
 *   }
 * }
 * const app = new Collect();
 * const s = new TLSMemoryBIOProtocol(new CertificateOptions({ certificate: server }), app);
 * const client = new Protocol();
 * const c = new TLSMemoryBIOProtocol(optionsForClientTLS("localhost", { trustRoot: server }), client);
 * const pump = connect(s, new FakeTransport(s, true), c, new FakeTransport(c, false));
 * client.transport!.write("hello over TLS");
 * for (let i = 0; i < 100 && app.received === ""; i++) {
 *   pump.flush();
 *   await new Promise((r) => setTimeout(r, 1)); // the node:tls engine answers on later turns
 * }
 * assert.equal(app.received, "hello over TLS");
 * assert.equal(c.getPeerCertificate()?.commonName, "localhost");
 * c.abortConnection();
 * s.abortConnection();
 * pump.flush();
 * ```
 *
 * @module
 */

export {
  type IHandshakeListener,
  type ISSLTransport,
  startTLS,
  TLSMemoryBIOFactory,
  TLSMemoryBIOProtocol,
  type TLSWrapperOptions,
} from "../protocols/tls.ts";
export * from "./certificate.ts";
export { defaultTLSEngine, opensslAvailable, type TLSEngineName } from "./engines.ts";
export * from "./errors.ts";
export * from "./options.ts";
export * from "./reactor_ssl.ts";
