package jsync.core.reconcile;

import static jsync.core.reconcile.ReconcileFixtures.ABS;
import static jsync.core.reconcile.ReconcileFixtures.D0;
import static jsync.core.reconcile.ReconcileFixtures.F1;
import static jsync.core.reconcile.ReconcileFixtures.F2;
import static jsync.core.reconcile.ReconcileFixtures.L1;
import static jsync.core.reconcile.ReconcileFixtures.P;
import static jsync.core.reconcile.ReconcileFixtures.force;
import static jsync.core.reconcile.ReconcileFixtures.prefer;
import static jsync.core.reconcile.ReconcileFixtures.describe;
import static jsync.core.reconcile.ReconcileFixtures.render;
import static jsync.core.reconcile.ReconcileFixtures.st;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jsync.core.reconcile.ReconcileFixtures.Case;
import jsync.core.reconcile.ReconcileFixtures.Expected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconcile decision table: hand-written named cases ({@link ReconcileCases}), and every combination of
 * archive kind × change on alpha × change on beta (with the child of a directory unchanged, changed or
 * unreadable), whose expected plans come from {@link ReconcileOracle}. The properties that must hold for
 * every case are in {@link ReconcilePropertiesTest}.
 */
class ReconcilerTest {
  static Stream<Case> named() {
    return ReconcileCases.named().stream();
  }

  static Stream<Case> generated() {
    return ReconcileOracle.generated().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("named")
  void namedCase(Case c) {
    checkPlans(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("generated")
  void generatedCase(Case c) {
    checkPlans(c);
  }

  /** The oracle is itself checked against every hand-written row, under every policy the row names. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("named")
  void oracleAgreesWithNamedCase(Case c) {
    for (Map.Entry<Policy, List<Expected>> e : c.plans().entrySet()) {
      List<String> oracle = ReconcileOracle.plan(c.states(), e.getKey()).stream().map(Expected::render)
          .collect(Collectors.toList());
      assertEquals(c.expected(e.getKey()).orElseThrow(), oracle, "oracle, " + describe(e.getKey()));
    }
  }

  /**
   * A hand-written case lists every path that changed on either side: the states an in-memory model of its
   * replicas gives are among the case's (extra, unchanged states are allowed: the reconciler ignores them).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("named")
  void namedCaseListsEveryChangedPath(Case c) {
    ReconcileModel m = ReconcileModel.of(c.states());
    m.checkWellFormed(c.description());
    for (Policy p : c.plans().keySet()) {
      Set<String> given = c.states().stream().map(ReconcileFixtures::render).collect(Collectors.toSet());
      for (PathState s : m.states(p.props())) {
        assertTrue(given.contains(render(s)), "the case leaves out " + render(s));
      }
    }
  }

  /** Every combination the table is meant to cover is there: each archive kind meets each change. */
  @Test
  void generatedTableCoversEveryChangeOnEachSide() {
    Set<String> seen = new HashSet<>();
    for (Case c : ReconcileOracle.generated()) {
      PathState top = c.states().stream().filter(s -> s.path().toString().equals("d")).findFirst().orElse(null);
      if (top == null || !top.archiveAlpha().equals(top.archiveBeta())) {
        continue;
      }
      var props = ReconcileFixtures.DEFAULT.props();
      seen.add(top.archiveAlpha().kindName() + " " + ReconcileOracle.change(props, top.archiveAlpha(), top.alpha())
          + " " + ReconcileOracle.change(props, top.archiveAlpha(), top.beta()));
    }
    List<String> missing = new ArrayList<>();
    for (var archive : ReconcileOracle.ARCHIVE_KINDS) {
      for (ReconcileOracle.Change a : ReconcileOracle.Change.values()) {
        for (ReconcileOracle.Change b : ReconcileOracle.Change.values()) {
          if (possible(archive.isAbsent(), a) && possible(archive.isAbsent(), b)
              && !(a == ReconcileOracle.Change.NONE && b == ReconcileOracle.Change.NONE)
              && !seen.contains(archive.kindName() + " " + a + " " + b)) {
            missing.add(archive.kindName() + " " + a + " " + b);
          }
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  private static boolean possible(boolean archiveAbsent, ReconcileOracle.Change c) {
    return switch (c) {
      case NONE, PROBLEM -> true;
      case CREATED -> archiveAbsent;
      case MODIFIED, DELETED, REPLACED -> !archiveAbsent;
    };
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
    for (Policy p : List.of(force(Resolution.ALPHA), prefer(Resolution.ALPHA))) {
      Item item = Reconciler.reconcile(deleted, p).items().get(0);
      assertEquals(Direction.CONFLICT, item.defaultDirection());
      assertEquals(Direction.PROBLEM, item.direction(), describe(p));
      assertEquals("d/x: " + P.message(), item.reason());
      assertEquals(ReconcileFixtures.overrideText(p), item.override());
    }
    // Toward alpha nothing unreadable is overwritten: beta's d comes back, without d/x.
    Item restored = Reconciler.reconcile(deleted, prefer(Resolution.NEWER)).items().get(0);
    assertEquals(Direction.BETA_TO_ALPHA, restored.direction());

    // A new directory holding an unreadable file is copied without it, but force BETA would delete it.
    List<PathState> partial = List.of(st("n", ABS, D0, ABS), st("n/s", ABS, P, ABS), st("n/x", ABS, F1, ABS));
    assertEquals(Direction.ALPHA_TO_BETA, Reconciler.reconcile(partial, Policy.DEFAULT).items().get(0).direction());
    Item forced = Reconciler.reconcile(partial, force(Resolution.BETA)).items().get(0);
    assertEquals(Direction.PROBLEM, forced.direction());
    assertEquals("n/s: " + P.message(), forced.reason());
    assertEquals("force = second root", forced.override());
  }

  @Test
  void statesOutOfOrderAreRejected() {
    List<PathState> states = List.of(st("b", ABS, F1, ABS), st("a", ABS, F1, ABS));
    assertThrows(IllegalArgumentException.class, () -> Reconciler.reconcile(states, Policy.DEFAULT));
    List<PathState> dup = List.of(st("a", ABS, F1, ABS), st("a", ABS, F2, ABS));
    assertThrows(IllegalArgumentException.class, () -> Reconciler.reconcile(dup, Policy.DEFAULT));
  }

  @Test
  void parentSortsBeforeChildrenAndSiblingsWithLongerNames() {
    // "d/x" < "d-" in RelPath order ('/' ends a name), so the directory's subtree stays contiguous.
    List<PathState> states = List.of(st("d", ABS, D0, ABS), st("d/x", ABS, F1, ABS), st("d-", ABS, F2, ABS));
    Plan plan = Reconciler.reconcile(states, Policy.DEFAULT);
    assertEquals(List.of("d ALPHA_TO_BETA covers d/x", "d- ALPHA_TO_BETA"), render(plan));
  }

  @Test
  void emptyInputGivesEmptyPlan() {
    assertTrue(Reconciler.reconcile(List.of(), Policy.DEFAULT).isEmpty());
  }

  private static void checkPlans(Case c) {
    for (Map.Entry<Policy, List<Expected>> e : c.plans().entrySet()) {
      Plan plan = Reconciler.reconcile(c.states(), e.getKey());
      assertEquals(c.expected(e.getKey()).orElseThrow(), render(plan),
          describe(e.getKey()) + "\n" + c.states().stream().map(ReconcileFixtures::render)
              .collect(Collectors.joining("\n")));
    }
  }
}
