/**
 * The PostgreSQL driver: libpq (`reactor/ffi/libpq.ts`) behind the
 * synchronous {@linkcode DriverConnection} contract, the way psycopg2 sits
 * under Twisted's adbapi. Every call blocks until the server answers, so a
 * {@linkcode ConnectionPool} runs it in its Workers; `connectPostgres` also
 * works by itself on a thread that may block.
 *
 * - Parameters are sent separately from the SQL (`PQexecParams`, `$1`, `$2`
 *   … placeholders), typed: integers as `int4`/`int8`, other numbers as
 *   `float8`, booleans as `bool`, `Uint8Array` as binary `bytea`, strings
 *   untyped so the server infers them from context as it does a quoted
 *   literal (cast in SQL, `$1::jsonb`, where it cannot).
 * - Results: `bool` → boolean; `int2`/`int4`/`oid` → number; `int8` → number,
 *   or `bigint` when a double would lose precision; `float4`/`float8` →
 *   number; `json`/`jsonb` → the parsed value; `bytea` → `Uint8Array`;
 *   everything else (`numeric`, dates, `uuid`, arrays …) → the server's text.
 * - Transactions follow DB-API (as psycopg2): the first statement opens one
 *   (`BEGIN`), `commit`/`rollback` end it. Committing a transaction that an
 *   error already aborted rolls it back and throws instead of pretending.
 * - Errors carry the server's message and SQLSTATE (`code`), DETAIL, HINT and
 *   constraint name.
 *
 * @module
 */

import {
  CONNECTION,
  loadLibpq,
  PG_DIAG,
  type PGconn,
  PGRES,
  type PGresult,
  type PqParam,
  PQTRANS,
} from "../reactor/ffi/libpq.ts";
import { checkParams, checkSql, firstKeyword, narrowInteger } from "./_params.ts";
import { ResultBuffer } from "./_result_buffer.ts";
import type { ArrayRow, BatchOutcome, DriverConnection, SqlStatement, SqlValue } from "./driver.ts";
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "./errors.ts";

/**
 * Connect options of the PostgreSQL driver: a libpq connection string
 * (`"host=… port=… dbname=… user=…"` or a `postgresql://` URI), and/or the
 * common keywords one by one (they win over the string's).
 *
 * @example
 * ```ts
 * import type { PostgresOptions } from "@skein/skein/adbapi";
 * const options: PostgresOptions = { host: "127.0.0.1", port: 5432, dbname: "app", user: "app" };
 * console.log(options.dbname);
 * ```
 */
export interface PostgresOptions {
  /** A libpq connection string or URI. */
  readonly conninfo?: string;
  /** Server host name, address, or Unix socket directory. */
  readonly host?: string;
  /** Server port. */
  readonly port?: number;
  /** Database name. */
  readonly dbname?: string;
  /** User name. */
  readonly user?: string;
  /** Password (prefer a `~/.pgpass` file or `PGPASSWORD`). */
  readonly password?: string;
  /** Seconds to wait for a connection (libpq's `connect_timeout`). */
  readonly connectTimeout?: number;
  /** The `application_name` the server shows for the session. */
  readonly applicationName?: string;
}

/**
 * Open a PostgreSQL connection (the driver's `connect`); blocks until the
 * server answers. Throws `OperationalError` (SQLSTATE `08001`) with libpq's
 * message when it cannot connect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectPostgres, OperationalError } from "@skein/skein/adbapi";
 *
 * // Port 1 has no server: the error is libpq's, typed.
 * assert.throws(
 *   () => connectPostgres({ host: "127.0.0.1", port: 1, connectTimeout: 2 }),
 *   (e: unknown) => e instanceof OperationalError && e.code === "08001",
 * );
 * ```
 */
export function connectPostgres(options: PostgresOptions): DriverConnection {
  return new PostgresConnection(options);
}

// The driver module's entry point (DriverModule.connect), what a pool Worker
// calls: the same function.
export { connectPostgres as connect };

