package jsync.core.reconcile;

import static jsync.core.reconcile.ReconcileFixtures.POLICIES;
import static jsync.core.reconcile.ReconcileFixtures.describe;
import static jsync.core.reconcile.ReconcileFixtures.mirror;
import static jsync.core.reconcile.ReconcileFixtures.render;
import static jsync.core.reconcile.ReconcileFixtures.swap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;
import jsync.core.reconcile.ReconcileFixtures.Case;
import jsync.core.reconcile.ReconcileFixtures.Expected;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of every plan, checked over every named and generated case and over random trees (fixed seeds),
 * under every policy:
 *
 * <ol>
 *   <li>mirror: swapping alpha and beta (and ALPHA and BETA in the policy) flips every direction and keeps
 *       the paths, reasons and covered subtrees;
 *   <li>convergence: applying the plan to an in-memory model of the replicas and reconciling again leaves no
 *       propagation and no archive-only item, only the conflicts and problems that were not settled; outside
 *       those, both replicas and both archives agree;
 *   <li>no silent loss: without force, no item overwrites or deletes a path its target side changed, unless
 *       it is a conflict that {@code prefer} settled; under any policy, nothing is written over a path the
 *       target could not scan;
 *   <li>mirroring: under force ALPHA (BETA), the replicas end up equal on every path outside a problem.
 * </ol>
 *
 * Random trees also have to match the oracle.
 */
class ReconcilePropertiesTest {
  static final List<Policy> PROPERTY_POLICIES;

  static {
    List<Policy> p = new ArrayList<>(POLICIES);
    p.add(ReconcileFixtures.TIMES);
    p.add(ReconcileFixtures.TIMES.withPrefer(Resolution.NEWER));
    p.add(ReconcileFixtures.TIMES.withForce(Resolution.ALPHA));
    PROPERTY_POLICIES = List.copyOf(p);
  }

  static Stream<Case> cases() {
    return Stream.concat(ReconcileCases.named().stream(), ReconcileOracle.generated().stream());
  }

