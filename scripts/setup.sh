#!/usr/bin/env bash
# Installs what the checks and tests need: the pinned npm toolchain (deno, bun,
# dprint, typescript) from the lock file, and the system peers the interop tests
# talk to (nc, python3). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
need=()
command -v nc >/dev/null 2>&1 || need+=(netcat-openbsd)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The adbapi tests' PostgreSQL server and client library (scripts/postgres.sh).
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
ldconfig -p 2>/dev/null | grep -q "libpq\.so\.5 " || need+=(libpq5)
# TLS peers (openssl s_server/s_client, curl, Python Twisted with pyOpenSSL)
# and the manhole's telnet clients.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v telnet >/dev/null 2>&1 || need+=(telnet)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
/usr/bin/python3 -c "import twisted, OpenSSL, service_identity" >/dev/null 2>&1 ||
  need+=(python3-twisted python3-openssl python3-service-identity)
if [ "${#need[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null
fi
