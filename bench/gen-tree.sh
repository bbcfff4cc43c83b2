#!/usr/bin/env bash
# Generate a deterministic web-root-like tree of small files.
#   bench/gen-tree.sh DIR [--files N] [--dirs D] [--seed S] [--quiet]
# Defaults: 100,000 files, files/50 leaf dirs (2,000 for 100k, 20,000 for 1M),
# seed 1. DIR must not exist or be empty. See bench/lib/gen_tree.py for the
# layout and size distribution.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
fi
exec python3 "$here/lib/gen_tree.py" "$@"