/**
 * `options` as one libpq connection string: the keywords appended to
 * `conninfo` (later keywords win in libpq), values quoted as libpq wants.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postgresConninfo } from "@skein/skein/adbapi";
 * assert.equal(
 *   postgresConninfo({ host: "db", port: 5433, password: "it's" }),
 *   "host='db' port='5433' password='it\\'s' client_encoding='UTF8' options='-c client_min_messages=warning'",
 * );
 * ```
 */
export function postgresConninfo(options: PostgresOptions): string {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      "postgres: connect options must be an object, e.g. { conninfo: \"host=localhost dbname=app\" }",
    );
  }
  const parts: string[] = [];
  if (options.conninfo !== undefined) {
    if (typeof options.conninfo !== "string") {
      throw new TypeError("postgres: conninfo must be a string");
    }
    if (options.conninfo.trim() !== "") parts.push(options.conninfo.trim());
  }
  const add = (key: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    parts.push(`${key}='${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`);
  };
  add("host", options.host);
  add("port", options.port);
  add("dbname", options.dbname);
  add("user", options.user);
  add("password", options.password);
  add("connect_timeout", options.connectTimeout);
  add("application_name", options.applicationName);
  // Text in and out is UTF-8 whatever the server's default.
  if (!/client_encoding/.test(options.conninfo ?? "")) add("client_encoding", "UTF8");
  // libpq prints NOTICEs to stderr; psycopg2 keeps them quietly. Ask the
  // server for warnings and errors only, unless the caller set options.
  if (!/(^|\s)options\s*=/.test(options.conninfo ?? "")) {
    add("options", "-c client_min_messages=warning");
  }
  if (/^postgres(ql)?:\/\//.test(parts[0] ?? "") && parts.length > 1) {
    // A URI cannot be followed by keywords; keep it as the dbname keyword, which libpq expands.
    parts[0] = `dbname='${parts[0].replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  }
  return parts.join(" ");
}

/** Statements that must not be preceded by an implicit `BEGIN`. */
const NO_IMPLICIT_BEGIN = new Set([
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
  "VACUUM",
]);

// Type OIDs (pg_type.oid) the driver binds or decodes.
const OID = {
  BOOL: 16,
  BYTEA: 17,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  OID: 26,
  JSON: 114,
  FLOAT4: 700,
  FLOAT8: 701,
  JSONB: 3802,
} as const;

type Decoder = (text: string) => SqlValue;

const asText: Decoder = (t) => t;
const asNumber: Decoder = (t) => Number(t);
const asBool: Decoder = (t) => t === "t";
const asInt8: Decoder = (t) => (t.length < 16 ? Number(t) : narrowInteger(BigInt(t)));
const asJson: Decoder = (t) => JSON.parse(t) as SqlValue;
const asBytea: Decoder = (t) => {
  // The server's default bytea_output is hex: "\x" then two digits a byte.
  if (!t.startsWith("\\x")) return new TextEncoder().encode(t);
  const out = new Uint8Array((t.length - 2) >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.substr(2 + 2 * i, 2), 16);
  return out;
};

function decoderFor(oid: number): Decoder {
  switch (oid) {
    case OID.BOOL:
      return asBool;
    case OID.INT2:
    case OID.INT4:
    case OID.OID:
    case OID.FLOAT4:
    case OID.FLOAT8:
      return asNumber;
    case OID.INT8:
      return asInt8;
    case OID.JSON:
    case OID.JSONB:
      return asJson;
    case OID.BYTEA:
      return asBytea;
    default:
      return asText;
  }
}

class PostgresConnection extends ResultBuffer implements DriverConnection {
  #pq = loadLibpq();
  #conn: PGconn | null;

  constructor(options: PostgresOptions) {
    super();
    const conninfo = postgresConninfo(options);
    const conn = this.#pq.connectdb(conninfo);
    if (conn === null || conn === 0) {
      throw new OperationalError("postgres: libpq could not allocate a connection", {
        code: "08001",
      });
    }
    if (this.#pq.status(conn) !== CONNECTION.OK) {
      const message = this.#pq.errorMessage(conn).trim();
      this.#pq.finish(conn);
      throw new OperationalError(message || "postgres: could not connect", { code: "08001" });
    }
    this.#conn = conn;
  }

  execute(sql: string, params: readonly SqlValue[]): void {
    checkSql(sql, "postgres: execute");
    checkParams(params, "postgres: execute");
    const conn = this.#open();
    if (
      this.#pq.transactionStatus(conn) === PQTRANS.IDLE && !NO_IMPLICIT_BEGIN.has(firstKeyword(sql))
    ) {
      this.#simple("BEGIN");
    }
    this.#run(sql, params);
  }

  executeOnce(sql: string, params: readonly SqlValue[]): ArrayRow[] {
    checkSql(sql, "postgres: executeOnce");
    checkParams(params, "postgres: executeOnce");
    const conn = this.#open();
    if (this.#pq.transactionStatus(conn) !== PQTRANS.IDLE) {
      throw new ProgrammingError(
        "postgres: executeOnce called inside an open transaction; commit or roll back first",
        {
          code: "25001",
        },
      );
    }
    this.#run(sql, params);
    // The statement itself may have been a BEGIN: end it, as commit would.
    if (this.#pq.transactionStatus(conn) !== PQTRANS.IDLE) this.commit();
    return this.fetchall();
  }

  /**
   * The statements, each its own transaction: runs of plain DML/queries go
   * through libpq's pipeline mode (all sent, then all read: one exchange with
   * the server), a pipeline sync after each so that one's error leaves the
   * others alone; anything else (transaction control, `VACUUM` …) goes alone
   * through `executeOnce`.
   */
  executeMany(statements: readonly SqlStatement[]): BatchOutcome[] {
    const out: BatchOutcome[] = [];
    let i = 0;
    while (i < statements.length) {
      let j = i;
      while (j < statements.length && PIPELINED.has(firstKeyword(statements[j][0]))) j++;
      if (j - i >= 2 && this.#pq.pipeline !== null) {
        this.#pipelined(statements.slice(i, j), out);
        i = j;
      } else {
        const [sql, params] = statements[i++];
        try {
          const rows = this.executeOnce(sql, params);
          out.push({ rows, columns: this.columns });
        } catch (error) {
          out.push({ error });
        }
      }
    }
    return out;
  }

  /** Send every statement, then read every result (see `executeMany`). */
  #pipelined(statements: readonly SqlStatement[], out: BatchOutcome[]): void {
    const pq = this.#pq;
    const pipe = pq.pipeline!;
    let conn: PGconn;
    try {
      conn = this.#open();
      if (pq.transactionStatus(conn) !== PQTRANS.IDLE) {
        throw new ProgrammingError(
          "postgres: executeMany called inside an open transaction; commit or roll back first",
          { code: "25001" },
        );
      }
      if (pipe.enterPipelineMode(conn) !== 1) throw this.#lost("could not enter pipeline mode");
    } catch (error) {
      for (let k = 0; k < statements.length; k++) out.push({ error });
      return;
    }
    let sent = 0;
    const first = out.length;
    for (const [sql, params] of statements) {
      try {
        checkSql(sql, "postgres: executeMany");
        const [types, values] = bindValues(checkParams(params, "postgres: executeMany"));
        if (pipe.sendQueryParams(conn, sql, types, values) !== 1 || pipe.pipelineSync(conn) !== 1) {
          break;
        }
      } catch (error) {
        // Bad arguments: this statement fails; the ones sent before still answer.
        out[first + sent++] = { error };
        continue;
      }
      out[first + sent++] = PENDING;
    }
    for (let k = 0; k < sent; k++) {
      if (out[first + k] !== PENDING) continue;
      out[first + k] = this.#readPipelined(conn);
    }
    for (let k = sent; k < statements.length; k++) {
      out[first + k] = { error: this.#lost("the statement could not be sent") };
    }
    if (pipe.exitPipelineMode(conn) !== 1) {
      // Only when results are left unread, which happens when the connection broke: close it.
      this.close();
    }
  }

  /** Read one pipelined statement's result, the end of it, and its sync. */
  #readPipelined(conn: PGconn): BatchOutcome {
    const pq = this.#pq;
    const pipe = pq.pipeline!;
    const res = pipe.getResult(conn);
    if (res === null || res === 0) return { error: this.#lost("no result from the server") };
    let outcome: BatchOutcome;
    try {
      this.keep([], null, -1);
      this.#check(res, false);
      outcome = { rows: this.fetchall(), columns: this.columns };
    } catch (error) {
      outcome = { error };
    }
    // Then a null (the statement's end), then its sync point.
    for (let guard = 0; guard < 4; guard++) {
      const more = pipe.getResult(conn);
      if (more === null || more === 0) continue;
      const status = pq.resultStatus(more);
      pq.clear(more);
      if (status === PGRES.PIPELINE_SYNC) return outcome;
    }
    return { error: this.#lost("the server's answer to a pipelined statement ended early") };
  }

  #lost(why: string): OperationalError {
    const message = this.#conn === null ? "" : this.#pq.errorMessage(this.#conn).trim();
    return new OperationalError(`postgres: ${why}${message === "" ? "" : ` (${message})`}`, {
      code: "08006",
    });
  }

  commit(): void {
    const conn = this.#open();
    const status = this.#pq.transactionStatus(conn);
    if (status === PQTRANS.INERROR) {
      this.#simple("ROLLBACK");
      throw new DatabaseError(
        "postgres: the transaction was aborted by an earlier error and has been rolled back, not committed",
        { code: "25P02" },
      );
    }
    if (status !== PQTRANS.IDLE) this.#simple("COMMIT");
  }

  rollback(): void {
    const conn = this.#open();
    if (this.#pq.transactionStatus(conn) !== PQTRANS.IDLE) this.#simple("ROLLBACK");
  }

  close(): void {
    const conn = this.#conn;
    if (conn === null) return;
    this.#conn = null;
    this.fetchall(); // unread rows go with the connection
    this.#pq.finish(conn);
  }

  /** The live connection, or the error that says why there is none. */
  #open(): PGconn {
    const conn = this.#conn;
    if (conn === null) {
      throw new ProgrammingError("postgres: the connection is closed", { code: "08003" });
    }
    if (this.#pq.status(conn) === CONNECTION.BAD) {
      const why = this.#pq.errorMessage(conn).trim();
      throw new OperationalError(
        `postgres: the connection to the server was lost${why === "" ? "" : ` (${why})`}`,
        { code: "08006" },
      );
    }
    return conn;
  }

  /** A statement without parameters or rows (BEGIN, COMMIT, ROLLBACK). */
  #simple(sql: string): void {
    this.#check(this.#pq.execParams(this.#open(), sql, EMPTY_TYPES, []), true);
  }

  #run(sql: string, params: readonly SqlValue[]): void {
    this.keep([], null, -1);
    const [types, values] = bindValues(params);
    const res = this.#pq.execParams(this.#open(), sql, types, values);
    this.#check(res, false);
  }

  /** Read (or throw) what `res` says, then free it. */
  #check(res: PGresult, discard: boolean): void {
    const pq = this.#pq;
    if (res === null || res === 0) {
      throw new OperationalError(
        pq.errorMessage(this.#open()).trim() || "postgres: no result from the server",
        {
          code: "08006",
        },
      );
    }
    try {
      const status = pq.resultStatus(res);
      if (status === PGRES.TUPLES_OK) {
        if (discard) return;
        const nrows = pq.ntuples(res);
        const ncols = pq.nfields(res);
        const columns: string[] = new Array(ncols);
        const decoders: Decoder[] = new Array(ncols);
        for (let c = 0; c < ncols; c++) {
          columns[c] = pq.fname(res, c);
          decoders[c] = decoderFor(pq.ftype(res, c));
        }
        const rows: ArrayRow[] = new Array(nrows);
        for (let r = 0; r < nrows; r++) {
          const row: SqlValue[] = new Array(ncols);
          for (let c = 0; c < ncols; c++) {
            row[c] = pq.getisnull(res, r, c) ? null : decoders[c](pq.getvalue(res, r, c));
          }
          rows[r] = row;
        }
        this.keep(rows, columns, nrows);
      } else if (status === PGRES.COMMAND_OK || status === PGRES.EMPTY_QUERY) {
        if (discard) return;
        const tuples = pq.cmdTuples(res);
        this.keep([], null, tuples === "" ? -1 : Number(tuples));
      } else if (status === PGRES.COPY_IN || status === PGRES.COPY_OUT) {
        throw new ProgrammingError(
          "postgres: COPY is not supported through execute; use INSERT … VALUES",
          {
            code: "0A000",
          },
        );
      } else {
        throw this.#error(res);
      }
    } finally {
      pq.clear(res);
    }
  }

  #error(res: PGresult): DatabaseError {
    const pq = this.#pq;
    const field = (f: number): string | null => pq.resultErrorField(res, f);
    const broken = this.#conn !== null && pq.status(this.#conn) === CONNECTION.BAD;
    const code = field(PG_DIAG.SQLSTATE) ?? (broken ? "08006" : "XX000");
    const message = field(PG_DIAG.MESSAGE_PRIMARY)
      ?? (pq.resultErrorMessage(res).trim() || pq.errorMessage(this.#open()).trim()
        || "postgres: the statement failed");
    const Class = broken ? OperationalError : classFor(code);
    return new Class(message, {
      code,
      detail: field(PG_DIAG.MESSAGE_DETAIL),
      hint: field(PG_DIAG.MESSAGE_HINT),
      constraint: field(PG_DIAG.CONSTRAINT_NAME),
    });
  }
}

const EMPTY_TYPES = new Uint32Array(0);

/** Statements `executeMany` pipelines (by first keyword): they can share an exchange. */
const PIPELINED = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE"]);

/** The placeholder of a pipelined statement whose result is not read yet. */
const PENDING: BatchOutcome = { error: null };

/** Parameters as libpq takes them: type OIDs (0: inferred) and text or binary values. */
function bindValues(params: readonly SqlValue[]): [Uint32Array, PqParam[]] {
  const n = params.length;
  const types = n === 0 ? EMPTY_TYPES : new Uint32Array(n);
  const values: PqParam[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = params[i];
    if (v === null) {
      values[i] = null;
    } else if (typeof v === "string") {
      values[i] = v;
    } else if (typeof v === "number") {
      types[i] = Number.isInteger(v)
        ? (v >= -2147483648 && v <= 2147483647 ? OID.INT4 : OID.INT8)
        : OID.FLOAT8;
      values[i] = Number.isInteger(v) && !Number.isSafeInteger(v)
        ? BigInt(v).toString()
        : String(v);
    } else if (typeof v === "bigint") {
      types[i] = OID.INT8;
      values[i] = v.toString();
    } else if (typeof v === "boolean") {
      types[i] = OID.BOOL;
      values[i] = v ? "t" : "f";
    } else if (v instanceof Uint8Array) {
      types[i] = OID.BYTEA;
      values[i] = v;
    }
  }
  return [types, values];
}

/** The DB-API class of a SQLSTATE, by its two-character class (as psycopg2 sorts them). */
function classFor(sqlstate: string): typeof DatabaseError {
  switch (sqlstate.slice(0, 2)) {
    case "23":
      return IntegrityError;
    case "22":
      return DataError;
    case "42":
    case "26":
    case "34":
    case "3D":
    case "3F":
      return ProgrammingError;
    case "08":
    case "40":
    case "53":
    case "55":
    case "57":
    case "58":
    case "F0":
      return OperationalError;
    default:
      return DatabaseError;
  }
}
