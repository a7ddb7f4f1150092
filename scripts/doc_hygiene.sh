#!/usr/bin/env bash
# Comment hygiene over the tracked TypeScript: every JSDoc opener is `/**` on a
# line of its own or a one-line `/** text */`, and no comment cites a document
# outside the repository or the circumstances of its writing. Prints each
# offending line; with --strict, exits 1 when there is one.
set -uo pipefail
cd "$(dirname "$0")/.."
strict=0
[ "${1:-}" = "--strict" ] && strict=1
openers=$(git grep -n -E '^\s*/\*\*\s*[^[:space:]*/]' -- '*.ts' | grep -v -F '*/' || true)
external=$(git grep -n -E '\.\./shared/|runtime\.md|twisted\.md|this session' -- '*.ts' '*.md' \
  ':!scripts/doc_hygiene.sh' || true)
n=0
if [ -n "$openers" ]; then
  echo "JSDoc openers with text that goes on (write \`/**\` on its own line, or one line \`/** text */\`):"
  echo "$openers" | sed 's/^/  /'
  n=$((n + $(echo "$openers" | wc -l)))
fi
if [ -n "$external" ]; then
  echo "References to documents outside the repository:"
  echo "$external" | sed 's/^/  /'
  n=$((n + $(echo "$external" | wc -l)))
fi
echo "comment hygiene: $n finding(s)$([ "$strict" = 1 ] && echo ", strict")"
[ "$strict" = 0 ] || [ "$n" = 0 ]
