// The PostgreSQL driver by itself (libpq through FFI, synchronous, as a pool
// Worker calls it), against a real server (see _postgres.ts: under CI these
// tests fail when the server is missing; locally they skip, saying why).
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import type { DriverConnection } from "../../adbapi/driver.ts";
import {
  DatabaseError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from "../../adbapi/errors.ts";
import { connectPostgres, postgresConninfo } from "../../adbapi/postgres.ts";
import { postgresServer, releasePostgres, requireConninfo, skipWithout } from "./_postgres.ts";

const server = postgresServer();
const skip = skipWithout(server);
if (skip) console.log(`postgres_test: skipped: ${skip}`);
after(() => releasePostgres(server));

describe("PostgreSQL driver (needs a server)", { skip }, () => {
  let conn: DriverConnection;
  before(() => {
    conn = connectPostgres({ conninfo: requireConninfo(server) });
  });
  after(() => conn?.close());

  it("sends typed parameters and decodes results by column type", () => {
    conn.execute(
      "select $1 as i4, $2 as i8, $3 as f8, $4 as b, $5 as t, $6 as by, $7::jsonb as j, 1.50::numeric as n, $8::int8 as big, $9 as nul",
      [7, 2 ** 40, 1.25, true, "é", new Uint8Array([0, 255, 10]), "{\"a\":[1]}", 2n ** 62n, null],
    );
    assert.deepEqual(conn.columns, ["i4", "i8", "f8", "b", "t", "by", "j", "n", "big", "nul"]);
    const [row] = conn.fetchall();
    assert.deepEqual(row.slice(0, 5), [7, 2 ** 40, 1.25, true, "é"]);
    assert.deepEqual(new Uint8Array(row[5] as Uint8Array), new Uint8Array([0, 255, 10]));
    assert.deepEqual(row.slice(6), [{ a: [1] }, "1.50", 2n ** 62n, null]);
    conn.rollback();
  });

  it("lets the server infer a string parameter's type from context, as for a quoted literal", () => {
    conn.execute("select $1::date + 1 as d, substr('hello', $2) as s", ["2026-01-31", 2]);
    assert.deepEqual(conn.fetchall(), [["2026-02-01", "ello"]]);
    conn.rollback();
  });

  it("binds parameters, never splicing them into the SQL", () => {
    conn.execute("create temp table inj (s text)", []);
    const hostile = "x'); drop table inj; --";
    conn.execute("insert into inj values ($1)", [hostile]);
    conn.execute("select s from inj", []);
    assert.deepEqual(conn.fetchall(), [[hostile]]);
    conn.rollback();
  });

  it("opens a transaction with the first statement; rollback undoes it, commit keeps it (DB-API, as psycopg2)", () => {
    const table = `drv_txn_${process.pid}_${Date.now()}`;
    conn.executeOnce!(`create table ${table} (x integer)`, []);
    conn.execute(`insert into ${table} values ($1)`, [1]);
    conn.rollback();
    conn.execute(`insert into ${table} values ($1)`, [2]);
    assert.equal(conn.rowcount, 1);
    conn.commit();
    const other = connectPostgres({ conninfo: requireConninfo(server) });
    other.execute(`select x from ${table}`, []);
    assert.deepEqual(other.fetchall(), [[2]]);
    other.close();
    conn.executeOnce!(`drop table ${table}`, []);
  });

  it("reports errors with the server's message, SQLSTATE, detail and constraint", () => {
    assert.throws(() => conn.execute("selec 1", []), (e: unknown) => {
      assert.ok(e instanceof ProgrammingError);
      assert.equal(e.code, "42601");
      assert.match(e.message, /syntax error at or near "selec"/);
      return true;
    });
    conn.rollback();
    conn.execute("create temp table uniq (k text primary key)", []);
    conn.execute("insert into uniq values ($1)", ["a"]);
    assert.throws(() => conn.execute("insert into uniq values ($1)", ["a"]), (e: unknown) => {
      assert.ok(e instanceof IntegrityError);
      assert.equal(e.code, "23505");
      assert.equal(e.constraint, "uniq_pkey");
      assert.match(e.detail ?? "", /Key \(k\)=\(a\) already exists/);
      return true;
    });
    conn.rollback();
    assert.throws(
      () => conn.execute("select 1 / $1", [0]),
      (e: unknown) => e instanceof DataError && e.code === "22012",
    );
    conn.rollback();
  });

  it("refuses to commit a transaction an error aborted: it rolls back and says so", () => {
    conn.execute("select 1", []);
    assert.throws(() => conn.execute("select * from no_such_table", []), ProgrammingError);
    assert.throws(
      () => conn.commit(),
      (e: unknown) => e instanceof DatabaseError && e.code === "25P02",
    );
    conn.execute("select 2", []);
    assert.deepEqual(conn.fetchall(), [[2]]);
    conn.rollback();
  });

  it("executeOnce runs one statement as its own transaction", () => {
    assert.deepEqual(conn.executeOnce!("select $1::int + 1", [41]), [[42]]);
    assert.throws(() => conn.executeOnce!("select * from no_such_table", []), ProgrammingError);
    assert.deepEqual(conn.executeOnce!("select 1", []), [[1]]);
  });

  it("executeMany runs each statement as its own transaction, in order, an error failing only its own", () => {
    const table = `drv_many_${process.pid}_${Date.now()}`;
    conn.executeOnce!(`create table ${table} (k integer primary key)`, []);
    const outcomes = conn.executeMany!([
      [`insert into ${table} values ($1)`, [1]],
      [`insert into ${table} values ($1)`, [1]], // duplicate key: fails alone
      [`insert into ${table} values ($1) returning k`, [2]],
      ["select $1::int * 2 as twice", [21]],
      ["select * from no_such_table", []],
      [`select k from ${table} order by k`, []],
    ]);
    assert.equal(outcomes.length, 6);
    assert.deepEqual(outcomes[0], { rows: [], columns: null });
    assert.ok("error" in outcomes[1] && outcomes[1].error instanceof IntegrityError);
    assert.deepEqual(outcomes[2], { rows: [[2]], columns: ["k"] });
    assert.deepEqual(outcomes[3], { rows: [[42]], columns: ["twice"] });
    assert.ok("error" in outcomes[4] && outcomes[4].error instanceof ProgrammingError);
    assert.equal((outcomes[4] as { error: ProgrammingError; }).error.code, "42P01");
    // Both inserts that succeeded were committed, each on its own.
    assert.deepEqual(outcomes[5], { rows: [[1], [2]], columns: ["k"] });
    assert.deepEqual(conn.executeOnce!(`select count(*)::int from ${table}`, []), [[2]]);
    conn.executeOnce!(`drop table ${table}`, []);
  });

  it("executeMany runs transaction control alone and leaves no transaction open", () => {
    const outcomes = conn.executeMany!([
      ["select 1", []],
      ["begin", []],
      ["select 2", []],
      ["select 3", []],
    ]);
    assert.deepEqual(outcomes.map((o) => "rows" in o ? o.rows : o.error), [[[1]], [], [[2]], [[
      3,
    ]]]);
    // Nothing is left open: a plain execute opens its own transaction again.
    assert.deepEqual(conn.executeOnce!("select 4", []), [[4]]);
    // A bad parameter fails its statement alone; the others still answer.
    const mixed = conn.executeMany!([["select $1::int", [1]], ["select $1", [NaN]], [
      "select $1::int",
      [3],
    ]]);
    assert.deepEqual(mixed[0], { rows: [[1]], columns: ["int4"] });
    assert.ok("error" in mixed[1] && mixed[1].error instanceof TypeError);
    assert.deepEqual(mixed[2], { rows: [[3]], columns: ["int4"] });
  });

  it("rejects a parameter it cannot bind with a TypeError that names it", () => {
    assert.throws(() => conn.execute("select $1", [() => 1] as never), /parameter 1 is a function/);
    assert.throws(() => conn.execute("select $1", [NaN]), /NaN/);
  });

  it("fails to connect with OperationalError and libpq's message", () => {
    assert.throws(
      () => connectPostgres({ host: "127.0.0.1", port: 1, connectTimeout: 5 }),
      (e: unknown) => {
        assert.ok(e instanceof OperationalError);
        assert.equal(e.code, "08001");
        assert.match(e.message, /127\.0\.0\.1|connection refused/i);
        return true;
      },
    );
  });
});

describe("PostgreSQL conninfo", () => {
  it("quotes keyword values as libpq wants and asks for UTF-8", () => {
    assert.equal(
      postgresConninfo({ conninfo: "sslmode=disable", user: "a b", password: "x'y\\z" }),
      "sslmode=disable user='a b' password='x\\'y\\\\z' client_encoding='UTF8' options='-c client_min_messages=warning'",
    );
    // What the caller set wins: no second client_encoding, no options of ours.
    assert.equal(
      postgresConninfo({ conninfo: "client_encoding=LATIN1 options='-c search_path=app'" }),
      "client_encoding=LATIN1 options='-c search_path=app'",
    );
    assert.throws(() => postgresConninfo(null as never), TypeError);
  });
});
