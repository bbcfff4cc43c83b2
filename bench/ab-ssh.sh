#!/usr/bin/env bash
# A/B of two jsync installs on scenario (b), the first copy of 10,000 mixed files, or (c), the no-change
# re-sync of 100,000 small files, over SSH to a loopback sshd, in pairs:
#   bench/ab-ssh.sh [--rounds N] [--sshcmd] initial|nochange PREFIX_A PREFIX_B
# Each PREFIX is an install (./install.sh PREFIX). Every round runs both builds, A first in odd rounds and
# B first in even ones, so that neither the machine's drifts (this kind of VM has phases in which every
# run is 10-30% slower, docs/benchmarks.md) nor the order favours one build; each round's difference
# B - A is taken within the pair. Prints per run: round, build, wall s, client user/sys s, server
# wall/user/sys s; then per build the median wall and client CPU, and over the pairs the median
# difference and in how many rounds B was faster.
# initial: each run copies the tree into a fresh remote directory, deleted after the run (not timed), then
#   waits $SETTLE seconds (default 15) for the deletion's writes to drain.
# nochange: each build gets its own remote copy and archives, synced once first (not timed).
# --sshcmd: through the system's ssh client (sshcmd = ssh) instead of the built-in one.
# Scratch: $BENCH_DIR (default bench/out/); the data is made there as bench-ssh.sh makes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=6 sshcmd=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --sshcmd) sshcmd=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
usage="usage: $0 [--rounds N] [--sshcmd] initial|nochange PREFIX_A PREFIX_B"
[[ $# -eq 3 ]] || { echo "$usage" >&2; exit 2; }
scenario=$1
builds=("$2" "$3")
case $scenario in initial|nochange) ;; *) echo "$usage" >&2; exit 2 ;; esac
for b in "${builds[@]}"; do
  [[ -x $b/bin/jsync ]] || { echo "$0: no jsync install at $b (./install.sh $b)" >&2; exit 2; }
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$0: --rounds takes a positive number" >&2; exit 2; }

out=${BENCH_DIR:-$here/out}
data=$out/data
mkdir -p "$data"
if [[ $scenario == initial ]]; then
  src=$data/mixed-f10000-s1
  if [[ ! -f $src.done ]]; then
    rm -rf -- "${src:?}"
    python3 "$here/lib/gen_mixed.py" "$src" --files 10000 --seed 1
    touch "$src.done"
  fi
else
  src=$data/tree-f100000-d2000-s1
  if [[ ! -f $src.done ]]; then
    rm -rf -- "${src:?}"
    "$here/gen-tree.sh" "$src" --files 100000 --seed 1
    touch "$src.done"
  fi
fi

# shellcheck source=lib/ab-rig.sh
source "$here/lib/ab-rig.sh"
ab_rig_start ab-ssh
# run I: one sync of build I; prints "wall user sys | server wall user sys"
run() { ab_run "$1" "$src"; }
# Before a timed run: a first copy starts from nothing on either side; a no-change run from its own pair.
prepare() {
  local w=$work/b$1
  if [[ $scenario == initial ]]; then
    rm -rf "$w/dst" "$w/client-home" "$w/server-home"
    sync; sleep "${SETTLE:-15}"
  else
    sync; sleep 2
  fi
}

if [[ $scenario == nochange ]]; then
  for i in 0 1; do run "$i" >/dev/null; done   # the first sync of each pair, not timed
fi
declare -a wall cpu
diffs=()
faster=0
for ((r = 1; r <= rounds; r++)); do
  order=(0 1)
  ((r % 2 == 0)) && order=(1 0)
  declare -A this=()
  for i in "${order[@]}"; do
    prepare "$i"
    t=$(run "$i")
    echo "round $r  ${builds[$i]}  $t"
    read -r w u s _ <<<"$t"
    this[$i]=$w
    wall[$i]+="$w "
    cpu[$i]+="$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}') "
  done
  d=$(awk -v a="${this[0]}" -v b="${this[1]}" 'BEGIN {printf "%.3f", b - a}')
  diffs+=("$d")
  awk -v d="$d" 'BEGIN {exit !(d < 0)}' && faster=$((faster + 1))
  unset this
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for i in 0 1; do
  # shellcheck disable=SC2086
  echo "median ${builds[$i]}: wall $(median ${wall[$i]}) s, client CPU $(median ${cpu[$i]}) s"
done
echo "pairs: median B - A $(median "${diffs[@]}") s; B faster in $faster of $rounds rounds"
