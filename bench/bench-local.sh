#!/usr/bin/env bash
# Local side-by-side benchmark: jsync vs unison vs rsync on the same generated data.
#   bench/bench-local.sh [--files N] [--dirs D] [--tools jsync,unison,rsync]
#                        [--reps R] [--changes C] [--seed S]
#                        [--verify none|list|full] [--keep]
# Scenarios per tool, each tool on its own fresh copy of the data:
#   (a) initial sync from a populated replica into an empty one (R times, fresh target)
#   (b) re-sync with nothing changed (R times)
#   (c) re-sync after bench/mutate-tree.sh --changes C on the source replica (R times)
# Each run is measured with /usr/bin/time -v (wall, user+sys CPU, peak RSS);
# the table shows medians. Scratch dir: $BENCH_DIR (default bench/out/).
# Binaries: $JSYNC (default jsync), $UNISON_BIN (unison), $RSYNC_BIN (rsync);
# a tool whose binary is missing is skipped with a note. Commands: unison and
# jsync with -batch -silent, rsync with -a --delete, otherwise tool defaults.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

files=100000 dirs="" tools="jsync,unison,rsync" reps=3 changes=300 seed=1
verify=list keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --files) files=${2:?"$1 needs a value"}; shift 2 ;;
    --dirs) dirs=${2:?"$1 needs a value"}; shift 2 ;;
    --tools) tools=${2:?"$1 needs a value"}; shift 2 ;;
    --reps) reps=${2:?"$1 needs a value"}; shift 2 ;;
    --changes) changes=${2:?"$1 needs a value"}; shift 2 ;;
    --seed) seed=${2:?"$1 needs a value"}; shift 2 ;;
    --verify) verify=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench-local: unknown argument: $1" >&2; usage ;;
  esac
done
for v in files reps changes seed; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench-local: --$v must be a number" >&2; exit 2; }
done
[[ $reps -ge 1 ]] || { echo "bench-local: --reps must be >= 1" >&2; exit 2; }
[[ -z $dirs || $dirs =~ ^[1-9][0-9]*$ ]] || { echo "bench-local: --dirs must be >= 1" >&2; exit 2; }
[[ -z $dirs ]] && dirs=$(( files / 50 > 0 ? files / 50 : 1 ))
case $verify in none|list|full) ;; *) echo "bench-local: bad --verify" >&2; exit 2 ;; esac

JSYNC=${JSYNC:-jsync}
UNISON_BIN=${UNISON_BIN:-unison}
RSYNC_BIN=${RSYNC_BIN:-rsync}
TIME_BIN=/usr/bin/time
[[ -x $TIME_BIN ]] || { echo "bench-local: GNU time not found at $TIME_BIN" >&2; exit 2; }

BENCH_DIR=${BENCH_DIR:-$here/out}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

echo "== free disk space in $BENCH_DIR"
df -h "$BENCH_DIR"
echo

stamp=$(date +%Y-%m-%dT%H%M%S)
tsv=$BENCH_DIR/results-$stamp.tsv
logdir=$BENCH_DIR/logs-$stamp
report=$BENCH_DIR/report-$stamp.md
mkdir -p "$logdir"
# Everything printed from here on also goes to the run log.
exec > >(tee "$logdir/run.log") 2>&1

# ---------------------------------------------------------------- tools
bin_of() {
  case $1 in
    jsync) echo "$JSYNC" ;;
    unison) echo "$UNISON_BIN" ;;
    rsync) echo "$RSYNC_BIN" ;;
    *) return 1 ;;
  esac
}
run_tools=()
IFS=, read -r -a want <<<"$tools"
for t in "${want[@]}"; do
  b=$(bin_of "$t") || { echo "bench-local: unknown tool '$t'" >&2; exit 2; }
  if command -v "$b" >/dev/null 2>&1; then
    run_tools+=("$t")
  else
    echo "NOTE: skipping $t: binary '$b' not found (set \$$( [[ $t == jsync ]] && echo JSYNC || echo "${t^^}_BIN"))"
  fi
done
[[ ${#run_tools[@]} -gt 0 ]] || { echo "bench-local: no tool to run" >&2; exit 1; }

version_of() {
  case $1 in
    jsync) "$JSYNC" -version 2>&1 | head -1 || true ;;
    unison) "$UNISON_BIN" -version 2>&1 | head -1 || true ;;
    rsync) "$RSYNC_BIN" --version 2>&1 | head -1 || true ;;
  esac
}

