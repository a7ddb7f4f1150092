/**
 * The driver contract: what a database module must provide so that a
 * {@linkcode ConnectionPool} can run it in its Workers. It is DB-API's shape,
 * synchronous as DB-API is: `connect` gives a connection with one implicit
 * cursor (`execute`, `fetchall`, `fetchone`, `columns`, `rowcount`) and
 * `commit`/`rollback`/`close`. A driver is a module URL (a Worker imports it)
 * whose `connect` export builds the connection; {@linkcode DriverModule} is
 * that module's type.
 *
 * Skein ships two: `sqlite` (the embedded default, `adbapi/sqlite.ts`) and
 * `postgres` (libpq through FFI, `adbapi/postgres.ts`). To add another
 * database, write a module like them and pass its URL to
 * `defineDriver(new URL("./my_driver.ts", import.meta.url), "mine")`.
 *
 * @module
 */

/**
 * A value that can be bound to a statement parameter or read from a column:
 * SQL `NULL` is `null`; 64-bit integers that do not fit a double come back
 * as `bigint`; `Uint8Array` is a BLOB/`bytea`. A driver may return other
 * structured-cloneable values (PostgreSQL's `json` columns become the parsed
 * JSON).
 *
 * @example
 * ```ts
 * import type { SqlValue } from "@skein/skein/adbapi";
 * const params: SqlValue[] = [1, "one", null, 2n ** 62n, new Uint8Array([1]), true];
 * console.log(params.length);
 * ```
 */
export type SqlValue = null | boolean | number | bigint | string | Uint8Array | SqlJson;

/**
 * What a driver may return for a JSON column (a parsed JSON document).
 *
 * @example
 * ```ts
 * import type { SqlJson } from "@skein/skein/adbapi";
 * const doc: SqlJson = { tags: ["a", "b"], n: 1 };
 * console.log(doc);
 * ```
 */
export type SqlJson = { readonly [key: string]: unknown; } | readonly unknown[];

/**
 * A row as an array of column values, in select-list order (Twisted's
 * tuples).
 *
 * @example
 * ```ts
 * import type { ArrayRow } from "@skein/skein/adbapi";
 * const row: ArrayRow = [1, "one"];
 * console.log(row[1]);
 * ```
 */
export type ArrayRow = SqlValue[];

/**
 * A row as an object keyed by column name (a later column wins over an
 * earlier one of the same name).
 *
 * @example
 * ```ts
 * import type { ObjectRow } from "@skein/skein/adbapi";
 * const row: ObjectRow = { id: 1, name: "one" };
 * console.log(row.name);
 * ```
 */
export type ObjectRow = Record<string, SqlValue>;

/**
 * A row in either shape; {@linkcode RowFormat} chooses which.
 *
 * @example
 * ```ts
 * import type { Row } from "@skein/skein/adbapi";
 * const rows: Row[] = [[1, "one"], { id: 2, name: "two" }];
 * console.log(rows.length);
 * ```
 */
export type Row = ArrayRow | ObjectRow;

/**
 * How rows come back: `"array"` (the default, as Twisted's tuples) or
 * `"object"` (keyed by column name).
 *
 * @example
 * ```ts
 * import type { RowFormat } from "@skein/skein/adbapi";
 * const format: RowFormat = "object";
 * console.log(format);
 * ```
 */
export type RowFormat = "array" | "object";

/**
 * One open database connection with its implicit cursor, as a driver module
 * gives it. Every method is synchronous and may block: the pool calls them in
 * its Workers, never on the reactor thread.
 *
 * Transactions follow DB-API: the first statement after `connect`, `commit`
 * or `rollback` opens a transaction that stays open until `commit` or
 * `rollback`. Errors are thrown as {@linkcode DatabaseError} subclasses
 * (`./errors.ts`) carrying the database's own message and code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite } from "@skein/skein/adbapi";
 *
 * const conn = connectSqlite({ path: ":memory:" });
 * conn.execute("create table t (x integer)", []);
 * conn.execute("insert into t values (?), (?)", [1, 2]);
 * conn.commit();
 * conn.execute("select x from t order by x", []);
 * assert.deepEqual(conn.columns, ["x"]);
 * assert.deepEqual(conn.fetchone(), [1]);
 * assert.deepEqual(conn.fetchall(), [[2]]);
 * conn.close();
 * ```
 */
