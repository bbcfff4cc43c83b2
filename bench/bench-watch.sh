#!/usr/bin/env bash
# Continuous mode, measured: a jsync daemon (-repeat watch) between a local root and a root on a loopback
# sshd (ssh://root@127.0.0.1, MINA SSHD client, jsync server with its own watcher on the other end).
#   bench/bench-watch.sh [--quick] [--files N] [--count N] [--cycles C] [--idle-seconds S] [--keep]
# Both roots start as copies of a gen-tree.sh tree (default 100,000 files in 2,000 directories), so every
# directory is watched on both sides. Then:
#   first      time until the daemon's first full synchronization is done
#   idle       CPU and RSS of the daemon and of jsync server over S seconds with nothing changing
#   a-to-b     N files written one at a time on the local root; each timed until the remote root holds the
#              same bytes (p50, p95, max); a random pause of 0.2-0.6 s between them, so each is a change
#              of its own
#   b-to-a     the same, written on the remote root, timed until the local root has it
#   idle again after the churn; a-to-b, b-to-a and idle are repeated C times (default 3), so the RSS
#              after each cycle shows whether memory keeps growing or levels off
#   stop       SIGTERM: exit status (0 expected) and how long the daemon took to stop
# --quick: 10,000 files, 50 changes each way, 1 cycle, 10 s idle. Scratch dir: $BENCH_DIR (default bench/out/).
# Binaries: $JSYNC (default bin/jsync of this checkout). Output: a Markdown report on stdout, also saved as
# $BENCH_DIR/watch-report-STAMP.md, and the raw JSON lines next to it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

files=100000 count=200 cycles=3 idle_seconds=60 keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) files=10000 count=50 cycles=1 idle_seconds=10; shift ;;
    --cycles) cycles=${2:?"$1 needs a value"}; shift 2 ;;
    --files) files=${2:?"$1 needs a value"}; shift 2 ;;
    --count) count=${2:?"$1 needs a value"}; shift 2 ;;
    --idle-seconds) idle_seconds=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench-watch: unknown argument: $1" >&2; usage ;;
  esac
done
for v in files count cycles idle_seconds; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || { echo "bench-watch: --${v//_/-} must be a positive number" >&2; exit 2; }
done

JSYNC=${JSYNC:-$top/bin/jsync}
for b in /usr/sbin/sshd ssh-keygen python3; do
  command -v "$b" >/dev/null || { echo "bench-watch: $b is needed (apt-get install openssh-server python3)" >&2; exit 2; }
done
"$JSYNC" -version >/dev/null 2>&1 || { echo "bench-watch: $JSYNC does not run; build first: mvn -q -DskipTests package" >&2; exit 2; }

out=${BENCH_DIR:-$top/bench/out}
mkdir -p "$out/data"
out=$(cd "$out" && pwd)
stamp=$(date -u +%Y-%m-%dT%H%M%S)
run=$(mktemp -d "$out/run-watch.XXXXXX")
raw=$out/watch-results-$stamp.jsonl
report=$out/watch-report-$stamp.md

tree=$out/data/tree-f$files-d$((files / 50 > 0 ? files / 50 : 1))-s1
if [[ ! -f $tree.done ]]; then
  rm -rf "$tree"
  "$here/gen-tree.sh" "$tree" --files "$files" --seed 1 --quiet
  touch "$tree.done"
fi

daemon_pid="" sshd_dir=$run/sshd
cleanup() {
  # Only what this script started, by PID.
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then kill -KILL "$daemon_pid" 2>/dev/null || true; fi
  [[ -f $sshd_dir/sshd.pid ]] && "$here/lib/loopback-sshd.sh" stop "$sshd_dir" >/dev/null 2>&1 || true
  if [[ $keep -eq 0 ]]; then rm -rf "$run"; fi
}
trap cleanup EXIT

echo "bench-watch: copying the $files-file tree to both roots" >&2
cp -a "$tree" "$run/A"
cp -a "$tree" "$run/B"

port=$("$here/lib/loopback-sshd.sh" start "$sshd_dir")
mkdir -p "$run/home/.ssh" "$run/state/client" "$run/state/server"
cp "$sshd_dir/client_key" "$run/home/.ssh/id_ed25519"
cp "$sshd_dir/known_hosts" "$run/home/.ssh/known_hosts"
chmod 700 "$run/home/.ssh"; chmod 600 "$run/home/.ssh/id_ed25519"
# The server notes its PID (bin/jsync execs java: the same process) for the CPU and RSS samples.
cat >"$run/server.sh" <<EOF
#!/bin/sh
JSYNC_HOME='$run/state/server'; export JSYNC_HOME
echo \$\$ > '$run/server.pid'
exec '$JSYNC' "\$@"
EOF
chmod +x "$run/server.sh"

