package jsync.core.reconcile;

import static jsync.core.reconcile.ReconcileFixtures.D0;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;

/**
 * Two replicas and their two archives as maps from path to entry, with the part of a sync run that the
 * reconcile properties need: the changed paths' states (what the scanners and {@code SyncRun} hand to the
 * reconciler), and applying a plan in memory.
 *
 * <p>Applying mirrors {@code SyncRun} and {@code StepBuilder}, not the reconciler: a propagating item makes
 * the target hold the source's entry at the item's path and every path below it that the item covers (and
 * nowhere else), skipping a path the source could not scan together with everything below it, and records
 * the paths it made equal in both archives; an archive-only item records each side's entry in its own
 * archive; conflicts and problems change nothing. A missing or extra path below a decision shows up as a
 * malformed tree ({@link #checkWellFormed}) or as a difference on the next reconciliation.
 */
final class ReconcileModel {
  final TreeMap<RelPath, Entry> archiveAlpha = new TreeMap<>();
  final TreeMap<RelPath, Entry> alpha = new TreeMap<>();
  final TreeMap<RelPath, Entry> archiveBeta = new TreeMap<>();
  final TreeMap<RelPath, Entry> beta = new TreeMap<>();

  /** The replicas a list of states describes; parents that no state mentions are unchanged directories. */
  static ReconcileModel of(List<PathState> states) {
    ReconcileModel m = new ReconcileModel();
    for (PathState s : states) {
      put(m.archiveAlpha, s.path(), s.archiveAlpha());
      put(m.alpha, s.path(), s.alpha());
      put(m.archiveBeta, s.path(), s.archiveBeta());
      put(m.beta, s.path(), s.beta());
    }
    Set<RelPath> mentioned = new TreeSet<>();
    states.forEach(s -> mentioned.add(s.path()));
    for (PathState s : states) {
      for (RelPath p = s.path(); !p.isRoot(); p = p.parent()) {
        RelPath parent = p.parent();
        if (!parent.isRoot() && !mentioned.contains(parent)) {
          for (Map<RelPath, Entry> tree : m.trees()) {
            tree.putIfAbsent(parent, D0);
          }
        }
      }
    }
    return m;
  }

  List<TreeMap<RelPath, Entry>> trees() {
    return List.of(archiveAlpha, alpha, archiveBeta, beta);
  }

  Map<RelPath, Entry> side(Side side) {
    return side == Side.ALPHA ? alpha : beta;
  }

  Map<RelPath, Entry> archive(Side side) {
    return side == Side.ALPHA ? archiveAlpha : archiveBeta;
  }

  static Entry get(Map<RelPath, Entry> tree, RelPath p) {
    return tree.getOrDefault(p, Entry.ABSENT);
  }

  static void put(Map<RelPath, Entry> tree, RelPath p, Entry e) {
    if (e.isAbsent()) {
      tree.remove(p);
    } else {
      tree.put(p, e);
    }
  }

  /**
   * The states of every path that changed on either side since that side's archive, or on which the two
   * archives disagree, in path order: what {@code SyncRun} gives the reconciler.
   */
  List<PathState> states(PropsPolicy props) {
    Set<RelPath> all = new TreeSet<>();
    trees().forEach(t -> all.addAll(t.keySet()));
    List<PathState> out = new ArrayList<>();
    for (RelPath p : all) {
      Entry aa = get(archiveAlpha, p);
      Entry a = get(alpha, p);
      Entry ab = get(archiveBeta, p);
      Entry b = get(beta, p);
      if (!props.same(aa, a) || !props.same(ab, b) || !props.same(aa, ab)) {
        out.add(new PathState(p, aa, a, ab, b));
      }
    }
    return out;
  }

  /**
   * Applies a plan; returns the paths a propagation skipped because its source could not scan them (the
   * next run reports them as problems).
   */
  List<RelPath> apply(Plan plan, PropsPolicy props) {
    List<RelPath> skipped = new ArrayList<>();
    for (Item item : plan.items()) {
      switch (item.direction()) {
        case ARCHIVE_ONLY -> {
          for (PathState s : item.states()) {
            put(archiveAlpha, s.path(), get(alpha, s.path()));
            put(archiveBeta, s.path(), get(beta, s.path()));
          }
        }
        case ALPHA_TO_BETA, BETA_TO_ALPHA -> {
          Side to = item.direction().target();
          Map<RelPath, Entry> src = side(to.other());
          Map<RelPath, Entry> dst = side(to);
          RelPath skipBelow = null;
          for (PathState s : item.states()) {
            RelPath p = s.path();
            if (skipBelow != null && skipBelow.contains(p)) {
              continue;
            }
            Entry want = get(src, p);
            if (want.kind() == Entry.Kind.PROBLEM) {
              skipBelow = p;
              skipped.add(p);
              continue;
            }
            if (!props.same(want, get(dst, p))) {
              put(dst, p, want);
            }
            put(archiveAlpha, p, get(alpha, p));
            put(archiveBeta, p, get(beta, p));
          }
        }
        case CONFLICT, PROBLEM -> {
          // Nothing changes; the archives keep the old records, so the next run sees the same item.
        }
      }
    }
    return skipped;
  }

  /**
   * On each replica, every path's parent is a directory (or a path the replica could not scan, below which
   * the archive's records stand in). Archives hold no problems; they are sets of records, not trees: when
   * two new directories conflict on their own permissions, their children are still synchronized and
   * recorded below a directory that has no record yet.
   */
  void checkWellFormed(String context) {
    String[] names = {"archive alpha", "alpha", "archive beta", "beta"};
    List<TreeMap<RelPath, Entry>> trees = trees();
    for (int i = 0; i < trees.size(); i++) {
      boolean archive = i == 0 || i == 2;
      for (Map.Entry<RelPath, Entry> e : trees.get(i).entrySet()) {
        RelPath p = e.getKey();
        if (e.getValue().kind() == Entry.Kind.PROBLEM && archive) {
          throw new AssertionError(context + ": " + names[i] + " records a problem at " + p);
        }
        if (archive || p.isRoot() || p.parent().isRoot()) {
          continue;
        }
        Entry parent = get(trees.get(i), p.parent());
        if (!parent.isDir() && parent.kind() != Entry.Kind.PROBLEM) {
          throw new AssertionError(context + ": " + names[i] + " holds " + p + " below a "
              + parent.kindName() + "\n" + this);
        }
      }
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    Set<RelPath> all = new TreeSet<>();
    trees().forEach(t -> all.addAll(t.keySet()));
    for (RelPath p : all) {
      sb.append("  ").append(ReconcileFixtures.render(new PathState(p, get(archiveAlpha, p), get(alpha, p),
          get(archiveBeta, p), get(beta, p)))).append('\n');
    }
    return sb.toString();
  }
}
