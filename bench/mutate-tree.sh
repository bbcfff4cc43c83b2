#!/usr/bin/env bash
# Deterministically modify, add and delete files spread over a tree.
#   bench/mutate-tree.sh DIR --changes C [--seed S] [--list FILE] [--quiet]
# --changes 300 modifies 100, adds 100 and deletes 100 files (scaled
# proportionally for other values). Same tree + same seed -> same mutation.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
exec python3 "$here/lib/mutate_tree.py" "$@"
