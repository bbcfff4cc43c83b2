# Sourced by bench/bench-ssh.sh after scenario (c): where a no-change jsync run over SSH spends its time.
# Uses the script's sshd, keys, wrappers and the (c) replicas of jsync; writes $logdir/breakdown.md.
#
# 1. Fixed costs, each timed alone (median of $bd_n runs, wall ms):
#    - bin/jsync -version                          client JVM start and exit, nothing else
#    - bin/jsync server </dev/null (locally)       the remote side's JVM start, server set-up, exit at EOF
#    - ssh ... root@127.0.0.1 true                 OpenSSH: connect, key exchange, login, shell, exit
#    - jsync -servercmd /bin/true (two empty dirs) client JVM + built-in SSH client connect/login/exec;
#                                                  fails at the handshake (no server), exit 3 expected
#    - jsync no-change run of a 3-file tree        everything fixed: both JVMs, SSH, archives, handshake
# 2. The no-change run of scenario (c) with -debug, through a second relay that traces every read, with
#    the client's stderr lines time-stamped on arrival: ssh_timeline.py turns that into a timeline.
bd=$logdir/breakdown
mkdir -p "$bd"
bd_n=${BENCH_BREAKDOWN_RUNS:-5}
bd_md=$logdir/breakdown.md

bd_time() {  # label, command...: runs it bd_n times, prints and records the median wall ms
  local label=$1 i t0 t1 ms=()
  shift
  for ((i = 0; i < bd_n; i++)); do
    t0=$(date +%s%N)
    "$@" >>"$bd/fixed.out" 2>&1 || true
    t1=$(date +%s%N)
    ms+=($(( (t1 - t0) / 1000000 )))
  done
  local med
  med=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  printf '| %s | %s | %s |\n' "$label" "$med" "${ms[*]}" | tee -a "$bd_md"
}

bd_home=$run/state/breakdown
mkdir -p "$bd_home/empty-a" "$bd_home/empty-b" "$bd_home/tiny-a/d" "$bd_home/tiny-b" "$bd_home/server-home"
for i in 1 2 3; do echo "file $i" >"$bd_home/tiny-a/d/f$i"; done
bd_env=(env "HOME=$run/home" "JSYNC_HOME=$bd_home/client")
rroot="ssh://root@127.0.0.1:$relay_port/"

{
  echo "### Where jsync's time goes in (c)"
  echo
  echo "Fixed costs, each measured alone ($bd_n runs, load $(cut -d' ' -f1 /proc/loadavg) at the start):"
  echo
  echo "| what | median ms | runs ms |"
  echo "|---|---|---|"
} >"$bd_md"
echo "/dev/null" >"$server_out_ptr"
bd_time "\`bin/jsync -version\` (client JVM start + exit)" "${bd_env[@]}" "$JSYNC" -version
bd_time "\`bin/jsync server </dev/null\`, locally (server JVM start, set-up, exit at EOF)" \
  env "JSYNC_HOME=$bd_home/server-home" "$JSYNC" server </dev/null
bd_time "\`ssh root@127.0.0.1 true\` through the relay (OpenSSH connect, login, shell, exit)" \
  "${ssh_cmd[@]}" root@127.0.0.1 true
bd_time "\`jsync -servercmd /bin/true\` (client JVM + built-in SSH connect, login, exec; fails at handshake)" \
  "${bd_env[@]}" "$JSYNC" -batch -silent "$bd_home/empty-a" "$rroot$bd_home/empty-b" -servercmd /bin/true
"${bd_env[@]}" "$JSYNC" -batch -silent "$bd_home/tiny-a" "$rroot$bd_home/tiny-b" -servercmd "${REAL[jsync]}" \
  >>"$bd/fixed.out" 2>&1 || echo "WARNING: tiny first sync failed, see $bd/fixed.out"
