package jsync.core.reconcile;

import java.util.ArrayList;
import java.util.List;
import jsync.core.model.Entry;
import jsync.core.model.PropsPolicy;
import jsync.core.model.RelPath;

/**
 * Decides, for every path that changed on either replica, what to do: a pure function of the path states
 * and the policy. No clock, no filesystem, no configuration beyond {@link Policy}.
 *
 * <p>Two passes, as in Unison: first the default decision from the changes alone ({@link #decide}), then
 * {@code prefer} and {@code force} override it ({@link #override}), keeping both so the CLI can say why.
 *
 * <p>Directory semantics follow Unison's: a decision that removes or replaces a directory on one replica
 * covers its whole subtree, and is only taken when nothing below it changed on that replica; otherwise the
 * directory is one conflict. Identical changes on both sides are no conflict: the archive just records them.
 * When the two archives disagree about a path, it has no known ancestor and first-sync rules apply: a path
 * present on one side only is copied to the other, differing contents are a conflict, nothing is deleted.
 */
public final class Reconciler {
  private final Policy policy;
  private final PropsPolicy props;

  private Reconciler(Policy policy) {
    this.policy = policy;
    this.props = policy.props();
  }

  /**
   * Reconciles the given states.
   *
   * @param states one state per path that changed on either side, sorted in {@link RelPath} order without
   *     duplicates; the states below a directory must include every path of that subtree known to either
   *     archive or replica that changed on either side
   */
  public static Plan reconcile(List<PathState> states, Policy policy) {
    checkOrder(states);
    Reconciler r = new Reconciler(policy);
    List<Item> items = new ArrayList<>();
    int i = 0;
    while (i < states.size()) {
      int end = subtreeEnd(states, i);
      Item item = r.decide(states.get(i), states.subList(i + 1, end));
      if (item == null) {
        i++;
      } else {
        items.add(r.override(item));
        i = item.coversSubtree() ? end : i + 1;
      }
    }
    return new Plan(items);
  }

  /**
   * The default decision for one path, or {@code null} when there is nothing to do. When the returned item
   * covers a subtree, {@code below} is consumed by it.
   */
  Item decide(PathState s, List<PathState> below) {
    Entry a = s.alpha();
    Entry b = s.beta();

    // A side we could not read might hide anything, including changes below it: leave the path and its
    // subtree alone rather than guess. Counted as skipped or failed according to the problem's kind.
    if (a.kind() == Entry.Kind.PROBLEM || b.kind() == Entry.Kind.PROBLEM) {
      return Item.of(s, Direction.PROBLEM, problemReason(a, b), below);
    }

    // Both replicas hold the same thing, whatever happened before. Children of two directories are decided
    // on their own. If the archives already say so there is nothing to do (only stamps changed).
    if (props.same(a, b)) {
      if (props.same(s.archiveAlpha(), a) && props.same(s.archiveBeta(), b)) {
        return null;
      }
      return Item.of(s, Direction.ARCHIVE_ONLY, "", List.of());
    }

    Entry ancestor = ancestor(s);
    boolean alphaChanged = !props.same(ancestor, a);
    boolean betaChanged = !props.same(ancestor, b);
    if (alphaChanged && betaChanged) {
      return conflict(s, ancestor, below);
    }
    if (!alphaChanged && !betaChanged) {
      // same() is an equivalence, so ancestor == a and ancestor == b would mean a == b, handled above.
      throw new IllegalStateException("unchanged on both sides yet different at " + s.path().display());
    }
    return propagate(s, alphaChanged ? Side.ALPHA : Side.BETA, below);
  }

