// ConnectionPool over SQLite and the fake driver: each rule of Twisted's
// adbapi (test_adbapi's ADBAPITestBase, ReconnectTestBase and
// ConnectionPoolTests), on the pool's Workers and in-process.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { sqlite } from "../../adbapi/builtin_drivers.ts";
import { ConnectionPool } from "../../adbapi/connection_pool.ts";
import {
  ConnectionLost,
  ConnectionPoolClosed,
  IntegrityError,
  InterfaceError,
  OperationalError,
  ProgrammingError,
} from "../../adbapi/errors.ts";
import type { Connection, Transaction } from "../../adbapi/transaction.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { gatherResults } from "../../deferred/gather_results.ts";
import { inlineCallbacks } from "../../deferred/inline_callbacks.ts";
import * as log from "../../log/log.ts";
import type { LogEvent } from "../../log/log.ts";
import { createReactor } from "../../reactor/install.ts";
import { EventReactor, fake, makePool, tempDir, THREAD_KINDS } from "./_pool_kit.ts";

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const dbFile = (): string => tmp.path(`db${++n}.sqlite`);

for (const kind of THREAD_KINDS) {
  describe(`ConnectionPool (${kind})`, () => {
    it("runQuery fires with the rows as arrays (Twisted's list of tuples) or as objects", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        assert.deepEqual(await pool.runQuery("select 1"), [[1]]);
        assert.deepEqual(await pool.runQuery("select ? as a, ? as b", [1, "x"]), [[1, "x"]]);
      } finally {
        await pool.close();
      }
      const objects = makePool(kind, sqlite, { path: ":memory:" }, { max: 1, rowFormat: "object" });
      objects.start();
      try {
        assert.deepEqual(await objects.runQuery("select ? as a, ? as b", [1, "x"]), [{
          a: 1,
          b: "x",
        }]);
      } finally {
        await objects.close();
      }
    });

    it("runOperation fires with undefined (Twisted's None)", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        assert.equal(await pool.runOperation("create table t (x)"), undefined);
        assert.equal(await pool.runOperation("insert into t values (?)", [1]), undefined);
        assert.deepEqual(await pool.runQuery("select x from t"), [[1]]);
      } finally {
        await pool.close();
      }
    });

    it("runInteraction commits when the function returns and fires with its result (Twisted's _testPool_4)", async () => {
      const path = dbFile();
      const pool = makePool(kind, sqlite, { path }, { max: 2 });
      pool.start();
      try {
        await pool.runOperation("create table simple (x integer)");
        const result = await pool.runInteraction(async (txn: Transaction, count: number) => {
          for (let i = 0; i < count; i++) {
            await txn.execute("insert into simple (x) values (?)", [i]);
          }
          await txn.execute("select x from simple order by x");
          for (let i = 0; i < count; i++) assert.deepEqual(await txn.fetchone(), [i]);
          assert.equal(await txn.fetchone(), null, "Too many rows");
          return "done";
        }, 5);
        assert.equal(result, "done");
        assert.deepEqual(await pool.runQuery("select count(*) from simple"), [[5]]);
      } finally {
        await pool.close();
      }
    });

    it("runInteraction rolls back when the function throws and fails with its error (Twisted's _testPool_1_3, _testPool_2)", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 2 });
      pool.start();
      try {
        await pool.runOperation("create table simple (x integer)");
        const bad = pool.runInteraction(async (txn) => {
          await txn.execute("insert into simple (x) values (0)");
          await txn.execute("select * from NOTABLE");
        });
        await assert.rejects(bad.toPromise(), (e: unknown) => {
          assert.ok(e instanceof ProgrammingError);
          assert.equal(e.code, "SQLITE_ERROR");
          assert.match(e.message, /no such table: NOTABLE/);
          return true;
        });
        assert.deepEqual(
          await pool.runQuery("select count(1) from simple"),
          [[0]],
          "Interaction not rolled back",
        );
        // A plain throw rolls back too, and the Deferred fails with exactly that error.
        const mine = new RangeError("mine");
        const thrown = pool.runInteraction(async (txn) => {
          await txn.execute("insert into simple (x) values (1)");
          throw mine;
        });
        await assert.rejects(thrown.toPromise(), (e: unknown) => e === mine);
        assert.deepEqual(await pool.runQuery("select count(1) from simple"), [[0]]);
      } finally {
        await pool.close();
      }
    });

    it("a constraint violation inside runInteraction rolls the whole transaction back", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 2 });
      pool.start();
      try {
        await pool.runOperation("create table kv (k text primary key, v text)");
        await pool.runOperation("insert into kv values ('a', 'old')");
        const d = pool.runInteraction(
          inlineCallbacks(function*(txn: Transaction): Generator<unknown, void, unknown> {
            yield txn.execute("update kv set v = 'new' where k = 'a'");
            yield txn.execute("insert into kv values ('b', 'b')");
            yield txn.execute("insert into kv values ('a', 'dup')");
          }),
        );
        await assert.rejects(d.toPromise(), (e: unknown) => {
          assert.ok(e instanceof IntegrityError);
          assert.equal(e.code, "SQLITE_CONSTRAINT_PRIMARYKEY");
          return true;
        });
        assert.deepEqual(await pool.runQuery("select k, v from kv order by k"), [["a", "old"]]);
      } finally {
        await pool.close();
      }
    });

    it("runInteraction takes a generator function and runs it as inlineCallbacks", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        const sum = await pool.runInteraction(
          function*(txn: Transaction): Generator<unknown, number, unknown> {
            yield txn.execute("select 40 + ?", [2]);
            const rows = (yield txn.fetchall()) as number[][];
            return rows[0][0];
          },
        );
        assert.equal(sum, 42);
      } finally {
        await pool.close();
      }
    });

    it("runWithConnection commits when the function returns and rolls back when it throws (Twisted's _testPool_5, _testPool_1_4)", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 2 });
      pool.start();
      try {
        await pool.runOperation("create table simple (x integer)");
        const done = await pool.runWithConnection(async (conn: Connection) => {
          await conn.execute("insert into simple values (1)");
          return "done";
        });
        assert.equal(done, "done");
        await assert.rejects(
          pool.runWithConnection(async (conn: Connection) => {
            await conn.execute("insert into simple values (2)");
            await conn.execute("select * from NOTABLE");
          }).toPromise(),
          ProgrammingError,
        );
        const partial = pool.runWithConnection(async (conn: Connection) => {
          await conn.execute("insert into simple values (3)");
          await conn.commit();
          await conn.execute("insert into simple values (4)");
          throw new Error("after the commit");
        });
        await assert.rejects(partial.toPromise(), /after the commit/);
        assert.deepEqual(await pool.runQuery("select x from simple order by x"), [[1], [3]]);
      } finally {
        await pool.close();
      }
    });

    it("a SQL error fails only that Deferred, with the driver's message and code; the pool stays usable (Twisted's _testPool_1_1, _1_2)", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        await assert.rejects(
          pool.runQuery("select * from NOTABLE").toPromise(),
          /no such table: NOTABLE/,
        );
        await assert.rejects(
          pool.runOperation("deletexxx from NOTABLE").toPromise(),
          (e: unknown) =>
            e instanceof ProgrammingError && e.code === "SQLITE_ERROR"
            && /syntax error/.test(e.message),
        );
        assert.deepEqual(await pool.runQuery("select 'still here'"), [["still here"]]);
      } finally {
        await pool.close();
      }
    });

    it("gives the workout of Twisted's _testPool_7: many concurrent queries, each its own answer", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 3 });
      pool.start();
      try {
        await pool.runOperation("create table simple (x integer)");
        await gatherResults(
          Array.from(
            { length: 30 },
            (_, i) => pool.runOperation("insert into simple values (?)", [i]),
          ),
        );
        const answers = await gatherResults(
          Array.from(
            { length: 30 },
            (_, i) => pool.runQuery("select x from simple where x = ?", [i]),
          ),
        );
        assert.deepEqual(answers, Array.from({ length: 30 }, (_, i) => [[i]]));
      } finally {
        await pool.close();
      }
    });

    it("concurrent interactions on a pool of 3 never share a connection; the rest wait their turn", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { min: 3, max: 3 });
      pool.start();
      try {
        let inFlight = 0;
        let most = 0;
        const gate = new Deferred<void>();
        let atGate = 0;
        const interactions = Array.from(
          { length: 9 },
          (_, id) =>
            pool.runInteraction(async (txn: Transaction) => {
              inFlight++;
              most = Math.max(most, inFlight);
              // A temporary table is private to its connection: what this one
              // holds was put there by interactions that ran on the same connection.
              await txn.execute("create temp table if not exists mine (id integer)");
              await txn.execute("delete from mine");
              await txn.execute("insert into mine values (?)", [id]);
              if (++atGate === 3) gate.callback(undefined);
              await gate; // the first three are all in flight at once here
              await txn.execute("select id from mine");
              const rows = await txn.fetchall();
              inFlight--;
              return rows;
            }),
        );
        const seen = await gatherResults(interactions);
        assert.equal(most, 3, "three interactions ran at once");
        seen.forEach((rows, id) =>
          assert.deepEqual(rows, [[id]], `interaction ${id} saw another's row`)
        );
      } finally {
        await pool.close();
      }
    });

    it("work queued behind busy connections runs in arrival order, each statement its own transaction", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 1 });
      pool.start();
      try {
        await pool.runOperation("create table t (k text primary key)");
        const gate = new Deferred<void>();
        const holder = pool.runInteraction(async (txn) => {
          await gate;
          await txn.execute("insert into t values ('first')");
        });
        const a = pool.runOperation("insert into t values ('a')");
        const dup = pool.runOperation("insert into t values ('a')");
        const b = pool.runInteraction(async (txn) => {
          await txn.execute("insert into t values ('b')");
        });
        const c = pool.runOperation("insert into t values ('c')");
        const all = pool.runQuery("select k from t order by rowid");
        gate.callback(undefined);
        await holder;
        await a;
        await assert.rejects(dup.toPromise(), IntegrityError);
        await b;
        await c;
        assert.deepEqual(await all, [["first"], ["a"], ["b"], ["c"]]);
      } finally {
        await pool.close();
      }
    });

    it("statements sent in one turn may share a Worker hop, yet each is a transaction of its own", async () => {
      const pool = makePool(kind, sqlite, { path: dbFile() }, { max: 1 });
      pool.start();
      try {
        await pool.runOperation("create table t (k text primary key)");
        const sent = ["a", "b", "a", "c", "b", "d"].map((k) =>
          pool.runOperation("insert into t values (?)", [k])
        );
        const outcomes = await Promise.allSettled(sent.map((d) => d.toPromise()));
        assert.deepEqual(outcomes.map((o) => o.status), [
          "fulfilled",
          "fulfilled",
          "rejected",
          "fulfilled",
          "rejected",
          "fulfilled",
        ]);
        assert.deepEqual(await pool.runQuery("select k from t order by k"), [["a"], ["b"], ["c"], [
          "d",
        ]]);
      } finally {
        await pool.close();
      }
    });

    it("reconnect: statements queued after the one that found the connection broken run on a new connection", async () => {
      const pool = makePool(kind, fake, { path: ":memory:" }, { max: 1, reconnect: true });
      pool.start();
      try {
        const [[before]] = (await pool.runQuery("OPENS")) as [[number]];
        const gate = new Deferred<void>();
        const holder = pool.runInteraction(() => gate);
        const first = pool.runQuery("select 1");
        const broken = pool.runQuery("BREAK");
        const after = pool.runQuery("OPENS");
        const last = pool.runQuery("select 2");
        gate.callback(undefined);
        await holder;
        assert.deepEqual(await first, [[1]]);
        await assert.rejects(broken.toPromise(), ConnectionLost);
        assert.deepEqual(await after, [[before + 1]]);
        assert.deepEqual(await last, [[2]]);
      } finally {
        await pool.close();
      }
    });

    it("calls openFun with each new connection before its first use, and commits what it does (Twisted's cp_openfun)", async () => {
      const opened: Connection[] = [];
      const pool = makePool(kind, sqlite, { path: dbFile() }, {
        min: 2,
        max: 2,
        openFun: async (conn: Connection) => {
          opened.push(conn);
          await conn.execute("create temp table setup (ok integer)");
          await conn.execute("insert into setup values (1)");
        },
      });
      pool.start();
      try {
        const gate = new Deferred<void>();
        let waiting = 0;
        const both = [0, 1].map(() =>
          pool.runInteraction(async (txn) => {
            if (++waiting === 2) gate.callback(undefined);
            await gate;
            await txn.execute("select ok from setup");
            return txn.fetchall();
          })
        );
        assert.deepEqual(await gatherResults(both), [[[1]], [[1]]]);
        assert.equal(opened.length, 2, "openFun ran once per connection");
        assert.deepEqual(await pool.runQuery("select ok from setup"), [[1]], "and not again");
        assert.equal(opened.length, 2);
      } finally {
        await pool.close();
      }
    });

    it("a failing openFun fails the work that wanted the connection, and the next work tries a new one", async () => {
      let calls = 0;
      const pool = makePool(kind, sqlite, { path: ":memory:" }, {
        max: 1,
        openFun: () => {
          if (++calls === 1) throw new Error("openFun says no");
        },
      });
      pool.start();
      try {
        await assert.rejects(pool.runQuery("select 1").toPromise(), /openFun says no/);
        assert.deepEqual(await pool.runQuery("select 1"), [[1]]);
        assert.equal(calls, 2);
      } finally {
        await pool.close();
      }
    });

    it("work sent before start() waits for it, then runs (Twisted queues it in the unstarted ThreadPool)", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      const early = pool.runQuery("select 'early'");
      let fired = false;
      early.addCallback((rows) => {
        fired = true;
        return rows;
      });
      assert.equal(fired, false);
      pool.start();
      try {
        assert.deepEqual(await early, [["early"]]);
      } finally {
        await pool.close();
      }
    });

    it("closing the pool with work queued fails that work with ConnectionPoolClosed, lets running work finish, and closes every connection", async () => {
      const path = dbFile();
      const pool = makePool(kind, sqlite, { path }, { max: 1 });
      pool.start();
      await pool.runOperation("create table t (x integer)");
      const gate = new Deferred<void>();
      const running = pool.runInteraction(async (txn) => {
        await txn.execute("insert into t values (1)");
        await gate;
        await txn.execute("insert into t values (2)");
        return "finished";
      });
      const queued = [pool.runQuery("select 1"), pool.runOperation("insert into t values (3)")];
      const closed = pool.close();
      for (const q of queued) {
        await assert.rejects(q.toPromise(), (e: unknown) => {
          assert.ok(e instanceof ConnectionPoolClosed);
          assert.match(e.message, /waiting for a connection and was not run/);
          return true;
        });
      }
      let closedYet = false;
      closed.addCallback(() => (closedYet = true));
      assert.equal(closedYet, false, "close waits for the running interaction");
      gate.callback(undefined);
      assert.equal(await running, "finished");
      await closed;
      assert.equal(pool.running, false);
      await assert.rejects(pool.runQuery("select 1").toPromise(), ConnectionPoolClosed);
      assert.throws(() => pool.start(), ConnectionPoolClosed);
      // The running interaction was committed; the queued insert never ran.
      const check = makePool(kind, sqlite, { path }, { max: 1 });
      check.start();
      try {
        assert.deepEqual(await check.runQuery("select x from t order by x"), [[1], [2]]);
      } finally {
        await check.close();
      }
    });

    it("a Transaction used after its interaction ended fails with InterfaceError", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        let kept: Transaction | null = null;
        await pool.runInteraction((txn) => {
          kept = txn;
        });
        await assert.rejects(kept!.execute("select 1").toPromise(), (e: unknown) => {
          assert.ok(e instanceof InterfaceError);
          assert.match(e.message, /interaction has returned/);
          return true;
        });
      } finally {
        await pool.close();
      }
    });

    it("throws a TypeError at the call for bad arguments", async () => {
      const pool = makePool(kind, sqlite, { path: ":memory:" }, { max: 1 });
      try {
        assert.throws(() => pool.runQuery(42 as never), /runQuery: pass the SQL statement/);
        assert.throws(
          () => pool.runQuery("select ?", [{}] as never),
          /parameter 1 is a plain object/,
        );
        assert.throws(() => pool.runOperation("select ?", 1 as never), /must be an array/);
        assert.throws(() => pool.runInteraction("nope" as never), TypeError);
        assert.throws(
          () => new ConnectionPool(sqlite, { path: ":memory:" }, { rowFormat: "rows" as never }),
          TypeError,
        );
        assert.throws(() => new ConnectionPool({} as never, {}), /the first argument is a driver/);
      } finally {
        await pool.close();
      }
    });

    it("runs a user's own driver module (the DriverModule contract) and its errors keep their class and code", async () => {
      const pool = makePool(kind, fake, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        assert.deepEqual(await pool.runQuery("select 7"), [[7]]);
        await assert.rejects(
          pool.runQuery("BREAK").toPromise(),
          (e: unknown) => e instanceof OperationalError && e.code === "BROKEN",
        );
      } finally {
        await pool.close();
      }
    });

    it("if rollback fails, runInteraction fails with the original error and logs the rollback's (Twisted's test_runWithInteractionRaiseOriginalError)", async () => {
      const events: LogEvent[] = [];
      const observer = (e: LogEvent): void => void events.push(e);
      log.addObserver(observer);
      log.setDefaultObserver(false);
      const pool = makePool(kind, fake, { path: ":memory:", failRollback: true }, { max: 1 });
      pool.start();
      try {
        const original = new Error("foo");
        await assert.rejects(
          pool.runInteraction(() => {
            throw original;
          }).toPromise(),
          (e: unknown) => e === original,
        );
        const logged = events.filter((e) => e.isError);
        assert.equal(logged.length, 1);
        assert.match(String(logged[0].why), /rollback failed/);
        assert.match(log.textFromEvent(logged[0]), /fake: rollback failed/);
      } finally {
        log.removeObserver(observer);
        log.setDefaultObserver(true);
        await pool.close();
      }
    });

    it("reconnect: a broken connection is dropped after goodSql fails, the work fails with ConnectionLost, and a retry opens a new one (Twisted's ReconnectTestBase)", async () => {
      const pool = makePool(kind, fake, { path: ":memory:" }, { max: 1, reconnect: true });
      pool.start();
      try {
        // OPENS counts the connections this thread opened, ever.
        const [[before]] = (await pool.runQuery("OPENS")) as [[number]];
        await assert.rejects(pool.runQuery("BREAK").toPromise(), (e: unknown) => {
          assert.ok(e instanceof ConnectionLost);
          assert.ok(e.cause instanceof OperationalError);
          assert.match(e.message, /fake: the connection broke.*retry it/);
          return true;
        });
        assert.deepEqual(
          await pool.runQuery("OPENS"),
          [[before + 1]],
          "the retry ran on a new connection",
        );
        // In an interaction the same: the rollback's goodSql check finds it broken.
        await assert.rejects(
          pool.runInteraction(async (txn) => {
            await txn.execute("select 1");
            await txn.execute("BREAK");
          }).toPromise(),
          ConnectionLost,
        );
        assert.deepEqual(await pool.runQuery("OPENS"), [[before + 2]]);
        // Bad SQL on a good connection is not ConnectionLost (Twisted's _testPool_5).
        await assert.rejects(
          pool.runQuery("select * from NOTABLE").toPromise(),
          (e: unknown) => e instanceof ProgrammingError,
        );
        assert.deepEqual(
          await pool.runQuery("OPENS"),
          [[before + 2]],
          "and the connection was kept",
        );
      } finally {
        await pool.close();
      }
    });

    it("without reconnect a broken connection is kept and keeps failing (Twisted's cp_reconnect=False)", async () => {
      const pool = makePool(kind, fake, { path: ":memory:" }, { max: 1 });
      pool.start();
      try {
        await assert.rejects(pool.runQuery("BREAK").toPromise(), OperationalError);
        await assert.rejects(
          pool.runQuery("select 1").toPromise(),
          (e: unknown) =>
            e instanceof OperationalError && !(e instanceof ConnectionLost)
            && /is broken/.test(e.message),
        );
      } finally {
        await pool.close();
      }
    });
  });
}

