// ConnectionPool over PostgreSQL, on the pool's Workers, against a real
// server (see _postgres.ts: under CI these fail when the server is missing;
// locally they skip, saying why). The reconnect test restarts the server.
import assert from "node:assert/strict";
import process from "node:process";
import { after, describe, it } from "node:test";
import { postgres } from "../../adbapi/builtin_drivers.ts";
import { ConnectionPool, type ConnectionPoolOptions } from "../../adbapi/connection_pool.ts";
import {
  ConnectionLost,
  ConnectionPoolClosed,
  IntegrityError,
  OperationalError,
} from "../../adbapi/errors.ts";
import type { PostgresOptions } from "../../adbapi/postgres.ts";
import type { Transaction } from "../../adbapi/transaction.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { gatherResults } from "../../deferred/gather_results.ts";
import { EventReactor } from "./_pool_kit.ts";
import {
  postgresServer,
  releasePostgres,
  requireConninfo,
  restartPostgres,
  skipWithout,
} from "./_postgres.ts";

const server = postgresServer();
const skip = skipWithout(server);
if (skip) console.log(`postgres_pool_test: skipped: ${skip}`);
after(() => releasePostgres(server));

const table = `pool_${process.pid}_${Date.now().toString(36)}`;

function pgPool(options: ConnectionPoolOptions = {}): ConnectionPool<PostgresOptions> {
  const pool = new ConnectionPool(postgres, { conninfo: requireConninfo(server) }, {
    reactor: new EventReactor(false),
    ...options,
  });
  pool.start();
  return pool;
}

