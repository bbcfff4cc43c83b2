#!/usr/bin/env bash
# Black-box conformance harness: runs batch-mode sync scenarios against a
# synchronizer (unison or jsync) and prints one canonical result block per
# scenario, so that the two tools can be diffed.
#
#   bench/conformance/conformance.sh [--out FILE] [--raw DIR] [--no-report]
#                                    unison|jsync [SCENARIO...]
#   bench/conformance/conformance.sh --list
#
# See bench/conformance/README.md.
set -euo pipefail

export LC_ALL=C TZ=UTC

# Fixed timestamps: every file gets an explicit mtime so that fast update
# detection (mtime+size) always notices a change, and -prefer newer/older is
# well defined.  T0 = state at the first sync, T1 < T2 < T3 later edits.
readonly T0='2021-01-01 00:00:00'
readonly T1='2022-01-01 00:00:00'
readonly T2='2022-06-01 00:00:00'
readonly T3='2023-01-01 00:00:00'
readonly TOLD='2019-01-01 00:00:00' # older than T0
readonly NOBODY=65534
HOST=$(uname -n)
readonly HOST

usage() {
  cat >&2 <<'EOF'
usage: conformance.sh [--out FILE] [--raw DIR] [--no-report] unison|jsync [SCENARIO...]
       conformance.sh --list
  unison   run /usr/bin/unison (or $UNISON_BIN)
  jsync    run ${JSYNC:-jsync}
  --out F  also write the results to F
  --raw D  keep each scenario's raw (path-normalized) stdout/stderr in D
  --no-report  omit the tool-specific "report" section (state-only diff)
EOF
  exit 64
}

# ---------------------------------------------------------------------------
# Helpers used by scenarios.  All paths are relative to $tmp (cwd during the
# setup/change/post phases), i.e. start with a/ or b/.

# put PATH CONTENT [MTIME]: write CONTENT plus newline, set mtime (default T0)
put() {
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
  touch -d "${3:-$T0}" "$1"
}
# both PATH CONTENT [MTIME]: put the same file in a and b
both() { put "a/$1" "$2" "${3:-$T0}"; put "b/$1" "$2" "${3:-$T0}"; }
mkd() { mkdir -p "$@"; }
# lnk TARGET PATH
lnk() { mkdir -p "$(dirname "$2")"; ln -sfn "$1" "$2"; }
rmr() { rm -rf "$@"; }
# mt PATH MTIME: set mtime only (no content change)
mt() { touch -h -d "$2" "$1"; }

# ---------------------------------------------------------------------------
# Scenarios.  Each is a function sc_NAME taking a phase:
#   meta    set DESC, and optionally FIRST (1 = do an initial sync, default),
#           FIRST_FLAGS / FLAGS (arrays, extra flags of the initial / final
#           sync; $A and $B are the root paths), SHOW_MODE, SHOW_MTIME,
#           AS_NOBODY (run the tool as uid/gid 65534 on a tree owned by it)
#   setup   create the initial trees
#   change  modify them after the initial sync
#   post    (AS_NOBODY only) runs after the tree was chowned to nobody, to
#           make deliberate exceptions
# Unknown phases must be no-ops.

SCENARIOS=(
  # 1. first sync, no archive
  first_only_a first_only_b first_identical first_conflict first_dir_vs_file
  first_empty_a first_empty_b first_same_content_diff_perms
  first_same_content_diff_mtime first_same_content_diff_mtime_times
  first_conflict_prefer_newer_times first_root_a_missing
  # 2. one file F after an initial sync
  nothing_to_do mod_a mod_b mod_both_same mod_both_diff mod_both_diff_size_same
  del_a del_a_mod_b mod_a_del_b del_both chmod_a chmod_both_diff chmod_both_same
  mod_a_chmod_b touch_a file_to_dir_a file_to_dir_a_mod_b file_to_link_a
  # 3. directories
  dir_create_a dir_delete_a dir_del_a_mod_b dir_del_a_add_b dir_del_a_del_b dir_rename_a
  file_rename_a dir_to_file_a dir_chmod_a dir_chmod_both_diff
  # 4. symlinks
  link_create_a link_create_dangling_a link_retarget_a link_retarget_both
  link_delete_a link_to_file_a
  # 5. prefer / force
  prefer_a prefer_b prefer_newer prefer_older prefer_newer_times
  prefer_older_times prefer_newer_times_b_newer prefer_newer_times_equal_mtime
  prefer_newer_times_del_a_mod_b prefer_older_times_del_a_mod_b
  prefer_newer_del_a_mod_b prefer_newer_times_dir_vs_file
  prefer_newer_times_dir_del_mod prefer_a_one_sided_b force_a_only_b_changed
  force_a_b_created force_a_b_deleted force_newer force_newer_times
  force_newer_times_one_sided_old_mtime prefer_newer_times_one_sided_old_mtime
  force_older_times_one_sided force_newer_copy_mtime force_newer_times_b_deleted
  force_newer_times_b_created force_older_times_b_deleted prefer_newer_b_newer
  prefer_older_times_equal_mtime prefer_newer_times_equal_mtime_a_longer
  prefer_newer_times_dir_older_vs_file prefer_older_times_dir_del_mod
  # 6. confirmbigdel
  bigdel_empty_a bigdel_empty_b bigdel_rm_root_a bigdel_empty_a_noconfirm
  bigdel_rm_root_a_noconfirm bigdel_empty_toplevel_dir bigdel_almost_empty_a bigdel_empty_a_force_a bigdel_empty_both
  bigdel_path_emptied bigdel_path_removed
  # 7. exit codes, failures, problems
  fail_dest_dir_unwritable fail_dest_file_unwritable_dir conflict_and_failure
  unreadable_new_file_a unreadable_modified_file_a unreadable_dir_a
  unreadable_file_a_unchanged unreadable_file_in_new_dir_a
  # 8. ignore
  ignore_one_side ignore_both_sides_differ ignore_added_for_archived
  ignore_added_for_archived_deleted_a ignore_name_glob ignore_dir_path
  # 9. times
  times_propagate times_touch_a times_touch_both_diff times_touch_both_same
  times_without_flag_touch_a times_first_sync_copy times_mod_both_same_diff_mtime
  # 10. mountpoint
  mountpoint_ok mountpoint_missing_b mountpoint_missing_b_first_sync
  mountpoint_missing_both
)

