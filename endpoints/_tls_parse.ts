/**
 * The `ssl:` and `tls:` parsers of `serverFromString`/`clientFromString`:
 * they read the PEM files a description names and build the TLS endpoints.
 *
 * @module
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { IReactorTCP, IReactorTime } from "../interfaces.ts";
import { type Certificate, loadCertificatesPEM, PrivateCertificate } from "../ssl/certificate.ts";
import { TLSConfigurationError } from "../ssl/errors.ts";
import {
  CertificateOptions,
  optionsForClientTLS,
  platformTrust,
  type TrustRoot,
  trustRootFromCertificates,
} from "../ssl/options.ts";
import { bindParams, parseInteger, parsePort, parseSeconds } from "./_parse.ts";
import { EndpointDescriptionError } from "./errors.ts";
import { HostnameEndpoint } from "./hostname.ts";
import { TCP4ClientEndpoint } from "./tcp.ts";
import { SSL4ServerEndpoint, type TLSWrapperClientEndpoint, wrapClientTLS } from "./tls.ts";

/** The forms, for error messages. */
const TLS_FORMS: Readonly<Record<string, string>> = {
  sslServer: "ssl:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:extraCertChain=CHAIN.pem]"
    + "[:dhParameters=DH.pem][:interface=ADDRESS][:backlog=N]",
  sslClient: "ssl:host=HOST:port=PORT[:caCertsDir=DIR][:certKey=CERT.pem][:privateKey=KEY.pem]"
    + "[:timeout=SECONDS][:bindAddress=ADDRESS]",
  tlsClient: "tls:HOST:PORT[:timeout=SECONDS][:bindAddress=ADDRESS][:certificate=CERT.pem]"
    + "[:privateKey=KEY.pem][:trustRoots=DIR]",
};

function readFile(description: string, what: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new EndpointDescriptionError(
      description,
      `cannot read the ${what} file ${JSON.stringify(path)}: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}

function configured<T>(description: string, what: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof TLSConfigurationError) {
      throw new EndpointDescriptionError(description, `${what}: ${e.message}`);
    }
    throw e;
  }
}

/** Every certificate in the PEM files of `dir` (files that hold none are skipped, as Twisted does). */
function certificatesIn(description: string, what: string, dir: string): TrustRoot {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new EndpointDescriptionError(
      description,
      `cannot read the ${what} directory ${JSON.stringify(dir)}: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
  const found: Certificate[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      found.push(...loadCertificatesPEM(readFileSync(path, "utf8")));
    } catch {
      // not a certificate file
    }
  }
  if (found.length === 0) {
    throw new EndpointDescriptionError(
      description,
      `no PEM certificates in the ${what} directory ${JSON.stringify(dir)}`,
    );
  }
  return trustRootFromCertificates(found);
}

function clientCertificate(
  description: string,
  certPath: string | undefined,
  keyPath: string | undefined,
): PrivateCertificate | undefined {
  if (certPath === undefined && keyPath === undefined) return undefined;
  const cert = readFile(description, "client certificate", certPath ?? keyPath!);
  const key = readFile(description, "client private key", keyPath ?? certPath!);
  return configured(
    description,
    "the client certificate",
    () => PrivateCertificate.loadPEM(cert, key),
  );
}

