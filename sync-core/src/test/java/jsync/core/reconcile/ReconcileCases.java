package jsync.core.reconcile;

import static jsync.core.reconcile.Direction.ALPHA_TO_BETA;
import static jsync.core.reconcile.Direction.ARCHIVE_ONLY;
import static jsync.core.reconcile.Direction.BETA_TO_ALPHA;
import static jsync.core.reconcile.Direction.CONFLICT;
import static jsync.core.reconcile.Direction.PROBLEM;
import static jsync.core.reconcile.ReconcileFixtures.ABS;
import static jsync.core.reconcile.ReconcileFixtures.D0;
import static jsync.core.reconcile.ReconcileFixtures.D1;
import static jsync.core.reconcile.ReconcileFixtures.D2;
import static jsync.core.reconcile.ReconcileFixtures.F1;
import static jsync.core.reconcile.ReconcileFixtures.F1p;
import static jsync.core.reconcile.ReconcileFixtures.F1q;
import static jsync.core.reconcile.ReconcileFixtures.F1t0;
import static jsync.core.reconcile.ReconcileFixtures.F1t2;
import static jsync.core.reconcile.ReconcileFixtures.F2;
import static jsync.core.reconcile.ReconcileFixtures.F2t1;
import static jsync.core.reconcile.ReconcileFixtures.F3;
import static jsync.core.reconcile.ReconcileFixtures.L1;
import static jsync.core.reconcile.ReconcileFixtures.L2;
import static jsync.core.reconcile.ReconcileFixtures.P;
import static jsync.core.reconcile.ReconcileFixtures.P2;
import static jsync.core.reconcile.ReconcileFixtures.TIMES;
import static jsync.core.reconcile.ReconcileFixtures.force;
import static jsync.core.reconcile.ReconcileFixtures.prefer;
import static jsync.core.reconcile.ReconcileFixtures.when;

import java.util.List;
import jsync.core.reconcile.ReconcileFixtures.Case;

/**
 * The hand-written reconcile table: one row per situation, with the plan expected by default and, where a
 * policy matters, under that policy. Unison scenario names (docs/unison-behaviour.md) are given where a row
 * is one of them. Every case also runs through the oracle and the properties.
 */
final class ReconcileCases {
  private ReconcileCases() {}

  private static final String CONTENTS = "contents changed on both sides";
  private static final String PROPS = "properties changed on both sides";
  private static final String LINKS = "symbolic links changed on both sides";
  private static final String PMSG = P.message();

  private static final Resolution A = Resolution.ALPHA;
  private static final Resolution B = Resolution.BETA;
  private static final Resolution NEWER = Resolution.NEWER;
  private static final Resolution OLDER = Resolution.OLDER;