# --- 1. first sync -----------------------------------------------------------
sc_first_only_a() { case $1 in
  meta) DESC="first sync: file only in a"; FIRST=0 ;;
  setup) put a/f "from-a"; mkd b ;;
esac; }
sc_first_only_b() { case $1 in
  meta) DESC="first sync: file only in b"; FIRST=0 ;;
  setup) mkd a; put b/f "from-b" ;;
esac; }
sc_first_identical() { case $1 in
  meta) DESC="first sync: identical file in both"; FIRST=0 ;;
  setup) both f "same" ;;
esac; }
sc_first_conflict() { case $1 in
  meta) DESC="first sync: different file in both (conflict), plus an unrelated new file in a"; FIRST=0 ;;
  setup) put a/f "from-a"; put b/f "from-b"; put a/g "only-a" ;;
esac; }
sc_first_dir_vs_file() { case $1 in
  meta) DESC="first sync: a has dir d/ (with d/x), b has file d"; FIRST=0 ;;
  setup) put a/d/x "x"; put b/d "file-d" ;;
esac; }
sc_first_empty_a() { case $1 in
  meta) DESC="first sync: root a empty, b populated"; FIRST=0 ;;
  setup) mkd a; put b/f "f"; put b/d/x "x" ;;
esac; }
sc_first_empty_b() { case $1 in
  meta) DESC="first sync: root a populated, b empty"; FIRST=0 ;;
  setup) put a/f "f"; put a/d/x "x"; mkd b ;;
esac; }
sc_first_same_content_diff_perms() { case $1 in
  meta) DESC="first sync: same content, a 0644 vs b 0600"; FIRST=0; SHOW_MODE=1 ;;
  setup) both f "same"; chmod 644 a/f; chmod 600 b/f ;;
esac; }
sc_first_same_content_diff_mtime() { case $1 in
  meta) DESC="first sync: same content, different mtimes, no -times"; FIRST=0 ;;
  setup) put a/f "same" "$T1"; put b/f "same" "$T2" ;;
esac; }
sc_first_same_content_diff_mtime_times() { case $1 in
  meta) DESC="first sync: same content, different mtimes, -times"; FIRST=0
        FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) put a/f "same" "$T1"; put b/f "same" "$T2" ;;
esac; }
sc_first_conflict_prefer_newer_times() { case $1 in
  meta) DESC="first sync: different file in both, -prefer newer -times (b newer)"; FIRST=0
        FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) put a/f "from-a" "$T1"; put b/f "from-b" "$T2" ;;
esac; }

sc_first_root_a_missing() { case $1 in
  meta) DESC="first sync: root directory a does not exist, b populated"; FIRST=0 ;;
  setup) rmr a; put b/f "f" ;;
esac; }

# --- 2. one file after an initial sync --------------------------------------
# Base: f and an unrelated g exist in both, synced.
base_f() { both f "v0"; both g "g0"; }
sc_nothing_to_do() { case $1 in
  meta) DESC="after sync: nothing changed" ;;
  setup) base_f ;;
esac; }
sc_mod_a() { case $1 in
  meta) DESC="after sync: f modified in a only" ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T1" ;;
esac; }
sc_mod_b() { case $1 in
  meta) DESC="after sync: f modified in b only" ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$T1" ;;
esac; }
sc_mod_both_same() { case $1 in
  meta) DESC="after sync: f modified identically in a and b (different mtimes)" ;;
  setup) base_f ;;
  change) put a/f "same-v1" "$T1"; put b/f "same-v1" "$T2" ;;
esac; }
sc_mod_both_diff() { case $1 in
  meta) DESC="after sync: f modified differently in a and b (conflict)" ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T1"; put b/f "b-version-1" "$T2" ;;
esac; }
sc_mod_both_diff_size_same() { case $1 in
  meta) DESC="after sync: f modified differently, same size and same mtime in a and b" ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T1"; put b/f "b-v1" "$T1" ;;
esac; }
sc_del_a() { case $1 in
  meta) DESC="after sync: f deleted in a" ;;
  setup) base_f ;;
  change) rmr a/f ;;
esac; }
sc_del_a_mod_b() { case $1 in
  meta) DESC="after sync: f deleted in a, modified in b (conflict)" ;;
  setup) base_f ;;
  change) rmr a/f; put b/f "b-v1" "$T1" ;;
esac; }
sc_mod_a_del_b() { case $1 in
  meta) DESC="after sync: f modified in a, deleted in b (conflict)" ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T1"; rmr b/f ;;
