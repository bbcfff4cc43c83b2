# Sourced by bench/ab-delta.sh and bench/ab-ssh.sh: a throw-away loopback sshd and one jsync sync per call.
# Before sourcing, set: here (bench/), out (scratch dir), builds (array of install prefixes), sshcmd (0|1).

# ab_rig_start NAME: makes $work under $out, starts the sshd (stopped, and $work removed, on exit), and sets
# port and extra (the -sshcmd arguments when sshcmd=1).
ab_rig_start() {
  work=$(mktemp -d "$out/$1.XXXXXX")
  trap 'bash "$here/lib/loopback-sshd.sh" stop "$work/sshd" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  port=$(bash "$here/lib/loopback-sshd.sh" start "$work/sshd")
  mkdir -p "$work/home/.ssh"
  cp "$work/sshd/client_key" "$work/home/.ssh/id_ed25519"
  cp "$work/sshd/known_hosts" "$work/home/.ssh/known_hosts"
  chmod 700 "$work/home/.ssh"; chmod 600 "$work/home/.ssh/id_ed25519"
  cat > "$work/ssh.sh" <<EOS
#!/bin/sh
exec ssh -i '$work/home/.ssh/id_ed25519' -o UserKnownHostsFile='$work/home/.ssh/known_hosts' "\$@"
EOS
  chmod +x "$work/ssh.sh"
  extra=()
  if [[ $sshcmd == 1 ]]; then extra=(-sshcmd "$work/ssh.sh"); fi
}

# ab_run I SRC: one sync of build I from SRC into $work/bI/dst, its archives in $work/bI; prints
# "wall user sys | server wall user sys".
ab_run() {
  local i=$1 src=$2 b=${builds[$1]} w=$work/b$1
  mkdir -p "$w/dst"
  cat > "$w/server.sh" <<EOS
#!/bin/sh
JSYNC_HOME='$w/server-home'; export JSYNC_HOME
exec /usr/bin/time -o '$w/server.time' -f '%e %U %S' '$b/bin/jsync' "\$@"
EOS
  chmod +x "$w/server.sh"
  HOME=$work/home JSYNC_HOME=$w/client-home /usr/bin/time -o "$w/client.time" -f '%e %U %S' \
    "$b/bin/jsync" -batch -silent "$src" "ssh://$(id -un)@127.0.0.1:$port/$w/dst" -servercmd "$w/server.sh" \
    "${extra[@]}" >"$w/out.txt" 2>&1 || { echo "$0: build $b failed:" >&2; cat "$w/out.txt" >&2; exit 1; }
  echo "$(cat "$w/client.time") | $(cat "$w/server.time")"
}
