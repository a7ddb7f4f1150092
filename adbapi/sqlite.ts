/**
 * The SQLite driver, the pool's embedded default: `node:sqlite`'s
 * `DatabaseSync`, which Deno (2.9) and Bun (1.4) both provide, behind the
 * synchronous {@linkcode DriverConnection} contract. A pool's Workers import
 * this module; `connectSqlite` also works on any thread by itself.
 *
 * - A file database is put in WAL mode (readers do not block the writer, so
 *   a pool of several connections works) unless `wal: false`; `":memory:"`
 *   is a private database per connection, so a pool over it should have
 *   `max: 1` (each of its connections would see a different database).
 * - Parameters are bound to `?` placeholders by SQLite, never spliced into
 *   the SQL. Integral numbers bind as INTEGER (as Python's `sqlite3` does),
 *   booleans as 1/0.
 * - 64-bit integers are read exactly: a `number` when it fits a double, a
 *   `bigint` when it does not.
 * - Transactions follow DB-API: a statement opens one unless it cannot run
 *   inside one (`PRAGMA`, `VACUUM`, `ATTACH`/`DETACH`, and the transaction
 *   statements themselves); `commit`/`rollback` end it.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { checkParams, checkSql, firstKeyword, narrowInteger } from "./_params.ts";
import { ResultBuffer } from "./_result_buffer.ts";
import type { ArrayRow, DriverConnection, SqlValue } from "./driver.ts";
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "./errors.ts";

/**
 * Connect options of the SQLite driver.
 *
 * @example
 * ```ts
 * import type { SqliteOptions } from "@skein/skein/adbapi";
 * const options: SqliteOptions = { path: "app.db", busyTimeoutMs: 1000 };
 * console.log(options.path);
 * ```
 */
export interface SqliteOptions {
  /** The database file, or `":memory:"` for a private in-memory database per connection. */
  readonly path: string;
  /** Put a file database in WAL mode (default `true`; ignored for `":memory:"`). */
  readonly wal?: boolean;
  /** How long a statement waits for another connection's lock before `SQLITE_BUSY` (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Enforce foreign keys (default `true`; SQLite's own default is off). */
  readonly foreignKeys?: boolean;
  /** Open the database read-only (default `false`). */
  readonly readOnly?: boolean;
  /** How many prepared statements each connection keeps for reuse (default 64). */
  readonly statementCache?: number;
}

/**
 * Open a SQLite connection (the driver's `connect`). Throws
 * `OperationalError` when the file cannot be opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite } from "@skein/skein/adbapi";
 *
 * const conn = connectSqlite({ path: ":memory:" });
 * conn.execute("select ? as big, ? as small", [2n ** 62n, 7]);
 * assert.deepEqual(conn.fetchall(), [[2n ** 62n, 7]]);
 * conn.close();
 * ```
 */
export function connectSqlite(options: SqliteOptions): DriverConnection {
  return new SqliteConnection(options);
}

// The driver module's entry point (DriverModule.connect), what a pool Worker
// calls: the same function.
export { connectSqlite as connect };

/** Statements that SQLite cannot run inside a transaction, or that manage one themselves. */
const NO_IMPLICIT_BEGIN = new Set([
  "PRAGMA",
  "VACUUM",
  "ATTACH",
  "DETACH",
  "BEGIN",
  "COMMIT",
  "END",
  "ROLLBACK",
  "SAVEPOINT",
  "RELEASE",
]);

interface Prepared {
  readonly statement: StatementSync;
  readonly columns: readonly string[] | null;
  readonly noBegin: boolean;
}

class SqliteConnection extends ResultBuffer implements DriverConnection {
  #db: DatabaseSync | null;
  #cache = new Map<string, Prepared>();
  #cacheSize: number;

