/**
 * `loadLibssl()`: OpenSSL 3's TLS library (`libssl.so.3` / `libssl.3.dylib`,
 * with its `libcrypto`) bound over `Deno.dlopen` or `bun:ffi` (through
 * `dlopenLibrary`), once per thread, for the memory-BIO TLS engine of
 * `ssl/`: the engine feeds ciphertext into one memory BIO, takes ciphertext
 * out of another, and never lets OpenSSL touch a socket.
 *
 * The functions keep OpenSSL's names (without the `SSL_`/`BIO_` prefixes
 * where that reads better) and meaning, with JavaScript values: opaque
 * handles for `SSL_CTX *`, `SSL *`, `BIO *`, `X509 *` and `EVP_PKEY *`,
 * `Uint8Array`s for bytes, strings for C strings. Macros of the C API
 * (`SSL_CTX_set_min_proto_version`, `SSL_set_tlsext_host_name`,
 * `BIO_pending`, …) are written here over the `*_ctrl` calls they expand to.
 * The two callbacks the engine needs (ALPN selection and SNI on the server)
 * are the runtime's own callback objects, made here.
 *
 * @module
 */

import { RUNTIME } from "./_platform.ts";
import {
  cString,
  dlopenLibrary,
  type NativePointer,
  pointerAddress,
  pointerOf,
  readCString,
} from "./dlopen.ts";

/** Where libssl lives, in the order to try. */
const LIBSSL_NAMES: readonly string[] = [
  "libssl.so.3",
  "libssl.3.dylib",
  "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib",
  "/usr/local/opt/openssl@3/lib/libssl.3.dylib",
  "libssl.so",
];

const P = "pointer";
const SYMBOLS = {
  OpenSSL_version_num: { parameters: [], result: "u64" },
  TLS_method: { parameters: [], result: P },
  SSL_CTX_new: { parameters: [P], result: P },
  SSL_CTX_free: { parameters: [P], result: "void" },
  SSL_CTX_ctrl: { parameters: [P, "i32", "i64", P], result: "i64" },
  SSL_CTX_callback_ctrl: { parameters: [P, "i32", P], result: "i64" },
  SSL_CTX_set_options: { parameters: [P, "u64"], result: "u64" },
  SSL_CTX_set_verify: { parameters: [P, "i32", P], result: "void" },
  SSL_CTX_set_default_verify_paths: { parameters: [P], result: "i32" },
  SSL_CTX_get_cert_store: { parameters: [P], result: P },
  SSL_CTX_use_certificate: { parameters: [P, P], result: "i32" },
  SSL_CTX_use_PrivateKey: { parameters: [P, P], result: "i32" },
  SSL_CTX_check_private_key: { parameters: [P], result: "i32" },
  SSL_CTX_set_alpn_protos: { parameters: [P, "buffer", "u32"], result: "i32" },
  SSL_CTX_set_alpn_select_cb: { parameters: [P, P, P], result: "void" },
  SSL_CTX_set0_tmp_dh_pkey: { parameters: [P, P], result: "i32" },
  SSL_CTX_set_session_id_context: { parameters: [P, "buffer", "u32"], result: "i32" },
  SSL_select_next_proto: { parameters: [P, P, P, "u32", P, "u32"], result: "i32" },
  SSL_new: { parameters: [P], result: P },
  SSL_free: { parameters: [P], result: "void" },
  SSL_set_bio: { parameters: [P, P, P], result: "void" },
  SSL_set_connect_state: { parameters: [P], result: "void" },
  SSL_set_accept_state: { parameters: [P], result: "void" },
  SSL_set_SSL_CTX: { parameters: [P, P], result: P },
  SSL_ctrl: { parameters: [P, "i32", "i64", P], result: "i64" },
  SSL_set_verify: { parameters: [P, "i32", P], result: "void" },
  SSL_set1_host: { parameters: [P, "buffer"], result: "i32" },
  SSL_get0_param: { parameters: [P], result: P },
  X509_VERIFY_PARAM_set1_ip_asc: { parameters: [P, "buffer"], result: "i32" },
  SSL_do_handshake: { parameters: [P], result: "i32" },
  SSL_is_init_finished: { parameters: [P], result: "i32" },
  SSL_read: { parameters: [P, "buffer", "i32"], result: "i32" },
  SSL_write: { parameters: [P, "buffer", "i32"], result: "i32" },
  SSL_get_error: { parameters: [P, "i32"], result: "i32" },
  SSL_shutdown: { parameters: [P], result: "i32" },
  SSL_get_shutdown: { parameters: [P], result: "i32" },
  SSL_get_verify_result: { parameters: [P], result: "i64" },
  SSL_get_version: { parameters: [P], result: P },
  SSL_get_servername: { parameters: [P, "i32"], result: P },
  SSL_get0_alpn_selected: { parameters: [P, "buffer", "buffer"], result: "void" },
  SSL_get1_peer_certificate: { parameters: [P], result: P },
  X509_verify_cert_error_string: { parameters: ["i64"], result: P },
  X509_free: { parameters: [P], result: "void" },
  X509_up_ref: { parameters: [P], result: "i32" },
  X509_STORE_add_cert: { parameters: [P, P], result: "i32" },
  i2d_X509: { parameters: [P, "buffer"], result: "i32" },
  EVP_PKEY_free: { parameters: [P], result: "void" },
  BIO_s_mem: { parameters: [], result: P },
  BIO_new: { parameters: [P], result: P },
  BIO_new_mem_buf: { parameters: ["buffer", "i32"], result: P },
  BIO_free: { parameters: [P], result: "i32" },
  BIO_read: { parameters: [P, "buffer", "i32"], result: "i32" },
  BIO_write: { parameters: [P, "buffer", "i32"], result: "i32" },
  BIO_ctrl: { parameters: [P, "i32", "i64", P], result: "i64" },
  PEM_read_bio_X509: { parameters: [P, P, P, P], result: P },
  PEM_read_bio_PrivateKey: { parameters: [P, P, P, P], result: P },
  PEM_read_bio_Parameters: { parameters: [P, P], result: P },
  ERR_get_error: { parameters: [], result: "u64" },
  ERR_clear_error: { parameters: [], result: "void" },
  ERR_error_string_n: { parameters: ["u64", "buffer", "usize"], result: "void" },
  memcpy: { parameters: ["buffer", "u64", "usize"], result: P },
} as const;