esac; }
sc_del_both() { case $1 in
  meta) DESC="after sync: f deleted in a and in b" ;;
  setup) base_f ;;
  change) rmr a/f b/f ;;
esac; }
sc_chmod_a() { case $1 in
  meta) DESC="after sync: chmod 600 f in a only"; SHOW_MODE=1 ;;
  setup) base_f; chmod 644 a/f b/f ;;
  change) chmod 600 a/f ;;
esac; }
sc_chmod_both_diff() { case $1 in
  meta) DESC="after sync: chmod f 600 in a, 755 in b (conflict)"; SHOW_MODE=1 ;;
  setup) base_f; chmod 644 a/f b/f ;;
  change) chmod 600 a/f; chmod 755 b/f ;;
esac; }
sc_chmod_both_same() { case $1 in
  meta) DESC="after sync: chmod f 600 in both"; SHOW_MODE=1 ;;
  setup) base_f; chmod 644 a/f b/f ;;
  change) chmod 600 a/f b/f ;;
esac; }
sc_mod_a_chmod_b() { case $1 in
  meta) DESC="after sync: content of f changed in a, perms of f changed in b"; SHOW_MODE=1 ;;
  setup) base_f; chmod 644 a/f b/f ;;
  change) put a/f "a-v1" "$T1"; chmod 600 b/f ;;
esac; }
sc_touch_a() { case $1 in
  meta) DESC="after sync: only the mtime of f changed in a (no -times)" ;;
  setup) base_f ;;
  change) mt a/f "$T2" ;;
esac; }
sc_file_to_dir_a() { case $1 in
  meta) DESC="after sync: f replaced by a directory f/ (with f/x) in a" ;;
  setup) base_f ;;
  change) rmr a/f; put a/f/x "x" ;;
esac; }
sc_file_to_dir_a_mod_b() { case $1 in
  meta) DESC="after sync: f replaced by dir in a, f modified in b (conflict)" ;;
  setup) base_f ;;
  change) rmr a/f; put a/f/x "x"; put b/f "b-v1" "$T1" ;;
esac; }
sc_file_to_link_a() { case $1 in
  meta) DESC="after sync: f replaced by a symlink f -> g in a" ;;
  setup) base_f ;;
  change) rmr a/f; lnk g a/f ;;
esac; }

# --- 3. directories ----------------------------------------------------------
base_d() { both d/x "x0"; both d/y "y0"; both d/sub/z "z0"; both top "top"; }
sc_dir_create_a() { case $1 in
  meta) DESC="after sync: new dir tree n/ (n/p, n/q/r, empty n/e/) created in a" ;;
  setup) both top "top" ;;
  change) put a/n/p "p"; put a/n/q/r "r"; mkd a/n/e ;;
esac; }
sc_dir_delete_a() { case $1 in
  meta) DESC="after sync: dir tree d/ deleted in a" ;;
  setup) base_d ;;
  change) rmr a/d ;;
esac; }
sc_dir_del_a_mod_b() { case $1 in
  meta) DESC="after sync: dir d/ deleted in a, d/x modified in b (conflict)" ;;
  setup) base_d ;;
  change) rmr a/d; put b/d/x "x-b1" "$T1" ;;
esac; }
sc_dir_del_a_add_b() { case $1 in
  meta) DESC="after sync: dir d/ deleted in a, new file d/sub/new created in b" ;;
  setup) base_d ;;
  change) rmr a/d; put b/d/sub/new "new" "$T1" ;;
esac; }
sc_dir_del_a_del_b() { case $1 in
  meta) DESC="after sync: dir d/ deleted in a, d/x deleted in b (what a run killed while deleting d/ in b leaves)" ;;
  setup) base_d ;;
  change) rmr a/d b/d/x ;;
esac; }
sc_dir_rename_a() { case $1 in
  meta) DESC="after sync: dir d/ renamed to e/ in a" ;;
  setup) base_d ;;
  change) mv a/d a/e ;;
esac; }
sc_file_rename_a() { case $1 in
  meta) DESC="after sync: file d/x renamed to d/x2 in a" ;;
  setup) base_d ;;
  change) mv a/d/x a/d/x2 ;;
esac; }
sc_dir_to_file_a() { case $1 in
  meta) DESC="after sync: dir d/ replaced by a file d in a" ;;
  setup) base_d ;;
  change) rmr a/d; put a/d "file-d" "$T1" ;;
esac; }
sc_dir_chmod_a() { case $1 in
  meta) DESC="after sync: chmod 700 dir d in a"; SHOW_MODE=1 ;;
  setup) base_d; chmod 755 a/d b/d ;;
  change) chmod 700 a/d ;;
esac; }

sc_dir_chmod_both_diff() { case $1 in
  meta) DESC="after sync: chmod dir d 700 in a, 750 in b (conflict)"; SHOW_MODE=1 ;;
  setup) base_d; chmod 755 a/d b/d ;;
  change) chmod 700 a/d; chmod 750 b/d ;;
esac; }

# --- 4. symlinks -------------------------------------------------------------
base_l() { both t1 "t1"; both t2 "t2"; lnk t1 a/l; lnk t1 b/l; }
sc_link_create_a() { case $1 in
  meta) DESC="after sync: symlink n -> t1 created in a" ;;
  setup) base_l ;;
  change) lnk t1 a/n ;;