export interface DriverConnection {
  /** Run one statement with `params` bound to its placeholders (never interpolated). */
  execute(sql: string, params: readonly SqlValue[]): void;
  /**
   * Run one statement as a transaction of its own (committed when it
   * succeeds, nothing left open when it fails) and return its rows. Called
   * only when no transaction is open. Optional: without it the pool uses
   * `execute`, `fetchall` and `commit`/`rollback`, which costs the database
   * a `BEGIN` and a `COMMIT` more.
   */
  executeOnce?(sql: string, params: readonly SqlValue[]): ArrayRow[];
  /**
   * Run several statements, each as `executeOnce` would (a transaction of
   * its own, in order), in as few exchanges with the database as it can
   * (PostgreSQL's pipeline mode: one). Answers one outcome per statement,
   * never throws. Optional: without it the pool calls `executeOnce` for
   * each.
   */
  executeMany?(statements: readonly SqlStatement[]): BatchOutcome[];
  /** The rows of the last statement not fetched yet (empty for a statement with no result). */
  fetchall(): ArrayRow[];
  /** The next row of the last statement, or `null` when there is none. */
  fetchone(): ArrayRow | null;
  /** The column names of the last statement's result, or `null` for a statement with none. */
  readonly columns: readonly string[] | null;
  /** Rows the last statement changed or returned, or -1 when unknown (DB-API's `rowcount`). */
  readonly rowcount: number;
  /** The row id of the last inserted row where the database has one (SQLite), else `null`. */
  readonly lastRowId: number | bigint | null;
  /** Commit the open transaction (a no-op when none is open). */
  commit(): void;
  /** Roll the open transaction back (a no-op when none is open). */
  rollback(): void;
  /** Close the connection; an open transaction is rolled back. Safe to call twice. */
  close(): void;
}

/**
 * One statement of {@linkcode DriverConnection.executeMany}: its SQL and parameters.
 *
 * @example
 * ```ts
 * import type { SqlStatement } from "@skein/skein/adbapi";
 * const s: SqlStatement = ["select v from kv where k = $1", ["a"]];
 * console.log(s[0]);
 * ```
 */
export type SqlStatement = readonly [sql: string, params: readonly SqlValue[]];

/**
 * What one statement of {@linkcode DriverConnection.executeMany} did: its
 * rows and column names, or the error it failed with.
 *
 * @example
 * ```ts
 * import type { BatchOutcome } from "@skein/skein/adbapi";
 * const done: BatchOutcome = { rows: [[1]], columns: ["x"] };
 * console.log("rows" in done);
 * ```
 */
export type BatchOutcome =
  | { readonly rows: ArrayRow[]; readonly columns: readonly string[] | null; }
  | { readonly error: unknown; };

/**
 * The shape of a driver module: its `connect` export opens a connection
 * from the pool's `connectOptions` (which crossed a Worker boundary, so they
 * are plain structured-cloneable data).
 *
 * @example
 * ```ts
 * import { connectSqlite, type DriverModule, type SqliteOptions } from "@skein/skein/adbapi";
 *
 * const module: DriverModule<SqliteOptions> = { connect: connectSqlite };
 * module.connect({ path: ":memory:" }).close();
 * ```
 */
export interface DriverModule<Options = unknown> {
  /** Open a connection. Throws a `DatabaseError` (usually `OperationalError`) when it cannot. */
  connect(options: Options): DriverConnection;
}

/**
 * A driver as the pool names it: the URL of its module (which every pool
 * Worker imports) and a short name for messages. The type parameter is the
 * driver's connect options, so `new ConnectionPool(sqlite, { path })` is
 * type-checked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineDriver, sqlite } from "@skein/skein/adbapi";
 *
 * assert.equal(sqlite.name, "sqlite");
 * const mine = defineDriver<{ path: string; }>(new URL("./my_driver.ts", import.meta.url), "mine");
 * assert.match(mine.module, /my_driver\.ts$/);
 * ```
 */
export interface DriverSpec<Options = unknown> {
  /** The driver module's URL (`file:`, `https:` …), as a string. */
  readonly module: string;
  /** A short name for logs and error messages. */
  readonly name: string;
  /** Type-level only: the connect options this driver takes. */
  readonly options?: Options;
}

/**
 * Name a driver module for {@linkcode ConnectionPool}: `module` is its URL
 * (use `new URL("./file.ts", import.meta.url)` so it resolves from your
 * module, not the pool's), `name` a short label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineDriver } from "@skein/skein/adbapi";
 *
 * const spec = defineDriver<{ file: string; }>(new URL("./drivers/csv.ts", import.meta.url), "csv");
 * assert.equal(spec.name, "csv");
 * assert.throws(() => defineDriver("", "empty"), TypeError);
 * ```
 */
export function defineDriver<Options>(module: URL | string, name: string): DriverSpec<Options> {
  const href = module instanceof URL ? module.href : module;
  if (typeof href !== "string" || href === "") {
    throw new TypeError(
      "defineDriver: pass the driver module's URL, e.g. new URL(\"./my_driver.ts\", import.meta.url)",
    );
  }
  if (typeof name !== "string" || name === "") {
    throw new TypeError("defineDriver: pass a non-empty name for the driver");
  }
  return { module: href, name };
}