  static IntStream seeds() {
    return IntStream.range(0, 300);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void propertiesHoldForCase(Case c) {
    for (Policy p : PROPERTY_POLICIES) {
      checkAll(c.description(), ReconcileModel.of(c.states()), c.states(), p);
    }
  }

  @ParameterizedTest(name = "random tree, seed {0}")
  @MethodSource("seeds")
  void propertiesHoldForRandomTree(int seed) {
    ReconcileModel m = RandomTrees.generate(new Random(seed));
    for (Policy p : PROPERTY_POLICIES) {
      List<PathState> states = m.states(p.props());
      checkAll("seed " + seed, copy(m), states, p);
    }
  }

  @ParameterizedTest(name = "random tree, seed {0}")
  @MethodSource("seeds")
  void randomTreeMatchesOracle(int seed) {
    ReconcileModel m = RandomTrees.generate(new Random(seed));
    for (Policy p : PROPERTY_POLICIES) {
      List<PathState> states = m.states(p.props());
      List<String> expected = ReconcileOracle.plan(states, p).stream().map(Expected::render)
          .collect(Collectors.toList());
      assertEquals(expected, render(Reconciler.reconcile(states, p)), describe(p) + "\n" + m);
    }
  }

  private static void checkAll(String what, ReconcileModel model, List<PathState> states, Policy policy) {
    String context = what + ", " + describe(policy) + (policy.props().times() ? " (times)" : "");
    Plan plan = Reconciler.reconcile(states, policy);
    checkMirror(context, states, policy, plan);
    checkNoSilentLoss(context, policy, plan);
    checkConvergence(context, model, policy, plan);
  }

  // ---- (a) mirror ------------------------------------------------------------------------------------

  private static void checkMirror(String context, List<PathState> states, Policy policy, Plan plan) {
    Plan swapped = Reconciler.reconcile(swap(states), mirror(policy));
    List<String> expected = plan.items().stream().map(ReconcilePropertiesTest::mirrored)
        .collect(Collectors.toList());
    assertEquals(expected, render(swapped), "mirror of " + context);
  }

  /** How {@code item} reads with the roots swapped. */
  private static String mirrored(Item item) {
    String reason = item.reason();
    if (item.state().alpha() instanceof Entry.Problem pa && item.state().beta() instanceof Entry.Problem pb) {
      // Problem messages come alpha's first; with the roots swapped, the other one is first.
      reason = pb.message() + "; " + pa.message();
    }
    String override = item.override().replace("first root", "\0").replace("second root", "first root")
        .replace("\0", "second root");
    Item m = new Item(swap(item.state()), mirror(item.defaultDirection()), mirror(item.direction()), reason,
        override, swap(item.below()));
    return render(m);
  }

  // ---- (c) no silent loss ----------------------------------------------------------------------------

  private static void checkNoSilentLoss(String context, Policy policy, Plan plan) {
    PropsPolicy props = policy.props();
    for (Item item : plan.items()) {
      if (!item.direction().propagates()) {
        continue;
      }
      Side to = item.direction().target();
      RelPath skipBelow = null;
      for (PathState s : item.states()) {
        if (skipBelow != null && skipBelow.contains(s.path())) {
          continue;
        }
        Entry want = s.side(to.other());
        Entry have = s.side(to);
        if (want.kind() == Entry.Kind.PROBLEM) {
          skipBelow = s.path();
          continue;
        }
        if (have.kind() == Entry.Kind.PROBLEM) {
          fail(context + ": " + render(item) + " writes over " + s.path() + ", which " + to
              + " could not scan");
        }
        boolean overwrites = !props.same(want, have);
        boolean targetChanged = !props.same(ReconcileOracle.ancestor(props, s), have);
        if (overwrites && targetChanged && policy.force().isEmpty()) {
          boolean settledByPrefer = policy.prefer().isPresent() && item.defaultDirection() == Direction.CONFLICT;
          if (!settledByPrefer) {
            fail(context + ": " + render(item) + " overwrites the change on " + to + " at " + s.path());
          }
        }
      }
    }
  }

  // ---- (b) convergence and (d) force mirrors ---------------------------------------------------------

  private static void checkConvergence(String context, ReconcileModel model, Policy policy, Plan plan) {
    PropsPolicy props = policy.props();
    model.checkWellFormed(context + ", before");
    List<RelPath> skipped = model.apply(plan, props);
    model.checkWellFormed(context + ", after applying " + render(plan));

    Plan again = Reconciler.reconcile(model.states(props), policy);
    List<String> left = new ArrayList<>();
    for (Item item : again.items()) {
      if (skipped.contains(item.path()) && item.direction() == Direction.PROBLEM) {
        continue; // the unreadable path a partial copy left out, now reported on its own
      }
      left.add(render(item));
    }
    List<String> unsettled = plan.items().stream()
        .filter(i -> i.direction() == Direction.CONFLICT || i.direction() == Direction.PROBLEM)
        .map(ReconcileFixtures::render).collect(Collectors.toList());
    assertEquals(unsettled, left, context + ": reconciling again after applying " + render(plan) + "\n"
        + model);

    // Outside what is left unsettled, both replicas and both archives now agree.
    List<RelPath> unsettledPaths = new ArrayList<>(skipped);
    List<RelPath> unsettledTops = new ArrayList<>();
    for (Item i : plan.items()) {
      if (i.direction() == Direction.CONFLICT || i.direction() == Direction.PROBLEM) {
        (i.coversSubtree() ? unsettledPaths : unsettledTops).add(i.path());
      }
    }
    Set<RelPath> every = new TreeSet<>();
    model.trees().forEach(t -> every.addAll(t.keySet()));
    for (RelPath p : every) {
      if (unsettledTops.contains(p) || unsettledPaths.stream().anyMatch(u -> u.contains(p))) {
        continue;
      }
      Entry a = ReconcileModel.get(model.alpha, p);
      Entry b = ReconcileModel.get(model.beta, p);
      if (!props.same(a, b) || !props.same(ReconcileModel.get(model.archiveAlpha, p), a)
          || !props.same(ReconcileModel.get(model.archiveBeta, p), b)) {
        fail(context + ": after applying " + render(plan) + ", " + p + " is not settled\n" + model);
      }
    }

    if (policy.force().isPresent() && (policy.force().get() == Resolution.ALPHA
        || policy.force().get() == Resolution.BETA)) {
      List<RelPath> excluded = new ArrayList<>(skipped);
      plan.items().stream().filter(i -> i.direction() == Direction.PROBLEM).forEach(i -> excluded.add(i.path()));
      Set<RelPath> all = new TreeSet<>(model.alpha.keySet());
      all.addAll(model.beta.keySet());
      for (RelPath p : all) {
        if (excluded.stream().anyMatch(e -> e.contains(p))) {
          continue;
        }
        Entry a = ReconcileModel.get(model.alpha, p);
        Entry b = ReconcileModel.get(model.beta, p);
        if (!props.same(a, b)) {
          fail(context + ": after force the replicas still differ at " + p + "\n" + model);
        }
      }
    }
  }

  private static ReconcileModel copy(ReconcileModel m) {
    ReconcileModel c = new ReconcileModel();
    c.archiveAlpha.putAll(m.archiveAlpha);
    c.alpha.putAll(m.alpha);
    c.archiveBeta.putAll(m.archiveBeta);
    c.beta.putAll(m.beta);
    return c;
  }

  /**
   * Random replicas for the properties: a random archive tree (names a, b, c; depth up to 3), and each side
   * derived from it by random deletions, edits, permission changes, kind replacements, creations and
   * unreadable paths; one tree in eight gets a beta archive that disagrees with alpha's.
   */
  static final class RandomTrees {
    private static final List<String> NAMES = List.of("a", "b", "c");
    private static final List<String> NEW_NAMES = List.of("d", "e");
    private static final List<Entry> FILES = Arrays.asList(ReconcileFixtures.F1, ReconcileFixtures.F2,
        ReconcileFixtures.F3, ReconcileFixtures.F1p, ReconcileFixtures.F2t1, ReconcileFixtures.F1t2);
    private static final List<Entry> LINKS = List.of(ReconcileFixtures.L1, ReconcileFixtures.L2);
    private static final List<Entry> DIRS = List.of(ReconcileFixtures.D0, ReconcileFixtures.D1);

    static ReconcileModel generate(Random rnd) {
      ReconcileModel m = new ReconcileModel();
      Map<RelPath, Entry> archive = new TreeMap<>();
      grow(rnd, archive, RelPath.ROOT, 0, 0.8);
      m.archiveAlpha.putAll(archive);
      m.archiveBeta.putAll(rnd.nextInt(8) == 0 ? mutate(rnd, archive, false) : archive);
      m.alpha.putAll(mutate(rnd, m.archiveAlpha, true));
      m.beta.putAll(mutate(rnd, m.archiveBeta, true));
      return m;
    }

    /** Adds random children below {@code dir} (the root or a directory). */
    private static void grow(Random rnd, Map<RelPath, Entry> tree, RelPath dir, int depth, double density) {
      for (String name : NAMES) {
        if (rnd.nextDouble() < density) {
          put(rnd, tree, dir.resolve(name), depth + 1);
        }
      }
    }

    private static void put(Random rnd, Map<RelPath, Entry> tree, RelPath p, int depth) {
      int k = rnd.nextInt(depth >= 3 ? 6 : 8);
      if (k < 4) {
        tree.put(p, pick(rnd, FILES));
      } else if (k < 6) {
        tree.put(p, pick(rnd, LINKS));
      } else {
        tree.put(p, pick(rnd, DIRS));
        grow(rnd, tree, p, depth, 0.6);
      }
    }

    private static Map<RelPath, Entry> mutate(Random rnd, Map<RelPath, Entry> original, boolean problems) {
      TreeMap<RelPath, Entry> tree = new TreeMap<>(original);
      List<RelPath> paths = new ArrayList<>(original.keySet());
      for (RelPath p : paths) {
        Entry e = tree.get(p);
        if (e == null || underProblem(tree, p)) {
          continue;
        }
        double r = rnd.nextDouble();
        if (r < 0.08) {
          removeSubtree(tree, p);
        } else if (r < 0.18) {
          tree.put(p, other(rnd, e));
        } else if (r < 0.23) {
          removeSubtree(tree, p);
          put(rnd, tree, p, p.depth());
        } else if (problems && r < 0.25) {
          tree.put(p, rnd.nextBoolean() ? ReconcileFixtures.P : ReconcileFixtures.P2);
        }
      }
      List<RelPath> dirs = new ArrayList<>(List.of(RelPath.ROOT));
      tree.forEach((p, e) -> {
        if (e.isDir()) {
          dirs.add(p);
        }
      });
      for (RelPath d : dirs) {
        if (rnd.nextDouble() < 0.15 && !underProblem(tree, d)) {
          RelPath child = d.resolve(pick(rnd, NEW_NAMES));
          if (!tree.containsKey(child)) {
            put(rnd, tree, child, child.depth());
          }
        }
      }
      return tree;
    }

    private static boolean underProblem(Map<RelPath, Entry> tree, RelPath p) {
      for (RelPath q = p; !q.isRoot(); q = q.parent()) {
        Entry e = tree.get(q);
        if (e != null && e.kind() == Entry.Kind.PROBLEM && !q.equals(p)) {
          return true;
        }
      }
      return false;
    }

    /** Same kind, other content or permissions. */
    private static Entry other(Random rnd, Entry e) {
      List<Entry> choices = switch (e.kind()) {
        case FILE -> FILES;
        case LINK -> LINKS;
        case DIR -> DIRS;
        case ABSENT, PROBLEM -> List.of(e);
      };
      List<Entry> others = new ArrayList<>(choices);
      others.remove(e);
      return others.isEmpty() ? e : pick(rnd, others);
    }

    private static void removeSubtree(TreeMap<RelPath, Entry> tree, RelPath p) {
      tree.keySet().removeIf(p::contains);
    }

    private static <T> T pick(Random rnd, List<T> list) {
      return list.get(rnd.nextInt(list.size()));
    }
  }
}
