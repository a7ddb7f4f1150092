#!/usr/bin/env bash
# The main demo: the echo app (examples/app.ts) under the skein runner on Deno,
# as twistd would run it, then the echo clients on Bun and Deno talking to it,
# then one client asking several servers at once (one of them down), then a
# SIGTERM that stops the app's services in reverse order.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" NO_COLOR=1

log=$(mktemp)
echo "# skein run examples/app.ts (foreground, text log)"
deno run -A cli/main.ts run --log-format text examples/app.ts --port 0 >"$log" 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "echo listening on" "$log" && break; sleep 0.1; done
port=$(grep -o "echo listening on 127.0.0.1:[0-9]*" "$log" | head -1 | grep -o '[0-9]*$')
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
echo
echo "# SIGTERM: the runner stops the services in reverse order, then exits by that signal"
before=$(wc -l <"$log")
kill -TERM "$app"
wait "$app" 2>/dev/null || true
tail -n +"$((before + 1))" "$log"
