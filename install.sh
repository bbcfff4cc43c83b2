#!/bin/sh
# Installs a built jsync (mvn -DskipTests package) under PREFIX (default /usr/local):
#   PREFIX/lib/jsync/{bin/jsync, lib/*.jar, native/, jsync.jsa}  and  PREFIX/bin/jsync -> ../lib/jsync/bin/jsync
# and trains a class-data-sharing archive (jsync.jsa) with a small real sync, which makes every later start
# faster. Usage: ./install.sh [PREFIX]     ./install.sh --cds   (only train the archive for bin/jsync here)
set -eu
top=$(cd "$(dirname "$0")" && pwd)
built="$top/sync-cli/target/jsync"
[ -d "$built/lib" ] || { echo "install.sh: build first: mvn -q -DskipTests package" >&2; exit 1; }

train() { # $1 = launcher, $2 = archive to write
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/a/d" "$work/b"
  for i in 1 2 3; do echo "file $i" > "$work/a/d/f$i"; done
  echo other > "$work/b/g"
  rm -f "$2"
  # Two runs: a first sync and a no-change one, so both paths' classes are archived.
  JSYNC_HOME="$work/home" JSYNC_JAVA_OPTS="-XX:ArchiveClassesAtExit=$2.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$1" -batch -silent "$work/a" "$work/b" >/dev/null
  mv "$2.tmp" "$2"
  JSYNC_HOME="$work/home" "$1" -batch -silent "$work/a" "$work/b" >/dev/null
}

if [ "${1:-}" = "--cds" ]; then
  train "$top/bin/jsync" "$built/jsync.jsa"
  echo "trained $built/jsync.jsa"
  exit 0
fi

prefix=${1:-/usr/local}
dest="$prefix/lib/jsync"
rm -rf "$dest.new"
mkdir -p "$dest.new/bin" "$dest.new/lib" "$prefix/bin"
cp "$built"/lib/*.jar "$dest.new/lib/"
cp -r "$built/native" "$dest.new/native"
cp "$top/bin/jsync" "$dest.new/bin/jsync"
echo "installed layout marker for bin/jsync" > "$dest.new/lib/jsync.classpath"
rm -rf "$dest.old"
[ -d "$dest" ] && mv "$dest" "$dest.old"
mv "$dest.new" "$dest"
rm -rf "$dest.old"
ln -sf ../lib/jsync/bin/jsync "$prefix/bin/jsync"
train "$dest/bin/jsync" "$dest/jsync.jsa"
echo "installed: $prefix/bin/jsync ($("$prefix/bin/jsync" -version))"
