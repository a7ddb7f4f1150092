/**
 * The node:tls engine: a `TLSSocket` over an in-memory duplex that the TLS
 * wrapper feeds. Ciphertext from the wire is pushed into the duplex, what
 * the TLSSocket writes to the duplex goes to the wire, and the TLSSocket's
 * plaintext goes to the wrapped protocol. Used where libssl cannot be
 * loaded through FFI, and on the host reactor. Its events may come on a
 * later turn than the call that caused them.
 *
 * @module
 */

import { Duplex } from "node:stream";
import * as tls from "node:tls";
import {
  nodeTlsSelectsSNICertificates,
  nodeTlsVerifiesClients,
} from "../reactor/ffi/libssl_runtime.ts";
import type { TLSEngine, TLSEngineEvents, TLSEngineKind } from "./_engine.ts";
import { TLSConfigurationError, TLSError, TLSVerificationError } from "./errors.ts";
import type { CertificateChain, TLSSettings } from "./options.ts";

/** node's verification codes and the message OpenSSL's verifier gives for them. */
const HOSTNAME_CODES = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "ERR_TLS_CERT_ALTNAME_FORMAT"]);
const VERIFY_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
  "CERT_CHAIN_TOO_LONG",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function chainPem(chain: CertificateChain): string {
  return [chain.certificate, ...chain.extraCertChain].map((c) => c.dumpPEM()).join("");
}

function contextOptions(
  settings: TLSSettings,
  chain: CertificateChain | null,
): tls.SecureContextOptions {
  const options: tls.SecureContextOptions = { minVersion: settings.minimumVersion };
  if (chain !== null) {
    options.cert = chainPem(chain);
    options.key = chain.certificate.privateKeyPEM;
  }
  if (settings.verifyPeer && settings.trustRoot.kind === "certificates") {
    options.ca = settings.trustRoot.certificates.map((c) => c.dumpPEM());
  }
  if (settings.dhParameters !== null) options.dhparam = settings.dhParameters;
  return options;
}

interface CompiledNode {
  readonly context: tls.SecureContext;
  readonly sni: ReadonlyMap<string, tls.SecureContext>;
}

const compiled = new WeakMap<TLSSettings, CompiledNode>();