  /** Only {@code from} changed {@code s.path()}: make the other side like it, if that is safe. */
  private Item propagate(PathState s, Side from, List<PathState> below) {
    Side to = from.other();
    Entry src = s.side(from);
    Entry dst = s.side(to);

    // Two directories differing only in properties: a property update; children are decided on their own.
    if (src.isDir() && dst.isDir()) {
      return Item.of(s, Direction.toward(to), "", List.of());
    }
    // Neither side is a directory now, so no children exist on either side: a single-path copy or delete.
    // (Archive-only children can exist when the archives disagreed; they are then covered like a subtree.)
    if (!src.isDir() && !dst.isDir() && below.isEmpty()) {
      return Item.of(s, Direction.toward(to), "", List.of());
    }
    // A directory is created, removed, or replaced by another kind on `to`. The destination's side of the
    // subtree is thrown away or rebuilt, so this is only safe if nothing changed below it on `to`: a file
    // edited inside a directory deleted on the other side must not vanish silently (Unison does the same).
    // A path `to` deleted is no obstacle: the decision loses nothing there. (Unison calls that a conflict
    // too; for jsync it is what a run killed while deleting a directory leaves behind, its files removed
    // one by one, and the next run must finish that deletion, not stop at it: docs/reconcile.md.)
    for (PathState t : below) {
      if (changedOn(t, to) && !t.side(to).isAbsent()) {
        return Item.of(s, Direction.CONFLICT, subtreeConflictReason(s, from, t), below);
      }
    }
    return Item.of(s, Direction.toward(to), "", below);
  }

  /** Both sides changed {@code s.path()} differently. */
  private Item conflict(PathState s, Entry ancestor, List<PathState> below) {
    Entry a = s.alpha();
    Entry b = s.beta();
    if (a.isDir() && b.isDir()) {
      // Only directory properties differ; the children are independent and decided on their own.
      return Item.of(s, Direction.CONFLICT, "properties changed on both sides", List.of());
    }
    boolean covers = a.isDir() || b.isDir() || ancestor.isDir() || !below.isEmpty();
    return Item.of(s, Direction.CONFLICT, conflictReason(ancestor, a, b), covers ? below : List.of());
  }

  /** The second pass: {@code force} re-decides every difference, {@code prefer} only conflicts. */
  Item override(Item item) {
    if (item.direction() == Direction.PROBLEM || item.direction() == Direction.ARCHIVE_ONLY) {
      return item;
    }
    if (policy.force().isPresent()) {
      return overrideWith(item, policy.force().get(), "force = ");
    }
    if (policy.prefer().isPresent() && item.direction() == Direction.CONFLICT) {
      return overrideWith(item, policy.prefer().get(), "prefer = ");
    }
    return item;
  }

  private Item overrideWith(Item item, Resolution r, String setting) {
    Direction d = resolve(item, r);
    if (d == null || d == item.direction()) {
      return item;
    }
    String why = setting + describe(r);
    // The default decision never writes over a path its target could not scan: a problem below a subtree
    // item on the side it would write makes it a conflict. A resolution that picks the other direction must
    // not either, or it would delete or replace something nobody has looked at (an unreadable file below a
    // directory deleted on the other side). The item becomes a problem naming those paths; Unison, too,
    // makes an item with a scan error below it a problem unless it may be copied partially (recon.ml,
    // propagateErrors). Rejected: keeping the default direction, which under force could write to the
    // very side that force protects.
    String unscanned = unscannedOn(item, d.target());
    if (!unscanned.isEmpty()) {
      return new Item(item.state(), item.defaultDirection(), Direction.PROBLEM, unscanned, why, item.below());
    }
    return item.withDirection(d, why);
  }

