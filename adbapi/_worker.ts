/**
 * The pool's task module: what each pool Worker runs. Module-level state is
 * per Worker (Twisted's connections "hashed on thread id"): the open
 * connections of this Worker, by the pool's key for them, and the driver
 * modules it imported. Every export answers with a {@linkcode Reply} and never
 * throws, so the error's class, code and details cross the Worker boundary
 * intact (a structured clone keeps only an `Error`'s message). Internal.
 *
 * @module
 */

import { type Reply, wire, type WireError } from "./_wire.ts";
import type {
  ArrayRow,
  DriverConnection,
  DriverModule,
  ObjectRow,
  Row,
  RowFormat,
  SqlValue,
} from "./driver.ts";

/** What `execute` sends back: the whole result, buffered (as psycopg2's client-side cursor). */
export interface ExecuteResult {
  readonly columns: readonly string[] | null;
  readonly rows: Row[];
  readonly rowcount: number;
  readonly lastRowId: number | bigint | null;
}

const connections = new Map<string, DriverConnection>();
const drivers = new Map<string, DriverModule>();

/** Import the driver module `driverUrl` (once per Worker) and open connection `key`. */
export async function open(key: string, driverUrl: string, options: unknown): Promise<Reply<null>> {
  try {
    let driver = drivers.get(driverUrl);
    if (driver === undefined) {
      const module = (await import(driverUrl)) as Partial<DriverModule>;
      if (typeof module.connect !== "function") {
        throw new TypeError(
          `the driver module ${driverUrl} has no connect export; see DriverModule in adbapi/driver.ts`,
        );
      }
      driver = module as DriverModule;
      drivers.set(driverUrl, driver);
    }
    const existing = connections.get(key);
    if (existing !== undefined) {
      connections.delete(key);
      quietly(() => existing.close());
    }
    connections.set(key, driver.connect(options));
    return OK_NULL;
  } catch (e) {
    return [false, wire(e)];
  }
}

/** What a queued runQuery or runOperation asks for. */
export type StatementOp = "query" | "operation";

/** One runQuery/runOperation: what, the SQL, its parameters. */
export type Statement = readonly [op: StatementOp, sql: string, params: readonly SqlValue[]];

/**
 * runQuery/runOperation: each statement a transaction of its own, in
 * order, one reply each (rows for a query, `null` for an operation). On a
 * failure, with `goodSql`, Twisted's reconnect check (see `recover`); once
 * the connection is lost the rest are not run (fewer replies than
 * statements: the pool queues them again).
 */
export function statements(
  key: string,
  items: readonly Statement[],
  format: RowFormat,
  goodSql: string | null,
): Reply<Row[] | null>[] {
  const conn = connections.get(key);
  if (conn === undefined) return [notOpen(key)];
  if (conn.executeMany !== undefined && items.length > 1) {
    return together(key, conn, items, format, goodSql);
  }
  const replies: Reply<Row[] | null>[] = [];
  for (const [op, sql, params] of items) {
    const reply = one(key, conn, sql, params, op === "query" ? format : null, goodSql);
    replies.push(reply);
    if (!reply[0] && reply[1].kind === "ConnectionLost") break;
  }
  return replies;
}

/**
 * `statements` through the driver's `executeMany` (sent together). They all
 * ran, or failed, before any error is looked at: after a lost connection the
 * rest fail with `ConnectionLost` too (they may have run), none is queued
 * again.
 */
function together(
  key: string,
  conn: DriverConnection,
  items: readonly Statement[],
  format: RowFormat,
  goodSql: string | null,
): Reply<Row[] | null>[] {
  const outcomes = conn.executeMany!(items.map(([, sql, params]) => [sql, params]));
  const replies: Reply<Row[] | null>[] = new Array(items.length);
  let gone: unknown = null;
  for (let i = 0; i < items.length; i++) {
    const o = outcomes[i];
    if (o !== undefined && "rows" in o) {
      if (items[i][0] === "operation") replies[i] = OK_NULL;
      else replies[i] = [true, format === "object" ? asObjects(o.rows, o.columns) : o.rows];
      continue;
    }
    const error = o === undefined
      ? new Error("the driver gave no outcome for this statement")
      : o.error;
    if (gone !== null) {
      replies[i] = [false, lost(error)];
      continue;
    }
    const reply = recover<Row[] | null>(key, conn, error, goodSql);
    if (!reply[0] && reply[1].kind === "ConnectionLost") gone = error;
    replies[i] = reply;
  }
  return replies;
}

