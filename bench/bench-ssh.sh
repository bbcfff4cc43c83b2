#!/usr/bin/env bash
# Side-by-side benchmark over SSH: jsync vs unison vs rsync, pushing to a loopback sshd through a
# byte-counting relay.
#   bench/bench-ssh.sh [--quick] [--scenarios delta,initial,nochange] [--tools jsync,unison,rsync]
#                      (also: jsync-openssh = jsync -sshcmd ssh, the system's OpenSSH client as the pipe)
#                      [--reps R] [--seed S] [--verify none|list|full] [--no-breakdown] [--keep]
#                      [--delay-ms D]   (the relay delays every chunk D ms each way: a long link's round trip)
# Scenarios (each tool on its own fresh copies; medians over R reps, default 3):
#   delta     a 1 GiB incompressible file, synced once, then changed at 100 places plus a 1 MiB
#             insertion in the middle; the re-sync is measured
#   initial   ~1 GiB of mixed files (10,000 files up to 20 MiB) into an empty remote replica
#   nochange  100,000 small files (gen-tree.sh), synced once; the no-change re-sync is measured,
#             then (unless --no-breakdown) where jsync's time goes
# --quick: 100 MiB file, 1,000 mixed files, 10,000 small files (checks the script).
# Per run: wall, client CPU and peak RSS (GNU time -v), server CPU and peak RSS (the remote command runs
# under GNU time through a wrapper), bytes up/down through the relay. Scratch dir: $BENCH_DIR (default
# bench/out/). Binaries: $JSYNC (default bin/jsync of this checkout), $UNISON_BIN, $RSYNC_BIN.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

scenarios="delta,initial,nochange" tools="jsync,unison,rsync" reps=3 seed=1 verify=list keep=0 quick=0
delay_ms=0
breakdown=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1; shift ;;
    --scenarios) scenarios=${2:?"$1 needs a value"}; shift 2 ;;
    --tools) tools=${2:?"$1 needs a value"}; shift 2 ;;
    --reps) reps=${2:?"$1 needs a value"}; shift 2 ;;
    --seed) seed=${2:?"$1 needs a value"}; shift 2 ;;
    --verify) verify=${2:?"$1 needs a value"}; shift 2 ;;
    --no-breakdown) breakdown=0; shift ;;
    --keep) keep=1; shift ;;
    --delay-ms) delay_ms=${2:?"$1 needs a value"}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench-ssh: unknown argument: $1" >&2; usage ;;
  esac
done
for v in reps seed delay_ms; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench-ssh: --${v//_/-} must be a number" >&2; exit 2; }
done
[[ $reps -ge 1 ]] || { echo "bench-ssh: --reps must be >= 1" >&2; exit 2; }
case $verify in none|list|full) ;; *) echo "bench-ssh: bad --verify" >&2; exit 2 ;; esac
for s in ${scenarios//,/ }; do
  case $s in delta|initial|nochange) ;; *) echo "bench-ssh: unknown scenario '$s'" >&2; exit 2 ;; esac
done

if [[ $quick -eq 1 ]]; then
  big_bytes=$((100 << 20)) mixed_files=1000 small_files=10000
else
  big_bytes=$((1 << 30)) mixed_files=10000 small_files=100000
fi

JSYNC=${JSYNC:-$top/bin/jsync}
UNISON_BIN=${UNISON_BIN:-unison}
RSYNC_BIN=${RSYNC_BIN:-rsync}
TIME_BIN=/usr/bin/time
SSHD_BIN=/usr/sbin/sshd
for b in "$TIME_BIN" "$SSHD_BIN" "$(command -v ssh || true)" "$(command -v ssh-keygen || true)"; do
  [[ -n $b && -x $b ]] || { echo "bench-ssh: needs GNU time, sshd, ssh and ssh-keygen" >&2; exit 2; }
done

BENCH_DIR=${BENCH_DIR:-$here/out}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

stamp=$(date +%Y-%m-%dT%H%M%S)
tsv=$BENCH_DIR/ssh-results-$stamp.tsv
logdir=$BENCH_DIR/ssh-logs-$stamp
report=$BENCH_DIR/ssh-report-$stamp.md
mkdir -p "$logdir"
exec > >(tee "$logdir/run.log") 2>&1

