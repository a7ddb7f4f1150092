/**
 * Asynchronous database access (Twisted's `twisted.enterprise.adbapi`): a
 * pool of connections, one per pool Worker, whose blocking driver calls run
 * off the reactor thread and come back as Deferreds. Drivers for SQLite
 * (embedded, the default) and PostgreSQL (libpq through FFI) ship with it;
 * another database needs one small synchronous module
 * ({@linkcode DriverModule}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectSqlite } from "@skein/skein/adbapi";
 *
 * // A driver connection by itself is synchronous (DB-API's shape).
 * const conn = connectSqlite({ path: ":memory:" });
 * conn.execute("select ? + 1 as answer", [41]);
 * assert.deepEqual(conn.fetchall(), [[42]]);
 * conn.close();
 * ```
 *
 * @module
 */
export * from "./builtin_drivers.ts";
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type InteractionResult,
} from "./connection_pool.ts";
export * from "./driver.ts";
export * from "./errors.ts";
export { connectPostgres, postgresConninfo, type PostgresOptions } from "./postgres.ts";
export { connectSqlite, type SqliteOptions } from "./sqlite.ts";
export * from "./transaction.ts";