echo "first sync marker" > "$run/A/.bench-ready"
t0=$(date +%s%N)
env HOME="$run/home" JSYNC_HOME="$run/state/client" "$JSYNC" -repeat watch -log -logfile "$run/daemon.log" \
  "$run/A" "ssh://root@127.0.0.1:$port/$run/B" -servercmd "$run/server.sh" \
  >"$run/daemon.out" 2>"$run/daemon.err" &
daemon_pid=$!
until [[ -f $run/B/.bench-ready ]]; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "bench-watch: the daemon died:" >&2; cat "$run/daemon.err" >&2; exit 1; }
  sleep 0.05
done
first_s=$(( ($(date +%s%N) - t0) / 1000000 ))
server_pid=$(cat "$run/server.pid")
echo "bench-watch: first synchronization done in ${first_s} ms; daemon pid $daemon_pid, server pid $server_pid" >&2
# Let the first synchronization finish committing before measuring idle.
sleep 3

probe() { python3 "$here/lib/watch_probe.py" "$@"; }
{
  echo "{\"phase\": \"first\", \"ms\": $first_s, \"files\": $files}"
  probe idle "$daemon_pid,$server_pid" --seconds "$idle_seconds" | sed 's/^{/{"phase": "idle", /'
  for c in $(seq "$cycles"); do
    probe latency "$run/A" "$run/B" --count "$count" --label "a-to-b-$c" --seed "$c" | sed "s/^{/{\"phase\": \"latency\", \"cycle\": $c, /"
    probe latency "$run/B" "$run/A" --count "$count" --label "b-to-a-$c" --seed "$c" | sed "s/^{/{\"phase\": \"latency\", \"cycle\": $c, /"
    sleep 3
    probe idle "$daemon_pid,$server_pid" --seconds "$idle_seconds" | sed "s/^{/{\"phase\": \"idle-after-$c\", /"
  done
} | tee "$raw" >&2

t1=$(date +%s%N)
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
stop_ms=$(( ($(date +%s%N) - t1) / 1000000 ))
daemon_pid=""
echo "{\"phase\": \"stop\", \"rc\": $rc, \"ms\": $stop_ms}" | tee -a "$raw" >&2

python3 - "$raw" "$cycles" "$server_pid" "$files" "$count" "$idle_seconds" "$stamp" \
  "$(nproc) cores, $(uname -r), $("$JSYNC" -version 2>&1 | head -1)" <<'EOF' | tee "$report"
import json, sys
raw, cycles, server_pid, files, count, idle_s, stamp, machine = sys.argv[1:]
rows = [json.loads(l) for l in open(raw) if l.strip()]
first = next(r for r in rows if r['phase'] == 'first')
stop = next(r for r in rows if r['phase'] == 'stop')
print(f"### Continuous mode ({stamp}; {machine})\n")
print(f"`bench/bench-watch.sh --files {files} --count {count} --cycles {cycles} --idle-seconds {idle_s}`: "
      f"{files} files on both roots, the second over SSH to 127.0.0.1.\n")
print("| direction | changes | arrived | p50 | p95 | max |")
print("|---|---:|---:|---:|---:|---:|")
lat = [r for r in rows if r['phase'] == 'latency']
for r in lat:
    print(f"| {r['label']} | {r['count']} | {r['arrived']} | {r['p50_ms']} ms | {r['p95_ms']} ms | {r['max_ms']} ms |")
total = sum(r['count'] for r in lat)
arrived = sum(r['arrived'] for r in lat)
print(f"| all | {total} | {arrived} | | worst p95 {max(r['p95_ms'] or 0 for r in lat)} ms | {max(r['max_ms'] or 0 for r in lat)} ms |")
print()
print("| process | phase | CPU over the window | RSS start | RSS end | RSS max |")
print("|---|---|---:|---:|---:|---:|")
for r in rows:
    if r['phase'].startswith('idle'):
        who = 'jsync server' if str(r['pid']) == server_pid else 'daemon (client)'
        print(f"| {who} | {r['phase']} ({r['seconds']} s) | {r['cpu_s']} s ({r['cpu_pct']} %) | "
              f"{r['rss_start_kib'] // 1024} MiB | {r['rss_end_kib'] // 1024} MiB | {r['rss_max_kib'] // 1024} MiB |")
print()
print(f"First full synchronization (identical trees, both hashed): {first['ms'] / 1000:.1f} s. "
      f"SIGTERM: exit {stop['rc']} after {stop['ms']} ms.")
EOF