esac; }
sc_link_create_dangling_a() { case $1 in
  meta) DESC="after sync: dangling symlink n -> nowhere created in a" ;;
  setup) base_l ;;
  change) lnk nowhere a/n ;;
esac; }
sc_link_retarget_a() { case $1 in
  meta) DESC="after sync: symlink l retargeted to t2 in a" ;;
  setup) base_l ;;
  change) lnk t2 a/l ;;
esac; }
sc_link_retarget_both() { case $1 in
  meta) DESC="after sync: symlink l retargeted to t2 in a, to ../x in b (conflict)" ;;
  setup) base_l ;;
  change) lnk t2 a/l; lnk ../x b/l ;;
esac; }
sc_link_delete_a() { case $1 in
  meta) DESC="after sync: symlink l deleted in a" ;;
  setup) base_l ;;
  change) rmr a/l ;;
esac; }
sc_link_to_file_a() { case $1 in
  meta) DESC="after sync: symlink l replaced by a regular file in a" ;;
  setup) base_l ;;
  change) rmr a/l; put a/l "now-a-file" "$T1" ;;
esac; }

# --- 5. prefer / force -------------------------------------------------------
# Conflict on f: a newer (T2) than b (T1); plus a one-sided change of g in b.
base_pc() { base_f; }
change_pc() { put a/f "a-new" "$T2"; put b/f "b-old" "$T1"; put b/g "g-b1" "$T1"; }
sc_prefer_a() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer A"; FLAGS=(-prefer "$A") ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_b() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer B"; FLAGS=(-prefer "$B") ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_newer() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer newer (no -times)"
        FLAGS=(-prefer newer) ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_older() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer older (no -times)"
        FLAGS=(-prefer older) ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_newer_times() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_older_times() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -prefer older -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer older -times); SHOW_MTIME=1 ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_prefer_newer_times_b_newer() { case $1 in
  meta) DESC="conflict (b newer); -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) put a/f "a-old" "$T1"; put b/f "b-new" "$T2" ;;
esac; }
sc_prefer_newer_times_equal_mtime() { case $1 in
  meta) DESC="conflict with equal mtimes; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) put a/f "a-v1" "$T1"; put b/f "b-version-1" "$T1" ;;
esac; }
sc_prefer_newer_times_del_a_mod_b() { case $1 in
  meta) DESC="f deleted in a, modified in b; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) rmr a/f; put b/f "b-v1" "$T1" ;;
esac; }
sc_prefer_older_times_del_a_mod_b() { case $1 in
  meta) DESC="f deleted in a, modified in b; -prefer older -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer older -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) rmr a/f; put b/f "b-v1" "$T1" ;;
esac; }
sc_prefer_newer_del_a_mod_b() { case $1 in
  meta) DESC="f deleted in a, modified in b; -prefer newer (no -times)"
        FLAGS=(-prefer newer) ;;
  setup) base_pc ;;
  change) rmr a/f; put b/f "b-v1" "$T1" ;;
esac; }
sc_prefer_newer_times_dir_vs_file() { case $1 in
  meta) DESC="f replaced by dir f/ in a (f/x at T3), f modified in b (T2); -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) rmr a/f; put a/f/x "x" "$T3"; touch -d "$T3" a/f; put b/f "b-v1" "$T2" ;;
esac; }
sc_prefer_newer_times_dir_del_mod() { case $1 in
  meta) DESC="dir d/ deleted in a, d/x modified in b; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_d ;;
  change) rmr a/d; put b/d/x "x-b1" "$T1" ;;
esac; }
sc_prefer_a_one_sided_b() { case $1 in
  meta) DESC="only b changed (f modified, h created, g deleted); -prefer A"
        FLAGS=(-prefer "$A") ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$T1"; put b/h "h-new" "$T1"; rmr b/g ;;
esac; }
sc_force_a_only_b_changed() { case $1 in
  meta) DESC="only b changed (f modified); -force A"; FLAGS=(-force "$A") ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$T1" ;;
esac; }
sc_force_a_b_created() { case $1 in
  meta) DESC="only b changed (h created); -force A"; FLAGS=(-force "$A") ;;
  setup) base_f ;;
  change) put b/h "h-new" "$T1" ;;
esac; }
sc_force_a_b_deleted() { case $1 in
  meta) DESC="only b changed (g deleted); -force A"; FLAGS=(-force "$A") ;;
  setup) base_f ;;
  change) rmr b/g ;;
esac; }
sc_force_newer() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -force newer (no -times)"
        FLAGS=(-force newer) ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_force_newer_times() { case $1 in
  meta) DESC="conflict (a newer) + one-sided change in b; -force newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-force newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;; change) change_pc ;;
esac; }
sc_force_newer_times_one_sided_old_mtime() { case $1 in
  meta) DESC="only b changed f, but b's new mtime is older than a's; -force newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-force newer -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$TOLD" ;;
esac; }
sc_prefer_newer_times_one_sided_old_mtime() { case $1 in
  meta) DESC="only b changed f, but b's new mtime is older than a's; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$TOLD" ;;
esac; }
sc_force_older_times_one_sided() { case $1 in
  meta) DESC="only b changed (f modified at T1, h created); -force older -times"
        FIRST_FLAGS=(-times); FLAGS=(-force older -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put b/f "b-v1" "$T1"; put b/h "h-new" "$T1" ;;
esac; }

