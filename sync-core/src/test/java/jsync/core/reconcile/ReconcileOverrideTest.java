package jsync.core.reconcile;

import static jsync.core.reconcile.ReconcileFixtures.ABS;
import static jsync.core.reconcile.ReconcileFixtures.D0;
import static jsync.core.reconcile.ReconcileFixtures.D1;
import static jsync.core.reconcile.ReconcileFixtures.D2;
import static jsync.core.reconcile.ReconcileFixtures.F1;
import static jsync.core.reconcile.ReconcileFixtures.F1p;
import static jsync.core.reconcile.ReconcileFixtures.F1q;
import static jsync.core.reconcile.ReconcileFixtures.F2;
import static jsync.core.reconcile.ReconcileFixtures.F2t1;
import static jsync.core.reconcile.ReconcileFixtures.F3;
import static jsync.core.reconcile.ReconcileFixtures.L1;
import static jsync.core.reconcile.ReconcileFixtures.L2;
import static jsync.core.reconcile.ReconcileFixtures.P;
import static jsync.core.reconcile.ReconcileFixtures.describe;
import static jsync.core.reconcile.ReconcileFixtures.force;
import static jsync.core.reconcile.ReconcileFixtures.overrideText;
import static jsync.core.reconcile.ReconcileFixtures.prefer;
import static jsync.core.reconcile.ReconcileFixtures.st;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The prefer/force table: for each situation, the default direction and the final direction under prefer and
 * force with each resolution. {@code ->} alpha to beta, {@code <-} beta to alpha, {@code ?} conflict,
 * {@code =} archive only, {@code !} problem. The item keeps its default direction, and carries the override
 * text exactly when the final direction differs from it.
 */
class ReconcileOverrideTest {

  /** Each situation's states; the item under test is the first path. Mtimes: F3 (T0) < F1 (T1) < F2 (T2). */
  private static final Map<String, List<PathState>> SITUATIONS = Map.ofEntries(
      Map.entry("mod_a", List.of(st("f", F1, F2, F1))),
      Map.entry("mod_b", List.of(st("f", F1, F1, F2))),
      // A one-sided edit whose mtime is older than the other side's copy (a file restored from a backup).
      Map.entry("mod_b_older_mtime", List.of(st("f", F1, F1, F3))),
      Map.entry("del_b", List.of(st("f", F1, F1, ABS))),
      Map.entry("new_b", List.of(st("f", ABS, ABS, F1))),
      Map.entry("dir_chmod_b", List.of(st("d", D0, D0, D1))),
      Map.entry("contents_alpha_newer", List.of(st("f", F1, F2, F3))),
      Map.entry("contents_beta_newer", List.of(st("f", F1, F3, F2))),
      Map.entry("contents_equal_mtime", List.of(st("f", ABS, F1, F2t1))),
      Map.entry("props_both", List.of(st("f", F1, F1p, F1q))),
      Map.entry("del_a_mod_b", List.of(st("f", F1, ABS, F2))),
      Map.entry("mod_a_del_b_older", List.of(st("f", F1, F3, ABS))),
      Map.entry("links_both", List.of(st("l", ABS, L1, L2))),
      Map.entry("dir_props_both", List.of(st("d", D0, D1, D2))),
      Map.entry("new_dir_a_vs_mod_b", List.of(st("f", F1, D0, F2), st("f/x", ABS, F3, ABS))),
      Map.entry("dir_del_a_mod_b", List.of(st("d", D0, ABS, D0), st("d/x", F1, ABS, F2))),
      Map.entry("dir_del_b_mod_a", List.of(st("d", D0, D0, ABS), st("d/x", F1, F2, ABS))),
      Map.entry("same_edit", List.of(st("f", F1, F2, F2))),
      Map.entry("problem", List.of(st("f", F1, P, F2))));

