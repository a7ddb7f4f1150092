/**
 * TLS options in Twisted's shape: `optionsForClientTLS(hostname, …)` for
 * clients (the system's trust store by default, host name verification
 * always on) and `CertificateOptions` for servers (key, chain, ALPN, TLS 1.2
 * at least). Both are a {@linkcode TLSContextFactory}: what
 * `TLSMemoryBIOFactory`, `listenSSL`/`connectSSL`, `startTLS` and the
 * `ssl:`/`tls:` endpoints take. The settings are engine-neutral; each TLS
 * engine compiles them once per options object.
 *
 * @module
 */

import { isIP } from "node:net";
import { Certificate, PrivateCertificate } from "./certificate.ts";
import { TLSConfigurationError } from "./errors.ts";

/**
 * The lowest TLS version a connection may use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TLSVersion } from "@skein/skein/ssl";
 * const v: TLSVersion = "TLSv1.3";
 * assert.equal(v, "TLSv1.3");
 * ```
 */
export type TLSVersion = "TLSv1.2" | "TLSv1.3";

/**
 * Whom to trust: the platform's store of root certificates, or exactly
 * these certificates (Twisted's `IOpenSSLTrustRoot`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformTrust, type TrustRoot } from "@skein/skein/ssl";
 * const root: TrustRoot = platformTrust();
 * assert.equal(root.kind, "platform");
 * ```
 */
export type TrustRoot =
  | { readonly kind: "platform"; }
  | { readonly kind: "certificates"; readonly certificates: readonly Certificate[]; };

/**
 * Trust the operating system's root certificates (Twisted's `platformTrust`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformTrust } from "@skein/skein/ssl";
 * assert.deepEqual(platformTrust(), { kind: "platform" });
 * ```
 */
export function platformTrust(): TrustRoot {
  return { kind: "platform" };
}

/**
 * Trust exactly `certificates` (Twisted's `trustRootFromCertificates`): a
 * private CA, or a self-signed server's own certificate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trustRootFromCertificates } from "@skein/skein/ssl";
 * assert.throws(() => trustRootFromCertificates([]), /at least one certificate/);
 * ```
 */
export function trustRootFromCertificates(certificates: Iterable<Certificate>): TrustRoot {
  const list = [...certificates];
  for (const c of list) {
    if (!(c instanceof Certificate)) {
      throw new TLSConfigurationError("trustRootFromCertificates takes Certificate objects");
    }
  }
  if (list.length === 0) {
    throw new TLSConfigurationError(
      "trustRootFromCertificates needs at least one certificate (use platformTrust() for the system store)",
    );
  }
  return { kind: "certificates", certificates: list };
}

/**
 * A certificate to present and the intermediates that go with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CertificateChain } from "@skein/skein/ssl";
 * const none: CertificateChain | null = null;
 * assert.equal(none, null);
 * ```
 */
export interface CertificateChain {
  /** The certificate and its key. */
  readonly certificate: PrivateCertificate;
  /** Intermediate certificates sent after it, leaf-most first. */
  readonly extraCertChain: readonly Certificate[];
}

/**
 * The engine-neutral description of one side's TLS configuration. Built by
 * {@linkcode optionsForClientTLS} and {@linkcode CertificateOptions}; the
 * engines compile it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsForClientTLS, type TLSSettings } from "@skein/skein/ssl";
 * const settings: TLSSettings = optionsForClientTLS("example.com").tls;
 * assert.equal(settings.isClient, true);
 * assert.equal(settings.hostname, "example.com");
 * ```
 */
export interface TLSSettings {
  /** True for the connecting side. */
  readonly isClient: boolean;
  /** Client: the name sent as SNI and that the server's certificate must match. */
  readonly hostname: string | null;
  /** Verify the peer's certificate (a client always does unless told loudly not to; a server asks for one). */
  readonly verifyPeer: boolean;
  /** Server: fail a client that sends no certificate. */
  readonly requirePeerCertificate: boolean;
  /** Whom to trust when verifying the peer. */
  readonly trustRoot: TrustRoot;
  /** What this side presents (a server always does). */
  readonly chain: CertificateChain | null;
  /** Server: other names' certificates, chosen by the client's SNI. */
  readonly serverNames: ReadonlyMap<string, CertificateChain>;
  /** ALPN protocols, most preferred first (empty: no ALPN). */
  readonly acceptableProtocols: readonly string[];
  /** The lowest version allowed. */
  readonly minimumVersion: TLSVersion;
  /** Server: Diffie-Hellman parameters (PEM) for the DHE suites, or `null`. */
  readonly dhParameters: string | null;
}

/**
 * Anything that configures a TLS connection (Twisted's context factories
 * and `IOpenSSLClientConnectionCreator`): it carries the
 * {@linkcode TLSSettings}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsForClientTLS, type TLSContextFactory } from "@skein/skein/ssl";
 * const options: TLSContextFactory = optionsForClientTLS("example.com");
 * assert.equal(options.tls.minimumVersion, "TLSv1.2");
 * ```
 */
