/**
 * The drivers Skein ships, as {@linkcode DriverSpec}s to hand to a
 * `ConnectionPool`: `sqlite` (embedded, `node:sqlite`) and `postgres`
 * (libpq through FFI).
 *
 * @module
 */

import { defineDriver, type DriverSpec } from "./driver.ts";
import type { PostgresOptions } from "./postgres.ts";
import type { SqliteOptions } from "./sqlite.ts";

/**
 * The SQLite driver (`adbapi/sqlite.ts`): `node:sqlite` on Deno and Bun,
 * a file (WAL mode) or `":memory:"` (one database per connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sqlite } from "@skein/skein/adbapi";
 * assert.equal(sqlite.name, "sqlite");
 * assert.match(sqlite.module, /adbapi\/sqlite\.ts$/);
 * ```
 */
export const sqlite: DriverSpec<SqliteOptions> = defineDriver(
  new URL("./sqlite.ts", import.meta.url),
  "sqlite",
);

/**
 * The PostgreSQL driver (`adbapi/postgres.ts`): libpq through FFI, blocking
 * in the pool's Workers as psycopg2 blocks in Twisted's pool threads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postgres } from "@skein/skein/adbapi";
 * assert.equal(postgres.name, "postgres");
 * ```
 */
export const postgres: DriverSpec<PostgresOptions> = defineDriver(
  new URL("./postgres.ts", import.meta.url),
  "postgres",
);
