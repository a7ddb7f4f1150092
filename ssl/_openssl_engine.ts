/**
 * The OpenSSL engine: one `SSL *` between two memory BIOs, driven as
 * Twisted drives pyOpenSSL's memory-BIO connections. Ciphertext from the
 * wire is written into the read BIO, whatever OpenSSL queues in the write
 * BIO goes to the wire, and plaintext comes out of `SSL_read` for the
 * wrapped protocol. Everything happens synchronously inside each call.
 *
 * @module
 */

import {
  type Libssl,
  loadLibssl,
  type NativeCallback,
  SSL,
  type SslHandle,
} from "../reactor/ffi/libssl.ts";
import type { TLSEngine, TLSEngineEvents, TLSEngineKind } from "./_engine.ts";
import { TLSConfigurationError, TLSError, TLSVerificationError } from "./errors.ts";
import type { CertificateChain, TLSSettings } from "./options.ts";

const encoder = new TextEncoder();

/** ALPN's wire form: each name prefixed by its length. */
function alpnWire(protocols: readonly string[]): Uint8Array {
  const parts = protocols.map((p) => encoder.encode(p));
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isIPLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(":");
}

/** The reason part of OpenSSL's `error:0A000086:SSL routines::certificate verify failed`. */
function reasonOf(line: string): string {
  const parts = line.split(":");
  return parts.length >= 5 ? parts.slice(4).join(":") : line;
}

/** One settings object compiled: its `SSL_CTX` (and those chosen by SNI). */
interface Compiled {
  readonly ctx: SslHandle;
  readonly callbacks: NativeCallback[];
}

const compiled = new WeakMap<TLSSettings, Compiled>();

// Contexts live as long as their settings object; free them after it.
const contexts = new FinalizationRegistry<
  { lib: Libssl; ctxs: SslHandle[]; cbs: NativeCallback[]; }
>(
  ({ lib, ctxs, cbs }) => {
    for (const ctx of ctxs) lib.ctxFree(ctx);
    for (const cb of cbs) cb.close();
  },
);

function configError(lib: Libssl, what: string): TLSConfigurationError {
  const details = lib.errors().map(reasonOf);
  return new TLSConfigurationError(details.length > 0 ? `${what}: ${details.join("; ")}` : what);
}

function useChain(lib: Libssl, ctx: SslHandle, chain: CertificateChain): void {
  const [leaf] = lib.readCertificates(encoder.encode(chain.certificate.dumpPEM()));
  if (leaf === undefined) throw configError(lib, "OpenSSL could not read the certificate");
  try {
    if (!lib.ctxUseCertificate(ctx, leaf)) {
      throw configError(lib, "OpenSSL refused the certificate");
    }
  } finally {
    lib.x509Free(leaf);
  }
  for (const extra of chain.extraCertChain) {
    const [x509] = lib.readCertificates(encoder.encode(extra.dumpPEM()));
    if (x509 === undefined) throw configError(lib, "OpenSSL could not read a chain certificate");
    try {
      if (!lib.ctxAddChainCertificate(ctx, x509)) {
        throw configError(lib, "OpenSSL refused a chain certificate");
      }
    } finally {
      lib.x509Free(x509);
    }
  }
  const key = lib.readPrivateKey(encoder.encode(chain.certificate.privateKeyPEM));
  if (key === null || key === 0) throw configError(lib, "OpenSSL could not read the private key");
  try {
    if (!lib.ctxUsePrivateKey(ctx, key)) {
      throw configError(lib, "the private key does not match the certificate");
    }
  } finally {
    lib.pkeyFree(key);
  }
}

