#!/usr/bin/env bash
# A/B of two (or more) jsync installs on scenario (a), the delta of a 1 GiB file over SSH to a loopback
# sshd, alternated so that the machine's drifts hit every build alike:
#   bench/ab-delta.sh [--rounds N] [--sshcmd] PREFIX_A PREFIX_B [...]
# Each PREFIX is an install (./install.sh PREFIX). Every build gets its own replica pair, kept across runs
# and synced once, then changed once, first (not timed); each timed run then flips the source between the two versions of the
# file (bench-ssh.sh's big-1073741824-s1.bin and its .mut.bin), so every run is the same delta against a
# stored signature, with no replica deleted in between (deleting 1 GiB, then writing 1 GiB, costs this
# kind of VM seconds of page faults; docs/benchmarks.md).
# Prints per run: build, wall s, client user/sys s, server wall/user/sys s; then the medians.
# --sshcmd: through the system's ssh client (sshcmd = ssh) instead of the built-in one.
# Scratch: $BENCH_DIR (default bench/out/); the data is made there as bench-ssh.sh makes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=8 sshcmd=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --sshcmd) sshcmd=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -ge 2 ]] || { echo "usage: $0 [--rounds N] [--sshcmd] PREFIX_A PREFIX_B [...]" >&2; exit 2; }
builds=("$@")
for b in "${builds[@]}"; do
  [[ -x $b/bin/jsync ]] || { echo "$0: no jsync install at $b (./install.sh $b)" >&2; exit 2; }
done

out=${BENCH_DIR:-$here/out}
data=$out/data
big=$data/big-1073741824-s1.bin
mut=$data/big-1073741824-s1.mut.bin
mkdir -p "$data"
if [[ ! -f $big.done ]]; then
  python3 "$here/lib/big_file.py" gen "$big" --size 1073741824 --seed 1
  python3 "$here/lib/big_file.py" mutate "$big" "$mut" --changes 100 --change-bytes 100 \
    --insert $((1 << 20)) --seed 1
  touch "$big.done"
fi

# shellcheck source=lib/ab-rig.sh
source "$here/lib/ab-rig.sh"
ab_rig_start ab-delta
# run I: one sync of build I; prints "wall user sys | server wall user sys"
run() { ab_run "$1" "$work/b$1/src"; }
flip() {
  local s=$work/b$1/src/big.bin next=$big
  mkdir -p "$work/b$1/src"
  [[ -e $s && $s -ef $big ]] && next=$mut
  ln -f "$next" "$s.new" && mv "$s.new" "$s" && touch "$s"
}

for i in "${!builds[@]}"; do
  for warm in 1 2; do      # the first sync, and one delta (its writes fault in fresh pages), not timed
    flip "$i"
    run "$i" >/dev/null
  done
done
sleep 5
declare -A walls
for ((r = 1; r <= rounds; r++)); do
  for i in "${!builds[@]}"; do
    flip "$i"; sync; sleep 2
    t=$(run "$i")
    echo "round $r  ${builds[$i]}  $t"
    walls[$i]+="${t%% *} "
  done
done
for i in "${!builds[@]}"; do
  # shellcheck disable=SC2086
  echo "median ${builds[$i]}: $(printf '%s\n' ${walls[$i]} | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}') s"
done
