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

# The archives record the classes of the run that writes them. They are written by a second run, over
# archives the first one recorded, with changes both ways: what cron runs are. A first sync never reads an
# archive record; archived from one alone, a no-change run of 100,000 files loaded the record classes from
# the jar (verified) and spun its lambdas at every start, 45 such classes on the client and 17 on the
# server (docs/benchmarks.md). The tree is deep enough for the read-ahead's helper threads to get work.
train() { # $1 = launcher, $2 = client archive to write; the server's goes next to it (jsync-server.jsa)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  server_jsa="$(dirname "$2")/jsync-server.jsa"
  mkdir -p "$work/b"
  for d in d1 d2 d3; do
    for s in s1 s2; do
      mkdir -p "$work/a/$d/$s/t"
      for i in 1 2 3; do echo "file $d $s $i" > "$work/a/$d/$s/f$i"; done
      echo "below" > "$work/a/$d/$s/t/g"
    done
  done
  echo other > "$work/b/g"
  # Larger than the smallest file a delta is made for (256 KiB), so the second run sends one.
  head -c 400000 /dev/urandom > "$work/a/big" 2>/dev/null || dd if=/dev/urandom of="$work/a/big" bs=1000 count=400 2>/dev/null
  rm -f "$2" "$server_jsa"
  if train_ssh "$1" "$2" "$server_jsa"; then
    return 0
  fi
  rm -f "$2" "$2.tmp" "$server_jsa" "$server_jsa.tmp"
  # No sshd here: a local sync, so the local path's classes are archived.
  JSYNC_HOME="$work/home" "$1" -batch -silent "$work/a" "$work/b" >/dev/null
  change_both "$work/a" "$work/b"
  JSYNC_HOME="$work/home" JSYNC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$2.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$1" -batch -silent "$work/a" "$work/b" >/dev/null
  mv "$2.tmp" "$2"
}

# Changes on both sides after a first sync: edits (one a delta), a new file, a deletion.
change_both() { # $1, $2 = the two roots
  printf 'edited' >> "$1/d1/s1/f1"
  printf 'edited' >> "$2/d2/s2/f2"
  dd if=/dev/urandom of="$1/big" bs=1000 count=1 seek=100 conv=notrunc 2>/dev/null
  echo new > "$2/d3/new"
  rm -f "$1/d3/s1/f3"
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
  cat > "$work/server.sh" <<EOS
#!/bin/sh
JSYNC_HOME='$work/server-home'; export JSYNC_HOME
exec '$1' "\$@"
EOS
  cat > "$work/server-train.sh" <<EOS
#!/bin/sh
JSYNC_HOME='$work/server-home'; export JSYNC_HOME
JSYNC_JAVA_OPTS='-XX:ArchiveClassesAtExit=$3.tmp -Xlog:cds=off -Xlog:cds+dynamic=off'; export JSYNC_JAVA_OPTS
exec '$1' "\$@"
EOS
  chmod +x "$work/server.sh" "$work/server-train.sh"
  ok=0
  HOME="$work/home" JSYNC_HOME="$work/home/.jsync" \
    "$1" -batch -silent "$work/a" "ssh://root@127.0.0.1:$port/$work/b" -servercmd "$work/server.sh" \
    >/dev/null 2>&1 || ok=1
  [ $ok = 0 ] && change_both "$work/a" "$work/b"
  [ $ok = 0 ] && { HOME="$work/home" JSYNC_HOME="$work/home/.jsync" \
    JSYNC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$2.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$1" -batch -silent "$work/a" "ssh://root@127.0.0.1:$port/$work/b" -servercmd "$work/server-train.sh" \
    >/dev/null 2>&1 || ok=1; }
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