function one(
  key: string,
  conn: DriverConnection,
  sql: string,
  params: readonly SqlValue[],
  format: RowFormat | null,
  goodSql: string | null,
): Reply<Row[] | null> {
  try {
    let rows: ArrayRow[];
    if (conn.executeOnce !== undefined) {
      rows = conn.executeOnce(sql, params);
    } else {
      conn.execute(sql, params);
      rows = conn.fetchall();
      conn.commit();
    }
    if (format === null) return OK_NULL;
    return [true, format === "object" ? asObjects(rows, conn.columns) : rows];
  } catch (e) {
    return recover(key, conn, e, goodSql);
  }
}

/** One statement inside an interaction's transaction, with its whole result. */
export function execute(
  key: string,
  sql: string,
  params: readonly SqlValue[],
  format: RowFormat,
): Reply<ExecuteResult> {
  const conn = connections.get(key);
  if (conn === undefined) return notOpen(key);
  try {
    conn.execute(sql, params);
    const rows = conn.fetchall();
    return [true, {
      columns: conn.columns,
      rows: format === "object" ? asObjects(rows, conn.columns) : rows,
      rowcount: conn.rowcount,
      lastRowId: conn.lastRowId,
    }];
  } catch (e) {
    return [false, wire(e)];
  }
}

/** Commit connection `key`'s transaction. */
export function commit(key: string): Reply<null> {
  const conn = connections.get(key);
  if (conn === undefined) return notOpen(key);
  try {
    conn.commit();
    return OK_NULL;
  } catch (e) {
    return [false, wire(e)];
  }
}

/**
 * Roll connection `key`'s transaction back. With `goodSql` (the pool's
 * `reconnect`), Twisted's `Connection.rollback`: then run `goodSql` and
 * commit; if any of it fails, close and forget the connection and answer
 * `ConnectionLost`.
 */
export function rollback(key: string, goodSql: string | null): Reply<null> {
  const conn = connections.get(key);
  if (conn === undefined) return notOpen(key);
  try {
    conn.rollback();
  } catch (e) {
    return goodSql === null ? [false, wire(e)] : recover(key, conn, e, goodSql);
  }
  if (goodSql === null) return OK_NULL;
  const check = probe(conn, goodSql);
  if (check === null) return OK_NULL;
  drop(key, conn);
  return [false, lost(check)];
}

/** Close connection `key` (an open transaction is rolled back by the driver). */
export function close(key: string): Reply<null> {
  const conn = connections.get(key);
  if (conn === undefined) return OK_NULL;
  connections.delete(key);
  try {
    conn.close();
    return OK_NULL;
  } catch (e) {
    return [false, wire(e)];
  }
}

const OK_NULL: Reply<null> = [true, null];

/**
 * After `error`: roll back, and with `goodSql` check the connection. A
 * connection that fails the check is closed and forgotten (so the next use
 * opens a new one) and the answer is `ConnectionLost`; otherwise `error`.
 */
function recover<T>(
  key: string,
  conn: DriverConnection,
  error: unknown,
  goodSql: string | null,
): Reply<T> {
  let rollbackError: unknown = null;
  try {
    conn.rollback();
  } catch (e) {
    rollbackError = e;
  }
  if (goodSql === null) return [false, wire(error)];
  const check = rollbackError ?? probe(conn, goodSql);
  if (check === null) return [false, wire(error)];
  drop(key, conn);
  return [false, lost(error)];
}

/** Run `goodSql` and commit; the error, or `null` when the connection is good. */
function probe(conn: DriverConnection, goodSql: string): unknown {
  try {
    conn.execute(goodSql, []);
    conn.fetchall();
    conn.commit();
    return null;
  } catch (e) {
    return e;
  }
}

function drop(key: string, conn: DriverConnection): void {
  connections.delete(key);
  quietly(() => conn.close());
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Closing a connection that is already broken: nothing more to lose.
  }
}

function notOpen(key: string): Reply<never> {
  return [false, {
    kind: "ConnectionLost",
    message: `connection ${key} is not open in this Worker`,
    code: null,
    detail: null,
    hint: null,
    constraint: null,
    cause: null,
  }];
}

function lost(cause: unknown): WireError {
  const inner = wire(cause);
  return {
    kind: "ConnectionLost",
    message: inner.message,
    code: null,
    detail: null,
    hint: null,
    constraint: null,
    cause: inner,
  };
}

function asObjects(rows: ArrayRow[], columns: readonly string[] | null): ObjectRow[] {
  if (columns === null) return [];
  const out: ObjectRow[] = new Array(rows.length);
  const n = columns.length;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const obj: ObjectRow = {};
    for (let c = 0; c < n; c++) obj[columns[c]] = row[c];
    out[r] = obj;
  }
  return out;
}
