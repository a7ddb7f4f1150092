/**
 * The errors of `adbapi`: DB-API's `DatabaseError` family (what the database
 * said, with its own code: the SQLSTATE for PostgreSQL, the result code name
 * for SQLite), Twisted's `ConnectionLost`, and `ConnectionPoolClosed` for work
 * that a closing pool will not run.
 *
 * @module
 */

/**
 * What the database reported, beyond the message.
 *
 * @example
 * ```ts
 * import type { DatabaseErrorDetails } from "@skein/skein/adbapi";
 * const details: DatabaseErrorDetails = { code: "23505", constraint: "kv_pkey" };
 * console.log(details.code);
 * ```
 */
export interface DatabaseErrorDetails {
  /**
   * The database's code: PostgreSQL's five-character SQLSTATE (`"23505"`),
   * SQLite's result code name (`"SQLITE_CONSTRAINT_PRIMARYKEY"`), or a
   * driver's own.
   */
  readonly code: string;
  /** The database's secondary message (PostgreSQL's DETAIL), if any. */
  readonly detail?: string | null;
  /** The database's suggestion (PostgreSQL's HINT), if any. */
  readonly hint?: string | null;
  /** The violated constraint's name, where the database reports it. */
  readonly constraint?: string | null;
}

/**
 * An error the database reported (DB-API's `DatabaseError`). The message is
 * the database's own; `code` is its code. Subclasses sort it the way DB-API
 * does; match on `code` for anything finer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite, DatabaseError, ProgrammingError } from "@skein/skein/adbapi";
 *
 * const conn = connectSqlite({ path: ":memory:" });
 * try {
 *   assert.throws(() => conn.execute("select * from missing", []), (e: unknown) => {
 *     assert.ok(e instanceof ProgrammingError && e instanceof DatabaseError);
 *     assert.equal(e.code, "SQLITE_ERROR");
 *     assert.match(e.message, /no such table: missing/);
 *     return true;
 *   });
 * } finally {
 *   conn.close();
 * }
 * ```
 */
export class DatabaseError extends Error {
  /** Always `"DatabaseError"`. */
  override name: string = "DatabaseError";
  /** The database's code (see {@linkcode DatabaseErrorDetails.code}). */
  readonly code: string;
  /** The database's secondary message, or `null`. */
  readonly detail: string | null;
  /** The database's hint, or `null`. */
  readonly hint: string | null;
  /** The violated constraint, or `null`. */
  readonly constraint: string | null;

  /**
   * Make one from the database's message and details.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { DatabaseError } from "@skein/skein/adbapi";
   * const e = new DatabaseError("disk full", { code: "53100" });
   * assert.equal(e.code, "53100");
   * ```
   */
  constructor(message: string, details: DatabaseErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.code = details.code;
    this.detail = details.detail ?? null;
    this.hint = details.hint ?? null;
    this.constraint = details.constraint ?? null;
  }
}

/**
 * A constraint was violated: unique, primary key, foreign key, not null,
 * check (SQLSTATE class 23; SQLite's `SQLITE_CONSTRAINT_*`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite, IntegrityError } from "@skein/skein/adbapi";
 *
 * const conn = connectSqlite({ path: ":memory:" });
 * conn.execute("create table kv (k text primary key)", []);
 * conn.execute("insert into kv values (?)", ["a"]);
 * assert.throws(() => conn.execute("insert into kv values (?)", ["a"]), IntegrityError);
 * conn.close();
 * ```
 */
export class IntegrityError extends DatabaseError {
  /** Always `"IntegrityError"`. */
  override name: string = "IntegrityError";
}

/**
 * The statement is wrong: a syntax error, a missing table or column, the
 * wrong number of parameters (SQLSTATE classes 42 and 26; SQLite's
 * `SQLITE_ERROR`, `SQLITE_RANGE`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite, ProgrammingError } from "@skein/skein/adbapi";
 *
 * const conn = connectSqlite({ path: ":memory:" });
 * assert.throws(() => conn.execute("selec 1", []), ProgrammingError);
 * conn.close();
 * ```
 */
export class ProgrammingError extends DatabaseError {
  /** Always `"ProgrammingError"`. */
  override name: string = "ProgrammingError";
}

/**
 * The database could not do it for reasons outside the statement: the
 * connection failed or was closed, the database is busy or locked, out of
 * disk, shutting down (SQLSTATE classes 08, 53, 55, 57, 58; SQLite's
 * `SQLITE_BUSY`, `SQLITE_IOERR`, `SQLITE_CANTOPEN` …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite, OperationalError } from "@skein/skein/adbapi";
 *
 * assert.throws(() => connectSqlite({ path: "/nonexistent/dir/db.sqlite" }), OperationalError);
 * ```
 */
