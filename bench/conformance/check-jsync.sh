#!/usr/bin/env bash
# Runs the conformance scenarios with the built jsync (bin/jsync) and checks the state part (exit code and
# both trees) of every scenario against Unison 2.52's recorded results. Scenarios where jsync differs on
# purpose are listed in deliberate-differences.txt with the reason (docs/user-guide.md explains each);
# for those, jsync's own recorded result (expected-jsync-differences.txt) must match instead.
# Exit 0 if everything matches. Needs root (some scenarios run the tool as uid 65534).
#
# --via-ssh: the same scenarios with the second root remote (ssh://root@127.0.0.1:PORT/...), served by
# 'jsync server' through a throw-away loopback sshd: remote replicas must behave exactly like local ones.
# Scenarios that run the tool as uid 65534 are left out there (the remote side logs in as root, so their
# permission failures cannot happen).
set -euo pipefail
via_ssh=0
if [[ ${1:-} == --via-ssh ]]; then via_ssh=1; fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
# Some scenarios run jsync as uid 65534, which may not reach the checkout (a clone under a mode-700 /root):
# install the build into a world-readable prefix and run that.
prefix=$(mktemp -d /tmp/jsync-conformance.XXXXXX)
trap 'rm -rf "$out" "$prefix"' EXIT
chmod 755 "$prefix"
"$top/install.sh" "$prefix" > /dev/null

scenarios=()
if ((via_ssh)); then
  port=$("$top/bench/lib/loopback-sshd.sh" start "$out/sshd" "JSYNC_HOME=$out/remote-jsync" "JSYNC_HOSTNAME=remote")
  trap '"$top/bench/lib/loopback-sshd.sh" stop "$out/sshd"; rm -rf "$out" "$prefix"' EXIT
  export JSYNC_SSH_PORT=$port JSYNC_SSH_USER=root JSYNC_SSH_KEY=$out/sshd/client_key \
    JSYNC_SSH_KNOWN_HOSTS=$out/sshd/known_hosts JSYNC_REAL=$prefix/bin/jsync JSYNC_SERVERCMD=$prefix/bin/jsync
  chmod 755 "$out"
  mapfile -t scenarios < <(awk '/^=== /{name=$2} /^as: uid/{nobody[name]=1} /^=== /{all[++n]=$2}
    END{for(i=1;i<=n;i++) if(!(all[i] in nobody)) print all[i]}' "$here/expected-unison.txt")
  JSYNC="$here/jsync-remote-b" "$here/conformance.sh" --no-report jsync "${scenarios[@]}" > "$out/jsync.txt"
else
  JSYNC="$prefix/bin/jsync" "$here/conformance.sh" --no-report jsync > "$out/jsync.txt"
fi

# Split a results file into one file per scenario, dropping the report sections.
split() { # $1 = results file, $2 = output dir
  mkdir -p "$2"
  awk -v dir="$2" '
    /^=== / { name = $2; file = dir "/" name; skip = 0; print > file; next }
    /^--- report/ { skip = 1; next }
    /^--- / { skip = 0 }
    name != "" && !skip && NF { print >> file }
  ' "$1"
}
split "$here/expected-unison.txt" "$out/unison"
split "$out/jsync.txt" "$out/jsync"
split "$here/expected-jsync-differences.txt" "$out/deliberate"

deliberate=$(grep -v '^#' "$here/deliberate-differences.txt" | awk 'NF {print $1}')
fail=0
for f in "$out/unison"/*; do
  name=$(basename "$f")
  if ((via_ssh)) && ! printf '%s\n' "${scenarios[@]}" | grep -qx "$name"; then continue; fi
  if [ ! -f "$out/jsync/$name" ]; then
    echo "MISSING: $name"; fail=1; continue
  fi
  if grep -qx "$name" <<<"$deliberate"; then
    if ! diff -u "$out/deliberate/$name" "$out/jsync/$name" > "$out/diff"; then
      echo "CHANGED (deliberate difference no longer as recorded): $name"; cat "$out/diff"; fail=1
    fi
  elif ! diff -u "$f" "$out/jsync/$name" > "$out/diff"; then
    echo "DIFFERS from Unison: $name"; cat "$out/diff"; fail=1
  fi
done
total=$(ls "$out/unison" | wc -l)
if ((via_ssh)); then total="${#scenarios[@]} (second root over SSH)"; fi
echo "conformance: $total scenarios, $(wc -w <<<"$deliberate") deliberate differences, $([ $fail = 0 ] && echo OK || echo FAILED)"
exit $fail
