/**
 * Asynchronous database access (Twisted's `twisted.enterprise.adbapi`): a
 * `ConnectionPool` keeps one connection per pool Worker, runs the driver's
 * blocking calls there and hands results back as Deferreds on the reactor
 * thread. Drivers for SQLite (embedded, the default: `sqlite`) and
 * PostgreSQL (libpq through FFI: `postgres`) ship with it; another database
 * needs one small synchronous module ({@linkcode DriverModule}).
 *
 * `runQuery`, `runOperation`, `runInteraction` and `runWithConnection`
 * behave as Twisted's, with one difference: an interaction function runs on
 * the reactor thread, not in a pool thread, because a closure cannot enter a
 * Worker. It talks to the one connection pinned to it for the whole
 * transaction, and `txn.execute`/`fetchall`/`fetchone` return Deferreds, so
 * it is written as an `async` function or an `inlineCallbacks` generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionPool, sqlite, type Transaction } from "@skein/skein/adbapi";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
 * pool.start();
 * await pool.runOperation("create table account (name text primary key, balance integer not null)");
 * await pool.runOperation("insert into account values (?, ?), (?, ?)", ["alice", 10, "bob", 0]);
 * const transfer = async (txn: Transaction, from: string, to: string, amount: number): Promise<void> => {
 *   await txn.execute("update account set balance = balance - ? where name = ?", [amount, from]);
 *   await txn.execute("select balance from account where name = ?", [from]);
 *   const [[left]] = (await txn.fetchall()) as [[number]];
 *   if (left < 0) throw new Error("insufficient funds"); // rolls the whole transaction back
 *   await txn.execute("update account set balance = balance + ? where name = ?", [amount, to]);
 * };
 * await pool.runInteraction(transfer, "alice", "bob", 7);
 * await assert.rejects(pool.runInteraction(transfer, "alice", "bob", 7).toPromise(), /insufficient/);
 * assert.deepEqual(await pool.runQuery("select name, balance from account order by name"), [["alice", 3], ["bob", 7]]);
 * await pool.close();
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
