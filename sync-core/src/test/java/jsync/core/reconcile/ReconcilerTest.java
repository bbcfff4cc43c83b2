package jsync.core.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import jsync.core.model.Entry;
import jsync.core.model.Fingerprint;
import jsync.core.model.RelPath;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
  private static final Entry ABS = Entry.ABSENT;
  private static final Entry F1 = new Entry.File(3, 0, 0644, Fingerprint.of(0x1111));
  private static final Entry D0 = new Entry.Dir(0755);
  private static final Entry L1 = new Entry.Link("target-1");

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
}
