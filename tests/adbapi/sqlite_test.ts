// The SQLite driver by itself (synchronous, as a pool Worker calls it): the
// DB-API contract (implicit transactions, cursor, rowcount), binding, exact
// 64-bit integers, WAL, per-connection :memory:, typed errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { IntegrityError, OperationalError, ProgrammingError } from "../../adbapi/errors.ts";
import { connectSqlite } from "../../adbapi/sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "skein-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("SQLite driver", () => {
  it("puts a file database in WAL mode by default, and not with wal: false", () => {
    const conn = connectSqlite({ path: join(dir, "wal.db") });
    conn.execute("PRAGMA journal_mode", []);
    assert.deepEqual(conn.fetchall(), [["wal"]]);
    conn.close();
    const plain = connectSqlite({ path: join(dir, "plain.db"), wal: false });
    plain.execute("PRAGMA journal_mode", []);
    assert.deepEqual(plain.fetchall(), [["delete"]]);
    plain.close();
  });

  it("gives every connection to :memory: a database of its own", () => {
    const a = connectSqlite({ path: ":memory:" });
    const b = connectSqlite({ path: ":memory:" });
    a.execute("create table only_in_a (x)", []);
    a.commit();
    assert.throws(() => b.execute("select * from only_in_a", []), /no such table: only_in_a/);
    a.close();
    b.close();
  });

  it("binds parameters, never splicing them into the SQL", () => {
    const conn = connectSqlite({ path: ":memory:" });
    conn.execute("create table t (s text)", []);
    const hostile = "x'); drop table t; --";
    conn.execute("insert into t values (?)", [hostile]);
    conn.execute("select s from t", []);
    assert.deepEqual(conn.fetchall(), [[hostile]]);
    conn.close();
  });

  it("binds integral numbers as INTEGER and booleans as 1/0 (Python sqlite3's binding)", () => {
    const conn = connectSqlite({ path: ":memory:" });
    conn.execute("select typeof(?), typeof(?), typeof(?), ?, typeof(?), typeof(?)", [
      1,
      1.5,
      2n,
      true,
      "s",
      new Uint8Array([1]),
    ]);
    assert.deepEqual(conn.fetchall(), [["integer", "real", "integer", 1, "text", "blob"]]);
    conn.close();
  });

  it("reads 64-bit integers exactly: number when a double holds it, bigint when not", () => {
    const conn = connectSqlite({ path: ":memory:" });
    const big = 2n ** 53n + 1n;
    conn.execute("select ?, ?, ?, ?", [big, 2 ** 53 - 1, -(2n ** 63n), 7]);
    assert.deepEqual(conn.fetchall(), [[big, 2 ** 53 - 1, -(2n ** 63n), 7]]);
    conn.close();
  });

  it("returns BLOBs as Uint8Array and NULL as null", () => {
    const conn = connectSqlite({ path: ":memory:" });
    conn.execute("select ?, ?", [new Uint8Array([0, 255]), null]);
    const [[blob, nul]] = conn.fetchall();
    assert.deepEqual(new Uint8Array(blob as Uint8Array), new Uint8Array([0, 255]));
    assert.equal(nul, null);
    conn.close();
  });

  it("is a DB-API cursor: columns, fetchone then fetchall, rowcount, lastRowId", () => {
    const conn = connectSqlite({ path: ":memory:" });
    conn.execute("create table t (id integer primary key, v text)", []);
    conn.execute("insert into t (v) values (?), (?), (?)", ["a", "b", "c"]);
    assert.equal(conn.rowcount, 3);
    assert.equal(conn.lastRowId, 3);
    assert.equal(conn.columns, null);
    conn.execute("select id, v from t order by id", []);
    assert.deepEqual(conn.columns, ["id", "v"]);
    assert.deepEqual(conn.fetchone(), [1, "a"]);
    assert.deepEqual(conn.fetchall(), [[2, "b"], [3, "c"]]);
    assert.equal(conn.fetchone(), null);
    assert.deepEqual(conn.fetchall(), []);
    conn.close();
  });

  it("opens a transaction with the first statement; rollback undoes it, commit keeps it (DB-API)", () => {
    const path = join(dir, "txn.db");
    const conn = connectSqlite({ path });
    conn.execute("create table t (x integer)", []);
    conn.commit();
    conn.execute("insert into t values (?)", [1]);
    conn.rollback();
    conn.execute("insert into t values (?)", [2]);
    conn.commit();
    conn.close();
    const again = connectSqlite({ path });
    again.execute("select x from t", []);
    assert.deepEqual(again.fetchall(), [[2]]);
    again.close();
  });

  it("runs PRAGMA outside a transaction (SQLite ignores some inside one)", () => {
    const conn = connectSqlite({ path: ":memory:", foreignKeys: true });
    conn.execute("PRAGMA foreign_keys = OFF", []);
    conn.execute("PRAGMA foreign_keys", []);
    assert.deepEqual(conn.fetchall(), [[0]]);
    conn.close();
  });

  it("executeOnce runs one statement as its own transaction and leaves none open", () => {
    const path = join(dir, "once.db");
    const conn = connectSqlite({ path });
    conn.executeOnce!("create table t (x integer primary key)", []);
    assert.deepEqual(conn.executeOnce!("insert into t values (?) returning x", [5]), [[5]]);
    assert.throws(() => conn.executeOnce!("insert into t values (?)", [5]), IntegrityError);
    conn.execute("insert into t values (?)", [6]);
    assert.throws(() => conn.executeOnce!("select 1", []), /inside an open transaction/);
    conn.rollback();
    const other = connectSqlite({ path });
    other.execute("select x from t", []);
    assert.deepEqual(other.fetchall(), [[5]]);
    other.close();
    conn.close();
  });

  it("reports SQL errors with SQLite's message and result code, typed as DB-API does", () => {
    const conn = connectSqlite({ path: ":memory:" });
    assert.throws(() => conn.execute("selec 1", []), (e: unknown) => {
      assert.ok(e instanceof ProgrammingError);
      assert.equal(e.code, "SQLITE_ERROR");
      assert.match(e.message, /syntax error/);
      return true;
    });
    conn.execute("create table t (k text primary key, n integer not null)", []);
    conn.execute("insert into t values (?, ?)", ["a", 1]);
    assert.throws(() => conn.execute("insert into t values (?, ?)", ["a", 2]), (e: unknown) => {
      assert.ok(e instanceof IntegrityError);
      assert.equal(e.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
      assert.match(e.message, /UNIQUE constraint failed: t\.k/);
      return true;
    });
    assert.throws(
      () => conn.execute("insert into t values (?, ?)", ["b", null]),
      (e: unknown) => e instanceof IntegrityError && e.code === "SQLITE_CONSTRAINT_NOTNULL",
    );
    // The connection is still usable, and the good insert is still in the transaction.
    conn.execute("select k from t", []);
    assert.deepEqual(conn.fetchall(), [["a"]]);
    conn.close();
  });

  it("rejects a parameter it cannot bind with a TypeError that names it", () => {
    const conn = connectSqlite({ path: ":memory:" });
    assert.throws(
      () => conn.execute("select ?, ?", [1, {} as never]),
      /parameter 2 is a plain object; bind null/,
    );
    assert.throws(() => conn.execute("select ?", [undefined as never]), /parameter 1 is undefined/);
    assert.throws(() => conn.execute("select ?", "x" as never), /parameters must be an array/);
    assert.throws(() => conn.execute("select ?", [2n ** 64n]), RangeError);
    assert.throws(() => conn.execute("", []), /non-empty string/);
    conn.close();
  });

  it("fails to open a missing directory with OperationalError, and a closed connection with ProgrammingError", () => {
    assert.throws(
      () => connectSqlite({ path: join(dir, "no", "such", "dir.db") }),
      OperationalError,
    );
    assert.throws(() => connectSqlite({} as never), /need a path/);
    const conn = connectSqlite({ path: ":memory:" });
    conn.close();
    conn.close();
    assert.throws(
      () => conn.execute("select 1", []),
      (e: unknown) => e instanceof ProgrammingError && /closed/.test(e.message),
    );
  });
});
