#!/bin/sh
# Installs a built jsync (mvn -DskipTests package) under PREFIX (default /usr/local):
#   PREFIX/lib/jsync/{bin/jsync, lib/*.jar, native/, jsync.jsa, jsync-server.jsa}  and
#   PREFIX/bin/jsync -> ../lib/jsync/bin/jsync
# and trains class-data-sharing archives (jsync.jsa, and jsync-server.jsa for 'jsync server') with a small
# real sync, over SSH to a throw-away loopback sshd when OpenSSH's sshd is installed, else local; this makes
# every later start faster. Usage: ./install.sh [PREFIX]     ./install.sh --cds   (only train the archive for bin/jsync here)
set -eu
top=$(cd "$(dirname "$0")" && pwd)
built="$top/sync-cli/target/jsync"
[ -d "$built/lib" ] || { echo "install.sh: build first: mvn -q -DskipTests package" >&2; exit 1; }

train() { # $1 = launcher, $2 = client archive to write; the server's goes next to it (jsync-server.jsa)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  server_jsa="$(dirname "$2")/jsync-server.jsa"
  mkdir -p "$work/a/d" "$work/b"
  for i in 1 2 3; do echo "file $i" > "$work/a/d/f$i"; done
  echo other > "$work/b/g"
  rm -f "$2" "$server_jsa"
  if train_ssh "$1" "$2" "$server_jsa"; then
    return 0
  fi
  rm -f "$2" "$2.tmp" "$server_jsa" "$server_jsa.tmp"
  # No sshd here: a local sync, so the local path's classes are archived. Two runs: a first sync and a
  # no-change one.
  JSYNC_HOME="$work/home" JSYNC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$2.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$1" -batch -silent "$work/a" "$work/b" >/dev/null
  mv "$2.tmp" "$2"
  JSYNC_HOME="$work/home" "$1" -batch -silent "$work/a" "$work/b" >/dev/null
}

# The archives trained on a real synchronization over SSH, to a throw-away sshd on 127.0.0.1 (only if
# OpenSSH's sshd and ssh-keygen are installed): the client's archive then holds the built-in SSH client,
# the protocol and the local replica (changes go both ways), and 'jsync server' gets its own archive. Over
# SSH a no-change run then starts ~0.4 s sooner (docs/benchmarks.md). Returns non-zero if it cannot.
train_ssh() { # $1 = launcher, $2 = client archive, $3 = server archive
  [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null && [ -x "$top/bench/lib/loopback-sshd.sh" ] \
    && command -v bash >/dev/null || return 1
  port=$(bash "$top/bench/lib/loopback-sshd.sh" start "$work/sshd" 2>/dev/null) || return 1
  mkdir -p "$work/home/.ssh" "$work/a/e"
  cp "$work/sshd/client_key" "$work/home/.ssh/id_ed25519"
  cp "$work/sshd/known_hosts" "$work/home/.ssh/known_hosts"
  chmod 700 "$work/home/.ssh"; chmod 600 "$work/home/.ssh/id_ed25519"
  echo "big enough for a delta" > "$work/a/e/big"
  cat > "$work/server.sh" <<EOS
#!/bin/sh
JSYNC_HOME='$work/server-home'; export JSYNC_HOME
JSYNC_JAVA_OPTS='-XX:ArchiveClassesAtExit=$3.tmp -Xlog:cds=off -Xlog:cds+dynamic=off'; export JSYNC_JAVA_OPTS
exec '$1' "\$@"
EOS
  chmod +x "$work/server.sh"
  ok=0
  HOME="$work/home" JSYNC_HOME="$work/home/.jsync" \
    JSYNC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$2.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$1" -batch -silent "$work/a" "ssh://root@127.0.0.1:$port/$work/b" -servercmd "$work/server.sh" \
    >/dev/null 2>&1 || ok=1
  bash "$top/bench/lib/loopback-sshd.sh" stop "$work/sshd" >/dev/null 2>&1 || true
  [ $ok = 0 ] && [ -f "$2.tmp" ] && [ -f "$3.tmp" ] || return 1
  mv "$2.tmp" "$2"
  mv "$3.tmp" "$3"
}

if [ "${1:-}" = "--cds" ]; then
  train "$top/bin/jsync" "$built/jsync.jsa"
  echo "trained $built/jsync.jsa$([ -f "$built/jsync-server.jsa" ] && echo " and jsync-server.jsa (over SSH)")"
  exit 0
fi

prefix=${1:-/usr/local}
dest="$prefix/lib/jsync"
rm -rf "$dest.new"
mkdir -p "$dest.new/bin" "$dest.new/lib" "$prefix/bin"
cp "$built"/lib/*.jar "$dest.new/lib/"
cp -r "$built/native" "$dest.new/native"
cp "$top/bin/jsync" "$top/bin/jsync-jit.json" "$dest.new/bin/"
echo "installed layout marker for bin/jsync" > "$dest.new/lib/jsync.classpath"
rm -rf "$dest.old"
[ -d "$dest" ] && mv "$dest" "$dest.old"
mv "$dest.new" "$dest"
rm -rf "$dest.old"
ln -sf ../lib/jsync/bin/jsync "$prefix/bin/jsync"
train "$dest/bin/jsync" "$dest/jsync.jsa"
echo "installed: $prefix/bin/jsync ($("$prefix/bin/jsync" -version))"
