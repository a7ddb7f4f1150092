/**
 * `ConnectionPool`: Twisted's `adbapi.ConnectionPool` over Workers. Each
 * connection lives in a Worker of its own (one connection per pool thread,
 * as Twisted keeps one per thread), where the driver's blocking calls run;
 * the reactor thread only sends work and gets Deferreds back.
 *
 * @module
 */

import { Deferred, fail } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IReactorCore, TriggerHandle } from "../interfaces.ts";
import * as log from "../log/log.ts";
import { reactor as globalReactor } from "../reactor/install.ts";
import { outcome } from "./_outcome.ts";
import { checkParams, checkSql } from "./_params.ts";
import { type ConnectionThread, THREAD_SOURCE, type ThreadSource } from "./_runner.ts";
import { workerThreads } from "./_thread_source.ts";
import { fromWire, type Reply, type WireError } from "./_wire.ts";
import type { Statement, StatementOp } from "./_worker.ts";
import type { DriverSpec, Row, RowFormat, SqlValue } from "./driver.ts";
import { ConnectionLost, ConnectionPoolClosed, InterfaceError } from "./errors.ts";
import {
  Connection,
  type StatementResult,
  Transaction,
  type TransactionChannel,
} from "./transaction.ts";

/**
 * Options of a {@linkcode ConnectionPool} (Twisted's `cp_*` keywords).
 *
 * @example
 * ```ts
 * import type { ConnectionPoolOptions } from "@skein/skein/adbapi";
 * const options: ConnectionPoolOptions = { min: 1, max: 4, name: "kv", reconnect: true };
 * console.log(options.max);
 * ```
 */
export interface ConnectionPoolOptions {
  /** Workers started ahead of use (Twisted's `cp_min`, default 3; capped at `max`). */
  readonly min?: number;
  /** Most connections, one Worker each (Twisted's `cp_max`, default 5). */
  readonly max?: number;
  /** A name for logs and errors (Twisted's `cp_name`). */
  readonly name?: string;
  /**
   * Called with each new connection before its first use (Twisted's
   * `cp_openfun`), to set it up (`PRAGMA`, `SET search_path` …); what it does
   * is committed. A returned Deferred or Promise is waited for; if it fails,
   * the connection is closed and the work that wanted it fails.
   */
  readonly openFun?: (conn: Connection) => unknown;
  /**
   * Detect broken connections (Twisted's `cp_reconnect`, default `false`):
   * after a failure, run `goodSql`; when that fails too, drop the connection
   * and fail the work with {@linkcode ConnectionLost}, so the caller can send
   * it again (a new connection is opened for it).
   */
  readonly reconnect?: boolean;
  /** A statement that always succeeds and changes nothing (Twisted's `cp_good_sql`, default `"select 1"`). */
  readonly goodSql?: string;
  /** Rows as arrays (default, as Twisted's tuples) or objects keyed by column name. */
  readonly rowFormat?: RowFormat;
  /** Log connects and closes (Twisted's `cp_noisy`). */
  readonly noisy?: boolean;
  /**
   * The reactor whose life cycle the pool follows (Twisted's `cp_reactor`):
   * it starts when the reactor runs and closes before it shuts down. Default:
   * the global reactor.
   */
  readonly reactor?: IReactorCore;
}

/** The result of an interaction function: a generator's return value, or what a Deferred or Promise gives. */
export type InteractionResult<R> = R extends Generator<unknown, infer T, unknown> ? Awaited<T>
  : Awaited<R>;

/** One connection of the pool: the thread it lives on, leased for the pool's life. */
interface Slot {
  /** This connection's name in its Worker. */
  readonly key: string;
  readonly thread: ConnectionThread;
  /** Whether its Worker holds an open connection. */
  open: boolean;
}

/** A runQuery/runOperation waiting for a connection; queued ones may run several to a Worker hop. */
interface StatementWork {
  readonly kind: "statement";
  readonly op: StatementOp;
  readonly sql: string;
  readonly params: readonly SqlValue[];
  readonly d: Deferred<unknown>;
}

/** Queued work: statements, or an interaction waiting for a connection of its own. */
type Work = StatementWork | { readonly kind: "slot"; readonly d: Deferred<Slot>; };

/** Work that wants a connection of its own (an interaction), waiting for one. */
type SlotWork = Extract<Work, { kind: "slot"; }>;