function newContext(lib: Libssl, settings: TLSSettings, chain: CertificateChain | null): SslHandle {
  const ctx = lib.ctxNew();
  if (ctx === null || ctx === 0) throw configError(lib, "SSL_CTX_new failed");
  try {
    const version = settings.minimumVersion === "TLSv1.3" ? SSL.TLS1_3_VERSION : SSL.TLS1_2_VERSION;
    if (!lib.ctxSetMinVersion(ctx, version)) {
      throw configError(lib, "could not set the minimum TLS version");
    }
    if (chain !== null) useChain(lib, ctx, chain);
    if (settings.verifyPeer) {
      const mode = SSL.VERIFY_PEER
        | (settings.requirePeerCertificate && !settings.isClient
          ? SSL.VERIFY_FAIL_IF_NO_PEER_CERT
          : 0);
      lib.ctxSetVerify(ctx, mode);
      const root = settings.trustRoot;
      if (root.kind === "platform") {
        if (!lib.ctxUseSystemTrust(ctx)) {
          throw configError(lib, "could not load the system trust store");
        }
      } else {
        for (const cert of root.certificates) {
          const [x509] = lib.readCertificates(encoder.encode(cert.dumpPEM()));
          if (x509 === undefined) {
            throw configError(lib, "OpenSSL could not read a trusted certificate");
          }
          try {
            lib.ctxTrust(ctx, x509);
          } finally {
            lib.x509Free(x509);
          }
        }
        lib.clearErrors(); // a certificate already in the store is not an error
      }
      if (!settings.isClient) lib.ctxSetSessionIdContext(ctx, encoder.encode("skein"));
    } else {
      lib.ctxSetVerify(ctx, SSL.VERIFY_NONE);
    }
    if (settings.dhParameters !== null) {
      const params = lib.readParameters(encoder.encode(settings.dhParameters));
      if (params === null || params === 0 || !lib.ctxSetDhParameters(ctx, params)) {
        throw configError(lib, "OpenSSL could not use the DH parameters");
      }
    }
    return ctx;
  } catch (e) {
    lib.ctxFree(ctx);
    throw e;
  }
}

function compile(lib: Libssl, settings: TLSSettings): Compiled {
  const known = compiled.get(settings);
  if (known !== undefined) return known;
  const ctx = newContext(lib, settings, settings.chain);
  const ctxs = [ctx];
  const callbacks: NativeCallback[] = [];
  const wire = alpnWire(settings.acceptableProtocols);
  const sni = new Map<string, SslHandle>();
  try {
    if (wire.length > 0) {
      if (settings.isClient) {
        if (!lib.ctxSetAlpnProtos(ctx, wire)) {
          throw configError(lib, "could not set the ALPN protocols");
        }
      } else {
        callbacks.push(lib.ctxSetAlpnSelect(ctx, wire));
      }
    }
    if (!settings.isClient && settings.serverNames.size > 0) {
      for (const [name, chain] of settings.serverNames) {
        const other = newContext(lib, settings, chain);
        ctxs.push(other);
        if (wire.length > 0) callbacks.push(lib.ctxSetAlpnSelect(other, wire));
        sni.set(name, other);
      }
      callbacks.push(lib.ctxSetServerNameCallback(ctx, (ssl) => {
        const name = lib.serverName(ssl);
        const other = name === null ? undefined : sni.get(name.toLowerCase());
        if (other !== undefined) lib.setContext(ssl, other);
      }));
    }
  } catch (e) {
    for (const c of ctxs) lib.ctxFree(c);
    for (const cb of callbacks) cb.close();
    throw e;
  }
  const result: Compiled = { ctx, callbacks };
  compiled.set(settings, result);
  contexts.register(settings, { lib, ctxs, cbs: callbacks });
  return result;
}

/** A TLS record's plaintext is at most 16 KiB. */
const RECORD = 16 * 1024;
/** The smallest ciphertext-out buffer: one full record and its overhead. */
const OUT_MIN = RECORD + 1024;

class OpenSSLEngine implements TLSEngine {
  readonly #lib: Libssl;
  readonly #settings: TLSSettings;
  readonly #events: TLSEngineEvents;
  #ssl: SslHandle;
  readonly #wbio: SslHandle;
  readonly #rbio: SslHandle;
  #handshakeDone = false;
  #finished = false;
  #depth = 0;
  #freeLater = false;
  /** SSL_read's buffer, lent to the wrapper for one `receivedPlaintext` at a time. */
  #in: Uint8Array | null = null;
  #lending = false;
  /** The ciphertext-out buffer, reused while the transport keeps no reference to it. */
  #out: Uint8Array | null = null;

