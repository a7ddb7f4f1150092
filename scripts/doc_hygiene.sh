#!/usr/bin/env bash
# Comment hygiene over the tracked TypeScript: every JSDoc opener is `/**` on a
# line of its own or a one-line `/** text */`, and no comment cites a document
# outside the repository or the circumstances of its writing. Prints each
# offending line. A malformed opener fails (exit 1); a reference outside the
# repository fails with --strict (two bench scripts still read a harness that
# lives outside it).
set -uo pipefail
cd "$(dirname "$0")/.."
strict=0
[ "${1:-}" = "--strict" ] && strict=1
openers=$(git grep -n -E '^\s*/\*\*\s*[^[:space:]*/]' -- '*.ts' | grep -v -F '*/' || true)
external=$(git grep -n -E '\.\./shared/|runtime\.md|twisted\.md|this session' -- '*.ts' '*.md' \
  ':!scripts/doc_hygiene.sh' || true)
n=0
bad_openers=0
if [ -n "$openers" ]; then
  echo "JSDoc openers with text that goes on (write \`/**\` on its own line, or one line \`/** text */\`):"
  echo "$openers" | sed 's/^/  /'
  bad_openers=$(echo "$openers" | wc -l)
  n=$((n + bad_openers))
fi
if [ -n "$external" ]; then
  echo "References to documents outside the repository:"
  echo "$external" | sed 's/^/  /'
  n=$((n + $(echo "$external" | wc -l)))
fi
echo "comment hygiene: $n finding(s)$([ "$strict" = 1 ] && echo ", strict")"
[ "$bad_openers" = 0 ] && { [ "$strict" = 0 ] || [ "$n" = 0 ]; }