export interface TLSContextFactory {
  /** The settings. */
  readonly tls: TLSSettings;
}

function checkProtocols(protocols: readonly (string | Uint8Array)[] | undefined): string[] {
  const out: string[] = [];
  for (const p of protocols ?? []) {
    const name = typeof p === "string" ? p : new TextDecoder().decode(p);
    const length = new TextEncoder().encode(name).length;
    if (length === 0 || length > 255) {
      throw new TLSConfigurationError(
        `ALPN protocol names are 1 to 255 bytes; got ${JSON.stringify(name)}`,
      );
    }
    out.push(name);
  }
  return out;
}

function checkVersion(version: TLSVersion | undefined): TLSVersion {
  const v = version ?? "TLSv1.2";
  if (v !== "TLSv1.2" && v !== "TLSv1.3") {
    throw new TLSConfigurationError(
      `minimumVersion must be "TLSv1.2" or "TLSv1.3" (older versions are not offered); got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v;
}

function toTrustRoot(
  trust: TrustRoot | Certificate | readonly Certificate[] | undefined,
): TrustRoot {
  if (trust === undefined) return platformTrust();
  if (trust instanceof Certificate) return trustRootFromCertificates([trust]);
  if (Array.isArray(trust)) return trustRootFromCertificates(trust as readonly Certificate[]);
  const root = trust as TrustRoot;
  if (root.kind !== "platform" && root.kind !== "certificates") {
    throw new TLSConfigurationError(
      "trustRoot must be platformTrust(), trustRootFromCertificates([...]) or a Certificate",
    );
  }
  return root;
}

function toChain(
  certificate: PrivateCertificate,
  extra: readonly Certificate[] | undefined,
  what: string,
): CertificateChain {
  if (!(certificate instanceof PrivateCertificate)) {
    throw new TLSConfigurationError(
      `${what} must be a PrivateCertificate (PrivateCertificate.loadPEM(certPem, keyPem))`,
    );
  }
  return { certificate, extraCertChain: [...(extra ?? [])] };
}

/**
 * Options of {@linkcode optionsForClientTLS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClientTLSOptionsInit } from "@skein/skein/ssl";
 * const init: ClientTLSOptionsInit = { acceptableProtocols: ["h2", "http/1.1"] };
 * assert.equal(init.acceptableProtocols?.length, 2);
 * ```
 */
export interface ClientTLSOptionsInit {
  /** Whom to trust. @default {platformTrust()} */
  trustRoot?: TrustRoot | Certificate | readonly Certificate[];
  /** A certificate to present when the server asks for one. */
  clientCertificate?: PrivateCertificate;
  /** Intermediates sent after `clientCertificate`. */
  extraCertificateChain?: readonly Certificate[];
  /** ALPN protocols to offer, most preferred first. */
  acceptableProtocols?: readonly (string | Uint8Array)[];
  /** The lowest version allowed. @default {"TLSv1.2"} */
  minimumVersion?: TLSVersion;
  /**
   * Accept any server certificate, any name: no authentication at all.
   * Only for tests against a throwaway peer; never in production. It must
   * be spelled out: there is no other way to turn verification off.
   */
  dangerouslyDisableCertificateVerification?: true;
}

/**
 * A client's TLS options (what {@linkcode optionsForClientTLS} returns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientTLSOptions, optionsForClientTLS } from "@skein/skein/ssl";
 * assert.ok(optionsForClientTLS("example.com") instanceof ClientTLSOptions);
 * ```
 */
export class ClientTLSOptions implements TLSContextFactory {
  /** The settings. */
  readonly tls: TLSSettings;

  /** Use {@linkcode optionsForClientTLS}. */
  constructor(hostname: string, init: ClientTLSOptionsInit = {}) {
    if (typeof hostname !== "string" || hostname.length === 0) {
      throw new TLSConfigurationError(
        "optionsForClientTLS needs the server's host name (the name its certificate must carry)",
      );
    }
    const insecure = init.dangerouslyDisableCertificateVerification;
    if (insecure !== undefined && insecure !== true) {
      throw new TLSConfigurationError(
        "dangerouslyDisableCertificateVerification takes only `true`; leave it out to verify",
      );
    }
    const host = hostname.startsWith("[") && hostname.endsWith("]")
      ? hostname.slice(1, -1)
      : hostname;
    this.tls = {
      isClient: true,
      hostname: isIP(host) === 0 ? host.replace(/\.$/, "").toLowerCase() : host,
      verifyPeer: insecure !== true,
      requirePeerCertificate: true,
      trustRoot: toTrustRoot(init.trustRoot),
      chain: init.clientCertificate === undefined
        ? null
        : toChain(init.clientCertificate, init.extraCertificateChain, "clientCertificate"),
      serverNames: new Map(),
      acceptableProtocols: checkProtocols(init.acceptableProtocols),
      minimumVersion: checkVersion(init.minimumVersion),
      dhParameters: null,
    };
  }
}

/**
 * A client's TLS options for connecting to `hostname` (Twisted's
 * `optionsForClientTLS`): SNI names it, and the server's certificate must
 * carry it and chain up to `trustRoot` (the system's store by default).
 * Verification is always on; see `dangerouslyDisableCertificateVerification`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsForClientTLS } from "@skein/skein/ssl";
 * const options = optionsForClientTLS("Example.COM", { acceptableProtocols: ["h2"] });
 * assert.equal(options.tls.hostname, "example.com");
 * assert.equal(options.tls.verifyPeer, true);
 * assert.deepEqual(options.tls.acceptableProtocols, ["h2"]);
 * ```
 */
export function optionsForClientTLS(
  hostname: string,
  init: ClientTLSOptionsInit = {},
): ClientTLSOptions {
  return new ClientTLSOptions(hostname, init);
}

/**
 * Options of {@linkcode CertificateOptions}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CertificateOptionsInit } from "@skein/skein/ssl";
 * const partial: Partial<CertificateOptionsInit> = { minimumVersion: "TLSv1.3" };
 * assert.equal(partial.minimumVersion, "TLSv1.3");
 * ```
 */
export interface CertificateOptionsInit {
  /** The server's certificate and key. */
  certificate: PrivateCertificate;
  /** Intermediates sent after it. */
  extraCertChain?: readonly Certificate[];
  /** ALPN protocols to accept, most preferred first. */
  acceptableProtocols?: readonly (string | Uint8Array)[];
  /** The lowest version allowed. @default {"TLSv1.2"} */
  minimumVersion?: TLSVersion;
  /** Ask clients for a certificate and verify it against `caCerts`. @default {false} */
  verify?: boolean;
  /** Whom to trust for client certificates (needed with `verify`). */
  caCerts?: TrustRoot | Certificate | readonly Certificate[];
  /** With `verify`: refuse a client that sends none. @default {true} */
  requireCertificate?: boolean;
  /** Diffie-Hellman parameters (PEM, `openssl dhparam`) for DHE suites. */
  dhParameters?: string | Uint8Array;
  /** Other certificates chosen by the client's SNI name (lower-case names). */
  serverNames?: Readonly<Record<string, CertificateChain | PrivateCertificate>>;
}

/**
 * A server's TLS options (Twisted's `CertificateOptions`): its certificate
 * and key, the chain, ALPN, TLS 1.2 at least, optionally client
 * certificates and other certificates by SNI name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertificateOptions, TLSConfigurationError } from "@skein/skein/ssl";
 * import type { PrivateCertificate } from "@skein/skein/ssl";
 * assert.throws(
 *   () => new CertificateOptions({ certificate: null as unknown as PrivateCertificate }),
 *   TLSConfigurationError,
 * );
 * ```
 */
export class CertificateOptions implements TLSContextFactory {
  /** The settings. */
  readonly tls: TLSSettings;

  /** Check and keep the options. */
  constructor(init: CertificateOptionsInit) {
    const verify = init.verify ?? false;
    if (verify && init.caCerts === undefined) {
      throw new TLSConfigurationError(
        "CertificateOptions with verify: true needs caCerts (the CA that signs client certificates)",
      );
    }
    const serverNames = new Map<string, CertificateChain>();
    for (const [name, entry] of Object.entries(init.serverNames ?? {})) {
      const chain = entry instanceof PrivateCertificate
        ? toChain(entry, [], `serverNames[${JSON.stringify(name)}]`)
        : toChain(entry.certificate, entry.extraCertChain, `serverNames[${JSON.stringify(name)}]`);
      serverNames.set(name.toLowerCase(), chain);
    }
    const dh = init.dhParameters;
    const dhText = dh === undefined
      ? null
      : typeof dh === "string"
      ? dh
      : new TextDecoder().decode(dh);
    if (dhText !== null && !dhText.includes("-----BEGIN DH PARAMETERS-----")) {
      throw new TLSConfigurationError(
        "dhParameters must be PEM DH parameters (openssl dhparam -out dh.pem 2048)",
      );
    }
    this.tls = {
      isClient: false,
      hostname: null,
      verifyPeer: verify,
      requirePeerCertificate: verify && (init.requireCertificate ?? true),
      trustRoot: verify ? toTrustRoot(init.caCerts) : platformTrust(),
      chain: toChain(init.certificate, init.extraCertChain, "certificate"),
      serverNames,
      acceptableProtocols: checkProtocols(init.acceptableProtocols),
      minimumVersion: checkVersion(init.minimumVersion),
      dhParameters: dhText,
    };
  }
}
