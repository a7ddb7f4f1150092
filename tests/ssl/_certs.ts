/**
 * Certificates for the TLS tests, made fresh by `openssl req`/`x509` in a
 * temporary folder (never committed keys): a test CA, a server certificate
 * for localhost/127.0.0.1 signed by it, one for another name, an expired
 * one, a self-signed one, one from an untrusted CA, and a client
 * certificate.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Certificate, PrivateCertificate } from "../../ssl/mod.ts";

export interface PemPair {
  /** The certificate, PEM. */
  readonly cert: string;
  /** Its private key, PEM. */
  readonly key: string;
  /** Both, as a PrivateCertificate. */
  readonly pc: PrivateCertificate;
}

export interface TestCertificates {
  /** Where the PEM files are (deleted at exit). */
  readonly dir: string;
  readonly ca: PemPair;
  readonly caCert: Certificate;
  readonly server: PemPair;
  readonly otherName: PemPair;
  readonly expired: PemPair;
  readonly selfSigned: PemPair;
  readonly untrusted: PemPair;
  readonly client: PemPair;
  /** Write a file in the folder; returns its path. */
  file(name: string, text: string): string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function run(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

let made: TestCertificates | null = null;

/** The certificates (made once per process). */
export function testCertificates(): TestCertificates {
  if (made !== null) return made;
  const dir = mkdtempSync(join(tmpdir(), "skein-tls-test-"));
  const read = (name: string): string => readFileSync(join(dir, name), "utf8");
  const pair = (name: string): PemPair => {
    const cert = read(`${name}.pem`);
    const key = read(`${name}.key`);
    return { cert, key, pc: PrivateCertificate.loadPEM(cert, key) };
  };
  const ca = (name: string, cn: string): void =>
    run([
      "req",
      "-x509",
      ...EC,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
    ], dir);
  const signed = (name: string, cn: string, san: string, by: string, days = "2"): void => {
    run(["req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`], dir);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    run([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${by}.pem`,
      "-CAkey",
      `${by}.key`,
      "-CAcreateserial",
      "-days",
      days,
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ], dir);
  };
  ca("ca", "Skein Test CA");
  ca("otherca", "Untrusted CA");
  signed("server", "localhost", "DNS:localhost,IP:127.0.0.1", "ca");
  signed("othername", "other.example", "DNS:other.example", "ca");
  signed("expired", "localhost", "DNS:localhost,IP:127.0.0.1", "ca", "-1");
  signed("untrusted", "localhost", "DNS:localhost,IP:127.0.0.1", "otherca");
  signed("client", "skein-client", "DNS:skein-client", "ca");
  run([
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], dir);
  const caPair = pair("ca");
  made = {
    dir,
    ca: caPair,
    caCert: Certificate.loadPEM(caPair.cert),
    server: pair("server"),
    otherName: pair("othername"),
    expired: pair("expired"),
    selfSigned: pair("self"),
    untrusted: pair("untrusted"),
    client: pair("client"),
    file(name: string, text: string): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  return made;
}
