/**
 * `loadLibpq()`: PostgreSQL's C client library (`libpq.so.5`) bound over
 * `Deno.dlopen` or `bun:ffi` (through `dlopenLibrary`), once per thread. Every
 * call blocks the thread it runs on until the server answers, which is what
 * a pool Worker wants and the reactor thread must never do: the adbapi
 * PostgreSQL driver calls it only from its Workers.
 *
 * The functions keep libpq's names and meaning with JavaScript values:
 * strings in, strings out (UTF-8), opaque handles for `PGconn *` and
 * `PGresult *` (free them with `finish` and `clear`). Parameters of
 * `execParams` are text (or binary for a `Uint8Array`), typed by OID.
 *
 * @module
 */

import {
  dlopenLibrary,
  type NativePointer,
  pointerAddress,
  pointerOf,
  readCString,
} from "./dlopen.ts";

/** Where libpq lives, in the order to try. */
const LIBPQ_NAMES: readonly string[] = [
  "libpq.so.5",
  "libpq.so",
  "libpq.5.dylib",
  "/opt/homebrew/opt/libpq/lib/libpq.5.dylib",
  "/usr/local/opt/libpq/lib/libpq.5.dylib",
];

const SYMBOLS = {
  PQconnectdb: { parameters: ["buffer"], result: "pointer" },
  PQstatus: { parameters: ["pointer"], result: "i32" },
  PQerrorMessage: { parameters: ["pointer"], result: "pointer" },
  PQfinish: { parameters: ["pointer"], result: "void" },
  PQtransactionStatus: { parameters: ["pointer"], result: "i32" },
  PQserverVersion: { parameters: ["pointer"], result: "i32" },
  PQbackendPID: { parameters: ["pointer"], result: "i32" },
  PQlibVersion: { parameters: [], result: "i32" },
  PQexecParams: {
    parameters: ["pointer", "buffer", "i32", "buffer", "buffer", "buffer", "buffer", "i32"],
    result: "pointer",
  },
  PQresultStatus: { parameters: ["pointer"], result: "i32" },
  PQresultErrorMessage: { parameters: ["pointer"], result: "pointer" },
  PQresultErrorField: { parameters: ["pointer", "i32"], result: "pointer" },
  PQntuples: { parameters: ["pointer"], result: "i32" },
  PQnfields: { parameters: ["pointer"], result: "i32" },
  PQfname: { parameters: ["pointer", "i32"], result: "pointer" },
  PQftype: { parameters: ["pointer", "i32"], result: "u32" },
  PQgetvalue: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  PQgetlength: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  PQgetisnull: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  PQcmdTuples: { parameters: ["pointer"], result: "pointer" },
  PQclear: { parameters: ["pointer"], result: "void" },
} as const;