  @ParameterizedTest(name = "{0}: default {1}, prefer A {2} B {3} newer {4} older {5}, force A {6} B {7} newer {8} older {9}")
  @CsvSource(delimiter = '|', textBlock = """
      # situation          | default | prefer: A | B  | newer | older | force: A | B  | newer | older
      mod_a                | ->      | ->        | -> | ->    | ->    | ->       | <- | ->    | ->
      mod_b                | <-      | <-        | <- | <-    | <-    | ->       | <- | <-    | <-
      mod_b_older_mtime    | <-      | <-        | <- | <-    | <-    | ->       | <- | <-    | <-
      del_b                | <-      | <-        | <- | <-    | <-    | ->       | <- | <-    | <-
      new_b                | <-      | <-        | <- | <-    | <-    | ->       | <- | <-    | <-
      dir_chmod_b          | <-      | <-        | <- | <-    | <-    | ->       | <- | <-    | <-
      contents_alpha_newer | ?       | ->        | <- | ->    | <-    | ->       | <- | ->    | <-
      contents_beta_newer  | ?       | ->        | <- | <-    | ->    | ->       | <- | <-    | ->
      contents_equal_mtime | ?       | ->        | <- | ?     | ?     | ->       | <- | ?     | ?
      props_both           | ?       | ->        | <- | ?     | ?     | ->       | <- | ?     | ?
      del_a_mod_b          | ?       | ->        | <- | <-    | <-    | ->       | <- | <-    | <-
      mod_a_del_b_older    | ?       | ->        | <- | ->    | ->    | ->       | <- | ->    | ->
      links_both           | ?       | ->        | <- | ?     | ?     | ->       | <- | ?     | ?
      dir_props_both       | ?       | ->        | <- | ?     | ?     | ->       | <- | ?     | ?
      new_dir_a_vs_mod_b   | ?       | ->        | <- | ?     | ?     | ->       | <- | ?     | ?
      dir_del_a_mod_b      | ?       | ->        | <- | <-    | <-    | ->       | <- | <-    | <-
      dir_del_b_mod_a      | ?       | ->        | <- | ->    | ->    | ->       | <- | ->    | ->
      same_edit            | =       | =         | =  | =     | =     | =        | =  | =     | =
      problem              | !       | !         | !  | !     | !     | !        | !  | !     | !
      """)
  void preferAndForce(String situation, String def, String preferA, String preferB, String preferNewer,
      String preferOlder, String forceA, String forceB, String forceNewer, String forceOlder) {
    List<PathState> states = SITUATIONS.get(situation);
    Direction expectedDefault = direction(def);
    check(states, Policy.DEFAULT, expectedDefault, expectedDefault);
    check(states, prefer(Resolution.ALPHA), expectedDefault, direction(preferA));
    check(states, prefer(Resolution.BETA), expectedDefault, direction(preferB));
    check(states, prefer(Resolution.NEWER), expectedDefault, direction(preferNewer));
    check(states, prefer(Resolution.OLDER), expectedDefault, direction(preferOlder));
    check(states, force(Resolution.ALPHA), expectedDefault, direction(forceA));
    check(states, force(Resolution.BETA), expectedDefault, direction(forceB));
    check(states, force(Resolution.NEWER), expectedDefault, direction(forceNewer));
    check(states, force(Resolution.OLDER), expectedDefault, direction(forceOlder));
  }

  /** force wins over prefer, even where force cannot decide (Unison ignores prefer when force is set). */
  @Test
  void forceWinsOverPrefer() {
    Policy p = new Policy(Policy.DEFAULT.props(), Optional.of(Resolution.ALPHA), Optional.of(Resolution.BETA));
    check(SITUATIONS.get("contents_alpha_newer"), p, Direction.CONFLICT, Direction.BETA_TO_ALPHA);
    Policy newerOverAlpha = new Policy(Policy.DEFAULT.props(), Optional.of(Resolution.ALPHA),
        Optional.of(Resolution.NEWER));
    check(SITUATIONS.get("contents_equal_mtime"), newerOverAlpha, Direction.CONFLICT, Direction.CONFLICT);
  }

  /** Newer/older order two files by mtime whatever {@code times} says (Unison accepts newer without it). */
  @Test
  void newerUsesMtimesWithAndWithoutTimes() {
    Policy times = ReconcileFixtures.TIMES.withPrefer(Resolution.NEWER);
    check(SITUATIONS.get("contents_beta_newer"), times, Direction.CONFLICT, Direction.BETA_TO_ALPHA);
  }

  private static void check(List<PathState> states, Policy policy, Direction expectedDefault, Direction expected) {
    Item item = Reconciler.reconcile(states, policy).items().get(0);
    String where = describe(policy) + ", " + ReconcileFixtures.render(item);
    assertEquals(expectedDefault, item.defaultDirection(), where);
    assertEquals(expected, item.direction(), where);
    assertEquals(expected == expectedDefault ? "" : overrideText(policy), item.override(), where);
  }

  private static Direction direction(String s) {
    return switch (s) {
      case "->" -> Direction.ALPHA_TO_BETA;
      case "<-" -> Direction.BETA_TO_ALPHA;
      case "?" -> Direction.CONFLICT;
      case "=" -> Direction.ARCHIVE_ONLY;
      case "!" -> Direction.PROBLEM;
      default -> throw new IllegalArgumentException(s);
    };
  }
}
