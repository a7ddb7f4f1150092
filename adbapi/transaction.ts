/**
 * `Transaction` and `Connection`: what an interaction function gets, on the
 * reactor thread, for the one connection pinned to it.
 *
 * This is the one difference from Twisted. Twisted runs the whole
 * interaction function in a pool thread, where `txn.execute()` blocks. A
 * JavaScript closure cannot enter a Worker (only data crosses), so here the
 * function runs on the reactor thread and each driver call crosses to the
 * connection's Worker and back: `execute`, `fetchall`, `fetchone` (and
 * `commit`/`rollback` on a `Connection`) return Deferreds. Write the function
 * as an `async` function or an `inlineCallbacks` generator and it reads like
 * Twisted's. The connection stays pinned to the interaction until it ends, so
 * the transaction is the same as Twisted's: commit when the function
 * returns, rollback when it throws.
 *
 * `execute` brings the statement's whole result back at once (as psycopg2's
 * default cursor does), so `fetchall`/`fetchone` cost no further crossing.
 *
 * @module
 */

import { Deferred, fail } from "../deferred/deferred.ts";
import { checkParams, checkSql } from "./_params.ts";
import { ResultBuffer } from "./_result_buffer.ts";
import type { Row, SqlValue } from "./driver.ts";
import { InterfaceError } from "./errors.ts";

/**
 * What a {@linkcode Transaction} sends its calls through: the pool's link to
 * the pinned connection. A pool makes these; a test double may too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { succeed } from "@skein/skein/deferred";
 * import { Transaction, type TransactionChannel } from "@skein/skein/adbapi";
 *
 * const channel: TransactionChannel = {
 *   execute: () => succeed({ columns: ["x"], rows: [[1]], rowcount: 1, lastRowId: null }),
 *   commit: () => succeed(undefined),
 *   rollback: () => succeed(undefined),
 * };
 * const txn = new Transaction(channel);
 * await txn.execute("select 1 as x");
 * assert.deepEqual(await txn.fetchall(), [[1]]);
 * ```
 */
export interface TransactionChannel {
  /** Run one statement on the pinned connection; fires with its whole result. */
  execute(sql: string, params: readonly SqlValue[]): Deferred<StatementResult>;
  /** Commit the pinned connection's transaction. */
  commit(): Deferred<void>;
  /** Roll it back. */
  rollback(): Deferred<void>;
}

/**
 * One statement's result as it comes back from the connection's Worker.
 *
 * @example
 * ```ts
 * import type { StatementResult } from "@skein/skein/adbapi";
 * const result: StatementResult = { columns: ["id"], rows: [[1]], rowcount: 1, lastRowId: null };
 * console.log(result.rows.length);
 * ```
 */
export interface StatementResult {
  /** Column names, or `null` for a statement without a result set. */
  readonly columns: readonly string[] | null;
  /** Every row. */
  readonly rows: Row[];
  /** Rows changed or returned, or -1. */
  readonly rowcount: number;
  /** SQLite's last inserted row id, else `null`. */
  readonly lastRowId: number | bigint | null;
}

/**
 * The cursor of one interaction (Twisted's `adbapi.Transaction`), for the
 * connection pinned to it until the interaction ends. Its calls return
 * Deferreds (see the module docs for why, the one difference from Twisted).
 * Calls run on the connection in the order they were made; a `fetch` waits
 * for the `execute`s made before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionPool, sqlite, type Transaction } from "@skein/skein/adbapi";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor });
 * pool.start();
 * const total = await pool.runInteraction(async (txn: Transaction) => {
 *   await txn.execute("create table t (x integer)");
 *   await txn.execute("insert into t values (?), (?)", [20, 22]);
 *   await txn.execute("select sum(x) from t");
 *   const [[sum]] = (await txn.fetchall()) as [[number]];
 *   return sum;
 * });
 * assert.equal(total, 42);
 * await pool.close();
 * ```
 */
export class Transaction {
  #channel: TransactionChannel;
  #ended: string | null = null;
  #result = new ResultBuffer<Row>();
  #inflight = 0;
  #afterInflight: (() => void)[] = [];

  /**
   * Wrap a channel to a pinned connection. A pool does this for you; call it
   * yourself only with a test double.
   *
   * @example
   * ```ts
   * import { succeed } from "@skein/skein/deferred";
   * import { Transaction } from "@skein/skein/adbapi";
   * const done = () => succeed(undefined);
   * const txn = new Transaction({ execute: () => succeed({ columns: null, rows: [], rowcount: 0, lastRowId: null }), commit: done, rollback: done });
   * console.log(txn.rowcount);
   * ```
   */
  constructor(channel: TransactionChannel) {
    this.#channel = channel;
  }

  /** Column names of the last statement's result, or `null` (DB-API's `description`, names only). */
  get columns(): readonly string[] | null {
    return this.#result.columns;
  }

  /** Rows the last statement changed or returned, or -1. */
  get rowcount(): number {
    return this.#result.rowcount;
  }

  /** The last inserted row id where the database has one (SQLite), else `null`. */
  get lastRowId(): number | bigint | null {
    return this.#result.lastRowId;
  }

