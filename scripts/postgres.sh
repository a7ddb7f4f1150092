#!/usr/bin/env bash
# A private PostgreSQL server for the adbapi tests and bench: its own data
# directory under .tmp/postgres, a free loopback port, trust authentication for
# the user "skein", stopped by `stop`. Debian's `postgresql` package provides
# initdb/pg_ctl (scripts/setup.sh installs it when run as root).
#
#   scripts/postgres.sh start     # idempotent; prints the libpq conninfo
#   scripts/postgres.sh stop      # idempotent
#   scripts/postgres.sh restart   # fast restart, same port (the reconnect test uses it)
#   scripts/postgres.sh status    # exit 0 when running
#   scripts/postgres.sh conninfo  # the conninfo of the running server
#
# As root the server runs as the `postgres` system user (initdb refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR="$ROOT/.tmp/postgres"
# As root the server runs as `postgres`, which must reach its directory: when
# the checkout is not open to it (under /root, say), use one under /tmp.
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  DIR="${TMPDIR:-/tmp}/skein-postgres-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
fi
DATA="$DIR/data"
SOCK="$DIR/sock"
LOG="$DIR/server.log"
INFO="$DIR/conninfo"

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
  return 1
}

BIN=$(bindir) || {
  echo "postgres.sh: no PostgreSQL server found; install Debian's postgresql (scripts/setup.sh does as root)" >&2
  exit 2
}

as_owner() {
  # From /, as the checkout may be closed to `postgres` (every path here is absolute).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

running() {
  [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  if running; then cat "$INFO"; return 0; fi
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U skein --auth=trust --encoding=UTF8 --no-sync >"$DIR/initdb.log" 2>&1 || {
      cat "$DIR/initdb.log" >&2
      exit 1
    }
  fi
  local port
  port=$(free_port)
  as_owner mkdir -p "$SOCK"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-p $port -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null || {
    tail -20 "$LOG" >&2
    exit 1
  }
  echo "host=127.0.0.1 port=$port user=skein dbname=postgres connect_timeout=10" >"$INFO"
  cat "$INFO"
}

stop() {
  if running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
  rm -f "$INFO"
}

restart() {
  running || { echo "postgres.sh: not running; use start" >&2; exit 1; }
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -m fast -w -t 60 restart >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) running ;;
  conninfo) running && cat "$INFO" ;;
  *)
    echo "usage: scripts/postgres.sh start|stop|restart|status|conninfo" >&2
    exit 2
    ;;
esac