# ---------------------------------------------------------------- tools
bin_of() {
  case $1 in jsync|jsync-openssh) echo "$JSYNC" ;; unison) echo "$UNISON_BIN" ;; rsync) echo "$RSYNC_BIN" ;; *) return 1 ;; esac
}
run_tools=()
IFS=, read -r -a want <<<"$tools"
for t in "${want[@]}"; do
  b=$(bin_of "$t") || { echo "bench-ssh: unknown tool '$t'" >&2; exit 2; }
  if command -v "$b" >/dev/null 2>&1; then
    run_tools+=("$t")
  else
    echo "NOTE: skipping $t: binary '$b' not found"
  fi
done
[[ ${#run_tools[@]} -gt 0 ]] || { echo "bench-ssh: no tool to run" >&2; exit 1; }
# The same programs run on the "remote" side (it is this machine), by absolute path.
declare -A REAL
for t in "${run_tools[@]}"; do REAL[$t]=$(readlink -f "$(command -v "$(bin_of "$t")")"); done

version_of() {
  case $1 in
    jsync|jsync-openssh) "$JSYNC" -version 2>&1 | head -1 || true ;;
    unison) "$UNISON_BIN" -version 2>&1 | head -1 || true ;;
    rsync) "$RSYNC_BIN" --version 2>&1 | head -1 || true ;;
  esac
}