  /**
   * Run one statement with `params` bound to its placeholders (`?` for
   * SQLite, `$1`… for PostgreSQL). Fires with `undefined` once it ran, or
   * fails with the database's error (a `DatabaseError`). A bad argument
   * throws a `TypeError` here, at the call.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * const n = await pool.runInteraction(async (txn) => {
   *   await txn.execute("select ? as a union all select ?", [1, 2]);
   *   return txn.rowcount;
   * });
   * assert.equal(n, 2);
   * await pool.close();
   * ```
   */
  execute(sql: string, params?: readonly SqlValue[]): Deferred<void> {
    checkSql(sql, "Transaction.execute");
    const bound = checkParams(params, "Transaction.execute");
    if (this.#ended !== null) return fail(new InterfaceError(this.#ended));
    this.#inflight++;
    const d = new Deferred<void>();
    this.#channel.execute(sql, bound).addCallbacks(
      (result: StatementResult) => {
        this.#result.keep(result.rows, result.columns, result.rowcount, result.lastRowId);
        this.#settled();
        d.callback(undefined);
      },
      (failure) => {
        this.#result.keep([], null, -1);
        this.#settled();
        d.errback(failure);
      },
    );
    return d;
  }

  /**
   * Every row of the last statement not fetched yet (an empty array for a
   * statement without rows), once the `execute`s made before it have run.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * const rows = await pool.runInteraction((txn) => {
   *   txn.execute("select 1 union all select 2");
   *   return txn.fetchall(); // waits for the execute above
   * });
   * assert.deepEqual(rows, [[1], [2]]);
   * await pool.close();
   * ```
   */
  fetchall(): Deferred<Row[]> {
    return this.#whenSettled(() => this.#result.fetchall());
  }

  /**
   * The next row of the last statement, or `null` when there is none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * const [first, none] = await pool.runInteraction(async (txn) => {
   *   await txn.execute("select 'only'");
   *   return [await txn.fetchone(), (await txn.fetchone(), await txn.fetchone())];
   * });
   * assert.deepEqual(first, ["only"]);
   * assert.equal(none, null);
   * await pool.close();
   * ```
   */
  fetchone(): Deferred<Row | null> {
    return this.#whenSettled(
      () => this.#result.fetchone(),
    );
  }

  /** The channel, for `Connection`'s commit and rollback (a subclass in this file). */
  protected get channel(): TransactionChannel {
    return this.#channel;
  }

  /** Why this transaction can no longer be used, or `null` while it can. */
  protected get endedBecause(): string | null {
    return this.#ended;
  }

  /**
   * End the transaction: later calls fail with `InterfaceError(reason)`.
   * The pool calls this when the interaction is over.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { succeed } from "@skein/skein/deferred";
   * import { InterfaceError, Transaction } from "@skein/skein/adbapi";
   * const done = () => succeed(undefined);
   * const txn = new Transaction({ execute: () => succeed({ columns: null, rows: [], rowcount: 0, lastRowId: null }), commit: done, rollback: done });
   * txn.end("the interaction has returned");
   * await assert.rejects(txn.execute("select 1").toPromise(), InterfaceError);
   * ```
   */
  end(reason: string): void {
    if (this.#ended === null) this.#ended = reason;
  }

  #settled(): void {
    if (--this.#inflight > 0) return;
    const waiting = this.#afterInflight;
    this.#afterInflight = [];
    for (const run of waiting) run();
  }

  #whenSettled<T>(read: () => T): Deferred<T> {
    const d = new Deferred<T>();
    if (this.#ended !== null && this.#inflight === 0) {
      d.errback(new InterfaceError(this.#ended));
    } else if (this.#inflight === 0) {
      d.callback(read());
    } else {
      this.#afterInflight.push(() => d.callback(read()));
    }
    return d;
  }
}

/**
 * A pinned connection for `runWithConnection` (Twisted's
 * `adbapi.Connection`): a {@linkcode Transaction} that may also commit or
 * roll back part-way; the pool commits once more when the function returns
 * and rolls back when it throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Connection, ConnectionPool, sqlite } from "@skein/skein/adbapi";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
 * pool.start();
 * const kept = await pool.runWithConnection(async (conn: Connection) => {
 *   await conn.execute("create table t (x integer)");
 *   await conn.execute("insert into t values (1)");
 *   await conn.commit(); // the first row is kept whatever follows
 *   await conn.execute("insert into t values (2)");
 *   await conn.rollback();
 *   await conn.execute("select count(*) from t");
 *   return (await conn.fetchall())[0];
 * });
 * assert.deepEqual(kept, [1]);
 * await pool.close();
 * ```
 */
export class Connection extends Transaction {
  /**
   * Commit what this connection did so far.
   *
   * @example
   * ```ts
   * import { succeed } from "@skein/skein/deferred";
   * import { Connection } from "@skein/skein/adbapi";
   * const done = () => succeed(undefined);
   * const conn = new Connection({ execute: () => succeed({ columns: null, rows: [], rowcount: 0, lastRowId: null }), commit: done, rollback: done });
   * await conn.commit();
   * ```
   */
  commit(): Deferred<void> {
    const why = this.endedBecause;
    return why === null ? this.channel.commit() : fail(new InterfaceError(why));
  }

  /**
   * Roll back what this connection did since the last commit.
   *
   * @example
   * ```ts
   * import { succeed } from "@skein/skein/deferred";
   * import { Connection } from "@skein/skein/adbapi";
   * const done = () => succeed(undefined);
   * const conn = new Connection({ execute: () => succeed({ columns: null, rows: [], rowcount: 0, lastRowId: null }), commit: done, rollback: done });
   * await conn.rollback();
   * ```
   */
  rollback(): Deferred<void> {
    const why = this.endedBecause;
    return why === null ? this.channel.rollback() : fail(new InterfaceError(why));
  }
}