function compile(settings: TLSSettings): CompiledNode {
  const known = compiled.get(settings);
  if (known !== undefined) return known;
  if (!settings.isClient && settings.verifyPeer && !nodeTlsVerifiesClients()) {
    throw new TLSConfigurationError(
      "this runtime's node:tls cannot verify client certificates over a stream; use the OpenSSL engine (engine: \"openssl\", needs FFI)",
    );
  }
  if (!settings.isClient && settings.serverNames.size > 0 && !nodeTlsSelectsSNICertificates()) {
    throw new TLSConfigurationError(
      "this runtime's node:tls cannot choose a certificate by SNI name over a stream; use the OpenSSL engine (engine: \"openssl\", needs FFI)",
    );
  }
  let result: CompiledNode;
  try {
    const sni = new Map<string, tls.SecureContext>();
    for (const [name, chain] of settings.serverNames) {
      sni.set(name, tls.createSecureContext(contextOptions(settings, chain)));
    }
    result = { context: tls.createSecureContext(contextOptions(settings, settings.chain)), sni };
  } catch (e) {
    throw new TLSConfigurationError(
      `node:tls refused the TLS options: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  compiled.set(settings, result);
  return result;
}

function toError(e: unknown): TLSError {
  const err = e as { code?: string; message?: string; reason?: string; };
  const message = err?.message ?? String(e);
  const code = err?.code ?? "";
  const details = code === "" ? [message] : [`${code}: ${message}`];
  if (HOSTNAME_CODES.has(code)) return new TLSVerificationError("hostname mismatch", details);
  // OpenSSL's own verifier says this of an unknown issuer; node renames it at depth 0.
  if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
    return new TLSVerificationError("unable to get local issuer certificate", details);
  }
  if (VERIFY_CODES.has(code)) return new TLSVerificationError(message, details);
  let reason = err?.reason ?? message.replace(/^.*routines:[^:]*:/, "");
  // Bun gives OpenSSL's reason as its symbol (HTTP_REQUEST): say it as OpenSSL's text does.
  if (/^[A-Z0-9_]+$/.test(reason)) reason = reason.toLowerCase().replace(/_/g, " ");
  return new TLSError(`TLS connection failed: ${reason}`, details);
}

class NodeEngine implements TLSEngine {
  readonly #settings: TLSSettings;
  readonly #events: TLSEngineEvents;
  readonly #duplex: Duplex;
  #socket: tls.TLSSocket | null = null;
  #dead = false;
  #handshakeDone = false;
  #peerEnded = false;
  #backlogged = false;

  constructor(settings: TLSSettings, events: TLSEngineEvents) {
    this.#settings = settings;
    this.#events = events;
    compile(settings);
    this.#duplex = new Duplex({
      read(): void {},
      write: (chunk: Uint8Array, _encoding, callback): void => {
        if (!this.#dead) {
          this.#events.sendCiphertext(
            new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
        }
        callback();
      },
      final: (callback): void => callback(),
    });
  }

  start(): void {
    const s = this.#settings;
    const { context, sni } = compile(s);
    let socket: tls.TLSSocket;
    if (s.isClient) {
      const host = s.hostname ?? undefined;
      const isIP = host !== undefined && (/^[0-9.]+$/.test(host) || host.includes(":"));
      socket = tls.connect({
        // Deno's node:tls reads the certificate options themselves, Node and Bun the context.
        ...contextOptions(s, s.chain),
        socket: this.#duplex,
        secureContext: context,
        servername: host !== undefined && !isIP ? host : undefined,
        host,
        rejectUnauthorized: s.verifyPeer,
        ALPNProtocols: s.acceptableProtocols.length > 0 ? [...s.acceptableProtocols] : undefined,
        checkServerIdentity: s.verifyPeer ? tls.checkServerIdentity : () => undefined,
      });
      socket.once("secureConnect", () => this.#onSecure());
    } else {
      socket = new tls.TLSSocket(this.#duplex, {
        ...contextOptions(s, s.chain),
        isServer: true,
        secureContext: context,
        requestCert: s.verifyPeer,
        rejectUnauthorized: s.requirePeerCertificate,
        ALPNProtocols: s.acceptableProtocols.length > 0 ? [...s.acceptableProtocols] : undefined,
        SNICallback: sni.size > 0
          ? (name, cb) => cb(null, sni.get(name.toLowerCase()) ?? context)
          : undefined,
      });
      socket.once("secure", () => this.#onSecure());
    }
    this.#socket = socket;
    socket.on("data", (data: Uint8Array) => {
      if (!this.#dead) {
        this.#events.receivedPlaintext(
          new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          false,
        );
      }
    });
    socket.on("drain", () => {
      if (!this.#backlogged || this.#dead) return;
      this.#backlogged = false;
      this.#events.backlog(false);
    });
    socket.on("end", () => {
      this.#peerEnded = true;
      if (!this.#dead) this.#events.closeNotifyReceived();
    });
    socket.on("close", () => {
      // node ends a server socket whose client sent no required certificate without an error.
      if (this.#dead || this.#handshakeDone) return;
      this.#dead = true;
      const why = !s.isClient && s.requirePeerCertificate
        ? "peer did not return a certificate"
        : "the TLS socket closed during the handshake";
      this.#events.failed(new TLSError(`TLS handshake failed: ${why}`));
    });
    socket.on("error", (e: unknown) => {
      if (this.#dead) return;
      this.#dead = true;
      this.#events.failed(toError(e));
    });
  }

  #onSecure(): void {
    if (this.#dead) return;
    const socket = this.#socket!;
    const s = this.#settings;
    if (!s.isClient && s.verifyPeer && s.requirePeerCertificate && !socket.authorized) {
      this.#dead = true;
      socket.destroy();
      this.#events.failed(
        toError(socket.authorizationError ?? "peer did not return a certificate"),
      );
      return;
    }
    this.#handshakeDone = true;
    this.#events.handshakeDone();
  }

  receiveCiphertext(data: Uint8Array): void {
    if (this.#dead) return;
    if (this.#socket === null) this.start();
    this.#duplex.push(data.slice()); // the stream keeps it; the caller's view is lent
  }

  writePlaintext(data: Uint8Array): void {
    if (this.#dead || this.#socket === null) return;
    // node keeps the buffer until it is encrypted, later: hand it a copy the caller cannot reuse.
    if (!this.#socket.write(data.slice()) && !this.#backlogged) {
      this.#backlogged = true;
      this.#events.backlog(true);
    }
  }

  finish(done: () => void): void {
    if (this.#dead || this.#socket === null) return done();
    // Let the TLSSocket read what was pushed before the wire closed.
    const check = (rounds: number): void => {
      if (this.#dead || this.#peerEnded || rounds > 50 || this.#duplex.readableLength === 0) {
        setImmediate(done);
        return;
      }
      setImmediate(() => check(rounds + 1));
    };
    check(0);
  }

  shutdown(): boolean {
    if (this.#dead || this.#socket === null) return true;
    if (!this.#socket.writableEnded) this.#socket.end();
    return this.#peerEnded;
  }

  afterFlush(fn: () => void): void {
    const socket = this.#socket;
    if (socket === null || this.#dead || this.#duplex.writableFinished) {
      setImmediate(fn);
      return;
    }
    // node ends the duplex once everything, close_notify included, was
    // written to it; a socket that closes first has nothing more to send.
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      setImmediate(fn);
    };
    this.#duplex.once("finish", once);
    socket.once("close", once);
  }

  peerCertificate(): Uint8Array | null {
    const cert = this.#socket?.getPeerX509Certificate?.();
    if (cert === undefined || cert === null) return null;
    return new Uint8Array(cert.raw);
  }

  negotiatedProtocol(): string | null {
    const p = this.#socket?.alpnProtocol;
    return typeof p === "string" && p.length > 0 ? p : null;
  }

  protocolVersion(): string | null {
    return this.#handshakeDone ? this.#socket?.getProtocol() ?? null : null;
  }

  serverName(): string | null {
    if (this.#settings.isClient) return this.#settings.hostname;
    const name = (this.#socket as (tls.TLSSocket & { servername?: string | false; }) | null)
      ?.servername;
    return typeof name === "string" && name.length > 0 ? name : null;
  }

  destroy(): void {
    if (this.#dead && this.#socket === null) return;
    this.#dead = true;
    this.#socket?.destroy();
    this.#duplex.destroy();
  }
}

/** The node:tls engine kind (always available). */
export function nodeEngineKind(): TLSEngineKind {
  return {
    name: "node",
    prepare: (settings: TLSSettings): void => void compile(settings),
    create: (settings: TLSSettings, events: TLSEngineEvents): TLSEngine =>
      new NodeEngine(settings, events),
  };
}