  constructor(options: SqliteOptions) {
    super();
    if (
      options === null || typeof options !== "object" || typeof options.path !== "string"
      || options.path === ""
    ) {
      throw new TypeError(
        "sqlite: connect options need a path, e.g. { path: \"app.db\" } or { path: \":memory:\" }",
      );
    }
    const timeout = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(timeout) || timeout < 0) {
      throw new RangeError(
        `sqlite: busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${timeout}`,
      );
    }
    this.#cacheSize = options.statementCache ?? 64;
    try {
      this.#db = new DatabaseSync(options.path, {
        timeout,
        readOnly: options.readOnly ?? false,
        enableForeignKeyConstraints: options.foreignKeys ?? true,
      });
    } catch (e) {
      throw translate(e, `sqlite: cannot open ${options.path}`, OperationalError);
    }
    if (options.path !== ":memory:" && (options.wal ?? true) && !(options.readOnly ?? false)) {
      this.execute("PRAGMA journal_mode = WAL", []);
      this.fetchall();
    }
  }

  execute(sql: string, params: readonly SqlValue[]): void {
    this.#run(sql, params, true);
  }

  executeOnce(sql: string, params: readonly SqlValue[]): ArrayRow[] {
    const db = this.#open();
    if (db.isTransaction) {
      throw new ProgrammingError(
        "sqlite: executeOnce called inside an open transaction; commit or roll back first",
        {
          code: "SQLITE_MISUSE",
        },
      );
    }
    this.#run(sql, params, false);
    // The statement itself may have opened a transaction (an explicit BEGIN):
    // end it, as a commit after execute would.
    if (db.isTransaction) this.commit();
    return this.fetchall();
  }

  commit(): void {
    const db = this.#open();
    if (db.isTransaction) this.#exec("COMMIT");
  }

  rollback(): void {
    const db = this.#open();
    if (db.isTransaction) this.#exec("ROLLBACK");
  }

  close(): void {
    const db = this.#db;
    if (db === null) return;
    this.#db = null;
    this.#cache.clear();
    this.fetchall(); // unread rows go with the connection
    try {
      db.close();
    } catch (e) {
      throw translate(e, "sqlite: close failed", OperationalError);
    }
  }

  #open(): DatabaseSync {
    if (this.#db === null) {
      throw new ProgrammingError("sqlite: the connection is closed", { code: "SQLITE_MISUSE" });
    }
    return this.#db;
  }

  #exec(sql: "COMMIT" | "ROLLBACK" | "BEGIN"): void {
    try {
      this.#prepare(sql).statement.run();
    } catch (e) {
      throw translate(e, `sqlite: ${sql} failed`);
    }
  }

  #prepare(sql: string): Prepared {
    const cached = this.#cache.get(sql);
    if (cached !== undefined) {
      // Most recently used goes last; the first entry is the one to evict.
      this.#cache.delete(sql);
      this.#cache.set(sql, cached);
      return cached;
    }
    const statement = this.#open().prepare(sql);
    statement.setReadBigInts(true);
    statement.setReturnArrays(true);
    const cols = statement.columns();
    const prepared: Prepared = {
      statement,
      columns: cols.length === 0 ? null : cols.map((c) => c.name),
      noBegin: NO_IMPLICIT_BEGIN.has(firstKeyword(sql)),
    };
    if (this.#cacheSize > 0) {
      if (this.#cache.size >= this.#cacheSize) {
        this.#cache.delete(this.#cache.keys().next().value as string);
      }
      this.#cache.set(sql, prepared);
    }
    return prepared;
  }

  #run(sql: string, params: readonly SqlValue[], implicitBegin: boolean): void {
    checkSql(sql, "sqlite: execute");
    const db = this.#open();
    const bound = bind(checkParams(params, "sqlite: execute"));
    this.keep([], null, -1);
    let prepared: Prepared;
    try {
      prepared = this.#prepare(sql);
    } catch (e) {
      throw translate(e, "sqlite: prepare failed", ProgrammingError);
    }
    if (implicitBegin && !prepared.noBegin && !db.isTransaction) this.#exec("BEGIN");
    try {
      if (prepared.columns !== null) {
        const rows = prepared.statement.all(...bound) as unknown as SqlValue[][];
        for (const row of rows) {
          for (let i = 0; i < row.length; i++) {
            const v = row[i];
            if (typeof v === "bigint") row[i] = narrowInteger(v);
          }
        }
        this.keep(rows, prepared.columns, rows.length);
      } else {
        const result = prepared.statement.run(...bound);
        const id = result.lastInsertRowid;
        this.keep(
          [],
          null,
          Number(result.changes),
          typeof id === "bigint" ? narrowInteger(id) : id,
        );
      }
    } catch (e) {
      throw translate(e, "sqlite: execute failed");
    }
  }
}