ext4_journal() {
  local dev
  dev=$(findmnt -n -o SOURCE -T "$1" 2>/dev/null || true)
  if [[ -n $dev && -r /sys/fs/ext4/${dev##*/}/journal_task ]]; then cat "/sys/fs/ext4/${dev##*/}/journal_task"; else echo n/a; fi
}

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | head -1)
{
  echo "# bench-ssh $stamp"
  echo
  echo "## Machine"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- kernel: $(uname -srmv)"
  echo "- cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), nproc=$(nproc)"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- scratch: $BENCH_DIR ($(findmnt -n -o FSTYPE,OPTIONS -T "$BENCH_DIR" 2>/dev/null || true)); ext4 journal: $(ext4_journal "$BENCH_DIR")"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(ssh -V 2>&1), $($SSHD_BIN -V 2>&1 | head -1 || true)"
  echo "- python3: $(python3 --version 2>&1)"
  for t in "${run_tools[@]}"; do echo "- $t: ${REAL[$t]} — $(version_of "$t")"; done
  [[ " ${run_tools[*]} " == *" jsync "* ]] && echo "- jsync checkout: $top at $commit${dirty:+ (with uncommitted changes)}; java: $(java -version 2>&1 | head -1)"
  [[ -n ${JSYNC_JAVA_OPTS:-} ]] && echo "- JSYNC_JAVA_OPTS for the client (not the server): $JSYNC_JAVA_OPTS"
  echo
  echo "## Parameters"
  echo "- scenarios=$scenarios reps=$reps seed=$seed verify=$verify quick=$quick"
  ((delay_ms > 0)) && echo "- link: the relay delays every chunk $delay_ms ms each way ($((2 * delay_ms)) ms round trip; bench/lib/relay.py --delay-ms)"
  echo "- delta file $big_bytes bytes; mixed tree $mixed_files files; small tree $small_files files"
  echo
} | tee "$report"

# ---------------------------------------------------------------- data
data=$BENCH_DIR/data
mkdir -p "$data"
big=$data/big-$big_bytes-s$seed.bin
big_mut=$data/big-$big_bytes-s$seed.mut.bin
mixed=$data/mixed-f$mixed_files-s$seed
small=$data/tree-f$small_files-d$((small_files / 50))-s$seed
want_scen() { [[ ",$scenarios," == *",$1,"* ]]; }

est_mib=0
want_scen delta && est_mib=$(( est_mib + 4 * (big_bytes >> 20) ))
want_scen initial && est_mib=$(( est_mib + (mixed_files / 10) * (1 + ${#run_tools[@]} * (1 + reps)) ))
want_scen nochange && est_mib=$(( est_mib + (small_files * 6 / 1024) * (1 + 2 * ${#run_tools[@]}) ))
avail_mib=$(( $(df -Pk "$BENCH_DIR" | awk 'NR==2 {print $4}') / 1024 ))
if (( avail_mib < est_mib )); then
  echo "bench-ssh: need about $est_mib MiB free in $BENCH_DIR, have $avail_mib MiB" >&2
  exit 1
fi

if want_scen delta && [[ ! -f $big.done ]]; then
  python3 "$here/lib/big_file.py" gen "$big" --size "$big_bytes" --seed "$seed"
  python3 "$here/lib/big_file.py" mutate "$big" "$big_mut" --changes 100 --change-bytes 100 \
    --insert $((1 << 20)) --seed "$seed"
  touch "$big.done"
fi
if want_scen initial && [[ ! -f $mixed.done ]]; then
  rm -rf -- "${mixed:?}"
  python3 "$here/lib/gen_mixed.py" "$mixed" --files "$mixed_files" --seed "$seed"
  touch "$mixed.done"
fi
if want_scen nochange && [[ ! -f $small.done ]]; then
  rm -rf -- "${small:?}"
  "$here/gen-tree.sh" "$small" --files "$small_files" --seed "$seed"
  touch "$small.done"
fi
for d in "$big" "$mixed" "$small"; do
  [[ -e $d ]] && echo "data: $d: $(find "$d" -type f | wc -l) file(s), $(du -s --apparent-size -BM "$d" | cut -f1) apparent"
done
echo

# ---------------------------------------------------------------- scratch, settle wait
settle=0
[[ $(ext4_journal "$BENCH_DIR") == *none* ]] && settle=${BENCH_SETTLE_SECONDS:-370}
last_cleanup=$BENCH_DIR/.last-cleanup
if [[ -f $last_cleanup && $settle -gt 0 ]]; then
  since=$(( $(date +%s) - $(cat "$last_cleanup") ))
  if (( since >= 0 && since < settle )); then
    echo "waiting $((settle - since)) s: a previous run deleted its scratch trees $since s ago" \
         "(journal-less ext4, see docs/benchmarks.md; BENCH_SETTLE_SECONDS=0 to skip)"
    sleep $((settle - since))
  fi
fi
run=$(mktemp -d "$BENCH_DIR/run-ssh.XXXXXX")
mkdir -p "$run/trash" "$run/ssh" "$run/home/.ssh" "$run/state"
chmod 700 "$run/home/.ssh"
sshd_pid="" relay_pid=""
cleanup() {
  # only the processes this script started, by PID
  [[ -n $relay_pid ]] && kill -TERM "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null || true
  [[ -n $sshd_pid ]] && kill -TERM "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null || true
  if [[ $keep -eq 0 && -n ${run:-} && -d $run ]]; then
    rm -rf -- "$run"
    sync
    date +%s >"$last_cleanup"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- sshd and relay
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {  # pid port
  local i
  for ((i = 0; i < 150; i++)); do
    kill -0 "$1" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

ssh-keygen -q -t ed25519 -N '' -C bench-ssh-host -f "$run/ssh/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C bench-ssh-client -f "$run/home/.ssh/id_ed25519"
cp "$run/home/.ssh/id_ed25519.pub" "$run/ssh/authorized_keys"
key=$run/home/.ssh/id_ed25519
known=$run/home/.ssh/known_hosts
mkdir -p /run/sshd   # privilege separation directory (systemd creates it on a real system)
# The remote programs keep their state in the scratch dir: jsync under JSYNC_HOME, Unison under UNISON.
remote_jsync_home=$run/state/remote-jsync remote_unison=$run/state/remote-unison
for attempt in 1 2 3 4 5; do
  sshd_port=$(free_port)
  cat >"$run/ssh/sshd_config" <<EOF
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $run/ssh/host_ed25519
AuthorizedKeysFile $run/ssh/authorized_keys
PidFile $run/ssh/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PrintMotd no
AcceptEnv none
MaxStartups 100
LogLevel INFO
SetEnv JSYNC_HOME=$remote_jsync_home UNISON=$remote_unison
EOF
  "$SSHD_BIN" -D -e -f "$run/ssh/sshd_config" >>"$logdir/sshd.log" 2>&1 &
  sshd_pid=$!
  if wait_port "$sshd_pid" "$sshd_port"; then break; fi
  kill -TERM "$sshd_pid" 2>/dev/null || true; wait "$sshd_pid" 2>/dev/null || true; sshd_pid=""
  grep -q 'Address already in use' "$logdir/sshd.log" || break
done
[[ -n $sshd_pid ]] || { echo "bench-ssh: sshd did not start; its log:" >&2; cat "$logdir/sshd.log" >&2; exit 1; }

relay_counts=$run/ssh/relay.counts relay_log=$run/ssh/relay.log
: >"$relay_log"
python3 "$here/lib/relay.py" --target "127.0.0.1:$sshd_port" --port-file "$run/ssh/relay.port" \
  --counts "$relay_counts" --log "$relay_log" $( ((delay_ms > 0)) && echo --delay-ms "$delay_ms") \
  2>>"$logdir/relay.err" &
relay_pid=$!
for ((i = 0; i < 100; i++)); do [[ -s $run/ssh/relay.port ]] && break; sleep 0.05; done
relay_port=$(cat "$run/ssh/relay.port")
hostkey=$(cut -d' ' -f1,2 "$run/ssh/host_ed25519.pub")
printf '[127.0.0.1]:%s %s\n[127.0.0.1]:%s %s\n' "$relay_port" "$hostkey" "$sshd_port" "$hostkey" >"$known"
echo "sshd pid $sshd_pid on 127.0.0.1:$sshd_port; relay pid $relay_pid on 127.0.0.1:$relay_port"

SSH_OPTS=(-i "$key" -o "UserKnownHostsFile=$known" -o StrictHostKeyChecking=yes -o BatchMode=yes)
ssh_cmd=(ssh -p "$relay_port" "${SSH_OPTS[@]}")
"${ssh_cmd[@]}" root@127.0.0.1 true || { echo "bench-ssh: ssh through the relay failed" >&2; exit 1; }

# The remote command of each tool runs under GNU time: the wrapper reads the output file of the current
# run from $run/ssh/server-out and notes when it was started (epoch ns) next to it.
server_out_ptr=$run/ssh/server-out
declare -A WRAP
for t in "${run_tools[@]}"; do
  WRAP[$t]=$run/ssh/server-$t.sh
  # jsync-openssh keeps its remote archives apart from jsync's
  setenv=""
  [[ $t == jsync-openssh ]] && setenv="JSYNC_HOME='$run/state/remote-jsync-openssh'; export JSYNC_HOME"
  cat >"${WRAP[$t]}" <<EOF
#!/bin/sh
$setenv
out=\$(cat '$server_out_ptr' 2>/dev/null) || out=/dev/null
[ "\$out" = /dev/null ] || date +%s%N >"\$out.start"
exec $TIME_BIN -v -o "\$out" '${REAL[$t]}' "\$@"
EOF
  chmod +x "${WRAP[$t]}"
done

# ---------------------------------------------------------------- measuring
printf 'stamp\tscenario\ttool\trep\twall_s\ttime_wall_s\tuser_s\tsys_s\tcpu_s\tmaxrss_kib\tsrv_wall_s\tsrv_cpu_s\tsrv_maxrss_kib\tsrv_start_s\tbytes_up\tbytes_down\tconnections\tfs_in_blocks\tload1\trc\tverify\tcommand\n' >"$tsv"

# Sets ENVV and CMD for tool $1 pushing local $2 to remote $3 (absolute path).
set_cmd() {
  local tool=$1 src=$2 dst=$3
  case $tool in
    rsync)
      ENVV=("HOME=$run/home")
      CMD=("$RSYNC_BIN" -a --delete -e "ssh -p $relay_port ${SSH_OPTS[*]}" --rsync-path="${WRAP[rsync]}"
           "$src/" "root@127.0.0.1:$dst/") ;;
    unison)
      ENVV=("HOME=$run/home" "UNISON=$run/state/client-unison")
      CMD=("$UNISON_BIN" -batch -silent "$src" "ssh://root@127.0.0.1:$relay_port/$dst"
           -sshargs "${SSH_OPTS[*]}" -servercmd "${WRAP[unison]}") ;;
    jsync)
      # the built-in SSH client reads $HOME/.ssh (id_ed25519, known_hosts)
      ENVV=("HOME=$run/home" "JSYNC_HOME=$run/state/client-jsync")
      CMD=("$JSYNC" -batch -silent "$src" "ssh://root@127.0.0.1:$relay_port/$dst" -servercmd "${WRAP[jsync]}") ;;
    jsync-openssh)
      # not a default tool: jsync with the system's OpenSSH client as the pipe (sshcmd = ssh)
      ENVV=("HOME=$run/home" "JSYNC_HOME=$run/state/client-jsync-openssh")
      CMD=("$JSYNC" -batch -silent "$src" "ssh://root@127.0.0.1:$relay_port/$dst" -servercmd "${WRAP[jsync-openssh]}"
           -sshcmd ssh -sshargs "${SSH_OPTS[*]}") ;;
  esac
}

fresh_state() {  # tool: move client and remote state of this tool out of the way
  local t=$1 d
  d=$(mktemp -d "$run/trash/state-$t.XXXXXX")
  for s in "client-$t" "remote-$t"; do [[ -e $run/state/$s ]] && mv -- "$run/state/$s" "$d/"; done
  mkdir -p "$run/state/client-$t" "$run/state/remote-$t"
}

check_trees() {
  local src=$1 dst=$2
  case $verify in
    none) echo skipped; return ;;
    full) if diff -rq --no-dereference "$src" "$dst" >/dev/null 2>&1; then echo ok; else echo DIFF; fi; return ;;
  esac
  if cmp -s <(cd "$src" && find . -mindepth 1 -printf '%y %P %s\n' | sed 's/^\(d .*\) [0-9]*$/\1/' | LC_ALL=C sort) \
            <(cd "$dst" && find . -mindepth 1 -printf '%y %P %s\n' | sed 's/^\(d .*\) [0-9]*$/\1/' | LC_ALL=C sort); then
    echo ok
  else
    echo DIFF
  fi
}

to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }' <<<"$1"; }
tv() { awk -F': ' -v k="$2" 'index($0, k) { print $NF; exit }' "$1" 2>/dev/null; }

# relay totals "up down connections active" after asking for them
relay_totals() {
  local before after
  before=$(stat -c %Y.%s "$relay_counts" 2>/dev/null || echo 0)
  kill -USR1 "$relay_pid"
  for ((i = 0; i < 50; i++)); do
    after=$(stat -c %Y.%s "$relay_counts" 2>/dev/null || echo 0)
    [[ $after != "$before" ]] && break
    sleep 0.02
  done
  sed 's/[a-z]*=//g' "$relay_counts"
}

measure() {  # scenario tool rep src dst [extra args for the tool]
  local scen=$1 tool=$2 rep=$3 src=$4 dst=$5
  shift 5
  set_cmd "$tool" "$src" "$dst"
  CMD+=("$@")
  local base=$logdir/$scen-$tool-$rep
  find "$src" -type f | wc -l >/dev/null
  find "$dst" -type f | wc -l >/dev/null
  sync
  rm -f "$base.srvtime" "$base.srvtime.start"
  echo "$base.srvtime" >"$server_out_ptr"
  local lines0 t0 t1 rc load1
  lines0=$(wc -l <"$relay_log")
  echo "+ $(printf '%q ' env "${ENVV[@]}" "${CMD[@]}")"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s%N)
  set +e
  env "${ENVV[@]}" "$TIME_BIN" -v -o "$base.time" "${CMD[@]}" >"$base.out" 2>&1
  rc=$?
  set -e
  t1=$(date +%s%N)
  # the connection has ended on the relay and the remote command has exited (GNU time wrote its file)
  local i tot
  for ((i = 0; i < 200; i++)); do
    tot=($(relay_totals))
    [[ ${tot[3]} -eq 0 && -s $base.srvtime ]] && break
    sleep 0.05
  done
  echo /dev/null >"$server_out_ptr"
  local up down conns
  read -r up down conns < <(tail -n +"$((lines0 + 1))" "$relay_log" | awk '{ u += $4; d += $5; n++ } END { printf "%d %d %d\n", u, d, n }')
  local wall twall user sys rss fsin cpu swall suser ssys srss scpu sstart ok
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  twall=$(to_seconds "$(tv "$base.time" 'Elapsed (wall clock)')")
  user=$(tv "$base.time" 'User time (seconds)')
  sys=$(tv "$base.time" 'System time (seconds)')
  rss=$(tv "$base.time" 'Maximum resident set size')
  fsin=$(tv "$base.time" 'File system inputs')
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  if [[ -s $base.srvtime ]]; then
    swall=$(to_seconds "$(tv "$base.srvtime" 'Elapsed (wall clock)')")
    suser=$(tv "$base.srvtime" 'User time (seconds)')
    ssys=$(tv "$base.srvtime" 'System time (seconds)')
    scpu=$(awk -v u="$suser" -v s="$ssys" 'BEGIN { printf "%.2f", u + s }')
    srss=$(tv "$base.srvtime" 'Maximum resident set size')
    sstart=$(awk -v a="$t0" -v b="$(cat "$base.srvtime.start" 2>/dev/null || echo 0)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  else
    swall="" scpu="" srss="" sstart=""
  fi
  if [[ $scen == delta* ]]; then
    if cmp -s "$src/big.bin" "$dst/big.bin"; then ok=ok; else ok=DIFF; fi
    [[ $verify == none ]] && ok=skipped
  else
    ok=$(check_trees "$src" "$dst")
  fi
  printf '  %-7s %-14s rep %d: wall %7.3f s  cpu %6.2f s  rss %6.1f MiB | server rss %6.1f MiB cpu %5s s | up %11d B  down %11d B  conns %d  rc %d  check %s  (load %s, fs in %s)\n' \
    "$tool" "$scen" "$rep" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="${srss:-0}" 'BEGIN { print k / 1024 }')" "${scpu:-?}" "$up" "$down" "$conns" "$rc" "$ok" "$load1" "$fsin"
  if [[ $rc -ne 0 || $ok == DIFF || -z $srss ]]; then
    echo "  WARNING: $tool $scen rep $rep: exit $rc, check $ok, server peak RSS '${srss:-missing}'; output in $base.out"
    tail -5 "$base.out" | sed 's/^/    | /'
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$stamp" "$scen" "$tool" "$rep" "$wall" "$twall" "$user" "$sys" "$cpu" "$rss" "$swall" "$scpu" "$srss" "$sstart" \
    "$up" "$down" "$conns" "$fsin" "$load1" "$rc" "$ok" "$(printf '%q ' env "${ENVV[@]}" "${CMD[@]}")" >>"$tsv"
}

# ---------------------------------------------------------------- (a) delta
if want_scen delta; then
  echo "== (a) delta: $(basename "$big") changed at 100 places + 1 MiB inserted"
  for ((r = 1; r <= reps; r++)); do
    for tool in "${run_tools[@]}"; do
      w=$run/delta-$tool-$r
      mkdir -p "$w/src" "$w/dst"
      cp -a "$big" "$w/src/big.bin"
      fresh_state "$tool"
      measure delta-first "$tool" "$r" "$w/src" "$w/dst"
      cp "$big_mut" "$w/src/big.bin"     # in place, new mtime (not measured)
      measure delta "$tool" "$r" "$w/src" "$w/dst"
      # two inodes: deleting them now does not touch the inode-reuse slowdown (see docs/benchmarks.md)
      rm -rf -- "$w"
    done
  done
  echo
fi

# ---------------------------------------------------------------- (b) initial
if want_scen initial; then
  echo "== (b) initial: $(basename "$mixed") into an empty remote replica"
  for tool in "${run_tools[@]}"; do
    echo "+ cp -a $mixed $run/initial-$tool/src   (not measured)"
    mkdir -p "$run/initial-$tool"
    cp -a "$mixed" "$run/initial-$tool/src"
  done
  for ((r = 1; r <= reps; r++)); do
    for tool in "${run_tools[@]}"; do
      w=$run/initial-$tool
      mkdir -p "$w/dst-$r"
      fresh_state "$tool"
      measure initial "$tool" "$r" "$w/src" "$w/dst-$r"
    done
  done
  echo
fi

# ---------------------------------------------------------------- (c) no change
if want_scen nochange; then
  echo "== (c) no-change re-sync: $(basename "$small")"
  for tool in "${run_tools[@]}"; do
    w=$run/nochange-$tool
    mkdir -p "$w"
    echo "+ cp -a $small $w/src   (not measured)"
    cp -a "$small" "$w/src"
    mkdir -p "$w/dst"
    fresh_state "$tool"
    # The no-change runs need a completed first sync (archives recorded on both sides): a first sync that
    # fails is run again, up to 3 times; every attempt is in the TSV.
    for ((a = 1; a <= 3; a++)); do
      measure nochange-first "$tool" "$a" "$w/src" "$w/dst"
      [[ $(tail -1 "$tsv" | cut -f20) == 0 ]] && break
      echo "  NOTE: $tool's first sync failed; running it again so that (c) starts from recorded archives"
    done
  done
  for ((r = 1; r <= reps; r++)); do
    for tool in "${run_tools[@]}"; do
      measure nochange "$tool" "$r" "$run/nochange-$tool/src" "$run/nochange-$tool/dst"
    done
  done
  echo
  if [[ $breakdown -eq 1 && " ${run_tools[*]} " == *" jsync "* ]]; then
    echo "== (c) where jsync's time goes"
    # shellcheck source=lib/ssh-breakdown.sh
    source "$here/lib/ssh-breakdown.sh"
    echo
  fi
fi

{
  echo "## Results"
  echo
  python3 "$here/lib/report_ssh.py" "$tsv" --tools "$(IFS=,; echo "${want[*]}")"
  echo
  [[ -f $logdir/breakdown.md ]] && cat "$logdir/breakdown.md" && echo
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- raw results: $tsv"
  echo "- per-run logs (time -v of client and server, tool output): $logdir"
} | tee -a "$report"
echo "report: $report"
if [[ $keep -eq 1 ]]; then echo "kept scratch in $run (sshd and relay stopped)"; fi