let poolCounter = 0;

/** The most queued statements one Worker hop carries. */
const MAX_BATCH = 32;
/** How many statements an idle connection is given at once, when that many are queued. */
const TARGET_BATCH = 4;

/**
 * A pool of database connections (Twisted's `adbapi.ConnectionPool`). Each
 * connection lives in a Worker of its own, where the driver's blocking calls
 * run; every method returns a Deferred on the reactor thread.
 *
 * - `runQuery(sql, params)` fires with the rows; `runOperation` with
 *   `undefined`. Each is one statement in a transaction of its own. Several
 *   sent in the same turn, or queued while every connection is busy, may go
 *   to one Worker in one message; it still runs them one by one, each its
 *   own transaction, in the order they were sent (on PostgreSQL in one
 *   exchange with the server: libpq's pipeline mode).
 * - `runInteraction(fn, ...args)` pins one connection to `fn(txn, ...args)`
 *   for one transaction: committed when `fn` returns (or its Deferred or
 *   Promise fires), rolled back when it throws (or fails); the Deferred
 *   fires with `fn`'s result or its error. `fn` runs on the reactor thread
 *   and `txn`'s calls return Deferreds: the one difference from Twisted,
 *   explained in `transaction.ts`. Concurrent interactions never share a
 *   connection; with all `max` in use, work waits in order.
 * - `runWithConnection(fn, ...args)` is the same with a {@linkcode Connection}
 *   that may also commit or roll back part-way.
 * - It starts when the reactor runs (or on `start()`) and closes before the
 *   reactor shuts down (or on `close()`). Work sent before the start waits
 *   for it; work still waiting for a connection when the pool closes fails
 *   with {@linkcode ConnectionPoolClosed}; work already running finishes.
 * - A SQL error fails that work with the driver's `DatabaseError` (message
 *   and code) and leaves the pool usable. Bad arguments throw at the call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
 * import { createReactor } from "@skein/skein/reactor";
 *
 * const reactor = createReactor();
 * // ":memory:" is one database per connection: one connection here.
 * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor });
 * reactor.callWhenRunning(async () => {
 *   await pool.runOperation("create table kv (k text primary key, v text)");
 *   await pool.runOperation("insert into kv values (?, ?)", ["greeting", "hello"]);
 *   const rows = await pool.runQuery("select v from kv where k = ?", ["greeting"]);
 *   assert.deepEqual(rows, [["hello"]]);
 *   reactor.stop(); // the pool closes before the reactor shuts down
 * });
 * await reactor.run();
 * assert.equal(pool.running, false);
 * ```
 */
export class ConnectionPool<Options = unknown> {
  /** The driver. */
  readonly driver: DriverSpec<Options>;
  /** Workers started ahead of use. */
  readonly min: number;
  /** Most connections. */
  readonly max: number;
  /** The pool's name. */
  readonly name: string;
  /** Whether broken connections are detected and dropped (see the options). */
  readonly reconnect: boolean;
  /** The statement that checks a connection. */
  readonly goodSql: string;
  /** How rows come back. */
  readonly rowFormat: RowFormat;
  /** Whether connects and closes are logged. */
  readonly noisy: boolean;
  #connectOptions: Options;
  #openFun: ((conn: Connection) => unknown) | null;
  #reactor: IReactorCore;
  #threads: ThreadSource | null = null;
  #threadSource: () => ThreadSource;
  #startHandle: TriggerHandle | null = null;
  #shutdownHandle: TriggerHandle | null = null;
  #running = false;
  #closed = false;
  #closeWaiters: Deferred<void>[] = [];
  #closeDone = false;
  #slots: Slot[] = [];
  #idle: Slot[] = [];
  #busy = 0;
  #pumpScheduled = false;
  #opening = 0;
  /** Work waiting for a connection, in arrival order. */
  #queue: Work[] = [];
  #keyPrefix: string;