bd_time "jsync no-change run over SSH, 3-file tree (all fixed costs, both JVMs)" \
  "${bd_env[@]}" "$JSYNC" -batch -silent "$bd_home/tiny-a" "$rroot$bd_home/tiny-b" -servercmd "${REAL[jsync]}"
echo >>"$bd_md"

# a second relay that traces every read, for the timeline
python3 "$here/lib/relay.py" --target "127.0.0.1:$sshd_port" --port-file "$bd/relay.port" \
  --counts "$bd/relay.counts" --log "$bd/relay.log" --trace "$bd/relay.trace" 2>>"$logdir/relay.err" &
bd_relay_pid=$!
for ((i = 0; i < 100; i++)); do [[ -s $bd/relay.port ]] && break; sleep 0.05; done
bd_port=$(cat "$bd/relay.port")
printf '[127.0.0.1]:%s %s\n' "$bd_port" "$hostkey" >>"$known"

stamp_lines() { local line; while IFS= read -r line; do printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"; done; }
src=$run/nochange-jsync/src dst=$run/nochange-jsync/dst
: >"$bd/phases.tsv"
for ((i = 1; i <= bd_n; i++)); do
  find "$src" -type f | wc -l >/dev/null; find "$dst" -type f | wc -l >/dev/null; sync
  : >"$bd/relay.trace"
  echo "$bd/debug-$i.srvtime" >"$server_out_ptr"
  t0=$(date +%s%N)
  env "HOME=$run/home" "JSYNC_HOME=$run/state/client-jsync" "$JSYNC" -batch -silent -debug "$src" \
    "ssh://root@127.0.0.1:$bd_port/$dst" -servercmd "${WRAP[jsync]}" 2> >(stamp_lines >"$bd/debug-$i.err") \
    >"$bd/debug-$i.out" || echo "WARNING: -debug run $i exited $?"
  t1=$(date +%s%N)
  for ((k = 0; k < 200; k++)); do [[ -s $bd/debug-$i.srvtime && -s $bd/relay.trace ]] && break; sleep 0.05; done
  sleep 0.2   # the stderr time-stamper finishes
  cp "$bd/relay.trace" "$bd/debug-$i.trace"
  python3 "$here/lib/ssh_timeline.py" --t0 "$t0" --t1 "$t1" --stderr "$bd/debug-$i.err" \
    --trace "$bd/debug-$i.trace" --server-start "$bd/debug-$i.srvtime.start" --server-time "$bd/debug-$i.srvtime" \
    --tsv "$bd/phases.tsv" >"$bd/timeline-$i.md"
done
echo "/dev/null" >"$server_out_ptr"
kill -TERM "$bd_relay_pid" 2>/dev/null && wait "$bd_relay_pid" 2>/dev/null || true

{
  echo "The no-change run of (c) with \`-debug\`, phases (median of $bd_n runs, ms; from time-stamped stderr,"
  echo "a relay that traces every read, and the remote wrapper's start time):"
  echo
  echo "| phase | median ms | runs ms |"
  echo "|---|---|---|"
  python3 - "$bd/phases.tsv" <<'EOF'
import statistics, sys
names = ["client JVM start + CLI setup", "client: SSH client set-up until TCP connect",
         "SSH key exchange, login, session, remote login shell", "remote jsync JVM start until its handshake",
         "handshake until scanning starts",
         "scanning (both replicas, or the remote one if the local one was scanned ahead)",
         "reconcile, propagate, delete, record", "after 'done' until the client exited", "total (client wall)"]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
for i, n in enumerate(names):
    vals = [float(r[i]) for r in rows if i < len(r) and r[i] != ""]
    med = f"{statistics.median(vals):.0f}" if vals else "–"
    print(f"| {n} | {med} | {' '.join(f'{v:.0f}' for v in vals)} |")
EOF
  echo
  echo "One of these runs in detail (run $(( (bd_n + 1) / 2 ))):"
  echo
  cat "$bd/timeline-$(( (bd_n + 1) / 2 )).md"
} >>"$bd_md"
cat "$bd_md"
