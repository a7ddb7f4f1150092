#!/usr/bin/env bash
# The main demo: the echo server on Deno, then the echo clients on Bun and Deno
# talking to it, then one client asking several servers at once (one of them down).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" NO_COLOR=1

log=$(mktemp)
deno run -A examples/echo_server.ts 0 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "echo server on" "$log" && break; sleep 0.1; done
port=$(grep -o "'127.0.0.1', [0-9]*" "$log" | grep -o '[0-9]*$')
cat "$log"
echo
echo "# take 1 (Bun): collect until the connection closes"
bun examples/echo_client_1.ts "$port" "Hello from Bun"
echo "# take 2 (Deno): twistier"
deno run -A examples/echo_client_2.ts "$port" "Hello from Deno"
echo "# take 3 (Bun): a Deferred returned to the caller"
bun examples/echo_client_3.ts "$port" "Deferreds all the way down"
echo "# several servers with a DeferredList (port 1 is closed)"
deno run -A examples/echo_client_multi.ts "$port" 1 "$port"
kill -TERM "$server"
wait "$server" 2>/dev/null || true
echo "# the server stopped on SIGTERM"