  /**
   * Make a pool for `driver` (`sqlite`, `postgres`, or your own
   * `defineDriver(...)`), opening connections with `connectOptions` (plain
   * data: it is copied into each Worker). Throws `TypeError`/`RangeError` on
   * bad options.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: "app.db" }, { reactor: createReactor() });
   * assert.deepEqual([pool.min, pool.max, pool.goodSql, pool.reconnect], [3, 5, "select 1", false]);
   * assert.throws(() => new ConnectionPool(sqlite, { path: "app.db" }, { max: 0 }), RangeError);
   * await pool.close(); // never started: nothing to close, and the start is cancelled
   * ```
   */
  constructor(
    driver: DriverSpec<Options>,
    connectOptions: Options,
    options: ConnectionPoolOptions = {},
  ) {
    if (driver === null || typeof driver !== "object" || typeof driver.module !== "string") {
      throw new TypeError(
        "ConnectionPool: the first argument is a driver: sqlite, postgres, or defineDriver(new URL(...), name)",
      );
    }
    const max = options.max ?? 5;
    const min = options.min ?? 3;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`ConnectionPool: max must be a whole number ≥ 1, got ${max}`);
    }
    if (!Number.isInteger(min) || min < 0) {
      throw new RangeError(`ConnectionPool: min must be a whole number ≥ 0, got ${min}`);
    }
    const goodSql = options.goodSql ?? "select 1";
    checkSql(goodSql, "ConnectionPool: goodSql");
    const rowFormat = options.rowFormat ?? "array";
    if (rowFormat !== "array" && rowFormat !== "object") {
      throw new TypeError(
        `ConnectionPool: rowFormat is "array" or "object", got ${String(rowFormat)}`,
      );
    }
    if (options.openFun !== undefined && typeof options.openFun !== "function") {
      throw new TypeError("ConnectionPool: openFun must be a function of the new Connection");
    }
    this.driver = driver;
    this.max = max;
    this.min = Math.min(min, max); // as Twisted: min is capped at max
    this.name = options.name ?? `${driver.name}#${++poolCounter}`;
    this.reconnect = options.reconnect ?? false;
    this.goodSql = goodSql;
    this.rowFormat = rowFormat;
    this.noisy = options.noisy ?? false;
    this.#connectOptions = connectOptions;
    this.#openFun = options.openFun ?? null;
    this.#keyPrefix = `${this.name}/${poolCounter}-${Date.now().toString(36)}`;
    const custom = (options as { [THREAD_SOURCE]?: () => ThreadSource; })[THREAD_SOURCE];
    this.#threadSource = custom ?? (() => workerThreads(this.min, this.max, this.name));
    this.#reactor = options.reactor ?? globalReactor;
    this.#startHandle = this.#reactor.callWhenRunning(() => {
      this.#startHandle = null;
      if (!this.#closed) this.start();
    });
  }

  /** True between `start()` and `close()`. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Start the pool: its Workers start and waiting work is sent. The reactor
   * does this when it runs; call it yourself to use the pool before (or
   * without) running the reactor. Closes with the reactor's shutdown. Does
   * nothing when running; throws `ConnectionPoolClosed` once closed.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * assert.deepEqual(await pool.runQuery("select 2 * 21"), [[42]]);
   * await pool.close();
   * ```
   */
  start(): void {
    if (this.#closed) throw new ConnectionPoolClosed(this.name, "it cannot start again");
    if (this.#running) return;
    if (this.#startHandle !== null) {
      this.#reactor.removeSystemEventTrigger(this.#startHandle);
      this.#startHandle = null;
    }
    this.#threads = this.#threadSource();
    this.#threads.start();
    // "before" shutdown, so the reactor waits for the connections to close
    // (Twisted joins its pool threads during shutdown, which blocks it as long).
    this.#shutdownHandle = this.#reactor.addSystemEventTrigger(
      "before",
      "shutdown",
      () => this.#finalClose(),
    );
    this.#running = true;
    this.#grow();
  }

  /**
   * Run one statement and fire with its rows (Twisted's `runQuery`: execute,
   * fetchall, commit). Fails with the database's error; with `reconnect`,
   * with `ConnectionLost` when the connection turned out broken.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, rowFormat: "object", reactor: createReactor() });
   * pool.start();
   * assert.deepEqual(await pool.runQuery("select ? as n, ? as s", [1, "one"]), [{ n: 1, s: "one" }]);
   * await pool.close();
   * ```
   */
  runQuery(sql: string, params?: readonly SqlValue[]): Deferred<Row[]> {
    checkSql(sql, "ConnectionPool.runQuery");
    return this.#statement(
      "query",
      sql,
      checkParams(params, "ConnectionPool.runQuery"),
    ) as Deferred<Row[]>;
  }

  /**
   * Run one statement for its effect and fire with `undefined` (Twisted's
   * `runOperation`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, IntegrityError, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * await pool.runOperation("create table t (k text primary key)");
   * assert.equal(await pool.runOperation("insert into t values (?)", ["a"]), undefined);
   * await assert.rejects(pool.runOperation("insert into t values (?)", ["a"]).toPromise(), IntegrityError);
   * await pool.close();
   * ```
   */
  runOperation(sql: string, params?: readonly SqlValue[]): Deferred<void> {
    checkSql(sql, "ConnectionPool.runOperation");
    return this.#statement(
      "operation",
      sql,
      checkParams(params, "ConnectionPool.runOperation"),
    ) as Deferred<
      void
    >;
  }

  /**
   * Run `interaction(txn, ...args)` as one transaction on a connection of its
   * own (Twisted's `runInteraction`): committed when it returns, rolled back
   * when it throws; fires with its result or its error. It may be an `async`
   * function, return a Deferred, or be a generator function (run as
   * `inlineCallbacks`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, IntegrityError, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * await pool.runOperation("create table t (k text primary key)");
   * // A generator function, as with Twisted's inlineCallbacks:
   * const failed = pool.runInteraction(function* (txn) {
   *   yield txn.execute("insert into t values (?)", ["a"]);
   *   yield txn.execute("insert into t values (?)", ["a"]); // violates the key
   * });
   * await assert.rejects(failed.toPromise(), IntegrityError);
   * assert.deepEqual(await pool.runQuery("select count(*) from t"), [[0]]); // both rolled back
   * await pool.close();
   * ```
   */
  runInteraction<A extends unknown[], R>(
    interaction: (txn: Transaction, ...args: A) => R,
    ...args: A
  ): Deferred<InteractionResult<R>> {
    if (typeof interaction !== "function") {
      throw new TypeError(
        "ConnectionPool.runInteraction: pass a function of the Transaction (and your arguments)",
      );
    }
    return this.#transact((channel) => new Transaction(channel), interaction, args);
  }

  /**
   * Run `fn(conn, ...args)` with a connection of its own (Twisted's
   * `runWithConnection`): like `runInteraction`, and `conn` may also commit
   * or roll back part-way.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * pool.start();
   * const answer = await pool.runWithConnection(async (conn, x: number) => {
   *   await conn.execute("select ? * 2", [x]);
   *   const row = (await conn.fetchone()) as [number];
   *   return row[0];
   * }, 21);
   * assert.equal(answer, 42);
   * await pool.close();
   * ```
   */
  runWithConnection<A extends unknown[], R>(
    fn: (conn: Connection, ...args: A) => R,
    ...args: A
  ): Deferred<InteractionResult<R>> {
    if (typeof fn !== "function") {
      throw new TypeError(
        "ConnectionPool.runWithConnection: pass a function of the Connection (and your arguments)",
      );
    }
    return this.#transact((channel) => new Connection(channel), fn, args);
  }

  /**
   * Close the pool (Twisted's `close`): cancel the start or shutdown hook,
   * fail the work still waiting for a connection with
   * `ConnectionPoolClosed`, let running work finish, close every connection
   * and stop the Workers. Fires when all that is done; calling it again gives
   * the same outcome.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConnectionPool, ConnectionPoolClosed, sqlite } from "@skein/skein/adbapi";
   * import { createReactor } from "@skein/skein/reactor";
   *
   * const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { max: 1, reactor: createReactor() });
   * const queued = pool.runQuery("select 1"); // waits for start(), which never comes
   * await pool.close();
   * await assert.rejects(queued.toPromise(), ConnectionPoolClosed);
   * ```
   */
  close(): Deferred<void> {
    if (this.#startHandle !== null) {
      this.#reactor.removeSystemEventTrigger(this.#startHandle);
      this.#startHandle = null;
    }
    if (this.#shutdownHandle !== null) {
      this.#reactor.removeSystemEventTrigger(this.#shutdownHandle);
      this.#shutdownHandle = null;
    }
    return this.#finalClose();
  }

  /** Everything `close` does but the trigger removal (Twisted's `finalClose`). */
  #finalClose(): Deferred<void> {
    this.#shutdownHandle = null;
    const d = new Deferred<void>();
    if (this.#closeDone) {
      d.callback(undefined);
      return d;
    }
    this.#closeWaiters.push(d);
    if (this.#closed) return d;
    // Work sent while a connection was free has started (it only waited for
    // the end of the turn); what is still queued was waiting for a connection.
    if (this.#pumpScheduled && this.#running) this.#pump();
    this.#closed = true;
    this.#running = false;
    const waiting = this.#queue.splice(0);
    for (const w of waiting) {
      w.d.errback(
        new ConnectionPoolClosed(
          this.name,
          "this work was waiting for a connection and was not run",
        ),
      );
    }
    this.#maybeFinishClose();
    return d;
  }

  /** Once nothing runs or opens: close every connection, stop the Workers, fire the close Deferreds. */
  #maybeFinishClose(): void {
    if (!this.#closed || this.#busy > 0 || this.#opening > 0 || this.#closeDone) return;
    this.#closeDone = true;
    const slots = this.#slots.splice(0);
    this.#idle = [];
    const closes = slots.map((slot) => {
      if (!slot.open) return Promise.resolve();
      slot.open = false;
      if (this.noisy) log.msg(`adbapi closing: ${this.driver.name} (${slot.key})`);
      return slot.thread.call("close", slot.key).toPromise().then(
        (reply) => {
          if (!reply[0]) {
            log.err(fromWire(reply[1]), `adbapi ${this.name}: connection close failed`);
          }
        },
        (e) => log.err(e, `adbapi ${this.name}: connection close failed`),
      );
    });
    Promise.all(closes)
      .then(() => {
        for (const slot of slots) slot.thread.release();
        return this.#threads === null ? undefined : this.#threads.stop().toPromise();
      })
      .then(
        () => this.#fireClosed(null),
        (e) => this.#fireClosed(e),
      );
  }

  #fireClosed(error: unknown): void {
    const waiters = this.#closeWaiters.splice(0);
    for (const d of waiters) {
      if (error === null) d.callback(undefined);
      else d.errback(error);
    }
  }

  /** Queue one runQuery/runOperation; it runs alone, or with others queued behind busy connections. */
  #statement(op: StatementOp, sql: string, params: readonly SqlValue[]): Deferred<unknown> {
    if (this.#closed) return fail(new ConnectionPoolClosed(this.name));
    const d: Deferred<unknown> = new Deferred<unknown>(() => this.#unqueue(work));
    const work: StatementWork = { kind: "statement", op, sql, params, d };
    this.#enqueue(work);
    return d;
  }

  /** A connection for `work` alone, released when `work`'s Deferred fires either way. */
  #withSlot<T>(work: (slot: Slot) => Deferred<T>): Deferred<T> {
    if (this.#closed) return fail(new ConnectionPoolClosed(this.name));
    const d: Deferred<Slot> = new Deferred<Slot>(() => this.#unqueue(wanted));
    const wanted: SlotWork = { kind: "slot", d };
    this.#enqueue(wanted);
    return d.addCallback((slot) =>
      this.#ensureOpen(slot)
        .addCallback(() => work(slot))
        .addBoth((outcome: T | Failure) => {
          this.#release(slot);
          return outcome;
        })
    ) as Deferred<T>;
  }

  #enqueue(work: Work): void {
    this.#queue.push(work);
    if (!this.#running) return;
    if (this.#idle.length === 0) {
      this.#grow();
    } else if (!this.#pumpScheduled) {
      // Hand out work once the current turn has queued all it will (callers
      // whose results just came back ask again in the same turn), so that
      // statements can share a Worker hop.
      this.#pumpScheduled = true;
      queueMicrotask(this.#pump);
    }
  }

  /** Give queued work to idle connections: statements in batches of about `TARGET_BATCH`. */
  #pump = (): void => {
    this.#pumpScheduled = false;
    while (this.#queue.length > 0 && this.#idle.length > 0 && !this.#closed) {
      const slot = this.#idle.pop()!;
      this.#busy++;
      let statements = 0;
      while (statements < this.#queue.length && this.#queue[statements].kind === "statement") {
        statements++;
      }
      // Spread over the idle connections and those the pool may still open
      // (the rest waits for them), about TARGET_BATCH each.
      const growable = this.max - this.#slots.length - this.#opening;
      const spread = Math.min(
        this.#idle.length + 1 + growable,
        Math.ceil(statements / TARGET_BATCH),
      );
      this.#serve(slot, Math.ceil(statements / Math.max(1, spread)));
    }
    if (this.#queue.length > 0) this.#grow();
  };

  /** Take cancelled work out of the queue. */
  #unqueue(work: Work): void {
    const i = this.#queue.indexOf(work);
    if (i >= 0) this.#queue.splice(i, 1);
  }

  /** Take one more thread for each queued work beyond those being opened, up to `max`. */
  #grow(): void {
    const threads = this.#threads;
    if (!this.#running || threads === null) return;
    while (this.#queue.length > this.#opening && this.#slots.length + this.#opening < this.max) {
      this.#opening++;
      const key = `${this.#keyPrefix}/${this.#slots.length + this.#opening}`;
      threads.acquire().addCallbacks(
        (thread: ConnectionThread) => {
          this.#opening--;
          const slot: Slot = { key, thread, open: false };
          this.#slots.push(slot);
          this.#busy++;
          this.#release(slot);
        },
        (failure: Failure) => {
          this.#opening--;
          const w = this.#queue.shift();
          if (w !== undefined) w.d.errback(failure);
          else log.err(failure, `adbapi ${this.name}: a pool thread could not start`);
          this.#maybeFinishClose();
        },
      );
    }
  }

  /** `slot` is free: it serves the queue, else goes idle; a slot whose thread died is dropped. */
  #release(slot: Slot): void {
    if (slot.thread.dead) {
      this.#busy--;
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      slot.thread.release();
      log.msg(`adbapi ${this.name}: the thread of connection ${slot.key} died; it is replaced`);
      this.#grow();
      this.#maybeFinishClose();
      return;
    }
    if (!this.#closed && this.#queue.length > 0) {
      this.#serve(slot);
      return;
    }
    this.#busy--;
    this.#idle.push(slot);
    this.#maybeFinishClose();
  }

  /**
   * Give busy `slot` the work at the head of the queue: an interaction gets
   * it alone; statements go as a batch (those queued at the head, at most
   * this slot's share of them), which its Worker runs one after another,
   * each its own transaction, in one hop.
   */
  #serve(slot: Slot, share?: number): void {
    const head = this.#queue[0];
    if (head.kind === "slot") {
      this.#queue.shift();
      head.d.callback(slot);
      return;
    }
    const limit = Math.min(
      MAX_BATCH,
      share ?? Math.ceil(this.#queue.length / Math.max(1, this.#slots.length + this.#opening)),
    );
    const batch: StatementWork[] = [];
    while (batch.length < limit) {
      const w = this.#queue[0];
      if (w === undefined || w.kind !== "statement") break;
      this.#queue.shift();
      batch.push(w);
    }
    this.#ensureOpen(slot).addCallbacks(
      () => this.#runBatch(slot, batch),
      (failure: Failure) => {
        for (const w of batch) w.d.errback(failure);
        this.#release(slot);
      },
    );
  }

  #runBatch(slot: Slot, batch: StatementWork[]): void {
    const items = batch.map((w): Statement => [w.op, w.sql, w.params]);
    const good = this.reconnect ? this.goodSql : null;
    slot.thread.call("statements", slot.key, items, this.rowFormat, good).addCallbacks(
      (replies: Reply<Row[] | null>[]) => {
        // The Worker stops at a lost connection: what it did not reach goes
        // back to the head of the queue, in order, for a new connection.
        if (replies.length < batch.length) this.#queue.unshift(...batch.slice(replies.length));
        for (let i = 0; i < replies.length; i++) {
          const w = batch[i];
          const reply = replies[i];
          if (reply[0]) {
            w.d.callback(w.op === "operation" ? undefined : reply[1]);
          } else {
            w.d.errback(this.#replyError(slot, reply[1]));
          }
        }
        this.#release(slot);
      },
      (failure: Failure) => {
        for (const w of batch) w.d.errback(failure);
        this.#release(slot);
      },
    );
  }

  /** Open `slot`'s connection in its Worker if it has none (the first use, or after ConnectionLost). */
  #ensureOpen(slot: Slot): Deferred<void> {
    const d = new Deferred<void>();
    if (slot.open) {
      d.callback(undefined);
      return d;
    }
    if (this.noisy) log.msg(`adbapi connecting: ${this.driver.name} (${slot.key})`);
    slot.thread.call("open", slot.key, this.driver.module, this.#connectOptions).addCallbacks(
      (reply) => {
        if (!reply[0]) {
          d.errback(fromWire(reply[1]));
          return;
        }
        slot.open = true;
        const openFun = this.#openFun;
        if (openFun === null) {
          d.callback(undefined);
          return;
        }
        const conn = new Connection(this.#channel(slot));
        outcome(() => openFun(conn))
          .addCallback(() => this.#commit(slot))
          .addCallbacks(
            () => {
              conn.end("openFun has returned");
              d.callback(undefined);
            },
            (failure: Failure) => {
              conn.end("openFun has failed");
              slot.open = false;
              // Best effort: the work fails with openFun's error either way.
              slot.thread.call("close", slot.key).addErrback(() => undefined);
              d.errback(failure);
            },
          );
      },
      (failure: Failure) => d.errback(failure),
    );
    return d;
  }

  /** The transaction logic shared by runInteraction and runWithConnection. */
  #transact<C extends Transaction, A extends unknown[], R>(
    make: (channel: TransactionChannel) => C,
    fn: (conn: C, ...args: A) => R,
    args: A,
  ): Deferred<InteractionResult<R>> {
    return this.#withSlot((slot) => {
      const txn = make(this.#channel(slot));
      return outcome(() => fn(txn, ...args)).addCallbacks(
        (result: unknown) => {
          txn.end("its interaction has returned: start another runInteraction");
          return this.#commit(slot).addCallbacks(
            () => result,
            (failure: Failure) => this.#rollbackAfter(slot, failure),
          );
        },
        (failure: Failure) => {
          txn.end("its interaction has failed: start another runInteraction");
          return this.#rollbackAfter(slot, failure);
        },
      );
    }) as Deferred<InteractionResult<R>>;
  }

  /**
   * Roll back after `failure` and fail with it (Twisted's `_runInteraction`).
   * A rollback that fails is logged and the original error stands, except
   * with `reconnect` when the connection is found broken: then it is dropped
   * and the work fails with `ConnectionLost` (its cause the original error).
   */
  #rollbackAfter(slot: Slot, failure: Failure): Deferred<never> {
    const good = this.reconnect ? this.goodSql : null;
    return slot.thread.call("rollback", slot.key, good).addCallback((reply) => {
      if (!reply[0]) {
        if (reply[1].kind === "ConnectionLost") {
          slot.open = false;
          throw new ConnectionLost(this.driver.name, failure.value);
        }
        log.err(fromWire(reply[1]), `adbapi ${this.name}: rollback failed`);
      }
      return failure;
    }) as Deferred<never>;
  }

  #commit(slot: Slot): Deferred<void> {
    return slot.thread.call("commit", slot.key).addCallback((reply) => {
      this.#unwrap(slot, reply);
    });
  }

  /** The channel a Transaction on `slot` talks through. */
  #channel(slot: Slot): TransactionChannel {
    return {
      execute: (sql, params): Deferred<StatementResult> =>
        slot.thread.call("execute", slot.key, sql, params, this.rowFormat).addCallback((reply) =>
          this.#unwrap(slot, reply)
        ),
      commit: (): Deferred<void> => this.#commit(slot),
      rollback: (): Deferred<void> =>
        slot.thread.call("rollback", slot.key, null).addCallback((reply) => {
          this.#unwrap(slot, reply);
        }),
    };
  }

  /** A task's value, or its error rebuilt (ConnectionLost also marks the connection gone). */
  #unwrap<T>(slot: Slot, reply: Reply<T>): T {
    if (reply[0]) return reply[1];
    throw this.#replyError(slot, reply[1]);
  }

  /** The error of a failed reply (ConnectionLost also marks the connection gone). */
  #replyError(slot: Slot, error: WireError): Error {
    if (error.kind === "ConnectionLost") {
      slot.open = false;
      return new ConnectionLost(
        this.driver.name,
        error.cause === null ? new InterfaceError(error.message) : fromWire(error.cause),
      );
    }
    return fromWire(error);
  }
}