sc_force_newer_copy_mtime() { case $1 in
  meta) DESC="f created in a only (T0) and copied to b without -times (b/f mtime = copy time); then f edited in a (mtime T1); -force newer (no -times)"
        FLAGS=(-force newer) ;;
  setup) put a/f "v0"; put a/g "g0" ;;
  change) put a/f "a-v1" "$T1" ;;
esac; }

sc_force_newer_times_b_deleted() { case $1 in
  meta) DESC="only b changed (g deleted); -force newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-force newer -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) rmr b/g ;;
esac; }
sc_force_newer_times_b_created() { case $1 in
  meta) DESC="only b changed (h created at T1); -force newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-force newer -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put b/h "h-new" "$T1" ;;
esac; }
sc_force_older_times_b_deleted() { case $1 in
  meta) DESC="only b changed (g deleted); -force older -times"
        FIRST_FLAGS=(-times); FLAGS=(-force older -times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) rmr b/g ;;
esac; }
sc_prefer_newer_b_newer() { case $1 in
  meta) DESC="conflict (b newer); -prefer newer (no -times)"; FLAGS=(-prefer newer) ;;
  setup) base_pc ;;
  change) put a/f "a-old" "$T1"; put b/f "b-new" "$T2" ;;
esac; }
sc_prefer_older_times_equal_mtime() { case $1 in
  meta) DESC="conflict with equal mtimes; -prefer older -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer older -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) put a/f "a-v1" "$T1"; put b/f "b-version-1" "$T1" ;;
esac; }
sc_prefer_newer_times_equal_mtime_a_longer() { case $1 in
  meta) DESC="conflict with equal mtimes, a's content longer; -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) put a/f "a-version-1" "$T1"; put b/f "b-v1" "$T1" ;;
esac; }
sc_prefer_newer_times_dir_older_vs_file() { case $1 in
  meta) DESC="f replaced by dir f/ in a (dir mtime T1, f/x T3), f modified in b (T2); -prefer newer -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer newer -times); SHOW_MTIME=1 ;;
  setup) base_pc ;;
  change) rmr a/f; put a/f/x "x" "$T3"; touch -d "$T1" a/f; put b/f "b-v1" "$T2" ;;
esac; }
sc_prefer_older_times_dir_del_mod() { case $1 in
  meta) DESC="dir d/ deleted in a, d/x modified in b; -prefer older -times"
        FIRST_FLAGS=(-times); FLAGS=(-prefer older -times); SHOW_MTIME=1 ;;
  setup) base_d ;;
  change) rmr a/d; put b/d/x "x-b1" "$T1" ;;
esac; }

# --- 6. confirmbigdel --------------------------------------------------------
base_big() { both f "f"; both g "g"; both d/x "x"; both d/y "y"; }
sc_bigdel_empty_a() { case $1 in
  meta) DESC="confirmbigdel: all contents of root a deleted (root dir kept)" ;;
  setup) base_big ;;
  change) find a -mindepth 1 -delete ;;
esac; }
sc_bigdel_empty_b() { case $1 in
  meta) DESC="confirmbigdel: all contents of root b deleted (root dir kept)" ;;
  setup) base_big ;;
  change) find b -mindepth 1 -delete ;;
esac; }
sc_bigdel_rm_root_a() { case $1 in
  meta) DESC="confirmbigdel: root directory a itself removed" ;;
  setup) base_big ;;
  change) rmr a ;;
esac; }
sc_bigdel_empty_a_noconfirm() { case $1 in
  meta) DESC="contents of root a deleted; -confirmbigdel=false"; FLAGS=(-confirmbigdel=false) ;;
  setup) base_big ;;
  change) find a -mindepth 1 -delete ;;
esac; }
sc_bigdel_rm_root_a_noconfirm() { case $1 in
  meta) DESC="root directory a removed; -confirmbigdel=false"; FLAGS=(-confirmbigdel=false) ;;
  setup) base_big ;;
  change) rmr a ;;
esac; }
sc_bigdel_empty_toplevel_dir() { case $1 in
  meta) DESC="confirmbigdel: all contents of top-level dir a/d deleted, rest of a kept" ;;
  setup) base_big ;;
  change) rmr a/d/x a/d/y ;;
esac; }
sc_bigdel_almost_empty_a() { case $1 in
  meta) DESC="confirmbigdel: everything in a deleted except f" ;;
  setup) base_big ;;
  change) rmr a/g a/d ;;
esac; }

sc_bigdel_empty_a_force_a() { case $1 in
  meta) DESC="confirmbigdel: contents of root a deleted; -force A (mirror a to b)"
        FLAGS=(-force "$A") ;;
  setup) base_big ;;
  change) find a -mindepth 1 -delete ;;
esac; }
sc_bigdel_empty_both() { case $1 in
  meta) DESC="confirmbigdel: contents of both roots deleted" ;;
  setup) base_big ;;
  change) find a b -mindepth 1 -delete ;;
esac; }

sc_bigdel_path_emptied() { case $1 in
  meta) DESC="confirmbigdel: contents of a/d deleted, final sync restricted with -path d"
        FLAGS=(-path d) ;;
  setup) base_big ;;
  change) rmr a/d/x a/d/y ;;
esac; }
sc_bigdel_path_removed() { case $1 in
  meta) DESC="confirmbigdel: dir a/d removed, final sync restricted with -path d"
        FLAGS=(-path d) ;;
  setup) base_big ;;
  change) rmr a/d ;;
