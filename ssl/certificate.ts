/**
 * Certificates and keys in PEM: `Certificate` (a public certificate, for
 * trust roots and the peer's), `PrivateCertificate` (a certificate with its
 * private key, what a server or a client presenting itself holds), and
 * `loadCertificatesPEM` for files with several. Twisted's `Certificate` and
 * `PrivateCertificate` from `twisted.internet.ssl`.
 *
 * @module
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import { TLSConfigurationError } from "./errors.ts";

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

function text(pem: string | Uint8Array): string {
  return typeof pem === "string" ? pem : new TextDecoder().decode(pem);
}

function base64Lines(der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/.{1,64}/g, "$&\n");
}

/**
 * An X.509 certificate (Twisted's `Certificate`): the DER bytes and their
 * PEM form, with the fields code usually asks about.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Certificate } from "@skein/skein/ssl";
 * assert.throws(() => Certificate.loadPEM(""), /no PEM certificate/);
 * ```
 */
export class Certificate {
  /** The DER encoding. */
  readonly der: Uint8Array;
  readonly #x509: X509Certificate;

  /** Wrap DER bytes (throws a `TLSConfigurationError` when they are not a certificate). */
  constructor(der: Uint8Array) {
    try {
      this.#x509 = new X509Certificate(der);
    } catch (e) {
      throw new TLSConfigurationError(
        `not an X.509 certificate: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.der = der;
  }

  /** The first certificate of a PEM text (Twisted's `Certificate.loadPEM`). */
  static loadPEM(pem: string | Uint8Array): Certificate {
    const all = loadCertificatesPEM(pem);
    return all[0];
  }

  /** The certificate as PEM text (Twisted's `dumpPEM`). */
  dumpPEM(): string {
    return `-----BEGIN CERTIFICATE-----\n${base64Lines(this.der)}-----END CERTIFICATE-----\n`;
  }

  /** The subject, one `key=value` per line (`"CN=localhost"`). */
  get subject(): string {
    return this.#x509.subject;
  }

  /** The issuer, in the same form. */
  get issuer(): string {
    return this.#x509.issuer;
  }

  /** The subject's common name, or `null`. */
  get commonName(): string | null {
    const line = this.subject.split("\n").find((l) => l.startsWith("CN="));
    return line === undefined ? null : line.slice(3);
  }

  /** The subjectAltName extension as text (`"DNS:localhost, IP Address:127.0.0.1"`), or `null`. */
  get subjectAltName(): string | null {
    return this.#x509.subjectAltName ?? null;
  }

  /** When the certificate stops being valid. */
  get notAfter(): Date {
    return new Date(this.#x509.validTo);
  }

  /** When it starts being valid. */
  get notBefore(): Date {
    return new Date(this.#x509.validFrom);
  }

  /** The SHA-256 fingerprint, colon-separated hex (`"9A:6D:…"`). */
  get fingerprint256(): string {
    return this.#x509.fingerprint256;
  }

  /** True when `host` (a DNS name) matches the certificate's names. */
  matchesHost(host: string): boolean {
    return this.#x509.checkHost(host) !== undefined;
  }

  /** True when the PEM private key `keyPem` belongs to this certificate. */
  matchesKey(keyPem: string): boolean {
    try {
      return this.#x509.checkPrivateKey(createPrivateKey(keyPem));
    } catch {
      return false;
    }
  }

  /** `<Certificate CN=… fingerprint>`. */
  toString(): string {
    return `<Certificate ${this.subject.replace(/\n/g, ", ")}>`;
  }
}

/**
 * Every certificate of a PEM text, in order (a chain file, or a bundle of
 * trust roots). Throws a `TLSConfigurationError` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCertificatesPEM, TLSConfigurationError } from "@skein/skein/ssl";
 * assert.throws(() => loadCertificatesPEM("-----BEGIN NOTHING-----"), TLSConfigurationError);
 * ```
 */
export function loadCertificatesPEM(pem: string | Uint8Array): Certificate[] {
  const blocks = text(pem).match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new TLSConfigurationError(
      "no PEM certificate found (expected a -----BEGIN CERTIFICATE----- block)",
    );
  }
  return blocks.map((block) => {
    const body = block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
    let binary: string;
    try {
      binary = atob(body);
    } catch {
      throw new TLSConfigurationError("a PEM certificate block is not valid base64");
    }
    const der = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
    return new Certificate(der);
  });
}

/**
 * A certificate with its private key (Twisted's `PrivateCertificate`): what
 * a server presents, or a client asked for a certificate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PrivateCertificate } from "@skein/skein/ssl";
 * assert.throws(() => PrivateCertificate.loadPEM("no certificate here"), /no PEM certificate/);
 * ```
 */
export class PrivateCertificate extends Certificate {
  /** The private key, PEM (PKCS#8, PKCS#1 or SEC1; not encrypted). */
  readonly privateKeyPEM: string;

  /** Pair `certificate` with `keyPem`; throws when the key does not belong to it. */
  constructor(certificate: Certificate, keyPem: string) {
    super(certificate.der);
    const block = keyPem.match(KEY_BLOCK);
    if (block === null) {
      throw new TLSConfigurationError(
        "no PEM private key found (expected a -----BEGIN PRIVATE KEY----- block)",
      );
    }
    if (block[1] === "ENCRYPTED PRIVATE KEY") {
      throw new TLSConfigurationError(
        "the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)",
      );
    }
    if (!certificate.matchesKey(block[0])) {
      throw new TLSConfigurationError(
        `the private key does not match the certificate ${
          certificate.subject.replace(/\n/g, ", ")
        }`,
      );
    }
    this.privateKeyPEM = block[0];
  }

  /**
   * A certificate and its key from PEM text: both in one text (Twisted's
   * `PrivateCertificate.loadPEM`), or the key given apart as `keyPem`.
   */
  static override loadPEM(
    pem: string | Uint8Array,
    keyPem?: string | Uint8Array,
  ): PrivateCertificate {
    const certificate = Certificate.loadPEM(pem);
    return new PrivateCertificate(certificate, text(keyPem ?? pem));
  }
}