  /** "path: message" for each of the item's paths that {@code side} could not scan, or empty. */
  private static String unscannedOn(Item item, Side side) {
    StringBuilder sb = new StringBuilder();
    for (PathState s : item.states()) {
      if (s.side(side) instanceof Entry.Problem p) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(s.path().display()).append(": ").append(p.message());
      }
    }
    return sb.toString();
  }

  /**
   * The direction a resolution gives this item, or {@code null} to leave it as it is.
   *
   * <p>Newer and older settle conflicts only, under {@code prefer} and {@code force} alike: a change made on
   * one side only is unambiguous, and Unison's way of re-deciding it under {@code force newer} (comparing
   * against the other side's archived mtime) can revert a file restored from a backup. Between a deletion
   * and a modification the modified side wins, as in Unison, whichever of newer or older is asked: a
   * timestamp cannot justify destroying the only changed copy. Two files with different mtimes are settled
   * by them; equal mtimes, directories and symlinks stay conflicts (Unison lets the second root win ties
   * and compares a directory's own mtime, which can delete newer files inside it).
   */
  private static Direction resolve(Item item, Resolution r) {
    switch (r) {
      case ALPHA:
        return Direction.ALPHA_TO_BETA;
      case BETA:
        return Direction.BETA_TO_ALPHA;
      case NEWER:
      case OLDER:
        if (item.defaultDirection() != Direction.CONFLICT) {
          return null;
        }
        Entry a = item.state().alpha();
        Entry b = item.state().beta();
        if (a.isAbsent() != b.isAbsent()) {
          return a.isAbsent() ? Direction.BETA_TO_ALPHA : Direction.ALPHA_TO_BETA;
        }
        if (!(a instanceof Entry.File fa) || !(b instanceof Entry.File fb)
            || fa.mtimeNanos() == fb.mtimeNanos()) {
          return null;
        }
        boolean alphaNewer = fa.mtimeNanos() > fb.mtimeNanos();
        return alphaNewer == (r == Resolution.NEWER) ? Direction.ALPHA_TO_BETA : Direction.BETA_TO_ALPHA;
    }
    throw new AssertionError(r);
  }

  private static String describe(Resolution r) {
    return switch (r) {
      case ALPHA -> "first root";
      case BETA -> "second root";
      case NEWER -> "newer";
      case OLDER -> "older";
    };
  }

  /** The common ancestor: what both archives agree on, or nothing when they disagree (first-sync rules). */
  private Entry ancestor(PathState s) {
    return props.same(s.archiveAlpha(), s.archiveBeta()) ? s.archiveAlpha() : Entry.ABSENT;
  }

  private boolean changedOn(PathState t, Side side) {
    Entry e = t.side(side);
    return e.kind() == Entry.Kind.PROBLEM || !props.same(ancestor(t), e);
  }

  /**
   * Unison's reason texts, so log parsers keep working: "contents changed on both sides", "properties
   * changed on both sides", "symbolic links changed on both sides", "conflicting updates". jsync says
   * "properties" whenever the contents agree (Unison says "contents" for a props-only conflict after a
   * sync) and adds what happened in parentheses to "conflicting updates".
   */
  private String conflictReason(Entry ancestor, Entry a, Entry b) {
    if (a.kind() == Entry.Kind.FILE && b.kind() == Entry.Kind.FILE) {
      return props.sameContent(a, b) ? "properties changed on both sides" : "contents changed on both sides";
    }
    if (a.kind() == Entry.Kind.LINK && b.kind() == Entry.Kind.LINK) {
      return "symbolic links changed on both sides";
    }
    if (a.isAbsent() || b.isAbsent()) {
      Entry kept = a.isAbsent() ? b : a;
      String what = kept.kind() == ancestor.kind() ? "changed" : "replaced by a " + kept.kindName();
      return "conflicting updates (deleted on one side, " + what + " on the other)";
    }
    // "One side" and "the other" do not say which root is which, so name the kinds in a fixed order: the
    // same conflict then reads the same whichever root holds the directory (swapping roots mirrors a plan).
    Entry first = a.kind().compareTo(b.kind()) <= 0 ? a : b;
    Entry second = first == a ? b : a;
    return "conflicting updates (a " + first.kindName() + " on one side, a " + second.kindName()
        + " on the other)";
  }

  private static String subtreeConflictReason(PathState s, Side from, PathState changedBelow) {
    Entry src = s.side(from);
    String what = src.isAbsent() ? "deleted" : src.isDir() ? "created" : "replaced by a " + src.kindName();
    return "conflicting updates (directory " + what + " on one side, "
        + changedBelow.path().display() + " changed on the other)";
  }

  private static String problemReason(Entry a, Entry b) {
    StringBuilder sb = new StringBuilder();
    if (a instanceof Entry.Problem p) {
      sb.append(p.message());
    }
    if (b instanceof Entry.Problem p) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(p.message());
    }
    return sb.toString();
  }

  private static int subtreeEnd(List<PathState> states, int i) {
    RelPath top = states.get(i).path();
    int j = i + 1;
    while (j < states.size() && top.isAncestorOf(states.get(j).path())) {
      j++;
    }
    return j;
  }

  private static void checkOrder(List<PathState> states) {
    for (int i = 1; i < states.size(); i++) {
      if (states.get(i - 1).path().compareTo(states.get(i).path()) >= 0) {
        throw new IllegalArgumentException("path states out of order or duplicated at "
            + states.get(i).path().display());
      }
    }
  }
}