/** `ssl:` server descriptions (Twisted's `_parseSSL`). */
export function sslServerFromParams(
  reactor: IReactorTCP,
  description: string,
  args: readonly string[],
  kw: ReadonlyMap<string, string>,
): SSL4ServerEndpoint {
  const form = TLS_FORMS.sslServer;
  const p = bindParams(
    description,
    form,
    [
      { name: "port", required: true },
      { name: "privateKey" },
      { name: "certKey" },
      { name: "extraCertChain" },
      { name: "dhParameters" },
      { name: "interface" },
      { name: "backlog" },
      { name: "sslmethod" },
    ],
    args,
    kw,
  );
  if (p.has("sslmethod")) {
    throw new EndpointDescriptionError(
      description,
      "sslmethod is not supported: Skein offers TLS 1.2 and 1.3 only (older versions are insecure)",
    );
  }
  const keyPath = p.get("privateKey") ?? "server.pem";
  const certPath = p.get("certKey") ?? keyPath;
  const keyPem = readFile(description, "privateKey", keyPath);
  const certPem = readFile(description, "certKey", certPath);
  const options = configured(description, "the server certificate", () =>
    new CertificateOptions({
      certificate: PrivateCertificate.loadPEM(certPem, keyPem),
      extraCertChain: p.has("extraCertChain")
        ? loadCertificatesPEM(readFile(description, "extraCertChain", p.get("extraCertChain")!))
        : [],
      dhParameters: p.has("dhParameters")
        ? readFile(description, "dhParameters", p.get("dhParameters")!)
        : undefined,
    }));
  return new SSL4ServerEndpoint(reactor, parsePort(description, form, p.get("port")!), options, {
    interface: p.get("interface") ?? "",
    backlog: p.has("backlog") ? parseInteger(description, form, "backlog", p.get("backlog")!) : 50,
  });
}

/** `ssl:` client descriptions: verified against `caCertsDir`, or the platform's trust store. */
export function sslClientFromParams(
  reactor: IReactorTCP,
  description: string,
  args: readonly string[],
  kw: ReadonlyMap<string, string>,
): TLSWrapperClientEndpoint {
  const form = TLS_FORMS.sslClient;
  const p = bindParams(
    description,
    form,
    [
      { name: "host", required: true },
      { name: "port", required: true },
      { name: "certKey" },
      { name: "privateKey" },
      { name: "caCertsDir" },
      { name: "timeout" },
      { name: "bindAddress" },
    ],
    args,
    kw,
  );
  const host = p.get("host")!;
  const trustRoot = p.has("caCertsDir")
    ? certificatesIn(description, "caCertsDir", p.get("caCertsDir")!)
    : platformTrust();
  const options = configured(description, "the TLS options", () =>
    optionsForClientTLS(host, {
      trustRoot,
      clientCertificate: clientCertificate(description, p.get("certKey"), p.get("privateKey")),
    }));
  const inner = new TCP4ClientEndpoint(
    reactor,
    host,
    parsePort(description, form, p.get("port")!),
    {
      timeout: p.has("timeout") ? parseSeconds(description, form, p.get("timeout")!) : 30,
      bindAddress: p.get("bindAddress") ?? null,
    },
  );
  return wrapClientTLS(options, inner);
}

/** `tls:` client descriptions (Twisted's `_TLSClientEndpointParser`): a HostnameEndpoint in TLS. */
export function tlsClientFromParams(
  reactor: IReactorTCP,
  description: string,
  args: readonly string[],
  kw: ReadonlyMap<string, string>,
): TLSWrapperClientEndpoint {
  const form = TLS_FORMS.tlsClient;
  const p = bindParams(
    description,
    form,
    [
      { name: "host", required: true },
      { name: "port", required: true },
      { name: "timeout" },
      { name: "bindAddress" },
      { name: "certificate" },
      { name: "privateKey" },
      { name: "trustRoots" },
    ],
    args,
    kw,
  );
  const host = p.get("host")!;
  if (host === "") throw new EndpointDescriptionError(description, `empty host; expected ${form}`);
  const trustRoot = p.has("trustRoots")
    ? certificatesIn(description, "trustRoots", p.get("trustRoots")!)
    : platformTrust();
  const options = configured(description, "the TLS options", () =>
    optionsForClientTLS(host, {
      trustRoot,
      clientCertificate: clientCertificate(description, p.get("certificate"), p.get("privateKey")),
    }));
  const inner = new HostnameEndpoint(
    reactor as IReactorTCP & IReactorTime,
    host,
    parsePort(description, form, p.get("port")!),
    {
      timeout: p.has("timeout") ? parseSeconds(description, form, p.get("timeout")!) : 30,
      bindAddress: p.get("bindAddress") ?? null,
    },
  );
  return wrapClientTLS(options, inner);
}
