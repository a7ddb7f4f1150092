#!/usr/bin/env bash
# Every check and the whole test suite, on Deno and on Bun. The README's test
# command and .ci/run both call this. Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export NO_COLOR=1

bash scripts/setup.sh || exit 1
mkdir -p .tmp
deno types > .tmp/deno.d.ts

failed=()
step() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}

SRC=$(git ls-files --cached --others --exclude-standard -- '*.ts' | grep -v -E '^node_modules/' || true)
ENTRIES=(mod.ts $(node -e 'const e=require("./deno.json").exports;console.log(Object.values(e).join(" "))'))

step "dprint check" dprint check
step "deno lint" deno lint
step "deno check (code, JSDoc examples, README)" deno check --doc $SRC README.md
step "tsc --noEmit" tsc -p tsconfig.json
step "deno doc --lint" deno doc --lint "${ENTRIES[@]}"
step "deno publish --dry-run" deno publish --dry-run --allow-dirty

echo "=== tests on Deno"
deno test -A --v8-flags=--expose-gc tests/ 2>&1 | tee .tmp/deno-test.log
deno_rc=${PIPESTATUS[0]}
# The reactor suites once more on Deno, parking through io_uring (opt-in
# there; where io_uring is missing the parker falls back by itself).
echo "=== reactor tests on Deno with SKEIN_PARKER=iouring"
SKEIN_PARKER=iouring deno test -A --v8-flags=--expose-gc tests/reactor/ 2>&1 | tee .tmp/deno-iouring-test.log
iou_rc=${PIPESTATUS[0]}
echo "=== tests on Bun"
bun test --timeout 30000 tests/ 2>&1 | tee .tmp/bun-test.log
bun_rc=${PIPESTATUS[0]}

# Deno reports node:test `it` blocks as steps: count them as tests.
read -r dp df < <(node scripts/summary.mjs deno .tmp/deno-test.log)
read -r ip if_ < <(node scripts/summary.mjs deno .tmp/deno-iouring-test.log)
read -r bp bf < <(node scripts/summary.mjs bun .tmp/bun-test.log)
echo
echo "Deno: $dp passed, $df failed (exit $deno_rc)"
echo "Deno, tests/reactor with SKEIN_PARKER=iouring: $ip passed, $if_ failed (exit $iou_rc)"
echo "Bun:  $bp passed, $bf failed (exit $bun_rc)"
[ "$deno_rc" -eq 0 ] || failed+=("deno test")
[ "$iou_rc" -eq 0 ] || failed+=("deno test (SKEIN_PARKER=iouring)")
[ "$bun_rc" -eq 0 ] || failed+=("bun test")
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED steps: ${failed[*]}"
  echo "tests: $((dp + ip + bp)) passed, $((df + if_ + bf + ${#failed[@]})) failed"
  exit 1
fi
echo "tests: $((dp + ip + bp)) passed, 0 failed"