  constructor(lib: Libssl, settings: TLSSettings, events: TLSEngineEvents) {
    this.#lib = lib;
    this.#settings = settings;
    this.#events = events;
    const { ctx } = compile(lib, settings);
    const ssl = lib.sslNew(ctx);
    if (ssl === null || ssl === 0) throw configError(lib, "SSL_new failed");
    this.#ssl = ssl;
    this.#rbio = lib.memoryBio();
    this.#wbio = lib.memoryBio();
    lib.setBio(ssl, this.#rbio, this.#wbio);
    lib.setSide(ssl, settings.isClient);
    const host = settings.hostname;
    if (settings.isClient && host !== null) {
      if (!isIPLiteral(host)) lib.setServerName(ssl, host);
      if (settings.verifyPeer) {
        const ok = isIPLiteral(host) ? lib.setVerifyIp(ssl, host) : lib.setVerifyHost(ssl, host);
        if (!ok) {
          this.destroy();
          throw configError(lib, `cannot verify against the host name ${JSON.stringify(host)}`);
        }
      }
    }
  }

  start(): void {
    if (this.#settings.isClient) this.#run(() => this.#handshake());
  }

  receiveCiphertext(data: Uint8Array): void {
    if (this.#finished) return;
    this.#run(() => {
      let at = 0;
      while (at < data.length) {
        const n = this.#lib.bioWrite(
          this.#rbio,
          at === 0 ? data : data.subarray(at),
          data.length - at,
        );
        if (n <= 0) return this.#fail("could not buffer received data");
        at += n;
      }
      if (!this.#handshakeDone) this.#handshake();
      if (this.#handshakeDone && !this.#finished) this.#readAll();
    });
  }

  writePlaintext(data: Uint8Array): void {
    if (this.#finished || data.length === 0) return;
    // The hot path of bulk sends: #run's bookkeeping inline, no closure.
    this.#depth++;
    try {
      const n = this.#lib.write(this.#ssl, data, data.length);
      if (n <= 0) this.#failFrom(n, "SSL_write failed");
      else this.#flush();
    } finally {
      this.#depth--;
      if (this.#depth === 0 && this.#freeLater) {
        this.#freeLater = false;
        this.destroy();
      }
    }
  }

  finish(done: () => void): void {
    done();
  }

  shutdown(): boolean {
    if (this.#finished) return true;
    let complete = false;
    this.#run(() => {
      const r = this.#lib.shutdown(this.#ssl);
      this.#lib.clearErrors();
      this.#flush();
      complete = r === 1
        || (this.#lib.shutdownState(this.#ssl) & SSL.RECEIVED_SHUTDOWN) !== 0;
    });
    return complete;
  }

  afterFlush(fn: () => void): void {
    fn(); // every call flushes the write BIO before it returns
  }

  peerCertificate(): Uint8Array | null {
    return this.#ssl === null ? null : this.#lib.peerCertificateDer(this.#ssl);
  }

  negotiatedProtocol(): string | null {
    return this.#ssl === null ? null : this.#lib.alpnSelected(this.#ssl);
  }

  protocolVersion(): string | null {
    return this.#ssl === null || !this.#handshakeDone ? null : this.#lib.version(this.#ssl);
  }

  serverName(): string | null {
    return this.#ssl === null ? null : this.#lib.serverName(this.#ssl);
  }

  destroy(): void {
    this.#finished = true;
    if (this.#depth > 0) {
      this.#freeLater = true;
      return;
    }
    if (this.#ssl !== null) {
      this.#lib.sslFree(this.#ssl); // frees both BIOs
      this.#ssl = null;
    }
  }

  /** Run `body`, freeing the connection afterwards if an event destroyed it meanwhile. */
  #run(body: () => void): void {
    this.#depth++;
    try {
      body();
    } finally {
      this.#depth--;
      if (this.#depth === 0 && this.#freeLater) {
        this.#freeLater = false;
        this.destroy();
      }
    }
  }

  #handshake(): void {
    const r = this.#lib.doHandshake(this.#ssl);
    if (r === 1) {
      this.#flush();
      this.#handshakeDone = true;
      this.#events.handshakeDone();
      return;
    }
    const error = this.#lib.getError(this.#ssl, r);
    if (error === SSL.ERROR_WANT_READ || error === SSL.ERROR_WANT_WRITE) {
      this.#flush();
      return;
    }
    this.#failFrom(r, "TLS handshake failed");
  }

  #readAll(): void {
    // A nested read (the protocol fed us more ciphertext from inside
    // dataReceived) must not overwrite the buffer lent to the outer one.
    const nested = this.#lending;
    const buf = nested ? new Uint8Array(RECORD) : (this.#in ??= new Uint8Array(RECORD));
    for (;;) {
      if (this.#finished) return;
      const n = this.#lib.read(this.#ssl, buf, RECORD);
      if (n > 0) {
        if (nested) {
          this.#events.receivedPlaintext(buf.slice(0, n), false);
          continue;
        }
        this.#lending = true;
        try {
          this.#events.receivedPlaintext(n === RECORD ? buf : buf.subarray(0, n), true);
        } finally {
          this.#lending = false;
        }
        continue;
      }
      const error = this.#lib.getError(this.#ssl, n);
      if (error === SSL.ERROR_WANT_READ || error === SSL.ERROR_WANT_WRITE) {
        this.#flush(); // session tickets, key updates
        return;
      }
      if (error === SSL.ERROR_ZERO_RETURN) {
        this.#flush();
        this.#events.closeNotifyReceived();
        return;
      }
      return this.#failFrom(n, "TLS connection failed");
    }
  }

  #flush(): void {
    for (;;) {
      if (this.#ssl === null) return;
      const pending = this.#lib.bioPending(this.#wbio);
      if (pending <= 0) return;
      // Reuse the buffer the transport gave back; a fresh one when it kept the last.
      let out = this.#out;
      if (out === null || out.length < pending) {
        out = new Uint8Array(pending > OUT_MIN ? pending : OUT_MIN);
      }
      this.#out = null;
      const n = this.#lib.bioRead(this.#wbio, out, pending);
      if (n <= 0) {
        this.#out = out;
        return;
      }
      const free = this.#events.sendCiphertext(n === out.length ? out : out.subarray(0, n));
      if (free && this.#out === null) this.#out = out;
      // Drained (a nested call flushes what it adds itself).
      if (n === pending) return;
    }
  }

  #failFrom(_ret: number, what: string): void {
    const details = this.#lib.errors();
    const verify = this.#ssl === null ? 0 : this.#lib.verifyResult(this.#ssl);
    // Send the alert that says why, then report.
    this.#flush();
    let error: TLSError;
    if (verify !== 0 && details.some((d) => d.includes("certificate verify failed"))) {
      error = new TLSVerificationError(this.#lib.verifyErrorString(verify), details);
    } else {
      const reasons = details.map(reasonOf);
      error = new TLSError(reasons.length > 0 ? `${what}: ${reasons.join("; ")}` : what, details);
    }
    this.#finished = true;
    this.#events.failed(error);
  }

  #fail(what: string): void {
    this.#finished = true;
    this.#events.failed(new TLSError(what, this.#lib.errors()));
  }
}

/**
 * The OpenSSL engine kind, or `null` when libssl cannot be loaded here
 * (no FFI permission, or no OpenSSL 3).
 */
export function opensslEngineKind(): TLSEngineKind | null {
  let lib: Libssl;
  try {
    lib = loadLibssl();
  } catch {
    return null;
  }
  return {
    name: "openssl",
    prepare: (settings: TLSSettings): void => void compile(lib, settings),
    create: (settings: TLSSettings, events: TLSEngineEvents): TLSEngine =>
      new OpenSSLEngine(lib, settings, events),
  };
}