esac; }

# --- 7. exit codes, failures, problems (tool runs as nobody) -----------------
sc_fail_dest_dir_unwritable() { case $1 in
  meta) DESC="as nobody: new file d/new in a, destination dir b/d owned by root 0755 (failure)"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_d ;;
  change) put a/d/new "new" "$T1"; put a/top "top-a1" "$T1" ;;
  post) chown 0:0 b/d; chmod 755 b/d ;;
esac; }
sc_fail_dest_file_unwritable_dir() { case $1 in
  meta) DESC="as nobody: d/x modified in a, b/d owned by root 0755 (failure)"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_d ;;
  change) put a/d/x "x-a1" "$T1" ;;
  post) chown 0:0 b/d; chmod 755 b/d ;;
esac; }
sc_conflict_and_failure() { case $1 in
  meta) DESC="as nobody: conflict on top + failure on d/new (b/d root-owned)"
        AS_NOBODY=1 ;;
  setup) base_d ;;
  change) put a/d/new "new" "$T1"; put a/top "top-a1" "$T1"; put b/top "top-b1" "$T2" ;;
  post) chown 0:0 b/d; chmod 755 b/d ;;
esac; }
sc_unreadable_new_file_a() { case $1 in
  meta) DESC="as nobody: new file s in a with mode 000, plus new readable file r"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_f ;;
  change) put a/s "secret" "$T1"; chmod 000 a/s; put a/r "readable" "$T1" ;;
esac; }
sc_unreadable_modified_file_a() { case $1 in
  meta) DESC="as nobody: f modified in a and made mode 000"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T1"; chmod 000 a/f ;;
esac; }
sc_unreadable_dir_a() { case $1 in
  meta) DESC="as nobody: dir a/d made mode 000 (nothing else changed), new file a/n"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_d ;;
  change) chmod 000 a/d; put a/n "n" "$T1" ;;
esac; }
sc_unreadable_file_a_unchanged() { case $1 in
  meta) DESC="as nobody: f made mode 000 in a (perms change only)"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_f ;;
  change) chmod 000 a/f ;;
esac; }

sc_unreadable_file_in_new_dir_a() { case $1 in
  meta) DESC="as nobody: new dir n/ in a with n/ok readable and n/secret mode 000"
        AS_NOBODY=1; SHOW_MODE=1 ;;
  setup) base_f ;;
  change) put a/n/ok "ok" "$T1"; put a/n/secret "secret" "$T1"; chmod 000 a/n/secret ;;
esac; }

# --- 8. ignore ---------------------------------------------------------------
sc_ignore_one_side() { case $1 in
  meta) DESC="first sync, -ignore 'Path x': x only in a"; FIRST=0; FLAGS=(-ignore 'Path x') ;;
  setup) put a/x "x-a"; put a/y "y"; mkd b ;;
esac; }
sc_ignore_both_sides_differ() { case $1 in
  meta) DESC="after sync -ignore 'Path x': x modified differently in a and b"
        FIRST_FLAGS=(-ignore 'Path x'); FLAGS=(-ignore 'Path x') ;;
  setup) both x "x0"; both y "y0" ;;
  change) put a/x "x-a1" "$T1"; put b/x "x-b1" "$T2" ;;
esac; }
sc_ignore_added_for_archived() { case $1 in
  meta) DESC="x synced, then modified in a; sync with new -ignore 'Path x'"
        FLAGS=(-ignore 'Path x') ;;
  setup) both x "x0"; both y "y0" ;;
  change) put a/x "x-a1" "$T1" ;;
esac; }
sc_ignore_added_for_archived_deleted_a() { case $1 in
  meta) DESC="x synced, then deleted in a; sync with new -ignore 'Path x' (must not delete b/x)"
        FLAGS=(-ignore 'Path x') ;;
  setup) both x "x0"; both y "y0" ;;
  change) rmr a/x ;;
esac; }
sc_ignore_name_glob() { case $1 in
  meta) DESC="first sync, -ignore 'Name *.tmp': a/k.tmp, a/d/k.tmp, a/d/k.txt"; FIRST=0
        FLAGS=(-ignore 'Name *.tmp') ;;
  setup) put a/k.tmp "t"; put a/d/k.tmp "t"; put a/d/k.txt "k"; mkd b ;;
esac; }
sc_ignore_dir_path() { case $1 in
  meta) DESC="after sync, dir d/ deleted in a; sync with new -ignore 'Path d'"
        FLAGS=(-ignore 'Path d') ;;
  setup) base_d ;;
  change) rmr a/d ;;
esac; }

# --- 9. times ----------------------------------------------------------------
sc_times_propagate() { case $1 in
  meta) DESC="-times: f modified in a with mtime T2"
        FIRST_FLAGS=(-times); FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put a/f "a-v1" "$T2" ;;
esac; }
sc_times_touch_a() { case $1 in
  meta) DESC="-times: only mtime of f changed in a"
        FIRST_FLAGS=(-times); FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) mt a/f "$T2" ;;
esac; }
sc_times_touch_both_diff() { case $1 in
  meta) DESC="-times: only mtime of f changed, differently in a (T1) and b (T2)"
        FIRST_FLAGS=(-times); FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) mt a/f "$T1"; mt b/f "$T2" ;;
esac; }
sc_times_touch_both_same() { case $1 in
  meta) DESC="-times: only mtime of f changed, to the same T2 in a and b"
        FIRST_FLAGS=(-times); FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) mt a/f "$T2"; mt b/f "$T2" ;;