/** An opaque OpenSSL handle (`SSL_CTX *`, `SSL *`, `BIO *`, `X509 *`, `EVP_PKEY *`). */
export type SslHandle = NativePointer;

/**
 * OpenSSL constants the engine uses (`SSL_ERROR_*`, `SSL_VERIFY_*`,
 * `SSL_*_SHUTDOWN`, protocol versions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SSL } from "./libssl.ts";
 * assert.equal(SSL.ERROR_WANT_READ, 2);
 * ```
 */
export const SSL: {
  readonly ERROR_NONE: 0;
  readonly ERROR_SSL: 1;
  readonly ERROR_WANT_READ: 2;
  readonly ERROR_WANT_WRITE: 3;
  readonly ERROR_SYSCALL: 5;
  readonly ERROR_ZERO_RETURN: 6;
  readonly VERIFY_NONE: 0;
  readonly VERIFY_PEER: 1;
  readonly VERIFY_FAIL_IF_NO_PEER_CERT: 2;
  readonly SENT_SHUTDOWN: 1;
  readonly RECEIVED_SHUTDOWN: 2;
  readonly TLS1_2_VERSION: 0x0303;
  readonly TLS1_3_VERSION: 0x0304;
} = {
  ERROR_NONE: 0,
  ERROR_SSL: 1,
  ERROR_WANT_READ: 2,
  ERROR_WANT_WRITE: 3,
  ERROR_SYSCALL: 5,
  ERROR_ZERO_RETURN: 6,
  VERIFY_NONE: 0,
  VERIFY_PEER: 1,
  VERIFY_FAIL_IF_NO_PEER_CERT: 2,
  SENT_SHUTDOWN: 1,
  RECEIVED_SHUTDOWN: 2,
  TLS1_2_VERSION: 0x0303,
  TLS1_3_VERSION: 0x0304,
};

// Control codes behind OpenSSL's macros.
const SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
const SSL_CTRL_SET_TLSEXT_SERVERNAME_CB = 53;
const SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
const SSL_CTRL_EXTRA_CHAIN_CERT = 14;
const BIO_CTRL_PENDING = 10;
const TLSEXT_NAMETYPE_HOST_NAME = 0;
const SSL_OP_NO_RENEGOTIATION = 1n << 30n;

/**
 * A callback the C side holds: its pointer (for the `set_*_cb` call) and a
 * `close()` that frees it once no `SSL_CTX` uses it any more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NativeCallback } from "./libssl.ts";
 * const none: NativeCallback = { pointer: null, close(): void {} };
 * none.close();
 * assert.equal(none.pointer, null);
 * ```
 */