// In-process only: there a new connection's thread is there at once, so the
// test sees the policy itself; with Workers, whether the busy connection comes
// back before a new Worker has started depends on the machine.
describe("ConnectionPool spreads a burst of statements (in-process)", () => {
  it("many statements sent at once are spread over up to max connections, not all given to the one open", async () => {
    const pool = makePool("in-process", fake, { path: dbFile() }, { min: 0, max: 3 });
    pool.start();
    try {
      await pool.runQuery("CONN"); // one connection is open and idle now
      const ids = await gatherResults(Array.from({ length: 12 }, () => pool.runQuery("CONN")));
      assert.equal(new Set(ids.map((rows) => String((rows as string[][])[0][0]))).size, 3);
    } finally {
      await pool.close();
    }
  });
});

describe("ConnectionPool when a Worker dies (workers only: in-process the test run itself would end)", () => {
  it("fails the work the dead Worker held, drops its connection and opens a new one on another Worker", async () => {
    const pool = makePool("workers", fake, { path: ":memory:" }, { max: 1 });
    pool.start();
    try {
      const [[before]] = (await pool.runQuery("OPENS")) as [[number]];
      await assert.rejects(pool.runQuery("CRASH").toPromise(), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, "WorkerCrashed");
        return true;
      });
      // A new Worker: its module state starts again, so it has opened one connection.
      assert.deepEqual(await pool.runQuery("OPENS"), [[1]]);
      assert.ok(before >= 1);
    } finally {
      await pool.close();
    }
  });
});