describe("ConnectionPool over PostgreSQL (needs a server)", { skip }, () => {
  it("runQuery and runOperation with $n parameters", async () => {
    const pool = pgPool({ max: 2 });
    try {
      await pool.runOperation(`create table ${table} (k text primary key, v integer not null)`);
      await pool.runOperation(`insert into ${table} values ($1, $2), ($3, $4)`, ["a", 1, "b", 2]);
      assert.deepEqual(await pool.runQuery(`select k, v from ${table} order by k`), [["a", 1], [
        "b",
        2,
      ]]);
    } finally {
      await pool.close();
    }
  });

  it("a constraint violation inside runInteraction rolls the whole transaction back, with the SQLSTATE", async () => {
    const pool = pgPool({ max: 2 });
    try {
      const d = pool.runInteraction(async (txn: Transaction) => {
        await txn.execute(`update ${table} set v = 100 where k = $1`, ["a"]);
        await txn.execute(`insert into ${table} values ($1, $2)`, ["c", 3]);
        await txn.execute(`insert into ${table} values ($1, $2)`, ["a", 4]);
      });
      await assert.rejects(d.toPromise(), (e: unknown) => {
        assert.ok(e instanceof IntegrityError);
        assert.equal(e.code, "23505");
        assert.equal(e.constraint, `${table}_pkey`);
        return true;
      });
      assert.deepEqual(await pool.runQuery(`select k, v from ${table} order by k`), [["a", 1], [
        "b",
        2,
      ]]);
    } finally {
      await pool.close();
    }
  });

  it("concurrent interactions on a pool of 3 never share a connection (distinct server backends)", async () => {
    const pool = pgPool({ min: 3, max: 3 });
    try {
      const gate = new Deferred<void>();
      let atGate = 0;
      const live = new Set<number>();
      const pids = await gatherResults(
        Array.from({ length: 9 }, () =>
          pool.runInteraction(async (txn) => {
            await txn.execute("select pg_backend_pid()");
            const [[pid]] = (await txn.fetchall()) as [[number]];
            assert.ok(!live.has(pid), `backend ${pid} is already serving another interaction`);
            live.add(pid);
            if (++atGate === 3) {
              assert.equal(live.size, 3, "three interactions in flight at once");
              gate.callback(undefined);
            }
            await gate;
            live.delete(pid);
            return pid;
          })),
      );
      assert.equal(new Set(pids).size, 3, "three connections, reused in turn");
    } finally {
      await pool.close();
    }
  });

  it("statements queued together share one pipelined exchange, in order, each its own transaction, a failing one alone", async () => {
    const pool = pgPool({ max: 1 });
    try {
      await pool.runOperation(`create table ${table}_many (k integer primary key)`);
      // Sent in one turn to one connection: one Worker hop, one pipeline.
      const work = [
        pool.runOperation(`insert into ${table}_many values ($1)`, [1]),
        pool.runOperation(`insert into ${table}_many values ($1)`, [1]),
        pool.runQuery(`insert into ${table}_many values ($1) returning k`, [2]),
        pool.runQuery("select $1::int * 2", [21]),
        pool.runQuery(`select k from ${table}_many order by k`),
      ].map((d) => d.toPromise().then((v) => ({ v }), (e: unknown) => ({ e })));
      const [a, b, c, d, e] = await Promise.all(work);
      assert.deepEqual(a, { v: undefined });
      assert.ok("e" in b && b.e instanceof IntegrityError && b.e.code === "23505");
      assert.deepEqual(c, { v: [[2]] });
      assert.deepEqual(d, { v: [[42]] });
      assert.deepEqual(e, { v: [[1], [2]] }, "the statements before it were committed, in order");
    } finally {
      await pool.runOperation(`drop table if exists ${table}_many`);
      await pool.close();
    }
  });

  it("closing the pool with work queued fails that work with ConnectionPoolClosed", async () => {
    const pool = pgPool({ max: 1 });
    await pool.runQuery("select 1"); // the connection is open
    const gate = new Deferred<void>();
    const running = pool.runInteraction(async (txn) => {
      await txn.execute("select 1");
      await gate;
      return "finished";
    });
    const queued = pool.runQuery("select 2");
    const closed = pool.close();
    await assert.rejects(queued.toPromise(), ConnectionPoolClosed);
    gate.callback(undefined);
    assert.equal(await running, "finished");
    await closed;
  });

  it("reconnect: after the server restarts, the broken connection fails with ConnectionLost and the retry succeeds (Twisted's ReconnectTestBase)", async () => {
    const pool = pgPool({ max: 1, reconnect: true });
    const plain = pgPool({ max: 1 });
    try {
      const [[before]] = (await pool.runQuery("select pg_backend_pid()")) as [[number]];
      await plain.runQuery("select 1");
      restartPostgres();
      await assert.rejects(
        pool.runQuery(`select count(*) from ${table}`).toPromise(),
        (e: unknown) => {
          assert.ok(e instanceof ConnectionLost, `expected ConnectionLost, got ${e}`);
          assert.ok(e.cause instanceof OperationalError);
          return true;
        },
      );
      const [[after]] = (await pool.runQuery("select pg_backend_pid()")) as [[number]];
      assert.notEqual(after, before, "the retry ran on a new connection");
      // A pipelined batch on a connection the restart broke: every statement
      // fails with ConnectionLost (none is queued again: it may have run),
      // and the retry runs on a new connection.
      restartPostgres();
      const batch = [1, 2, 3].map((n) => pool.runQuery("select $1::int", [n]).toPromise());
      for (const d of batch) await assert.rejects(d, ConnectionLost);
      assert.deepEqual(await pool.runQuery("select $1::int", [4]), [[4]]);
      assert.deepEqual(await pool.runQuery(`select count(*) from ${table}`), [[2]]);
      // Without reconnect (Twisted's default) the broken connection stays and keeps failing.
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          plain.runQuery("select 1").toPromise(),
          (e: unknown) => e instanceof OperationalError && !(e instanceof ConnectionLost),
        );
      }
    } finally {
      await pool.runOperation(`drop table if exists ${table}`);
      await pool.close();
      await plain.close();
    }
  });
});