export interface NativeCallback {
  /** The function pointer to hand to OpenSSL. */
  readonly pointer: NativePointer;
  /** Release the callback. */
  close(): void;
}

/**
 * OpenSSL's functions with JavaScript values (see the module docs). Obtain it
 * with {@linkcode loadLibssl}.
 *
 * @example
 * ```ts
 * import type { Libssl } from "./libssl.ts";
 * const version = (ssl: Libssl): number => ssl.versionNumber;
 * console.log(typeof version);
 * ```
 */
export interface Libssl {
  /** The name libssl was opened under. */
  readonly path: string;
  /** `OpenSSL_version_num()`, e.g. `0x30000130` for 3.0.19 (`0xMNN00PP0`). */
  readonly versionNumber: number;
  /** `SSL_CTX_new(TLS_method())` with renegotiation off. */
  ctxNew(): SslHandle;
  /** `SSL_CTX_free`. */
  ctxFree(ctx: SslHandle): void;
  /** `SSL_CTX_set_min_proto_version`. */
  ctxSetMinVersion(ctx: SslHandle, version: number): boolean;
  /** `SSL_CTX_set_verify(ctx, mode, NULL)`. */
  ctxSetVerify(ctx: SslHandle, mode: number): void;
  /** `SSL_CTX_set_default_verify_paths`: trust the system's store. */
  ctxUseSystemTrust(ctx: SslHandle): boolean;
  /** `X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x509)`. */
  ctxTrust(ctx: SslHandle, x509: SslHandle): boolean;
  /** `SSL_CTX_use_certificate`. */
  ctxUseCertificate(ctx: SslHandle, x509: SslHandle): boolean;
  /** `SSL_CTX_add_extra_chain_cert` (takes a reference of its own). */
  ctxAddChainCertificate(ctx: SslHandle, x509: SslHandle): boolean;
  /** `SSL_CTX_use_PrivateKey`, then `SSL_CTX_check_private_key`. */
  ctxUsePrivateKey(ctx: SslHandle, key: SslHandle): boolean;
  /** `SSL_CTX_set_alpn_protos` with the wire form (length-prefixed names). */
  ctxSetAlpnProtos(ctx: SslHandle, wire: Uint8Array): boolean;
  /**
   * The server's ALPN choice: `SSL_select_next_proto` over `wire` (the
   * server's preference), refusing (no ALPN) when nothing matches.
   */
  ctxSetAlpnSelect(ctx: SslHandle, wire: Uint8Array): NativeCallback;
  /** The server's SNI hook: `onName(ssl)` runs when a ClientHello names a host. */
  ctxSetServerNameCallback(ctx: SslHandle, onName: (ssl: SslHandle) => void): NativeCallback;
  /** `SSL_CTX_set0_tmp_dh_pkey` (takes ownership of `params`). */
  ctxSetDhParameters(ctx: SslHandle, params: SslHandle): boolean;
  /** `SSL_CTX_set_session_id_context`. */
  ctxSetSessionIdContext(ctx: SslHandle, id: Uint8Array): boolean;
  /** `SSL_new`. */
  sslNew(ctx: SslHandle): SslHandle;
  /** `SSL_free` (frees the BIOs set with `setBio`). */
  sslFree(ssl: SslHandle): void;
  /** `SSL_set_bio(ssl, rbio, wbio)`. */
  setBio(ssl: SslHandle, rbio: SslHandle, wbio: SslHandle): void;
  /** `SSL_set_connect_state` / `SSL_set_accept_state`. */
  setSide(ssl: SslHandle, client: boolean): void;
  /** `SSL_set_SSL_CTX` (SNI: switch to the context of the name asked for). */
  setContext(ssl: SslHandle, ctx: SslHandle): void;
  /** `SSL_set_tlsext_host_name`: the SNI name a client sends. */
  setServerName(ssl: SslHandle, name: string): boolean;
  /** `SSL_set_verify(ssl, mode, NULL)`. */
  setVerify(ssl: SslHandle, mode: number): void;
  /** `SSL_set1_host`: the DNS name the peer's certificate must match. */
  setVerifyHost(ssl: SslHandle, name: string): boolean;
  /** `X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip)`: an IP address instead. */
  setVerifyIp(ssl: SslHandle, ip: string): boolean;
  /** `SSL_do_handshake`. */
  doHandshake(ssl: SslHandle): number;
  /** `SSL_is_init_finished`. */
  handshakeFinished(ssl: SslHandle): boolean;
  /** `SSL_read` into `buf`. */
  read(ssl: SslHandle, buf: Uint8Array, len: number): number;
  /** `SSL_write` of `len` bytes of `buf`. */
  write(ssl: SslHandle, buf: Uint8Array, len: number): number;
  /** `SSL_get_error`. */
  getError(ssl: SslHandle, ret: number): number;
  /** `SSL_shutdown`: 1 when both close_notify alerts are through, 0 when ours is sent. */
  shutdown(ssl: SslHandle): number;
  /** `SSL_get_shutdown`: `SSL.SENT_SHUTDOWN | SSL.RECEIVED_SHUTDOWN` bits. */
  shutdownState(ssl: SslHandle): number;
  /** `SSL_get_verify_result`: 0 (`X509_V_OK`) or the verification error code. */
  verifyResult(ssl: SslHandle): number;
  /** `X509_verify_cert_error_string`. */
  verifyErrorString(code: number): string;
  /** `SSL_get_version`: `"TLSv1.3"`, `"TLSv1.2"`, …. */
  version(ssl: SslHandle): string;
  /** `SSL_get_servername`: the SNI name, or `null`. */
  serverName(ssl: SslHandle): string | null;
  /** `SSL_get0_alpn_selected`: the negotiated protocol, or `null`. */
  alpnSelected(ssl: SslHandle): string | null;
  /** `SSL_get1_peer_certificate` as DER bytes, or `null` when the peer sent none. */
  peerCertificateDer(ssl: SslHandle): Uint8Array | null;
  /** `PEM_read_bio_X509` over a memory BIO: every certificate in `pem`, in order. */
  readCertificates(pem: Uint8Array): SslHandle[];
  /** `PEM_read_bio_PrivateKey` over a memory BIO, or `null`. */
  readPrivateKey(pem: Uint8Array): SslHandle;
  /** `PEM_read_bio_Parameters` (DH parameters), or `null`. */
  readParameters(pem: Uint8Array): SslHandle;
  /** `X509_free`. */
  x509Free(x509: SslHandle): void;
  /** `EVP_PKEY_free`. */
  pkeyFree(key: SslHandle): void;
  /** `BIO_new(BIO_s_mem())`. */
  memoryBio(): SslHandle;
  /** `BIO_write`. */
  bioWrite(bio: SslHandle, buf: Uint8Array, len: number): number;
  /** `BIO_read`. */
  bioRead(bio: SslHandle, buf: Uint8Array, len: number): number;
  /** `BIO_pending`. */
  bioPending(bio: SslHandle): number;
  /** Every queued `ERR_get_error` entry as `ERR_error_string_n` text (the queue is emptied). */
  errors(): string[];
  /** `ERR_clear_error`. */
  clearErrors(): void;
}