esac; }
sc_times_without_flag_touch_a() { case $1 in
  meta) DESC="synced with -times, then only mtime of f changed in a; final sync without -times"
        FIRST_FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) mt a/f "$T2" ;;
esac; }
sc_times_first_sync_copy() { case $1 in
  meta) DESC="-times on first sync: file only in a (mtime T1) copied with its mtime"
        FIRST=0; FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) put a/f "f" "$T1"; mkd b ;;
esac; }

sc_times_mod_both_same_diff_mtime() { case $1 in
  meta) DESC="-times: f modified identically in a (mtime T1) and b (mtime T2)"
        FIRST_FLAGS=(-times); FLAGS=(-times); SHOW_MTIME=1 ;;
  setup) base_f ;;
  change) put a/f "same-v1" "$T1"; put b/f "same-v1" "$T2" ;;
esac; }

# --- 10. mountpoint ----------------------------------------------------------
base_mp() { both sub/x "x"; both top "top"; }
sc_mountpoint_ok() { case $1 in
  meta) DESC="-mountpoint sub present on both sides, sub/x modified in a"
        FIRST_FLAGS=(-mountpoint sub); FLAGS=(-mountpoint sub) ;;
  setup) base_mp ;;
  change) put a/sub/x "x-a1" "$T1" ;;
esac; }
sc_mountpoint_missing_b() { case $1 in
  meta) DESC="-mountpoint sub: b/sub removed after sync (unmounted), top modified in a"
        FIRST_FLAGS=(-mountpoint sub); FLAGS=(-mountpoint sub) ;;
  setup) base_mp ;;
  change) rmr b/sub; put a/top "top-a1" "$T1" ;;
esac; }
sc_mountpoint_missing_b_first_sync() { case $1 in
  meta) DESC="-mountpoint sub on a first sync: a/sub exists, b/sub missing"; FIRST=0
        FLAGS=(-mountpoint sub) ;;
  setup) put a/sub/x "x"; put a/top "top"; mkd b ;;
esac; }
sc_mountpoint_missing_both() { case $1 in
  meta) DESC="-mountpoint sub: sub removed in both a and b after sync"
        FIRST_FLAGS=(-mountpoint sub); FLAGS=(-mountpoint sub) ;;
  setup) base_mp ;;
  change) rmr a/sub b/sub ;;
esac; }

# ---------------------------------------------------------------------------
# Engine

TOOL=""
OUT=""
RAW=""
REPORT=1

# list_tree ROOT: canonical, tool-independent listing of a tree
list_tree() {
  local root=$1 p rel line txt
  if [[ ! -e $root && ! -L $root ]]; then
    echo "(root missing)"
    return
  fi
  if [[ -z $(find "$root" -mindepth 1 -maxdepth 1 ! -name '.unison*' -print -quit) ]]; then
    echo "(empty)"
  fi
  while IFS= read -r -d '' rel; do
    rel=${rel#./}
    p=$root/$rel
    if [[ -L $p ]]; then
      line="$rel	link	-> $(readlink "$p")"
    elif [[ -d $p ]]; then
      line="$rel	dir"
      if ((SHOW_MODE)); then line+="	mode=$(stat -c %a "$p")"; fi
    elif [[ -f $p ]]; then
      txt=$(head -c 64 "$p" | tr -d '\n')
      if [[ $(stat -c %s "$p") -le 64 && $(printf '%s\n' "$txt" | cmp -s - "$p" && echo y) == y &&
        $txt != *[![:print:]]* ]]; then
        line="$rel	file	\"$txt\""
      else
        line="$rel	file	sha256:$(sha256sum <"$p" | cut -c1-16)"
      fi
      if ((SHOW_MODE)); then line+="	mode=$(stat -c %a "$p")"; fi
      if ((SHOW_MTIME)); then line+="	mtime=$(date -u -d "@$(stat -c %Y "$p")" +%FT%TZ)"; fi
    else
      line="$rel	other"
    fi
    printf '%s\n' "$line"
  done < <(cd "$root" && find . -mindepth 1 \( -name '.unison*' -o -name '*.unison.tmp' \) -prune \
    -o -print0 | sort -z)
}

# normalize: replace the scenario's tmp paths by A / B / T, strip clock times
normalize() {
  sed -e "s#$tmp/a#A#g" -e "s#$tmp/b#B#g" -e "s#$tmp#T#g" \
    -e 's/ at [0-9][0-9]*:[0-9][0-9]:[0-9][0-9]\(\.[0-9]*\)\{0,1\}//' \
    -e 's/\(\.unison\.[^/]*\.\)[0-9a-f]\{32\}\(\.unison\.tmp\)/\1HASH\2/g' \
    -e "s/ on host $HOST\b/ on host HOST/g" \
    -e 's/[[:space:]]*$//'
}

# report_lines: the tool's messages minus progress/transfer chatter: what it
# says about conflicts, skips, problems, failures, aborts and the summary.
# Paths normalized, whitespace runs collapsed, blank lines dropped.
report_lines() {
  tr '\r' '\n' | normalize | sed \
    -e '/^Warning: No archive files were found/,/bcpierce\/unison$/{/^Warning/!d;}' \
    -e '/^\[BGN\] /d' -e '/^\[END\] /d' \
    -e '/ started propagating changes/d' -e '/ finished propagating changes/d' \
    -e '/ log started /d' -e '/^Saving synchronizer state/d' \
    -e '/Contacting server/d' -e '/^Looking for changes/d' \
    -e '/^Reconciling changes/d' -e '/^Propagating updates/d' \
    -e '/^ *[0-9]*% .*ETA/d' -e '/^[[:space:]]*$/d' |
    sed -e 's/^[[:space:]][[:space:]]*/  /' -e 's/\([^[:space:]]\)[[:space:]][[:space:]]*/\1 /g'
}

run_tool() { # LOGPREFIX EXTRA-FLAGS...
  local log=$1 rc=0
  shift
  local -a cmd env_args pre=()
  case $TOOL in
    unison)
      cmd=("${UNISON_BIN:-unison}" -batch -terse -contactquietly "$@" "$A" "$B")
      env_args=("UNISON=$tmp/state" "HOME=$tmp/home")
      ;;
    jsync)
      cmd=("${JSYNC:-jsync}" -batch "$@" "$A" "$B")
      env_args=("JSYNC_HOME=$tmp/state" "HOME=$tmp/home")
      ;;
  esac
  if ((AS_NOBODY)); then
    pre=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)
  fi
  (cd "$tmp/home" && env "${env_args[@]}" timeout 120 "${pre[@]}" "${cmd[@]}" \
    </dev/null >"$log.out" 2>"$log.err") || rc=$?
  return "$rc"
}

