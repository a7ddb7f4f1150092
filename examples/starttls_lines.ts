/**
 * STARTTLS: a line protocol that starts in the clear and switches to TLS on
 * request, as SMTP, IMAP and XMPP do. The server greets, answers
 * `STARTTLS` with `220 go ahead` (sent in the clear) and calls
 * `transport.startTLS(...)`; the client switches when it reads that line.
 * After the switch both sides keep their protocol objects: only the
 * transport underneath changed.
 *
 * Run it: `deno run -A examples/starttls_lines.ts` or `bun examples/starttls_lines.ts`.
 * It makes a throwaway certificate with `openssl req`, listens on a free
 * port on 127.0.0.1, runs one client session through the switch, prints the
 * conversation and exits.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineReceiver } from "../protocols/basic/mod.ts";
import { ClientFactory, Factory } from "../protocols/mod.ts";
import { createReactor } from "../reactor/mod.ts";
import {
  CertificateOptions,
  type ISSLTransport,
  optionsForClientTLS,
  PrivateCertificate,
  type TLSContextFactory,
} from "../ssl/mod.ts";

const decoder = new TextDecoder();

/** A transport that can switch to TLS (the reactors' TCP and Unix connections). */
interface StartTLSCapable {
  startTLS(contextFactory: TLSContextFactory): ISSLTransport;
}

/**
 * The server side, shaped like SMTP so that `openssl s_client -starttls
 * smtp` can drive it: `EHLO name` → `250-skein` `250 STARTTLS`, `ECHO text`
 * → `250 text (TLS version or "clear")`, `STARTTLS` → `220 go ahead` then
 * TLS, `QUIT` → `221 bye`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { StartTLSServer } from "./starttls_lines.ts";
 * import type { CertificateOptions } from "@skein/skein/ssl";
 *
 * const server = new StartTLSServer({} as CertificateOptions);
 * const t = new StringTransport();
 * server.makeConnection(t);
 * server.dataReceived(new TextEncoder().encode("ECHO hi\r\n"));
 * assert.equal(t.valueString(), "220 skein ready\r\n250 hi (clear)\r\n");
 * ```
 */
export class StartTLSServer extends LineReceiver {
  readonly #options: TLSContextFactory;
  #tls: ISSLTransport | null = null;

  /** A server that switches with `options` (`CertificateOptions`). */
  constructor(options: TLSContextFactory) {
    super();
    this.#options = options;
  }

  override connectionMade(): void {
    this.sendLine("220 skein ready");
  }

  override lineReceived(line: Uint8Array): void {
    const text = decoder.decode(line);
    if (text === "STARTTLS" && this.#tls === null) {
      this.sendLine("220 go ahead"); // still in the clear: written before the switch
      this.#tls = (this.transport as unknown as StartTLSCapable).startTLS(this.#options);
      // Anything after the STARTTLS line is already TLS: hand it over.
      const rest = this.clearLineBuffer();
      if (rest.length > 0) {
        (this.#tls as unknown as { dataReceived(d: Uint8Array): void; }).dataReceived(rest);
      }
    } else if (text.startsWith("EHLO ")) {
      this.sendLine("250-skein");
      this.sendLine("250 STARTTLS");
    } else if (text.startsWith("ECHO ")) {
      this.sendLine(`250 ${text.slice(5)} (${this.#tls?.tlsVersion ?? "clear"})`);
    } else if (text === "QUIT") {
      this.sendLine("221 bye");
      this.transport!.loseConnection();
    } else {
      this.sendLine(`500 unknown command ${JSON.stringify(text)}`);
    }
  }
}

/**
 * The client side: asks for STARTTLS, switches when told to, sends one
 * `ECHO` and quits; `conversation` holds every line it read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StringTransport } from "@skein/skein/testing";
 * import { StartTLSClient } from "./starttls_lines.ts";
 * import { optionsForClientTLS } from "@skein/skein/ssl";
 *
 * const client = new StartTLSClient(optionsForClientTLS("localhost"), "secret");
 * const t = new StringTransport();
 * client.makeConnection(t);
 * client.dataReceived(new TextEncoder().encode("220 skein ready\r\n"));
 * assert.equal(t.valueString(), "STARTTLS\r\n");
 * assert.deepEqual(client.conversation, ["220 skein ready"]);
 * ```
 */
export class StartTLSClient extends LineReceiver {
  /** Every line the server sent. */
  readonly conversation: string[] = [];
  readonly #options: TLSContextFactory;
  readonly #message: string;

  /** A client that switches with `options` and then echoes `message`. */
  constructor(options: TLSContextFactory, message: string) {
    super();
    this.#options = options;
    this.#message = message;
  }

  override lineReceived(line: Uint8Array): void {
    const text = decoder.decode(line);
    this.conversation.push(text);
    if (text.startsWith("220 skein ready")) {
      this.sendLine("STARTTLS");
    } else if (text === "220 go ahead") {
      (this.transport as unknown as StartTLSCapable).startTLS(this.#options);
      this.sendLine(`ECHO ${this.#message}`);
    } else if (text.startsWith("250 ")) {
      this.sendLine("QUIT");
    }
  }
}

if (import.meta.main) {
  const dir = mkdtempSync(join(tmpdir(), "skein-starttls-"));
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
  ], { stdio: "ignore" });
  const certificate = PrivateCertificate.loadPEM(
    readFileSync(join(dir, "cert.pem")),
    readFileSync(join(dir, "key.pem")),
  );
  rmSync(dir, { recursive: true });

  const reactor = createReactor();
  const serverFactory = new Factory();
  serverFactory.noisy = false;
  serverFactory.buildProtocol = () => new StartTLSServer(new CertificateOptions({ certificate }));
  const port = reactor.listenTCP(0, serverFactory, { interface: "127.0.0.1" });

  const client = new StartTLSClient(
    optionsForClientTLS("localhost", { trustRoot: certificate }),
    "secret",
  );
  const clientFactory = new ClientFactory();
  clientFactory.noisy = false;
  clientFactory.buildProtocol = () => client;
  clientFactory.clientConnectionLost = () => {
    for (const line of client.conversation) console.log(`S: ${line}`);
    port.stopListening().addBoth(() => reactor.stop());
  };
  clientFactory.clientConnectionFailed = (_c, reason) => {
    console.error(reason.getErrorMessage());
    reactor.stop();
  };
  reactor.connectTCP("127.0.0.1", port.getHost().port, clientFactory);
  await reactor.run();
}