let loaded: Libssl | null = null;

/**
 * Bind libssl in this thread (once; later calls return the same binding).
 * Throws an error naming every candidate library when none loads: install
 * OpenSSL 3 (Debian: `apt-get install libssl3`). On Deno the thread needs
 * the FFI permission (`--allow-ffi`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ffiAvailable } from "./mod.ts";
 * import { loadLibssl } from "./libssl.ts";
 *
 * if (ffiAvailable()) {
 *   let ssl;
 *   try {
 *     ssl = loadLibssl();
 *   } catch {
 *     ssl = null; // OpenSSL 3 is not installed here
 *   }
 *   if (ssl !== null) assert.ok(ssl.versionNumber >= 0x30000000);
 * }
 * ```
 */
export function loadLibssl(): Libssl {
  if (loaded !== null) return loaded;
  const lib = dlopenLibrary(LIBSSL_NAMES, SYMBOLS);
  const s = lib.symbols;
  const ok = (r: number | bigint): boolean => Number(r) === 1;
  const addressBox = new BigUint64Array(1);
  const lengthBox = new Uint32Array(1);
  const errText = new Uint8Array(256);
  const method = s.TLS_method();
  const readPem = <T>(pem: Uint8Array, each: (bio: SslHandle) => T): T => {
    const bio = s.BIO_new_mem_buf(pem, pem.length);
    try {
      return each(bio);
    } finally {
      s.BIO_free(bio);
    }
  };
  loaded = {
    path: lib.path,
    versionNumber: Number(s.OpenSSL_version_num()),
    ctxNew(): SslHandle {
      const ctx = s.SSL_CTX_new(method);
      if (ctx === null || ctx === 0) return null;
      s.SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
      return ctx;
    },
    ctxFree: (ctx) => s.SSL_CTX_free(ctx),
    ctxSetMinVersion: (ctx, v) => ok(s.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, v, null)),
    ctxSetVerify: (ctx, mode) => s.SSL_CTX_set_verify(ctx, mode, null),
    ctxUseSystemTrust: (ctx) => ok(s.SSL_CTX_set_default_verify_paths(ctx)),
    ctxTrust: (ctx, x509) => ok(s.X509_STORE_add_cert(s.SSL_CTX_get_cert_store(ctx), x509)),
    ctxUseCertificate: (ctx, x509) => ok(s.SSL_CTX_use_certificate(ctx, x509)),
    ctxAddChainCertificate(ctx, x509): boolean {
      s.X509_up_ref(x509);
      return ok(s.SSL_CTX_ctrl(ctx, SSL_CTRL_EXTRA_CHAIN_CERT, 0, x509));
    },
    ctxUsePrivateKey: (ctx, key) =>
      ok(s.SSL_CTX_use_PrivateKey(ctx, key)) && ok(s.SSL_CTX_check_private_key(ctx)),
    // SSL_CTX_set_alpn_protos returns 0 on success.
    ctxSetAlpnProtos: (ctx, wire) => s.SSL_CTX_set_alpn_protos(ctx, wire, wire.length) === 0,
    ctxSetAlpnSelect(ctx, wire): NativeCallback {
      // The preference list must outlive the context: keep it in the closure.
      const prefs = wire.slice();
      const prefsPointer = pointerOf(prefs);
      const callback = makeCallback(
        [P, P, P, P, "u32", P],
        "i32",
        (_ssl, out, outlen, clientList, clientLength): number => {
          const r = s.SSL_select_next_proto(
            out as NativePointer,
            outlen as NativePointer,
            prefsPointer,
            prefs.length,
            clientList as NativePointer,
            Number(clientLength),
          );
          // OPENSSL_NPN_NEGOTIATED (1) → SSL_TLSEXT_ERR_OK (0); else NOACK (3).
          return r === 1 ? 0 : 3;
        },
      );
      s.SSL_CTX_set_alpn_select_cb(ctx, callback.pointer, null);
      return {
        pointer: callback.pointer,
        close: (): void => {
          void prefs.length;
          callback.close();
        },
      };
    },
    ctxSetServerNameCallback(ctx, onName): NativeCallback {
      const callback = makeCallback([P, P, P], "i32", (ssl): number => {
        try {
          onName(ssl as SslHandle);
        } catch {
          return 2; // SSL_TLSEXT_ERR_ALERT_FATAL
        }
        return 0;
      });
      s.SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, callback.pointer);
      return callback;
    },
    ctxSetDhParameters: (ctx, params) => ok(s.SSL_CTX_set0_tmp_dh_pkey(ctx, params)),
    ctxSetSessionIdContext: (ctx, id) => ok(s.SSL_CTX_set_session_id_context(ctx, id, id.length)),
    sslNew: (ctx) => s.SSL_new(ctx),
    sslFree: (ssl) => s.SSL_free(ssl),
    setBio: (ssl, rbio, wbio) => s.SSL_set_bio(ssl, rbio, wbio),
    setSide: (ssl, client) => client ? s.SSL_set_connect_state(ssl) : s.SSL_set_accept_state(ssl),
    setContext: (ssl, ctx) => void s.SSL_set_SSL_CTX(ssl, ctx),
    setServerName(ssl, name): boolean {
      const text = cString(name);
      const r = s.SSL_ctrl(
        ssl,
        SSL_CTRL_SET_TLSEXT_HOSTNAME,
        TLSEXT_NAMETYPE_HOST_NAME,
        pointerOf(text),
      );
      void text.length;
      return ok(r);
    },
    setVerify: (ssl, mode) => s.SSL_set_verify(ssl, mode, null),
    setVerifyHost: (ssl, name) => ok(s.SSL_set1_host(ssl, cString(name))),
    setVerifyIp: (ssl, ip) =>
      ok(s.X509_VERIFY_PARAM_set1_ip_asc(s.SSL_get0_param(ssl), cString(ip))),
    doHandshake: (ssl) => s.SSL_do_handshake(ssl),
    handshakeFinished: (ssl) => s.SSL_is_init_finished(ssl) === 1,
    read: (ssl, buf, len) => s.SSL_read(ssl, buf, len),
    write: (ssl, buf, len) => s.SSL_write(ssl, buf, len),
    getError: (ssl, ret) => s.SSL_get_error(ssl, ret),
    shutdown: (ssl) => s.SSL_shutdown(ssl),
    shutdownState: (ssl) => s.SSL_get_shutdown(ssl),
    verifyResult: (ssl) => Number(s.SSL_get_verify_result(ssl)),
    verifyErrorString: (code) => readCString(s.X509_verify_cert_error_string(code)) ?? "",
    version: (ssl) => readCString(s.SSL_get_version(ssl)) ?? "",
    serverName: (ssl) => readCString(s.SSL_get_servername(ssl, TLSEXT_NAMETYPE_HOST_NAME)),
    alpnSelected(ssl): string | null {
      addressBox[0] = 0n;
      lengthBox[0] = 0;
      s.SSL_get0_alpn_selected(ssl, addressBox, lengthBox);
      const length = lengthBox[0];
      if (addressBox[0] === 0n || length === 0) return null;
      const bytes = new Uint8Array(length);
      s.memcpy(bytes, addressBox[0], length);
      return new TextDecoder().decode(bytes);
    },
    peerCertificateDer(ssl): Uint8Array | null {
      const x509 = s.SSL_get1_peer_certificate(ssl);
      if (x509 === null || x509 === 0) return null;
      try {
        const length = s.i2d_X509(x509, null);
        if (length <= 0) return null;
        const der = new Uint8Array(length);
        addressBox[0] = pointerAddress(pointerOf(der));
        s.i2d_X509(x509, addressBox);
        return der;
      } finally {
        s.X509_free(x509);
      }
    },
    readCertificates: (pem) =>
      readPem(pem, (bio) => {
        const out: SslHandle[] = [];
        for (;;) {
          const x509 = s.PEM_read_bio_X509(bio, null, null, null);
          if (x509 === null || x509 === 0) break;
          out.push(x509);
        }
        s.ERR_clear_error(); // the read past the last certificate queues "no start line"
        return out;
      }),
    readPrivateKey: (pem) =>
      readPem(pem, (bio) => s.PEM_read_bio_PrivateKey(bio, null, null, null)),
    readParameters: (pem) => readPem(pem, (bio) => s.PEM_read_bio_Parameters(bio, null)),
    x509Free: (x509) => s.X509_free(x509),
    pkeyFree: (key) => s.EVP_PKEY_free(key),
    memoryBio: () => s.BIO_new(s.BIO_s_mem()),
    bioWrite: (bio, buf, len) => s.BIO_write(bio, buf, len),
    bioRead: (bio, buf, len) => s.BIO_read(bio, buf, len),
    bioPending: (bio) => Number(s.BIO_ctrl(bio, BIO_CTRL_PENDING, 0, null)),
    errors(): string[] {
      const out: string[] = [];
      for (;;) {
        const code = s.ERR_get_error();
        if (code === 0 || code === 0n) return out;
        s.ERR_error_string_n(code, errText, errText.length);
        out.push(readCString(pointerOf(errText)) ?? "");
      }
    },
    clearErrors: () => s.ERR_clear_error(),
  };
  return loaded;
}

type CallbackType = "pointer" | "u32" | "i32";

/** A C callback over `Deno.UnsafeCallback` or Bun's `JSCallback`. */
function makeCallback(
  parameters: CallbackType[],
  result: "i32",
  fn: (...args: unknown[]) => number,
): NativeCallback {
  if (RUNTIME === "deno") {
    const cb = new Deno.UnsafeCallback(
      { parameters, result } as Deno.UnsafeCallbackDefinition,
      fn as unknown as Deno.UnsafeCallbackFunction,
    );
    return { pointer: cb.pointer, close: () => cb.close() };
  }
  const meta = import.meta as ImportMeta & { require?: (id: string) => unknown; };
  if (typeof meta.require !== "function") {
    throw new Error("bun:ffi needs Bun's import.meta.require");
  }
  const { JSCallback } = meta.require("bun:ffi") as {
    JSCallback: new(
      fn: (...args: unknown[]) => number,
      def: { args: string[]; returns: string; },
    ) => { ptr: number; close(): void; };
  };
  const cb = new JSCallback(fn, {
    args: parameters.map((t) => t === "pointer" ? "ptr" : t),
    returns: result,
  });
  return { pointer: cb.ptr, close: () => cb.close() };
}