export class OperationalError extends DatabaseError {
  /** Always `"OperationalError"`. */
  override name: string = "OperationalError";
}

/**
 * A value was out of range or malformed for its type: division by zero, a
 * bad number or date, a string too long (SQLSTATE class 22; SQLite's
 * `SQLITE_MISMATCH`, `SQLITE_TOOBIG`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataError, DatabaseError } from "@skein/skein/adbapi";
 * const e = new DataError("division by zero", { code: "22012" });
 * assert.ok(e instanceof DatabaseError);
 * ```
 */
export class DataError extends DatabaseError {
  /** Always `"DataError"`. */
  override name: string = "DataError";
}

/**
 * The pool's connection was found broken and dropped (Twisted's
 * `adbapi.ConnectionLost`): with `reconnect: true`, a statement or
 * transaction failed and the pool's `goodSql` then failed too. Nothing of the
 * failed work was committed; send it again and the pool uses a fresh
 * connection. `cause` is the error that started it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionLost } from "@skein/skein/adbapi";
 * const e = new ConnectionLost("sqlite", new Error("server closed the connection"));
 * assert.match(e.message, /retry/);
 * ```
 */
export class ConnectionLost extends Error {
  /** Always `"ConnectionLost"`. */
  override name: string = "ConnectionLost";
  /**
   * Say which driver's connection was lost and why.
   *
   * @example
   * ```ts
   * import { ConnectionLost } from "@skein/skein/adbapi";
   * console.log(new ConnectionLost("postgres", new Error("EOF")).message);
   * ```
   */
  constructor(driverName: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `the ${driverName} connection was lost and has been dropped (${why.trim()}); `
        + "nothing of this work was committed: retry it and the pool opens a new connection",
      { cause },
    );
  }
}

/**
 * The pool was closed (or never started) before this work could run, so it
 * did not run; also what an interaction's later calls get once `close()` has
 * begun.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionPoolClosed } from "@skein/skein/adbapi";
 * assert.match(new ConnectionPoolClosed("kv").message, /closed/);
 * ```
 */
export class ConnectionPoolClosed extends Error {
  /** Always `"ConnectionPoolClosed"`. */
  override name: string = "ConnectionPoolClosed";
  /**
   * Name the pool in the message.
   *
   * @example
   * ```ts
   * import { ConnectionPoolClosed } from "@skein/skein/adbapi";
   * console.log(new ConnectionPoolClosed("kv").message);
   * ```
   */
  constructor(poolName: string, detail = "the work was not run") {
    super(`ConnectionPool ${poolName} is closed: ${detail}; open a new pool to run more work`);
  }
}

/**
 * The interface was used wrongly, not the database (DB-API's
 * `InterfaceError`): a `Transaction` used after its interaction ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InterfaceError } from "@skein/skein/adbapi";
 * assert.equal(new InterfaceError("cursor closed").name, "InterfaceError");
 * ```
 */
export class InterfaceError extends Error {
  /** Always `"InterfaceError"`. */
  override name: string = "InterfaceError";
}

/**
 * The name of one of the `DatabaseError` classes.
 *
 * @example
 * ```ts
 * import type { DatabaseErrorKind } from "@skein/skein/adbapi";
 * const kind: DatabaseErrorKind = "IntegrityError";
 * console.log(kind);
 * ```
 */
export type DatabaseErrorKind =
  | "DatabaseError"
  | "IntegrityError"
  | "ProgrammingError"
  | "OperationalError"
  | "DataError";

/** The error classes by name, for rebuilding an error that crossed a Worker boundary. */
const DATABASE_ERRORS: Readonly<Record<DatabaseErrorKind, typeof DatabaseError>> = {
  DatabaseError: DatabaseError,
  IntegrityError: IntegrityError,
  ProgrammingError: ProgrammingError,
  OperationalError: OperationalError,
  DataError: DataError,
};

/**
 * A `DatabaseError` of the class named `kind` (`DatabaseError` for an
 * unknown name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { databaseError, IntegrityError } from "@skein/skein/adbapi";
 * assert.ok(databaseError("IntegrityError", "dup", { code: "23505" }) instanceof IntegrityError);
 * ```
 */
export function databaseError(
  kind: string,
  message: string,
  details: DatabaseErrorDetails,
): DatabaseError {
  const Class = Object.hasOwn(DATABASE_ERRORS, kind)
    ? DATABASE_ERRORS[kind as DatabaseErrorKind]
    : DatabaseError;
  return new Class(message, details);
}