# "none" for a journal-less ext4 (see the note on recently deleted inodes in
# docs/benchmarks.md), the journal thread otherwise, "n/a" if not ext4.
ext4_journal() {
  local dev
  dev=$(findmnt -n -o SOURCE -T "$1" 2>/dev/null || true)
  if [[ -n $dev && -r /sys/fs/ext4/${dev##*/}/journal_task ]]; then
    cat "/sys/fs/ext4/${dev##*/}/journal_task"
  else
    echo n/a
  fi
}

# ---------------------------------------------------------------- machine info
{
  echo "# bench-local $stamp"
  echo
  echo "## Machine"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- kernel: $(uname -srmv)"
  echo "- cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), nproc=$(nproc)"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  fstype=$(stat -f -c %T "$BENCH_DIR")
  mnt=$(findmnt -n -o FSTYPE,OPTIONS -T "$BENCH_DIR" 2>/dev/null || true)
  echo "- scratch: $BENCH_DIR (stat -f: $fstype${mnt:+; findmnt: $mnt})"
  echo "- ext4 journal: $(ext4_journal "$BENCH_DIR")"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- python3: $(python3 --version 2>&1)"
  for t in "${run_tools[@]}"; do echo "- $t: $(command -v "$(bin_of "$t")") — $(version_of "$t")"; done
  if [[ " ${run_tools[*]} " == *" jsync "* ]] && command -v java >/dev/null 2>&1; then
    echo "- java: $(java -version 2>&1 | head -1)"
  fi
  echo
  echo "## Parameters"
  echo "- files=$files dirs=$dirs seed=$seed reps=$reps changes=$changes verify=$verify"
  echo "- tools: ${run_tools[*]} (each with its defaults apart from the flags shown; logging left at defaults)"
  echo
} | tee "$report"

# ---------------------------------------------------------------- data
data=$BENCH_DIR/data/tree-f$files-d$dirs-s$seed
est_kib=$(( files * 6 ))           # ~5.4 KiB on disk per file incl. dirs (ext4, 4 KiB blocks)
if [[ -f $data.done ]]; then est_kib=$(du -sk "$data" | cut -f1); fi
# master + per tool: source copy + one target per rep (kept until exit)
need_kib=$(( est_kib * (1 + ${#run_tools[@]} * (1 + reps)) ))
avail_kib=$(df -Pk "$BENCH_DIR" | awk 'NR==2 {print $4}')
if (( avail_kib < need_kib )); then
  echo "bench-local: need about $((need_kib / 1024)) MiB free in $BENCH_DIR, have $((avail_kib / 1024)) MiB" >&2
  exit 1
fi
if [[ ! -f $data.done ]]; then
  rm -rf -- "${data:?}"
  mkdir -p "$BENCH_DIR/data"
  cmd=("$here/gen-tree.sh" "$data" --files "$files" --dirs "$dirs" --seed "$seed")
  echo "+ $(printf '%q ' "${cmd[@]}")"
  "${cmd[@]}"
  touch "$data.done"
else
  echo "reusing generated tree $data"
fi
echo "data: $(find "$data" -type f | wc -l) files, $(find "$data" -type d | wc -l) dirs," \
     "$(du -s --apparent-size -BM "$data" | cut -f1) apparent, $(du -s -BM "$data" | cut -f1) on disk"
echo

# ---------------------------------------------------------------- scratch
# On ext4 without a journal, creating files costs several times more sys time
# (the inode allocator skips, via recently_deleted(), inodes freed less than
# 60 s ago, or 6 min ago when their inode-table block is dirty again -- which
# creating files next to them makes it). So nothing is deleted while measuring:
# old targets are renamed into $run/trash and removed at exit, and on such a
# filesystem a run waits until BENCH_SETTLE_SECONDS (default 370) have passed
# since the previous run's cleanup.
settle=0
[[ $(ext4_journal "$BENCH_DIR") == *none* ]] && settle=${BENCH_SETTLE_SECONDS:-370}
last_cleanup=$BENCH_DIR/.last-cleanup
if [[ -f $last_cleanup && $settle -gt 0 ]]; then
  since=$(( $(date +%s) - $(cat "$last_cleanup") ))
  if (( since >= 0 && since < settle )); then
    echo "waiting $((settle - since)) s: the previous run deleted its scratch trees $since s ago" \
         "(journal-less ext4, see docs/benchmarks.md; BENCH_SETTLE_SECONDS=0 to skip)"
    sleep $((settle - since))
  fi
fi
run=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
mkdir -p "$run/trash"
cleanup() {
  if [[ $keep -eq 0 && -n ${run:-} && -d $run ]]; then
    rm -rf -- "$run"
    sync
    date +%s >"$last_cleanup"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf 'stamp\tfiles\tdirs\tchanges\ttool\tscenario\trep\twall_s\ttime_wall_s\tuser_s\tsys_s\tcpu_s\tmaxrss_kib\tfs_in_blocks\tfs_out_blocks\tload1\trc\tverify\tcommand\n' >"$tsv"

# Sets ENVV (array of NAME=VALUE) and CMD (array) for tool $1 syncing $2 -> $3.
set_cmd() {
  local tool=$1 src=$2 dst=$3 w=$4
  case $tool in
    unison)
      ENVV=("HOME=$w/home" "UNISON=$w/state/unison")
      CMD=("$UNISON_BIN" -batch -silent "$src" "$dst") ;;
    rsync)
      # --delete: without it the 1/3 deletions of scenario (c) would not be
      # propagated and rsync would not end with the same tree as the others.
      ENVV=("HOME=$w/home")
      CMD=("$RSYNC_BIN" -a --delete "$src/" "$dst/") ;;
    jsync)
      ENVV=("HOME=$w/home" "JSYNC_HOME=$w/state/jsync")
      CMD=("$JSYNC" -batch -silent "$src" "$dst") ;;
  esac
}

# Post-run check that both replicas hold the same paths with the same sizes.
check_trees() {
  local src=$1 dst=$2
  case $verify in
    none) echo skipped; return ;;
    full) if diff -rq --no-dereference "$src" "$dst" >/dev/null 2>&1; then echo ok; else echo DIFF; fi; return ;;
  esac
  if cmp -s <(cd "$src" && find . -printf '%y %P %s\n' | grep -v '^d' | LC_ALL=C sort; \
                cd "$src" && find . -mindepth 1 -type d -printf '%P\n' | LC_ALL=C sort) \
            <(cd "$dst" && find . -printf '%y %P %s\n' | grep -v '^d' | LC_ALL=C sort; \
                cd "$dst" && find . -mindepth 1 -type d -printf '%P\n' | LC_ALL=C sort); then
    echo ok
  else
    echo DIFF
  fi
}

# h:mm:ss.cc or m:ss.cc -> seconds
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$1"; }

measure() {  # tool scenario rep src dst w
  local tool=$1 scen=$2 rep=$3 src=$4 dst=$5 w=$6
  set_cmd "$tool" "$src" "$dst" "$w"
  local base=$logdir/$tool-$scen-$rep
  # Warm the metadata cache and flush dirty pages of earlier steps so that
  # background writeback does not land inside the measurement.
  find "$src" -type f | wc -l >/dev/null
  find "$dst" -type f | wc -l >/dev/null
  sync
  echo "+ $(printf '%q ' env "${ENVV[@]}" "${CMD[@]}")"
  local t0 t1 rc load1
  load1=$(cut -d' ' -f1 /proc/loadavg)   # contention from other processes
  t0=$(date +%s%N)
  set +e
  env "${ENVV[@]}" "$TIME_BIN" -v -o "$base.time" "${CMD[@]}" >"$base.out" 2>&1
  rc=$?
  set -e
  t1=$(date +%s%N)
  local wall twall user sys rss ok
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  twall=$(to_seconds "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $NF}' "$base.time")")
  user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$base.time")
  sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$base.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
  # 512-byte blocks read/written through the filesystem: reads > 0 mean the
  # page cache was not fully warm (e.g. reclaimed by DAMON on this VM).
  local fsin fsout
  fsin=$(awk -F': ' '/File system inputs/ {print $2}' "$base.time")
  fsout=$(awk -F': ' '/File system outputs/ {print $2}' "$base.time")
  ok=$(check_trees "$src" "$dst")
  local cpu
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '  %-7s %-9s rep %d: wall %6.3f s  cpu %6.2f s  rss %7.1f MiB  rc %d  check %s  (load %s, fs in %s)\n' \
    "$tool" "$scen" "$rep" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$rc" "$ok" "$load1" "$fsin"
  if [[ $rc -ne 0 || $ok == DIFF ]]; then
    echo "  WARNING: $tool $scen rep $rep: exit $rc, check $ok; output in $base.out"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$stamp" "$files" "$dirs" "$changes" "$tool" "$scen" "$rep" "$wall" "$twall" \
    "$user" "$sys" "$cpu" "$rss" "$fsin" "$fsout" "$load1" "$rc" "$ok" "$(printf '%q ' env "${ENVV[@]}" "${CMD[@]}")" >>"$tsv"
}

# ---------------------------------------------------------------- runs
for tool in "${run_tools[@]}"; do
  w=$run/$tool
  src=$w/src dst=$w/dst
  echo "== $tool"
  mkdir -p "$w"
  echo "+ cp -a $(printf '%q' "$data") $(printf '%q' "$src")   (fresh copy, not measured)"
  cp -a "$data" "$src"

  for ((r = 1; r <= reps; r++)); do
    if [[ -d $dst ]]; then   # deferred deletion, see "scratch" above
      mkdir -p "$run/trash/$tool-$r"
      mv -- "$dst" "$w/state" "$w/home" "$run/trash/$tool-$r/"
    fi
    mkdir -p "$dst" "$w/state" "$w/home"
    measure "$tool" initial "$r" "$src" "$dst" "$w"
  done
  for ((r = 1; r <= reps; r++)); do
    measure "$tool" nochange "$r" "$src" "$dst" "$w"
  done
  for ((r = 1; r <= reps; r++)); do
    mcmd=("$here/mutate-tree.sh" "$src" --changes "$changes" --seed "$((seed * 1000 + r))" --quiet)
    echo "+ $(printf '%q ' "${mcmd[@]}")  (not measured)"
    "${mcmd[@]}"
    measure "$tool" changes "$r" "$src" "$dst" "$w"
  done
  echo
done

{
  echo "## Results"
  echo
  python3 "$here/lib/report.py" "$tsv" --tools "$(IFS=,; echo "${want[*]}")"
  echo
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- raw results: $tsv"
  echo "- per-run logs (time -v output, tool output): $logdir"
} | tee -a "$report"
echo "report: $report"
if [[ $keep -eq 1 ]]; then echo "kept scratch replicas in $run"; fi
