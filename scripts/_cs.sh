#!/usr/bin/env bash
# Every check and the whole test suite, on Deno and on Bun. The README's test
# command and .ci/run both call this. Exit status is non-zero on any failure.
# It checks the files git tracks (a stray file in a checkout is not checked,
# and not published: deno.json's publish.include is an allowlist).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export NO_COLOR=1

bash scripts/setup.sh || exit 1
mkdir -p .tmp/steps
deno types > .tmp/deno.d.ts

failed=()
step() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}
# Independent steps run at once: pstep starts one in the background, pwait
# waits for all started so far and prints each one's output in order.
pnames=(); ppids=()
pstep() {
  local i=${#pnames[@]}
  pnames+=("$1"); shift
  "$@" > ".tmp/steps/$i.log" 2>&1 &
  ppids+=($!)
}
pwait() {
  local i
  for i in "${!pnames[@]}"; do
    echo "=== ${pnames[$i]}"
    if wait "${ppids[$i]}"; then ok=1; else ok=0; fi
    cat ".tmp/steps/$i.log"
    if [ "$ok" = 1 ]; then echo "--- ${pnames[$i]}: ok"; else echo "--- ${pnames[$i]}: FAILED"; failed+=("${pnames[$i]}"); fi
  done
  pnames=(); ppids=()
}

# Tracked files only. PUB: the published TypeScript (publish.include).
mapfile -t SRC < <(git ls-files -- '*.ts')
mapfile -t TESTS < <(git ls-files -- 'tests/*_test.ts' | sed 's|^|./|')
mapfile -t REACTOR_TESTS < <(printf '%s\n' "${TESTS[@]}" | grep '^\./tests/reactor/')
mapfile -t FMT < <(git ls-files -- '*.ts' '*.json' '*.md' | grep -v -E -- '-lock\.json$')
mapfile -t INCLUDE < <(node -e 'console.log(require("./deno.json").publish.include.join("\n"))')
mapfile -t PUB < <(git ls-files -- "${INCLUDE[@]}" | grep -E '\.ts$')
# deno test --doc also loads each file it is given as a test module: give it
# only the files with examples (a Worker's entry module must not run here).
mapfile -t DOCUMENTED < <(grep -l -F '```' "${PUB[@]}")
ENTRIES=(mod.ts $(node -e 'const e=require("./deno.json").exports;console.log(Object.values(e).join(" "))'))
untracked=$(git ls-files --others --exclude-standard -- "${INCLUDE[@]}")
[ -z "$untracked" ] || echo "note: untracked files in published folders are not checked (and would be published by a publish from this checkout): $untracked"
# tsc on the tracked published files (tsconfig.json's include globs would also take untracked ones).
node -e '
  const files = ["deno.d.ts", ...process.argv.slice(1).map((f) => "../" + f)];
  require("fs").writeFileSync(".tmp/tsconfig.tracked.json",
    JSON.stringify({ extends: "../tsconfig.json", include: [], files }, null, 2));
' "${PUB[@]}"
# A `ts ignore` or console.assert doc block fails the Bun doc step (none
# remain). Comment hygiene (scripts/doc_hygiene.sh) lists what it finds and is
# not yet strict.
DOC_STRICT=(--strict)
HYGIENE_STRICT=()

pstep "dprint check" dprint check "${FMT[@]}"
pstep "deno lint" deno lint "${SRC[@]}"
pstep "deno check (code, JSDoc examples, README)" deno check --doc "${SRC[@]}" README.md
pstep "tsc --noEmit" tsc -p .tmp/tsconfig.tracked.json
pstep "deno doc --lint" deno doc --lint "${ENTRIES[@]}"
pstep "deno publish --dry-run" deno publish --dry-run --allow-dirty
pstep "layout (exports, publish.include, tsconfig agree)" node scripts/layout_check.mjs
pstep "comment hygiene (JSDoc openers, no outside references)" bash scripts/doc_hygiene.sh "${HYGIENE_STRICT[@]}"
pwait

# The documentation examples run (not only type-check): JSDoc ones under
# `deno test --doc`; all of them, README's too, on Bun; README's on Deno as
# plain modules (deno test --doc would also run the server that never stops).
doc_bun() {
  bun scripts/doc_examples.ts --runtime=bun "${DOC_STRICT[@]}" \
    && bun scripts/doc_examples.ts --runtime=deno README.md
}
pstep "doc examples on Deno (deno test --doc)" env DENO_JOBS=2 deno test -A --doc --parallel "${DOCUMENTED[@]}"
pstep "doc examples on Bun (JSDoc, README) and README's on Deno" doc_bun
pwait

echo "FAILED: ${failed[*]}"
