package jsync.core.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.ProblemKind;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
  private static final Entry ABS = Entry.ABSENT;
  private static final Entry F1 = new Entry.File(3, 0, 0644, Fingerprint.of(0x1111));
  private static final Entry D0 = new Entry.Dir(0755);
  private static final Entry L1 = new Entry.Link("target-1");
  private static final Entry.Problem P = new Entry.Problem(ProblemKind.UNREADABLE, "cannot list directory: denied");

  private static PathState st(String p, Entry archive, Entry alpha, Entry beta) {
    return PathState.of(RelPath.parse(p), archive, alpha, beta);
  }

  /** Regression: a type conflict's reason named alpha's kind first, so swapping the roots changed it. */
  @Test
  void typeConflictReasonIsTheSameWhicheverRootHoldsWhich() {
    List<PathState> dirOnAlpha = List.of(st("t", ABS, D0, L1), st("t/x", ABS, F1, ABS));
    List<PathState> dirOnBeta = List.of(st("t", ABS, L1, D0), st("t/x", ABS, ABS, F1));
    String reason = "conflicting updates (a directory on one side, a symlink on the other)";
    assertEquals(reason, Reconciler.reconcile(dirOnAlpha, Policy.DEFAULT).items().get(0).reason());
    assertEquals(reason, Reconciler.reconcile(dirOnBeta, Policy.DEFAULT).items().get(0).reason());
  }

  /**
   * Regression: prefer and force could pick a direction that deletes or replaces a path the target's scanner
   * could not read, below a subtree item. The default never does; now an override does not either.
   */
  @Test
  void overrideNeverWritesOverAnUnscannedPath() {
    // d deleted on alpha while beta's d/x is unreadable: a conflict by default, so nothing is written.
    List<PathState> deleted = List.of(st("d", D0, ABS, D0), st("d/x", F1, ABS, P), st("d/y", F1, ABS, F1));
    for (Policy p : List.of(Policy.DEFAULT.withForce(Resolution.ALPHA), Policy.DEFAULT.withPrefer(Resolution.ALPHA))) {
      Item item = Reconciler.reconcile(deleted, p).items().get(0);
      assertEquals(Direction.CONFLICT, item.defaultDirection());
      assertEquals(Direction.PROBLEM, item.direction());
      assertEquals("d/x: " + P.message(), item.reason());
    }
    // Toward alpha nothing unreadable is overwritten: beta's d comes back, without d/x.
    Item restored = Reconciler.reconcile(deleted, Policy.DEFAULT.withPrefer(Resolution.NEWER)).items().get(0);
    assertEquals(Direction.BETA_TO_ALPHA, restored.direction());

    // A new directory holding an unreadable file is copied without it, but force BETA would delete it.
    List<PathState> partial = List.of(st("n", ABS, D0, ABS), st("n/s", ABS, P, ABS), st("n/x", ABS, F1, ABS));
    assertEquals(Direction.ALPHA_TO_BETA, Reconciler.reconcile(partial, Policy.DEFAULT).items().get(0).direction());
    Item forced = Reconciler.reconcile(partial, Policy.DEFAULT.withForce(Resolution.BETA)).items().get(0);
    assertEquals(Direction.PROBLEM, forced.direction());
    assertEquals("n/s: " + P.message(), forced.reason());
    assertEquals("force = second root", forced.override());
  }
}