type Bindable = null | number | bigint | string | Uint8Array;

function bind(params: readonly SqlValue[]): Bindable[] {
  const out = new Array<Bindable>(params.length);
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v === "number") {
      out[i] = Number.isSafeInteger(v) ? BigInt(v) : v;
    } else if (typeof v === "boolean") {
      out[i] = v ? 1n : 0n;
    } else {
      out[i] = v as Bindable;
    }
  }
  return out;
}

/** SQLite's primary result codes by number. */
const PRIMARY: readonly string[] = [
  "OK",
  "ERROR",
  "INTERNAL",
  "PERM",
  "ABORT",
  "BUSY",
  "LOCKED",
  "NOMEM",
  "READONLY",
  "INTERRUPT",
  "IOERR",
  "CORRUPT",
  "NOTFOUND",
  "FULL",
  "CANTOPEN",
  "PROTOCOL",
  "EMPTY",
  "SCHEMA",
  "TOOBIG",
  "CONSTRAINT",
  "MISMATCH",
  "MISUSE",
  "NOLFS",
  "AUTH",
  "FORMAT",
  "RANGE",
  "NOTADB",
  "NOTICE",
  "WARNING",
];

/** The extended result codes worth naming (the constraint kinds, busy/locked variants). */
const EXTENDED: ReadonlyMap<number, string> = new Map([
  [261, "BUSY_RECOVERY"],
  [517, "BUSY_SNAPSHOT"],
  [262, "LOCKED_SHAREDCACHE"],
  [275, "CONSTRAINT_CHECK"],
  [531, "CONSTRAINT_COMMITHOOK"],
  [787, "CONSTRAINT_FOREIGNKEY"],
  [1043, "CONSTRAINT_FUNCTION"],
  [1299, "CONSTRAINT_NOTNULL"],
  [1555, "CONSTRAINT_PRIMARYKEY"],
  [1811, "CONSTRAINT_TRIGGER"],
  [2067, "CONSTRAINT_UNIQUE"],
  [2323, "CONSTRAINT_VTAB"],
  [2579, "CONSTRAINT_ROWID"],
  [3091, "CONSTRAINT_DATATYPE"],
]);

/** `SQLITE_CONSTRAINT_UNIQUE` for 2067, `SQLITE_BUSY` for 5, … */
function sqliteCodeName(code: number): string {
  const name = EXTENDED.get(code) ?? PRIMARY[code & 0xff];
  return name === undefined ? `SQLITE_${code}` : `SQLITE_${name}`;
}

type ErrorClass = typeof DatabaseError;

function classFor(primary: number): ErrorClass {
  switch (primary) {
    case 19:
      return IntegrityError;
    case 1:
    case 21:
    case 25:
      return ProgrammingError;
    case 18:
    case 20:
      return DataError;
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 13:
    case 14:
    case 17:
    case 26:
      return OperationalError;
    default:
      return DatabaseError;
  }
}

/**
 * A `node:sqlite` error as a `DatabaseError` of the right class. Bun (and
 * Deno for statement errors) put SQLite's extended code in `errcode`; when it
 * is missing (Deno's open errors) `fallback` says which class it is.
 */
function translate(e: unknown, context: string, fallback: ErrorClass = DatabaseError): Error {
  if (e instanceof DatabaseError) return e;
  if (!(e instanceof Error)) {
    return new DatabaseError(`${context}: ${String(e)}`, { code: "SQLITE_ERROR" });
  }
  const errcode = (e as { errcode?: unknown; }).errcode;
  const nodeCode = (e as { code?: unknown; }).code;
  if (typeof errcode === "number") {
    const Class = classFor(errcode & 0xff);
    return new Class(e.message, { code: sqliteCodeName(errcode) }, { cause: e });
  }
  if (nodeCode === "ERR_SQLITE_ERROR") {
    return new fallback(e.message, { code: "SQLITE_ERROR" }, { cause: e });
  }
  // Not SQLite's own: a binding the runtime refused, say.
  return new ProgrammingError(`${context}: ${e.message}`, { code: "SQLITE_MISUSE" }, { cause: e });
}
