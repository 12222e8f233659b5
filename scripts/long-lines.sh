#!/usr/bin/env bash
# Lists the TypeScript lines longer than the formatter's width (120), which Biome leaves as they are
# (long strings, comments, embedded Python): `path:line: N chars` in path order, then a count.
# Exits 1 when there is any, so it can serve as a check; give paths to look only at those
# (e.g. `scripts/long-lines.sh src/tracking/import`), and MAX=<n> for another width.
set -euo pipefail
cd "$(dirname "$0")/.."
max="${MAX:-120}"
if [ "$#" -gt 0 ]; then
  specs=()
  for p in "$@"; do
    case "$p" in
      *.ts) specs+=("$p") ;;
      *) specs+=("${p%/}/**/*.ts" "${p%/}/*.ts") ;;
    esac
  done
else
  specs=('src/**/*.ts' 'test/**/*.ts' 'bench/**/*.ts')
fi
# git grep: tracked files only (no node_modules, no build output); -I skips binaries
lines="$(git grep -InE ".{$((max + 1)),}" -- "${specs[@]}" || true)"
if [ -z "$lines" ]; then
  echo "no line over $max characters"
  exit 0
fi
# path:line:text -> path:line: N chars (characters, not bytes: awk in a UTF-8 locale)
printf '%s\n' "$lines" | LC_ALL=C.UTF-8 awk -F: '{
  text = $0; sub(/^[^:]*:[^:]*:/, "", text)
  printf "%s:%s: %d chars\n", $1, $2, length(text)
}'
echo "$(printf '%s\n' "$lines" | wc -l) lines over $max characters"
exit 1