run_scenario() {
  local name=$1 fn="sc_$1" rc=0 frc=0 r f
  DESC="" FIRST=1 SHOW_MODE=0 SHOW_MTIME=0 AS_NOBODY=0
  FIRST_FLAGS=() FLAGS=()
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/conf.XXXXXX")
  chmod 755 "$tmp"
  A=$tmp/a B=$tmp/b
  mkdir -p "$tmp/state" "$tmp/home" "$tmp/log"
  mkdir -p "$A" "$B"
  "$fn" meta
  (cd "$tmp" && "$fn" setup)
  if ((AS_NOBODY)); then
    chown -R "$NOBODY:$NOBODY" "$tmp/a" "$tmp/b" "$tmp/state" "$tmp/home"
  fi
  if ((FIRST)); then
    run_tool "$tmp/log/first" "${FIRST_FLAGS[@]}" || frc=$?
  fi
  (cd "$tmp" && "$fn" change)
  if ((AS_NOBODY)); then
    for r in a b; do
      if [[ -e $tmp/$r ]]; then chown -R "$NOBODY:$NOBODY" "$tmp/$r"; fi
    done
    (cd "$tmp" && "$fn" post)
  fi
  run_tool "$tmp/log/final" "${FLAGS[@]}" || rc=$?

  {
    echo "=== $name"
    echo "desc: $DESC"
    if ((FIRST)); then
      echo "first-sync: exit $frc${FIRST_FLAGS[*]:+ flags ${FIRST_FLAGS[*]}}"
    else
      echo "first-sync: none"
    fi
    echo "flags: -batch${FLAGS[*]:+ ${FLAGS[*]}}" | normalize
    if ((AS_NOBODY)); then echo "as: uid $NOBODY"; fi
    echo "exit: $rc"
    echo "--- a"
    list_tree "$A"
    echo "--- b"
    list_tree "$B"
    if ((REPORT)); then
      echo "--- report"
      cat "$tmp/log/final.out" "$tmp/log/final.err" | report_lines
    fi
    echo
  } | emit
  if [[ -n $RAW ]]; then
    mkdir -p "$RAW"
    for f in "$tmp"/log/*; do
      normalize <"$f" | tr '\r' '\n' >"$RAW/$name.${f##*/}"
    done
    if [[ -f $tmp/state/unison.log ]]; then
      normalize <"$tmp/state/unison.log" >"$RAW/$name.unison.log"
    fi
  fi
  cleanup
}

# cleanup: remove the current scenario's tmp dir (also on error or interrupt)
cleanup() {
  if [[ -n ${tmp:-} && -d $tmp ]]; then
    chmod -R u+rwx "$tmp" 2>/dev/null || true
    rm -rf "$tmp"
  fi
  tmp=""
}

emit() {
  if [[ -n $OUT ]]; then tee -a "$OUT"; else cat; fi
}

main() {
  local -a want=()
  while (($#)); do
    case $1 in
      --out) OUT=${2:?}; shift 2 ;;
      --raw) RAW=${2:?}; shift 2 ;;
      --no-report) REPORT=0; shift ;;
      --list) printf '%s\n' "${SCENARIOS[@]}"; exit 0 ;;
      -h | --help) usage ;;
      unison | jsync) TOOL=$1; shift; want=("$@"); break ;;
      *) usage ;;
    esac
  done
  [[ -n $TOOL ]] || usage
  ((${#want[@]})) || want=("${SCENARIOS[@]}")
  local s
  for s in "${want[@]}"; do
    declare -F "sc_$s" >/dev/null || { echo "unknown scenario: $s" >&2; exit 64; }
  done
  if [[ $EUID -ne 0 ]]; then
    echo "conformance.sh: must run as root (scenarios chown to uid $NOBODY)" >&2
    exit 64
  fi
  if [[ -n $OUT ]]; then : >"$OUT"; fi
  tmp=""
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  trap 'exit 141' PIPE
  for s in "${want[@]}"; do
    run_scenario "$s"
  done
}

main "$@"