/** libpq 14's pipeline mode, bound apart: an older libpq lacks these symbols. */
const PIPELINE_SYMBOLS = {
  PQenterPipelineMode: { parameters: ["pointer"], result: "i32" },
  PQexitPipelineMode: { parameters: ["pointer"], result: "i32" },
  PQpipelineSync: { parameters: ["pointer"], result: "i32" },
  PQsendQueryParams: {
    parameters: ["pointer", "buffer", "i32", "buffer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  PQgetResult: { parameters: ["pointer"], result: "pointer" },
} as const;

/** An opaque `PGconn *` (never null once `connectdb` returned). */
export type PGconn = NativePointer;
/** An opaque `PGresult *`, or `null` when libpq could not even build one (out of memory, connection gone). */
export type PGresult = NativePointer;

/**
 * `ConnStatusType` values the driver needs.
 *
 * @example
 * ```ts
 * import { CONNECTION } from "./libpq.ts";
 * console.log(CONNECTION.OK, CONNECTION.BAD);
 * ```
 */
export const CONNECTION: { readonly OK: 0; readonly BAD: 1; } = { OK: 0, BAD: 1 };

/**
 * `ExecStatusType`: what a `PGresult` says happened.
 *
 * @example
 * ```ts
 * import { PGRES } from "./libpq.ts";
 * console.log(PGRES.TUPLES_OK);
 * ```
 */
export const PGRES: {
  readonly EMPTY_QUERY: 0;
  readonly COMMAND_OK: 1;
  readonly TUPLES_OK: 2;
  readonly COPY_OUT: 3;
  readonly COPY_IN: 4;
  readonly BAD_RESPONSE: 5;
  readonly NONFATAL_ERROR: 6;
  readonly FATAL_ERROR: 7;
  readonly PIPELINE_SYNC: 10;
  readonly PIPELINE_ABORTED: 11;
} = {
  EMPTY_QUERY: 0,
  COMMAND_OK: 1,
  TUPLES_OK: 2,
  COPY_OUT: 3,
  COPY_IN: 4,
  BAD_RESPONSE: 5,
  NONFATAL_ERROR: 6,
  FATAL_ERROR: 7,
  PIPELINE_SYNC: 10,
  PIPELINE_ABORTED: 11,
};

/**
 * `PGTransactionStatusType`: where the connection stands in a transaction.
 *
 * @example
 * ```ts
 * import { PQTRANS } from "./libpq.ts";
 * console.log(PQTRANS.INTRANS);
 * ```
 */
export const PQTRANS: {
  readonly IDLE: 0;
  readonly ACTIVE: 1;
  readonly INTRANS: 2;
  readonly INERROR: 3;
  readonly UNKNOWN: 4;
} = { IDLE: 0, ACTIVE: 1, INTRANS: 2, INERROR: 3, UNKNOWN: 4 };

/**
 * `PQresultErrorField` codes (`PG_DIAG_*`, the letters of the protocol's
 * error fields).
 *
 * @example
 * ```ts
 * import { PG_DIAG } from "./libpq.ts";
 * console.log(PG_DIAG.SQLSTATE === "C".charCodeAt(0));
 * ```
 */
export const PG_DIAG: {
  readonly SEVERITY: number;
  readonly SQLSTATE: number;
  readonly MESSAGE_PRIMARY: number;
  readonly MESSAGE_DETAIL: number;
  readonly MESSAGE_HINT: number;
  readonly CONSTRAINT_NAME: number;
} = {
  SEVERITY: 0x53, // 'S'
  SQLSTATE: 0x43, // 'C'
  MESSAGE_PRIMARY: 0x4d, // 'M'
  MESSAGE_DETAIL: 0x44, // 'D'
  MESSAGE_HINT: 0x48, // 'H'
  CONSTRAINT_NAME: 0x6e, // 'n'
};

/** One statement parameter: text, binary (`Uint8Array`), or SQL NULL. */
export type PqParam = string | Uint8Array | null;

/**
 * libpq's functions with JavaScript values (see the module docs). Obtain it
 * with {@linkcode loadLibpq}.
 *
 * @example
 * ```ts
 * import type { Libpq } from "./libpq.ts";
 * const version = (pq: Libpq): number => pq.libVersion();
 * console.log(typeof version);
 * ```
 */
export interface Libpq {
  /** The name libpq was opened under. */
  readonly path: string;
  /** `PQlibVersion()`: e.g. 150018 for 15.18. */
  libVersion(): number;
  /** `PQconnectdb(conninfo)`: blocks until connected or failed; check `status`. */
  connectdb(conninfo: string): PGconn;
  /** `PQstatus(conn)`: a {@linkcode CONNECTION} value. */
  status(conn: PGconn): number;
  /** `PQerrorMessage(conn)`: the last error on the connection ("" when none). */
  errorMessage(conn: PGconn): string;
  /** `PQfinish(conn)`: close and free. */
  finish(conn: PGconn): void;
  /** `PQtransactionStatus(conn)`: a {@linkcode PQTRANS} value. */
  transactionStatus(conn: PGconn): number;
  /** `PQserverVersion(conn)`: e.g. 150018. */
  serverVersion(conn: PGconn): number;
  /** `PQbackendPID(conn)`: the server process serving this connection. */
  backendPID(conn: PGconn): number;
  /**
   * `PQexecParams`: run one statement with `$1…$n` bound to `values`, typed
   * by `types` (OIDs; 0 lets the server infer). A `Uint8Array` is sent in
   * binary format, anything else as text. Results come back as text.
   */
  execParams(conn: PGconn, sql: string, types: Uint32Array, values: readonly PqParam[]): PGresult;
  /** `PQresultStatus(res)`: a {@linkcode PGRES} value. */
  resultStatus(res: PGresult): number;
  /** `PQresultErrorMessage(res)`: "" when none. */
  resultErrorMessage(res: PGresult): string;
  /** `PQresultErrorField(res, field)`: a {@linkcode PG_DIAG} field, or `null`. */
  resultErrorField(res: PGresult, field: number): string | null;
  /** `PQntuples(res)`. */
  ntuples(res: PGresult): number;
  /** `PQnfields(res)`. */
  nfields(res: PGresult): number;
  /** `PQfname(res, column)`. */
  fname(res: PGresult, column: number): string;
  /** `PQftype(res, column)`: the column's type OID. */
  ftype(res: PGresult, column: number): number;
  /** `PQgetvalue(res, row, column)` as a string ("" for NULL: check `getisnull`). */
  getvalue(res: PGresult, row: number, column: number): string;
  /** `PQgetisnull(res, row, column)`. */
  getisnull(res: PGresult, row: number, column: number): boolean;
  /** `PQcmdTuples(res)`: the affected-row count as text ("" when not applicable). */
  cmdTuples(res: PGresult): string;
  /** `PQclear(res)`: free a result (a `null` result is ignored). */
  clear(res: PGresult): void;
  /** Pipeline mode (libpq 14 and later), or `null` when this libpq has none. */
  readonly pipeline: LibpqPipeline | null;
}

/**
 * libpq's pipeline mode: several statements sent before their results are
 * read, so they cost one exchange with the server instead of one each.
 * Each returns libpq's 1 (done) or 0 (failed: see `errorMessage`).
 *
 * @example
 * ```ts
 * import type { LibpqPipeline } from "./libpq.ts";
 * const syncs = (p: LibpqPipeline) => p.pipelineSync;
 * console.log(typeof syncs);
 * ```
 */
export interface LibpqPipeline {
  /** `PQenterPipelineMode(conn)`: only on an idle connection. */
  enterPipelineMode(conn: PGconn): number;
  /** `PQexitPipelineMode(conn)`: only once every result has been read. */
  exitPipelineMode(conn: PGconn): number;
  /** `PQpipelineSync(conn)`: end the implicit transaction of what was sent since the last one, and flush. */
  pipelineSync(conn: PGconn): number;
  /** `PQsendQueryParams`: queue one statement, parameters as `execParams` takes them. */
  sendQueryParams(
    conn: PGconn,
    sql: string,
    types: Uint32Array,
    values: readonly PqParam[],
  ): number;
  /** `PQgetResult(conn)`: the next result (blocks for it), `null` at the end of a statement's. */
  getResult(conn: PGconn): PGresult;
}

let loaded: Libpq | null = null;

/**
 * Bind libpq in this thread (once; later calls return the same binding).
 * Throws an error naming every candidate library when none loads: install
 * the client library (Debian: `apt-get install libpq5`). On Deno the thread
 * needs the FFI permission (`--allow-ffi`; a Worker inherits it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ffiAvailable } from "./mod.ts";
 * import { loadLibpq } from "./libpq.ts";
 *
 * if (ffiAvailable()) {
 *   let pq;
 *   try {
 *     pq = loadLibpq();
 *   } catch {
 *     pq = null; // libpq is not installed here
 *   }
 *   if (pq !== null) assert.ok(pq.libVersion() >= 90000);
 * }
 * ```
 */
export function loadLibpq(): Libpq {
  if (loaded !== null) return loaded;
  const lib = dlopenLibrary(LIBPQ_NAMES, SYMBOLS);
  const s = lib.symbols;
  const text = (p: NativePointer): string => readCString(p) ?? "";
  const encoder = new TextEncoder();
  const cstr = (t: string): Uint8Array => encoder.encode(t + "\0");
  loaded = {
    path: lib.path,
    libVersion: () => s.PQlibVersion(),
    connectdb: (conninfo) => s.PQconnectdb(cstr(conninfo)),
    status: (conn) => s.PQstatus(conn),
    errorMessage: (conn) => text(s.PQerrorMessage(conn)),
    finish: (conn) => s.PQfinish(conn),
    transactionStatus: (conn) => s.PQtransactionStatus(conn),
    serverVersion: (conn) => s.PQserverVersion(conn),
    backendPID: (conn) => s.PQbackendPID(conn),
    execParams(conn, sql, types, values): PGresult {
      if (values.length === 0) return s.PQexecParams(conn, cstr(sql), 0, null, null, null, null, 0);
      const b = bind(types, values);
      const res = s.PQexecParams(conn, cstr(sql), b.n, types, b.pointers, b.lengths, b.formats, 0);
      // Keep the buffers alive until the call has returned.
      void b.data.length;
      return res;
    },
    resultStatus: (res) => s.PQresultStatus(res),
    resultErrorMessage: (res) => text(s.PQresultErrorMessage(res)),
    resultErrorField: (res, field) => readCString(s.PQresultErrorField(res, field)),
    ntuples: (res) => s.PQntuples(res),
    nfields: (res) => s.PQnfields(res),
    fname: (res, column) => text(s.PQfname(res, column)),
    ftype: (res, column) => s.PQftype(res, column),
    getvalue: (res, row, column) => text(s.PQgetvalue(res, row, column)),
    getisnull: (res, row, column) => s.PQgetisnull(res, row, column) !== 0,
    cmdTuples: (res) => text(s.PQcmdTuples(res)),
    clear: (res) => {
      if (res !== null && res !== 0) s.PQclear(res);
    },
    pipeline: pipelineOf(cstr),
  };
  return loaded;
}

function pipelineOf(cstr: (t: string) => Uint8Array): LibpqPipeline | null {
  let p;
  try {
    p = dlopenLibrary(LIBPQ_NAMES, PIPELINE_SYMBOLS).symbols;
  } catch {
    return null; // libpq before 14: statements go one at a time
  }
  return {
    enterPipelineMode: (conn) => p.PQenterPipelineMode(conn),
    exitPipelineMode: (conn) => p.PQexitPipelineMode(conn),
    pipelineSync: (conn) => p.PQpipelineSync(conn),
    sendQueryParams(conn, sql, types, values): number {
      if (values.length === 0) {
        return p.PQsendQueryParams(conn, cstr(sql), 0, null, null, null, null, 0);
      }
      const b = bind(types, values);
      const ok = p.PQsendQueryParams(
        conn,
        cstr(sql),
        b.n,
        types,
        b.pointers,
        b.lengths,
        b.formats,
        0,
      );
      // libpq has copied the parameters once the call returns.
      void b.data.length;
      return ok;
    },
    getResult: (conn) => p.PQgetResult(conn),
  };
}

const paramEncoder = new TextEncoder();

/** The parameters of one statement as libpq takes them: one buffer of their bytes and pointers into it. */
function bind(types: Uint32Array, values: readonly PqParam[]): {
  n: number;
  data: Uint8Array;
  pointers: BigUint64Array;
  lengths: Int32Array;
  formats: Int32Array;
} {
  const n = values.length;
  if (types.length !== n) {
    throw new RangeError(`libpq execParams: ${n} values but ${types.length} types`);
  }
  // Every parameter's bytes in one buffer (text NUL-terminated), and an
  // array of pointers into it; `null` stays a null pointer.
  const parts: (Uint8Array | null)[] = new Array(n);
  const lengths = new Int32Array(n);
  const formats = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      parts[i] = null;
    } else if (typeof v === "string") {
      const bytes = paramEncoder.encode(v + "\0");
      parts[i] = bytes;
      total += bytes.length;
    } else {
      parts[i] = v;
      lengths[i] = v.length;
      formats[i] = 1;
      total += v.length + 1;
    }
  }
  const data = new Uint8Array(total === 0 ? 1 : total);
  const base = pointerAddress(pointerOf(data));
  const pointers = new BigUint64Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const part = parts[i];
    if (part === null) continue;
    data.set(part, offset);
    pointers[i] = base + BigInt(offset);
    offset += part.length + (formats[i] === 1 ? 1 : 0);
  }
  return { n, data, pointers, lengths, formats };
}
