#!/usr/bin/env bash
# Runs one of the micro-benchmarks here against a built checkout (mvn -q -DskipTests package), in a fresh
# JVM with bin/jsync's C1-only JIT, as a cron run has it:
#   bench/micro/run.sh StatBench lstat|fstatat TREE
#   bench/micro/run.sh SortBench cmp|nat TREE
#   bench/micro/run.sh IterBench MODE REPS ARCHIVE_DIR     (a copy of an archive directory: opened read-only)
#   bench/micro/run.sh MsgBench TREE                       (a ReadRequest encoded and decoded per file)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib="$here/../../sync-cli/target/jsync/lib"
[[ -d $lib ]] || { echo "$0: build first: mvn -q -DskipTests package" >&2; exit 2; }
cp=$(ls "$lib"/*.jar | tr '\n' :)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -nowarn -cp "$cp" -d "$out" "$here/$1.java" 2>/dev/null
main=$1; shift
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --add-opens java.base/sun.nio.fs=ALL-UNNAMED -cp "$cp$out" "$main" "$@"
