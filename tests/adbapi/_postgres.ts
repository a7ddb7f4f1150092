/**
 * The PostgreSQL server the adbapi tests run against: the one
 * `scripts/postgres.sh` runs (started by `scripts/check.sh` before the
 * suites, or here, by the first test file that needs it, and then stopped by
 * that file). `SKEIN_PG_CONNINFO` names another server instead.
 *
 * Without a server: under CI (`CI=true`) the tests that need it FAIL, saying
 * what is missing; elsewhere they skip with that message.
 */

import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(root, "scripts", "postgres.sh");

/** The server to use, or why there is none. */
export interface PostgresServer {
  /** The libpq conninfo, or `null` when there is no server. */
  readonly conninfo: string | null;
  /** Why there is no server (for the skip or failure message). */
  readonly missing: string;
  /** Whether this process started it (and so must stop it). */
  readonly startedHere: boolean;
}

/** Whether tests must not skip (CI). */
export const UNDER_CI: boolean = process.env.CI === "true" || process.env.CI === "1";

function run(...args: string[]): { code: number; out: string; err: string; } {
  const r = spawnSync("bash", [script, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status ?? -1, out: (r.stdout ?? "").trim(), err: (r.stderr ?? "").trim() };
}

/** Find or start the server (see the module docs). */
export function postgresServer(): PostgresServer {
  const given = process.env.SKEIN_PG_CONNINFO;
  if (given) return { conninfo: given, missing: "", startedHere: false };
  const wasRunning = run("status").code === 0;
  const started = run("start");
  if (started.code !== 0) {
    return {
      conninfo: null,
      missing: `no PostgreSQL server for the adbapi tests (scripts/postgres.sh start: ${
        started.err || `exit ${started.code}`
      }); install Debian's postgresql and libpq5 (scripts/setup.sh does as root)`,
      startedHere: false,
    };
  }
  return { conninfo: started.out.split("\n").pop()!, missing: "", startedHere: !wasRunning };
}

/** Stop the server if `server` says this process started it. */
export function releasePostgres(server: PostgresServer): void {
  if (server.startedHere) run("stop");
}

/** Restart the server (fast shutdown: every connection is cut), same port. */
export function restartPostgres(): void {
  const r = run("restart");
  if (r.code !== 0) {
    throw new Error(
      `scripts/postgres.sh restart failed (${r.err}): the reconnect test restarts the server that script runs; `
        + "unset SKEIN_PG_CONNINFO if it names another one",
    );
  }
}

/**
 * The `skip` option for a test that needs the server: `false` when there is
 * one; the reason when there is none outside CI; under CI `false` too, so the
 * test runs and fails on {@linkcode requireConninfo}.
 */
export function skipWithout(server: PostgresServer): string | false {
  if (server.conninfo !== null || UNDER_CI) return false;
  return server.missing;
}

/** The conninfo, or a failure that says what is missing (for CI). */
export function requireConninfo(server: PostgresServer): string {
  if (server.conninfo === null) throw new Error(server.missing);
  return server.conninfo;
}