describe("ConnectionPool life cycle with the reactor", () => {
  it("starts when a real reactor runs and is closed before its shutdown ends (Twisted's callWhenRunning and shutdown trigger)", async () => {
    const reactor = createReactor();
    const path = dbFile();
    const pool = new ConnectionPool(sqlite, { path }, { max: 2, reactor });
    const seen: string[] = [];
    reactor.addSystemEventTrigger(
      "after",
      "shutdown",
      () => seen.push(`after shutdown: running=${pool.running}`),
    );
    reactor.callWhenRunning(async () => {
      seen.push(`running=${pool.running}`);
      await pool.runOperation("create table t (x integer)");
      const gate = new Deferred<void>();
      const last = pool.runInteraction(async (txn) => {
        await gate;
        await txn.execute("insert into t values (1)");
      });
      reactor.stop(); // the pool's "before shutdown" trigger waits for the interaction
      gate.callback(undefined);
      await last;
      seen.push("interaction done");
    });
    await reactor.run();
    assert.deepEqual(seen, ["running=true", "interaction done", "after shutdown: running=false"]);
    const check = makePool("in-process", sqlite, { path }, { max: 1 });
    check.start();
    try {
      assert.deepEqual(await check.runQuery("select x from t"), [[1]]);
    } finally {
      await check.close();
    }
  });

  it("close() before the reactor runs cancels the startup trigger (Twisted's test_unstartedClose)", async () => {
    const reactor = new EventReactor(false);
    const pool = new ConnectionPool(sqlite, { path: ":memory:" }, { reactor });
    assert.deepEqual(reactor.triggers.map((t) => [t.phase, t.event]), [["after", "startup"]]);
    await pool.close();
    assert.deepEqual(reactor.triggers, []);
  });

  it("close() after start cancels the shutdown trigger (Twisted's test_startedClose)", async () => {
    const reactor = new EventReactor(true);
    const pool = makePool("in-process", sqlite, { path: ":memory:" }, { reactor });
    assert.equal(pool.running, true, "a running reactor starts the pool at once");
    assert.deepEqual(reactor.triggers.map((t) => [t.phase, t.event]), [["before", "shutdown"]]);
    await pool.close();
    assert.deepEqual(reactor.triggers, []);
  });
});
