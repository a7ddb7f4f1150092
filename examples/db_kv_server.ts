/**
 * A database-backed key-value server: a `LineReceiver` protocol whose
 * commands run through an adbapi `ConnectionPool`, on SQLite (the default)
 * or PostgreSQL.
 *
 * ```sh
 * deno run -A examples/db_kv_server.ts --port=8010 --sqlite=.tmp/kv.db
 * bun examples/db_kv_server.ts --port=8010 --postgres="host=127.0.0.1 port=5432 dbname=postgres"
 * ```
 *
 * Commands, one per line (replies in the same order, one line each):
 *
 * - `SET key value` → `OK`
 * - `GET key` → `VALUE value` or `NOTFOUND`
 * - `DEL key` → `DELETED 1` or `DELETED 0`
 * - `INCR key` → `INTEGER n` (one transaction: read, add one, write back;
 *   `ERR …` when the value is not an integer, and nothing changes)
 * - `KEYS` → `KEYS k1 k2 …` (sorted)
 * - `QUIT` → closes the connection
 *
 * A database error becomes `ERR message` for that command only. It listens on
 * 127.0.0.1 (`--port=0` picks a free port; the chosen one is printed), runs
 * until SIGTERM or SIGINT, and closes its connections before it exits.
 *
 * @module
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConnectionPool, postgres, sqlite, type Transaction } from "../adbapi/mod.ts";
import { LineReceiver } from "../protocols/basic/mod.ts";
import { Factory } from "../protocols/mod.ts";
import { reactor } from "../reactor/mod.ts";

/** The store's queries, in one placeholder style per database. */
export class KVStore {
  readonly pool: ConnectionPool<unknown>;
  #dollar: boolean;

  /** A store over `pool`; `dollarPlaceholders` for PostgreSQL's `$1` style. */
  constructor(pool: ConnectionPool<unknown>, dollarPlaceholders: boolean) {
    this.pool = pool;
    this.#dollar = dollarPlaceholders;
  }

  /** `?` placeholders, as `$1, $2 …` for PostgreSQL. */
  sql(text: string): string {
    let n = 0;
    return this.#dollar ? text.replace(/\?/g, () => `$${++n}`) : text;
  }

  /** Create the table if it is not there. */
  async setup(): Promise<void> {
    await this.pool.runOperation(
      "create table if not exists kv (k text primary key, v text not null)",
    );
  }

  /** Insert or replace. */
  async set(key: string, value: string): Promise<void> {
    await this.pool.runOperation(
      this.sql("insert into kv (k, v) values (?, ?) on conflict (k) do update set v = excluded.v"),
      [key, value],
    );
  }

  /** The value, or `null`. */
  async get(key: string): Promise<string | null> {
    const rows = await this.pool.runQuery(this.sql("select v from kv where k = ?"), [key]);
    return rows.length === 0 ? null : String((rows[0] as string[])[0]);
  }

  /** How many rows were deleted (0 or 1). */
  async del(key: string): Promise<number> {
    return (await this.pool.runQuery(this.sql("delete from kv where k = ? returning k"), [key]))
      .length;
  }

  /** Read, add one, write back: one transaction, rolled back if the value is not an integer. */
  incr(key: string): PromiseLike<number> {
    return this.pool.runInteraction(async (txn: Transaction) => {
      await txn.execute(this.sql("select v from kv where k = ?"), [key]);
      const row = (await txn.fetchone()) as string[] | null;
      const now = row === null ? 0 : Number(row[0]);
      if (!Number.isSafeInteger(now)) throw new Error(`the value of ${key} is not an integer`);
      await txn.execute(
        this.sql(
          "insert into kv (k, v) values (?, ?) on conflict (k) do update set v = excluded.v",
        ),
        [key, String(now + 1)],
      );
      return now + 1;
    });
  }

  /** Every key, sorted. */
  async keys(): Promise<string[]> {
    return (await this.pool.runQuery("select k from kv order by k")).map((r) =>
      String((r as string[])[0])
    );
  }
}

/** One client: commands in, one reply line each, in order. */
export class KVProtocol extends LineReceiver {
  declare factory: KVFactory | null;
  #done: Promise<void> = Promise.resolve();

  /** Queue the command behind the ones before it. */
  override lineReceived(line: Uint8Array): void {
    const text = new TextDecoder().decode(line).trim();
    // Replies keep the commands' order even though the database answers later.
    this.#done = this.#done.then(() => this.#run(text));
  }

  async #run(text: string): Promise<void> {
    const store = this.factory!.store;
    const [command = "", key = "", ...rest] = text.split(/\s+/);
    try {
      switch (command.toUpperCase()) {
        case "SET":
          if (key === "" || rest.length === 0) return this.sendLine("ERR usage: SET key value");
          await store.set(key, rest.join(" "));
          return this.sendLine("OK");
        case "GET": {
          const value = await store.get(key);
          return this.sendLine(value === null ? "NOTFOUND" : `VALUE ${value}`);
        }
        case "DEL":
          return this.sendLine(`DELETED ${await store.del(key)}`);
        case "INCR":
          return this.sendLine(`INTEGER ${await store.incr(key)}`);
        case "KEYS":
          return this.sendLine(["KEYS", ...(await store.keys())].join(" "));
        case "QUIT":
          return this.transport!.loseConnection();
        default:
          return this.sendLine(
            `ERR unknown command ${JSON.stringify(command)}; try SET, GET, DEL, INCR, KEYS, QUIT`,
          );
      }
    } catch (e) {
      this.sendLine(`ERR ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Builds a `KVProtocol` per connection, all sharing one store. */
export class KVFactory extends Factory {
  override protocol = KVProtocol;
  readonly store: KVStore;

  /** A factory whose connections share `store`. */
  constructor(store: KVStore) {
    super();
    this.store = store;
  }
}

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

if (import.meta.main) {
  const args = (globalThis as { Deno?: { args: string[]; }; }).Deno?.args
    ?? (globalThis as { process?: { argv: string[]; }; }).process?.argv.slice(2) ?? [];
  const port = Number(option(args, "port") ?? 8010);
  const conninfo = option(args, "postgres");
  const path = option(args, "sqlite") ?? ".tmp/kv.db";
  const pool: ConnectionPool<unknown> = conninfo !== undefined
    ? new ConnectionPool(postgres, { conninfo }, { name: "kv", reconnect: true }) as ConnectionPool<
      unknown
    >
    : new ConnectionPool(sqlite, { path }, { name: "kv" }) as ConnectionPool<unknown>;
  if (conninfo === undefined) mkdirSync(dirname(path), { recursive: true });
  const store = new KVStore(pool, conninfo !== undefined);
  reactor.callWhenRunning(async () => {
    try {
      await store.setup();
    } catch (e) {
      console.error(`kv server: cannot set up the database: ${e instanceof Error ? e.message : e}`);
      reactor.stop();
      return;
    }
    const listening = reactor.listenTCP(port, new KVFactory(store), { interface: "127.0.0.1" });
    const where = conninfo !== undefined ? "postgres" : `sqlite ${path}`;
    console.error(`kv server on 127.0.0.1:${listening.getHost().port} (${where})`);
  });
  // The pool closes its connections before shutdown ends (a "before" trigger).
  reactor.addSystemEventTrigger("after", "shutdown", () => console.error("kv server stopped"));
  await reactor.run();
}