  static List<Case> named() {
    return List.of(
        // ---- one file ------------------------------------------------------------------------------
        when("mod_a: file modified on alpha is copied to beta")
            .state("f", F1, F2, F1).expect("f", ALPHA_TO_BETA).build(),
        when("mod_b: file modified on beta is copied to alpha")
            .state("f", F1, F1, F2).expect("f", BETA_TO_ALPHA).build(),
        when("chmod_a: permissions changed on alpha are copied")
            .state("f", F1, F1p, F1).expect("f", ALPHA_TO_BETA).build(),
        when("del_a: file deleted on alpha is deleted on beta")
            .state("f", F1, ABS, F1).expect("f", ALPHA_TO_BETA).build(),
        when("file created on beta is copied to alpha")
            .state("f", ABS, ABS, F1).expect("f", BETA_TO_ALPHA).build(),
        when("mod_both_same: the same edit on both sides only updates the archive")
            .state("f", F1, F2, F2).expect("f", ARCHIVE_ONLY).unchangedUnder(force(A)).build(),
        when("same content created on both sides with different mtimes: archive only without times")
            .state("f", ABS, F1, F1t2).expect("f", ARCHIVE_ONLY).build(),
        when("del_both: deleted on both sides only updates the archive")
            .state("f", F1, ABS, ABS).expect("f", ARCHIVE_ONLY).build(),
        when("touch_a: a new mtime alone is not a change without times")
            .state("f", F1, F1t2, F1).expectNothing().build(),
        when("times_touch_a: a new mtime alone is copied with times")
            .policy(TIMES).state("f", F1, F1t2, F1).expect("f", ALPHA_TO_BETA).build(),
        when("times_touch_both_diff: mtimes changed differently with times (Unison says contents)")
            .policy(TIMES).state("f", F1, F1t2, F1t0).expect("f", CONFLICT, PROPS)
            .under(TIMES.withPrefer(NEWER), "f", ALPHA_TO_BETA)
            .under(TIMES.withPrefer(OLDER), "f", BETA_TO_ALPHA).build(),
        when("mod_both_diff: contents changed on both sides")
            .state("f", F1, F2, F3).expect("f", CONFLICT, CONTENTS)
            .under(prefer(A), "f", ALPHA_TO_BETA).under(prefer(B), "f", BETA_TO_ALPHA)
            .under(prefer(NEWER), "f", ALPHA_TO_BETA).under(prefer(OLDER), "f", BETA_TO_ALPHA)
            .under(force(NEWER), "f", ALPHA_TO_BETA).under(force(OLDER), "f", BETA_TO_ALPHA).build(),
        when("chmod_both_diff: permissions changed differently (jsync says properties, Unison contents)")
            .state("f", F1, F1p, F1q).expect("f", CONFLICT, PROPS)
            .unchangedUnder(prefer(NEWER)).under(prefer(B), "f", BETA_TO_ALPHA).build(),
        when("mod_a_chmod_b: content on alpha, permissions on beta are not merged")
            .state("f", F1, F2, F1p).expect("f", CONFLICT, CONTENTS)
            .under(prefer(NEWER), "f", ALPHA_TO_BETA).under(prefer(OLDER), "f", BETA_TO_ALPHA).build(),
        when("first_conflict: created on both sides with different contents")
            .state("f", ABS, F1, F2).expect("f", CONFLICT, CONTENTS)
            .under(prefer(NEWER), "f", BETA_TO_ALPHA).build(),
        when("equal mtimes stay a conflict under newer and older (Unison lets beta win)")
            .state("f", ABS, F1, F2t1).expect("f", CONFLICT, CONTENTS)
            .unchangedUnder(prefer(NEWER)).unchangedUnder(prefer(OLDER))
            .unchangedUnder(force(NEWER)).unchangedUnder(force(OLDER))
            .under(force(A), "f", ALPHA_TO_BETA).build(),
        when("first_same_content_diff_perms: created on both sides, same content, other permissions")
            .state("f", ABS, F1, F1p).expect("f", CONFLICT, PROPS).build(),
        when("del_a_mod_b: deleted on alpha, modified on beta; the modified side wins newer and older")
            .state("f", F1, ABS, F2).expect("f", CONFLICT, "conflicting updates (deleted on one side, changed on the other)")
            .under(prefer(NEWER), "f", BETA_TO_ALPHA).under(prefer(OLDER), "f", BETA_TO_ALPHA)
            .under(force(NEWER), "f", BETA_TO_ALPHA).under(force(OLDER), "f", BETA_TO_ALPHA)
            .under(prefer(A), "f", ALPHA_TO_BETA).build(),
        when("mod_a_del_b: modified on alpha, deleted on beta")
            .state("f", F1, F3, ABS).expect("f", CONFLICT, "conflicting updates (deleted on one side, changed on the other)")
            .under(prefer(OLDER), "f", ALPHA_TO_BETA).under(prefer(B), "f", BETA_TO_ALPHA).build(),
        when("file replaced by a symlink on alpha, modified on beta")
            .state("f", F1, L1, F2)
            .expect("f", CONFLICT, "conflicting updates (a file on one side, a symlink on the other)")
            .unchangedUnder(prefer(NEWER)).build(),
        when("deleted on alpha, replaced by a symlink on beta")
            .state("f", F1, ABS, L1)
            .expect("f", CONFLICT, "conflicting updates (deleted on one side, replaced by a symlink on the other)")
            .under(prefer(OLDER), "f", BETA_TO_ALPHA).build(),
        when("file_to_link_a: file replaced by a symlink on alpha")
            .state("f", F1, L1, F1).expect("f", ALPHA_TO_BETA).build(),

        // ---- symlinks ------------------------------------------------------------------------------
        when("link_retarget_a: symlink retargeted on alpha")
            .state("l", L1, L2, L1).expect("l", ALPHA_TO_BETA).build(),
        when("link_delete_b: symlink deleted on beta")
            .state("l", L1, L1, ABS).expect("l", BETA_TO_ALPHA).build(),
        when("link_retarget_both: retargeted differently (newer cannot order symlinks)")
            .state("l", ABS, L1, L2).expect("l", CONFLICT, LINKS)
            .unchangedUnder(prefer(NEWER)).unchangedUnder(force(OLDER))
            .under(prefer(B), "l", BETA_TO_ALPHA).build(),
        when("link retargeted the same way on both sides")
            .state("l", L1, L2, L2).expect("l", ARCHIVE_ONLY).build(),
        when("link_to_file_a: symlink replaced by a file on alpha")
            .state("l", L1, F1, L1).expect("l", ALPHA_TO_BETA).build(),

        // ---- directories ---------------------------------------------------------------------------
        when("dir_chmod_a: directory permissions are a single-path item; children on their own")
            .state("d", D0, D1, D0).state("d/x", F1, F1, F2)
            .expect("d", ALPHA_TO_BETA).expect("d/x", BETA_TO_ALPHA).build(),
        when("the root's permissions are a directory property like any other")
            .state("", D0, D1, D0).state("x", F1, F1, F2)
            .expect("", ALPHA_TO_BETA).expect("x", BETA_TO_ALPHA).build(),
        when("dir_chmod_both_diff: directory permissions changed differently; children on their own")
            .state("d", D0, D1, D2).state("d/x", F1, F2, F1)
            .expect("d", CONFLICT, PROPS).expect("d/x", ALPHA_TO_BETA)
            .unchangedUnder(prefer(NEWER)).unchangedUnder(force(OLDER))
            .under(force(B), "d", BETA_TO_ALPHA).under(force(B), "d/x", BETA_TO_ALPHA).build(),
        when("dir_create_a: a new directory tree is one item")
            .state("n", ABS, D0, ABS).state("n/e", ABS, D0, ABS).state("n/e/y", ABS, L1, ABS)
            .state("n/x", ABS, F1, ABS)
            .expect("n", ALPHA_TO_BETA, "", "n/e", "n/e/y", "n/x")
            .under(force(B), "n", BETA_TO_ALPHA).build(),
        when("dir_delete_a: a deleted directory tree is one item")
            .state("d", D0, ABS, D0).state("d/x", F1, ABS, F1).state("d/y", F2, ABS, F2)
            .expect("d", ALPHA_TO_BETA, "", "d/x", "d/y")
            .under(force(B), "d", BETA_TO_ALPHA).unchangedUnder(force(NEWER)).build(),
        when("dir_del_a_mod_b: directory deleted on alpha, a child modified on beta: one conflict")
            .state("d", D0, ABS, D0).state("d/x", F1, ABS, F2).state("d/y", F1, ABS, F1)
            .expect("d", CONFLICT, "conflicting updates (directory deleted on one side, d/x changed on the other)",
                "d/x", "d/y")
            .under(prefer(NEWER), "d", BETA_TO_ALPHA).under(prefer(OLDER), "d", BETA_TO_ALPHA)
            .under(prefer(A), "d", ALPHA_TO_BETA).under(force(B), "d", BETA_TO_ALPHA).build(),
        when("dir_del_a_del_b: directory deleted on alpha, a child deleted on beta: the deletion goes through")
            .state("d", D0, ABS, D0).state("d/x", F1, ABS, ABS).state("d/y", F1, ABS, F1)
            .expect("d", ALPHA_TO_BETA, "", "d/x", "d/y")
            .under(force(B), "d", BETA_TO_ALPHA).build(),
        when("a deletion run killed half-way: directory deleted on beta, most children already gone on alpha")
            .state("d", D0, D0, ABS).state("d/sub", D0, D0, ABS).state("d/sub/z", F1, ABS, ABS)
            .state("d/x", F1, ABS, ABS).state("d/y", F1, F1, ABS)
            .expect("d", BETA_TO_ALPHA, "", "d/sub", "d/sub/z", "d/x", "d/y").build(),
        when("directory deleted on alpha, one child deleted and another modified on beta: still a conflict")
            .state("d", D0, ABS, D0).state("d/x", F1, ABS, ABS).state("d/y", F1, ABS, F2)
            .expect("d", CONFLICT, "conflicting updates (directory deleted on one side, d/y changed on the other)",
                "d/x", "d/y").build(),
        when("directory replaced by a file on alpha, a child deleted on beta")
            .state("d", D0, F1, D0).state("d/x", F1, ABS, ABS).state("d/y", F2, ABS, F2)
            .expect("d", ALPHA_TO_BETA, "", "d/x", "d/y").build(),
        when("dir_del_a_add_b: directory deleted on alpha, a child created on beta")
            .state("d", D0, ABS, D0).state("d/new", ABS, ABS, F1).state("d/x", F1, ABS, F1)
            .expect("d", CONFLICT,
                "conflicting updates (directory deleted on one side, d/new changed on the other)",
                "d/new", "d/x").build(),
        when("directory deleted on beta, a grandchild modified on alpha")
            .state("d", D0, D0, ABS).state("d/sub", D0, D0, ABS).state("d/sub/z", F1, F2, ABS)
            .expect("d", CONFLICT,
                "conflicting updates (directory deleted on one side, d/sub/z changed on the other)",
                "d/sub", "d/sub/z")
            .under(force(NEWER), "d", ALPHA_TO_BETA).build(),
        when("directory deleted on alpha, its permissions changed on beta")
            .state("d", D0, ABS, D1).state("d/x", F1, ABS, F1)
            .expect("d", CONFLICT, "conflicting updates (deleted on one side, changed on the other)", "d/x")
            .under(prefer(OLDER), "d", BETA_TO_ALPHA).build(),
        when("directory deleted on both sides")
            .state("d", D0, ABS, ABS).state("d/x", F1, ABS, ABS)
            .expect("d", ARCHIVE_ONLY).expect("d/x", ARCHIVE_ONLY).build(),
        when("directory created on both sides: merged child by child")
            .state("d", ABS, D0, D0).state("d/same", ABS, F1, F1).state("d/x", ABS, F1, ABS)
            .state("d/y", ABS, ABS, F2).state("d/z", ABS, F1, F2)
            .expect("d", ARCHIVE_ONLY).expect("d/same", ARCHIVE_ONLY).expect("d/x", ALPHA_TO_BETA)
            .expect("d/y", BETA_TO_ALPHA).expect("d/z", CONFLICT, CONTENTS).build(),
        when("directory created on both sides with other permissions: only the directory conflicts")
            .state("d", ABS, D0, D1).state("d/x", ABS, F1, ABS)
            .expect("d", CONFLICT, PROPS).expect("d/x", ALPHA_TO_BETA).build(),
        when("file_to_dir_a: file replaced by a directory with children")
            .state("f", F1, D0, F1).state("f/x", ABS, F2, ABS).state("f/y", ABS, D0, ABS)
            .expect("f", ALPHA_TO_BETA, "", "f/x", "f/y").build(),
        when("file_to_dir_a_mod_b: file replaced by a directory on alpha, modified on beta")
            .state("f", F1, D0, F2).state("f/x", ABS, F1, ABS)
            .expect("f", CONFLICT, "conflicting updates (a file on one side, a directory on the other)", "f/x")
            .unchangedUnder(prefer(NEWER)).unchangedUnder(force(OLDER))
            .under(prefer(B), "f", BETA_TO_ALPHA).under(prefer(A), "f", ALPHA_TO_BETA).build(),
        when("dir_to_file_a: directory replaced by a file, children unchanged on beta")
            .state("d", D0, F1, D0).state("d/x", F1, ABS, F1)
            .expect("d", ALPHA_TO_BETA, "", "d/x").build(),
        when("directory replaced by a file on alpha, a child modified on beta")
            .state("d", D0, F1, D0).state("d/x", F1, ABS, F2).state("d/y", F2, ABS, F2)
            .expect("d", CONFLICT,
                "conflicting updates (directory replaced by a file on one side, d/x changed on the other)",
                "d/x", "d/y")
            .unchangedUnder(prefer(NEWER)).build(),
        when("directory replaced by a symlink on beta")
            .state("d", D0, D0, L1).state("d/x", F1, F1, ABS)
            .expect("d", BETA_TO_ALPHA, "", "d/x").build(),
        when("directory replaced by different files on both sides: the children go with the conflict")
            .state("d", D0, F1, F2).state("d/x", F1, ABS, ABS)
            .expect("d", CONFLICT, CONTENTS, "d/x")
            .under(prefer(NEWER), "d", BETA_TO_ALPHA).build(),
        when("directory replaced by the same file on both sides")
            .state("d", D0, F1, F1).state("d/x", F1, ABS, ABS)
            .expect("d", ARCHIVE_ONLY).expect("d/x", ARCHIVE_ONLY).build(),
        when("type conflict: a directory on alpha, a symlink on beta, both new")
            .state("t", ABS, D0, L1).state("t/x", ABS, F1, ABS)
            .expect("t", CONFLICT, "conflicting updates (a directory on one side, a symlink on the other)", "t/x")
            .unchangedUnder(prefer(NEWER)).under(force(B), "t", BETA_TO_ALPHA).build(),
        when("type conflict: a symlink on alpha, a directory on beta reads the same")
            .state("t", ABS, L1, D0).state("t/x", ABS, ABS, F1)
            .expect("t", CONFLICT, "conflicting updates (a directory on one side, a symlink on the other)", "t/x")
            .build(),

        // ---- problems ------------------------------------------------------------------------------
        when("unreadable_modified_file_a: a problem is left alone, even under force")
            .state("f", F1, P, F2).expect("f", PROBLEM, PMSG)
            .unchangedUnder(force(B)).unchangedUnder(prefer(B)).build(),
        when("unreadable_dir_a: a problem at a directory covers the changes below it")
            .state("d", D0, P, D1).state("d/x", F1, F1, F2)
            .expect("d", PROBLEM, PMSG, "d/x").unchangedUnder(force(B)).build(),
        when("problems on both sides: both messages, alpha's first")
            .state("f", F1, P, P2).expect("f", PROBLEM, PMSG + "; " + P2.message()).build(),
        when("problem on alpha, deleted on beta")
            .state("f", F1, P, ABS).expect("f", PROBLEM, PMSG).build(),
        when("unreadable_file_in_new_dir_a: the new directory is copied without the unreadable file")
            .state("n", ABS, D0, ABS).state("n/s", ABS, P, ABS).state("n/x", ABS, F1, ABS)
            .expect("n", ALPHA_TO_BETA, "", "n/s", "n/x").build(),
        when("force toward a side whose subtree holds an unreadable path becomes a problem")
            .state("n", ABS, D0, ABS).state("n/s", ABS, P, ABS).state("n/x", ABS, F1, ABS)
            .expect("n", ALPHA_TO_BETA, "", "n/s", "n/x")
            .under(force(B), "n", PROBLEM, "n/s: " + PMSG).unchangedUnder(force(A)).build(),
        when("directory deleted on alpha, an unreadable child on beta: no override may delete it")
            .state("d", D0, ABS, D0).state("d/x", F1, ABS, P).state("d/y", F1, ABS, F1)
            .expect("d", CONFLICT, "conflicting updates (directory deleted on one side, d/x changed on the other)",
                "d/x", "d/y")
            .under(prefer(NEWER), "d", BETA_TO_ALPHA)
            .under(prefer(A), "d", PROBLEM, "d/x: " + PMSG).under(force(A), "d", PROBLEM, "d/x: " + PMSG)
            .build(),

        // ---- archives that disagree: first-sync rules ----------------------------------------------
        when("first_only_a: first sync, a file only on alpha is copied")
            .state("f", ABS, F1, ABS).expect("f", ALPHA_TO_BETA).build(),
        when("first_identical: first sync, the same file on both sides")
            .state("f", ABS, F1, F1).expect("f", ARCHIVE_ONLY).build(),
        when("archives disagree, file only on alpha (beta's archive lost): copied, never deleted")
            .state("f", F1, F1, ABS, ABS).expect("f", ALPHA_TO_BETA).under(force(B), "f", BETA_TO_ALPHA).build(),
        when("archives disagree, alpha deleted its copy: beta's copy comes back")
            .state("f", F1, ABS, ABS, F1).expect("f", BETA_TO_ALPHA).build(),
        when("archives disagree, contents differ: a conflict, never a delete")
            .state("f", F1, F1, F2, F2).state("g", F1, F2, ABS, F3).expect("f", CONFLICT, CONTENTS)
            .expect("g", CONFLICT, CONTENTS).build(),
        when("archives disagree only in permissions, replicas agree: archive only")
            .state("f", F1, F1, F1p, F1).expect("f", ARCHIVE_ONLY).build(),
        when("archives disagree, same content with other permissions: a properties conflict")
            .state("f", F1, F1, F1p, F1p).expect("f", CONFLICT, PROPS).build(),
        when("archives disagree on a directory tree: alpha's deletion below it is not propagated")
            .state("d", D0, D0, ABS, D0).state("d/x", F1, ABS, ABS, F1)
            .expect("d", ARCHIVE_ONLY).expect("d/x", BETA_TO_ALPHA).build(),
        when("archives disagree, a directory on alpha's archive is now a file there")
            .state("d", D0, F1, ABS, ABS).state("d/x", F1, ABS, ABS, ABS)
            .expect("d", ALPHA_TO_BETA, "", "d/x").build(),
        when("first sync with both directories and children")
            .state("d", ABS, D0, D0).state("d/e", ABS, D0, ABS).state("d/e/y", ABS, F1, ABS)
            .state("d/same", ABS, F1, F1).state("d/x", ABS, ABS, L1).state("d/z", ABS, F2, F1)
            .expect("d", ARCHIVE_ONLY).expect("d/e", ALPHA_TO_BETA, "", "d/e/y").expect("d/same", ARCHIVE_ONLY)
            .expect("d/x", BETA_TO_ALPHA).expect("d/z", CONFLICT, CONTENTS).build(),
        when("first_dir_vs_file: first sync, a directory on alpha, a file on beta")
            .state("d", ABS, D0, F1).state("d/x", ABS, F1, ABS)
            .expect("d", CONFLICT, "conflicting updates (a file on one side, a directory on the other)", "d/x")
            .build(),

        // ---- several paths -------------------------------------------------------------------------
        when("independent paths each get their own item, in path order")
            .state("a", F1, F2, F1).state("b", D0, D0, D1).state("b/x", ABS, F1, ABS).state("c", F1, F2, F3)
            .state("c2", L1, ABS, ABS)
            .expect("a", ALPHA_TO_BETA).expect("b", BETA_TO_ALPHA).expect("b/x", ALPHA_TO_BETA)
            .expect("c", CONFLICT, CONTENTS).expect("c2", ARCHIVE_ONLY)
            .under(force(A), "b", ALPHA_TO_BETA).under(force(A), "c", ALPHA_TO_BETA).build());
  }
}
