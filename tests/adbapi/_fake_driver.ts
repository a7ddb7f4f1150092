/**
 * A driver module for the pool tests, written as a user would write one for
 * another database (see DriverModule): SQLite underneath, plus failures on
 * demand, driven by statements the real database would reject:
 *
 * - `BREAK` cuts the connection: every later call throws OperationalError,
 *   as a connection to a server that went away does;
 * - `OPENS` answers `[[n]]`, the connections opened in this thread so far;
 * - `CONN` answers `[[id]]`, an id unique to this connection;
 * - `CRASH` ends the thread it runs in (`process.exit`), as a driver that
 *   crashes does (only in a Worker: in-process it would end the test run);
 * - `failRollback: true` in the connect options makes `rollback` throw.
 */

import process from "node:process";
import type { ArrayRow, DriverConnection, SqlValue } from "../../adbapi/driver.ts";
import { OperationalError } from "../../adbapi/errors.ts";
import { connectSqlite, type SqliteOptions } from "../../adbapi/sqlite.ts";

/** The connect options of the fake driver. */
export interface FakeOptions extends SqliteOptions {
  readonly failRollback?: boolean;
}

let opens = 0;
const thread = Math.random().toString(36).slice(2);

/** Open a fake connection. */
export function connect(options: FakeOptions): DriverConnection {
  opens++;
  const id = `${thread}-${opens}`;
  const inner = connectSqlite(options);
  let broken = false;
  let local: ArrayRow[] | null = null;
  const alive = (): void => {
    if (broken) throw new OperationalError("fake: the connection is broken", { code: "BROKEN" });
  };
  return {
    get columns(): readonly string[] | null {
      return local !== null ? ["value"] : inner.columns;
    },
    get rowcount(): number {
      return inner.rowcount;
    },
    get lastRowId(): number | bigint | null {
      return inner.lastRowId;
    },
    execute(sql: string, params: readonly SqlValue[]): void {
      alive();
      local = null;
      if (sql === "BREAK") {
        broken = true;
        throw new OperationalError("fake: the connection broke", { code: "BROKEN" });
      }
      if (sql === "CRASH") process.exit(3);
      if (sql === "CONN") {
        local = [[id]];
        return;
      }
      if (sql === "OPENS") {
        local = [[opens]];
        return;
      }
      inner.execute(sql, params);
    },
    fetchall(): ArrayRow[] {
      alive();
      if (local !== null) {
        const rows = local;
        local = [];
        return rows;
      }
      return inner.fetchall();
    },
    fetchone(): ArrayRow | null {
      alive();
      return inner.fetchone();
    },
    commit(): void {
      alive();
      inner.commit();
    },
    rollback(): void {
      alive();
      if (options.failRollback) {
        throw new OperationalError("fake: rollback failed", { code: "NOROLLBACK" });
      }
      inner.rollback();
    },
    close(): void {
      inner.close();
    },
  };
}
