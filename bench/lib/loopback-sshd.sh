#!/usr/bin/env bash
# A throw-away OpenSSH sshd on 127.0.0.1 for benchmarks and checks, with its own host key, one authorized
# client key, and a client side (key + known_hosts) ready to use. Nothing outside DIR is touched but
# /run/sshd (created if missing: sshd's privilege separation needs it).
#   loopback-sshd.sh start DIR [SETENV...]   prints PORT; DIR/client_key, DIR/known_hosts, DIR/sshd.pid
#   loopback-sshd.sh stop DIR                stops the sshd started in DIR (by its PID)
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
case $cmd in
  start)
    shift 2
    mkdir -p "$dir" /run/sshd
    dir=$(cd "$dir" && pwd)
    [[ -f $dir/host_key ]] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
    [[ -f $dir/client_key ]] || ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    {
      echo "Port $port"
      echo "ListenAddress 127.0.0.1"
      echo "HostKey $dir/host_key"
      echo "AuthorizedKeysFile $dir/authorized_keys"
      echo "PidFile $dir/sshd.pid"
      echo "UsePAM no"
      echo "StrictModes no"
      echo "PermitRootLogin prohibit-password"
      echo "PasswordAuthentication no"
      echo "KbdInteractiveAuthentication no"
      echo "PrintMotd no"
      echo "MaxStartups 100"
      echo "MaxSessions 100"
      for e in "$@"; do echo "SetEnv $e"; done
    } > "$dir/sshd_config"
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
    for _ in $(seq 100); do
      if [[ -s $dir/sshd.pid ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
      sleep 0.05
    done
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" > "$dir/known_hosts"
    chmod 644 "$dir/known_hosts" "$dir/client_key"  # readable by the unprivileged scenario user too
    echo "$port"
    ;;
  stop)
    if [[ -s $dir/sshd.pid ]]; then
      kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
      rm -f "$dir/sshd.pid"
    fi
    ;;
  *) echo "usage: loopback-sshd.sh start|stop DIR" >&2; exit 2 ;;
esac
